"""The outbox's pacer: client-side token buckets that keep posting under Slack's limits, per
channel and per workspace (``bot/kernel/outbox.py`` asks it before each new message)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# Slack's published limits for posting (docs.slack.dev/apis/web-api/rate-limits):
# chat.postMessage "generally allows posting one message per second per
# channel", short bursts above that allowed, "while also maintaining a
# workspace-wide limit" whose number Slack does not publish. The pacer keeps
# under these; docs/performance.md says where each number comes from.
CHANNEL_RATE, CHANNEL_BURST = 1.0, 4
WORKSPACE_RATE, WORKSPACE_BURST = 10.0, 20


class Pacer:
    """Client-side token buckets in front of ``chat.postMessage``: one per
    channel and one for the workspace, a little under Slack's limits so that
    a fan-out of thousands of DMs goes out at the rate Slack allows instead of
    bouncing off 429s. Thread-safe; waits on ``stop`` so shutdown is prompt."""

    def __init__(self, *, channel: tuple[float, int] = (CHANNEL_RATE, CHANNEL_BURST),
                 workspace: tuple[float, int] = (WORKSPACE_RATE, WORKSPACE_BURST), margin: float = 0.97,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.channel = (channel[0] * margin, max(1, channel[1] - 1))
        self.workspace = (workspace[0] * margin, max(1, workspace[1] - 1))
        self._now = monotonic
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, stamp)

    def _level(self, key: str, rate: float, burst: int, now: float) -> float:
        tokens, stamp = self._buckets.get(key, (float(burst), now))
        return min(float(burst), tokens + (now - stamp) * rate)

    def ready(self, channel: str) -> bool:
        """Whether a post to ``channel`` could go now without waiting on its channel."""
        with self._lock:
            return self._level(channel, *self.channel, self._now()) >= 1.0

    def acquire(self, channel: str, stop: threading.Event | None = None, workspace: str = "") -> bool:
        """Wait for a token for one post to ``channel`` of ``workspace``; False if stopped first.
        Slack's limits are per workspace and app: each workspace has a bucket of its own, so
        posts to different workspaces do not wait on each other."""
        every = "*" + workspace
        while True:
            with self._lock:
                now = self._now()
                c = self._level(channel, *self.channel, now)
                w = self._level(every, *self.workspace, now)
                if c >= 1.0 and w >= 1.0:
                    self._buckets[channel] = (c - 1.0, now)
                    self._buckets[every] = (w - 1.0, now)
                    if len(self._buckets) > 10_000:  # forget idle channels and workspaces (full buckets)
                        self._buckets = {k: v for k, v in self._buckets.items() if v[1] > now - 60 or k == "*"}
                    return True
                delay = max((1.0 - c) / self.channel[0], (1.0 - w) / self.workspace[0])
            if stop is not None:
                if stop.wait(delay):
                    return False
            else:
                time.sleep(delay)
