"""Slack-signed requests over real HTTP, and a closed-loop load generator
(asyncio + httpx) that measures on the client side."""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from slack_sdk.signature import SignatureVerifier

TEAM_ID = "T0TEAM"


class Signer:
    def __init__(self, secret: str) -> None:
        self.verifier = SignatureVerifier(secret)

    def headers(self, body: str) -> dict[str, str]:
        ts = str(int(time.time()))
        return {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": self.verifier.generate_signature(timestamp=ts, body=body)}


def command_body(user: str, text: str, *, response_url: str, channel: str = "C0OTHER", n: int = 0) -> str:
    """A ``/topic`` slash command as Slack sends it (cf. ``bot/devtools/rig.py``)."""
    return urllib.parse.urlencode({
        "token": "legacy", "team_id": TEAM_ID, "team_domain": "bench", "channel_id": channel,
        "channel_name": "bench", "user_id": user, "user_name": user.lower(), "command": "/topic", "text": text,
        "api_app_id": "A0OPSBOT", "response_url": response_url, "trigger_id": f"{n}.bench",
    })


def approve_body(user: str, topic_id: int, *, channel: str, response_url: str, n: int = 0) -> str:
    """An **Approve** click on a topic's card."""
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0OPSBOT",
        "team": {"id": TEAM_ID, "domain": "bench"},
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": channel},
        "trigger_id": f"{n}.bench",
        "channel": {"id": channel, "name": "bench"},
        "response_url": response_url,
        "actions": [{"type": "button", "action_id": "topic_approve", "block_id": "b", "value": str(topic_id),
                     "action_ts": f"{time.time():.6f}"}],
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: int = 0
    elapsed: float = 0.0
    started: float = 0.0  # time.perf_counter() when the first request went
    error_samples: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    def pct(self, p: float) -> float:
        """The p-th percentile in milliseconds (nearest rank)."""
        if not self.latencies:
            return math.nan
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, max(0, math.ceil(p / 100 * len(xs)) - 1))] * 1000

    @property
    def max_ms(self) -> float:
        return max(self.latencies) * 1000 if self.latencies else math.nan


async def _closed_loop(url: str, signer: Signer, make_body: Callable[[int], str], concurrency: int,
                       duration: float, timeout: float) -> Result:
    res = Result()
    counter = itertools.count()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        deadline = time.perf_counter() + duration

        async def worker() -> None:
            while time.perf_counter() < deadline:
                body = make_body(next(counter))
                t0 = time.perf_counter()
                try:
                    r = await client.post(url, content=body, headers=signer.headers(body))
                    ok = r.status_code == 200
                    if not ok and len(res.error_samples) < 5:
                        res.error_samples.append(f"{r.status_code} {r.text[:120]}")
                except httpx.HTTPError as e:
                    ok = False
                    if len(res.error_samples) < 5:
                        res.error_samples.append(f"{type(e).__name__}: {e}")
                if ok:
                    res.latencies.append(time.perf_counter() - t0)
                else:
                    res.errors += 1

        start = res.started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        res.elapsed = time.perf_counter() - start
    return res


def closed_loop(url: str, signer: Signer, make_body: Callable[[int], str], *, concurrency: int, duration: float,
                timeout: float = 10.0) -> Result:
    """``concurrency`` clients, each sending its next request as soon as the
    previous one is answered, for ``duration`` seconds."""
    return asyncio.run(_closed_loop(url, signer, make_body, concurrency, duration, timeout))


async def _burst(url: str, signer: Signer, bodies: list[str], timeout: float) -> Result:
    res = Result()
    limits = httpx.Limits(max_connections=len(bodies), max_keepalive_connections=len(bodies))
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        gate = asyncio.Event()

        async def one(body: str) -> None:
            await gate.wait()
            t0 = time.perf_counter()
            try:
                r = await client.post(url, content=body, headers=signer.headers(body))
                ok = r.status_code == 200
                if not ok and len(res.error_samples) < 5:
                    res.error_samples.append(f"{r.status_code} {r.text[:120]}")
            except httpx.HTTPError as e:
                ok = False
                res.error_samples.append(f"{type(e).__name__}: {e}")
            if ok:
                res.latencies.append(time.perf_counter() - t0)
            else:
                res.errors += 1

        tasks = [asyncio.create_task(one(b)) for b in bodies]
        await asyncio.sleep(0.05)  # every task waiting at the gate
        start = res.started = time.perf_counter()
        gate.set()
        await asyncio.gather(*tasks)
        res.elapsed = time.perf_counter() - start
    return res


def burst(url: str, signer: Signer, bodies: list[str], *, timeout: float = 10.0) -> Result:
    """Every body at once, each on its own connection."""
    return asyncio.run(_burst(url, signer, bodies, timeout))
