"""Fault injection for the Slack stand-in: failing the way Slack fails.

The next ``n`` calls can answer 5xx, answer 429 with ``Retry-After`` or have
their connection dropped; an outage fails every call; and per-method token
buckets (per channel, or for the whole workspace) answer 429 like Slack's
rate limits. Mixed into :class:`bot.devtools.slack_standin.SlackStandIn`,
which sets up the state in its ``__init__``.

Stdlib only; no test framework imports.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

from bot.devtools.slack_standin_calls import resolve_channel

# Methods the "next n" fault injections never hit (Bolt calls it at start-up).
_FAULT_EXEMPT = frozenset({"auth.test"})

# (kind, status, body, headers) with kind "drop" or "error".
Fault = tuple[str, int, dict[str, Any], dict[str, str]]


class TokenBucket:
    __slots__ = ("tokens", "stamp")

    def __init__(self, tokens: float, stamp: float) -> None:
        self.tokens = tokens
        self.stamp = stamp


class FaultInjection:
    """The stand-in's faults. Its state is set up by ``SlackStandIn.__init__``."""

    _lock: threading.RLock
    rate_limits: dict[str, tuple[float, int]] | None
    workspace_limits: dict[str, tuple[float, int]] | None
    _buckets: dict[tuple[str, str], TokenBucket]
    _fail_next: int
    _fail_status: int
    _rate_limit_next: int
    _retry_after: int
    _drop_next: int
    _outage: int | None
    revoked_tokens: set[str]
    # OAuthMethods': the workspace a token was issued for (annotated only, so as not to shadow it).
    token_team: Callable[[str | None], str | None]

    def fail_next(self, n: int, status: int = 500) -> None:
        """The next ``n`` API calls (not auth.test) answer ``status`` with ``fatal_error``."""
        with self._lock:
            self._fail_next = n
            self._fail_status = status

    def rate_limit_next(self, n: int, retry_after: int = 1) -> None:
        """The next ``n`` API calls (not auth.test) answer 429 with ``Retry-After``."""
        with self._lock:
            self._rate_limit_next = n
            self._retry_after = retry_after

    def drop_connections_next(self, n: int) -> None:
        """The next ``n`` API calls (not auth.test) get their socket closed with no answer."""
        with self._lock:
            self._drop_next = n

    def set_outage(self, status: int | None = 500) -> None:
        """Every API call answers ``status`` until ``set_outage(None)``."""
        with self._lock:
            self._outage = status

    # ------------------------------------------------------------ internals

    def _fault(self, method: str, params: dict[str, Any], token: str | None = None) -> Fault | None:
        """Decide, under the lock, whether this call is faulted.

        Returns (kind, status, body, headers) with kind "drop" or "error", or None.
        """
        with self._lock:
            if self._outage is not None:
                return "error", self._outage, {"ok": False, "error": "fatal_error"}, {}
            if token is not None and token in self.revoked_tokens:  # Slack answers it with a 200
                return "error", 200, {"ok": False, "error": "invalid_auth"}, {}
            exempt = method in _FAULT_EXEMPT
            if not exempt and self._drop_next > 0:
                self._drop_next -= 1
                return "drop", 0, {}, {}
            if not exempt and self._rate_limit_next > 0:
                self._rate_limit_next -= 1
                return (
                    "error",
                    429,
                    {"ok": False, "error": "ratelimited"},
                    {"Retry-After": str(self._retry_after)},
                )
            if not exempt and self._fail_next > 0:
                self._fail_next -= 1
                return "error", self._fail_status, {"ok": False, "error": "fatal_error"}, {}
            return self._rate_limited(method, params, token)

    def _rate_limited(self, method: str, params: dict[str, Any], token: str | None = None) -> Fault | None:
        """A 429 if the call does not fit the method's rate limits, else None
        (the call then takes a token from each bucket). Called under the lock.
        Slack's limits are per workspace and app: the workspace-wide bucket is
        that of the workspace the call's token was issued for (one bucket for
        every token the stand-in did not issue)."""
        buckets: list[tuple[tuple[str, str], float, int]] = []
        if self.rate_limits and method in self.rate_limits:
            rate, burst = self.rate_limits[method]
            channel = str(params.get("channel") or params.get("user") or "")
            buckets.append(((method, resolve_channel(channel) if channel else ""), rate, burst))
        if self.workspace_limits and method in self.workspace_limits:
            rate, burst = self.workspace_limits[method]
            buckets.append(((method, f"*workspace*{self.token_team(token) or ''}"), rate, burst))
        if not buckets:
            return None
        # A call must fit in every bucket it counts against; a refused
        # call takes no token from any of them.
        now = time.monotonic()
        waits = []
        for key, rate, burst in buckets:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(float(burst), now)
            bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.stamp) * rate)
            bucket.stamp = now
            if bucket.tokens < 1.0:
                waits.append((1.0 - bucket.tokens) / rate if rate > 0 else 60.0)
        if waits:
            retry_after = max(1, math.ceil(max(waits)))
            return (
                "error",
                429,
                {"ok": False, "error": "ratelimited"},
                {"Retry-After": str(retry_after)},
            )
        for key, _rate, _burst in buckets:
            self._buckets[key].tokens -= 1.0
        return None
