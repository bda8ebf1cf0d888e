"""Slack-signed requests over real HTTP, and a closed-loop load generator
(asyncio + aiohttp) that measures on the client side.

The client must never be what limits a cell: with httpx, the generator spent
4-6 ms of CPU per request (its connection pool's bookkeeping grows with the
connections) and saturated its core at about 220-350 req/s, so the bare app's
throughput and p99 were the client's, not the app's (docs/performance.md,
finding 10). aiohttp spends about 0.35 ms. Each cell records the CPU the
client and the server spent, so a reader can check which one was busy."""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import os
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
from slack_sdk.signature import SignatureVerifier

TEAM_ID = "T0TEAM"


class Signer:
    def __init__(self, secret: str) -> None:
        self.verifier = SignatureVerifier(secret)

    def headers(self, body: str) -> dict[str, str]:
        ts = str(int(time.time()))
        return {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": self.verifier.generate_signature(timestamp=ts, body=body)}


def command_body(user: str, text: str, *, response_url: str, channel: str = "C0OTHER", n: int = 0,
                 team: str = TEAM_ID) -> str:
    """A ``/topic`` slash command as Slack sends it (cf. ``bot/devtools/rig.py``), from workspace ``team``."""
    return urllib.parse.urlencode({
        "token": "legacy", "team_id": team, "team_domain": "bench", "channel_id": channel,
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


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU a process has spent (Linux ``/proc``; None elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: int = 0
    elapsed: float = 0.0
    started: float = 0.0  # time.perf_counter() when the first request went
    error_samples: list[str] = field(default_factory=list)
    server_cpu: float | None = None  # CPU seconds the server process spent during the cell
    client_cpu: float | None = None  # and this process, the client

    @property
    def server_ms_per_request(self) -> float | None:
        return self.server_cpu / self.count * 1000 if self.server_cpu is not None and self.count else None

    @property
    def client_busy(self) -> float | None:
        """The client's share of one core: near 1.0, the client set the pace."""
        return self.client_cpu / self.elapsed if self.client_cpu is not None and self.elapsed else None

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


async def post(session: aiohttp.ClientSession, url: str, signer: Signer, body: str, res: Result) -> None:
    t0 = time.perf_counter()
    try:
        async with session.post(url, data=body.encode(), headers=signer.headers(body)) as r:
            text = await r.text()
            ok = r.status == 200
            if not ok and len(res.error_samples) < 5:
                res.error_samples.append(f"{r.status} {text[:120]}")
    except (TimeoutError, aiohttp.ClientError) as e:
        ok = False
        if len(res.error_samples) < 5:
            res.error_samples.append(f"{type(e).__name__}: {e}")
    if ok:
        res.latencies.append(time.perf_counter() - t0)
    else:
        res.errors += 1


async def _closed_loop(url: str, signer: Signer, make_body: Callable[[int], str], concurrency: int,
                       duration: float, timeout: float) -> Result:
    res = Result()
    counter = itertools.count()
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        deadline = time.perf_counter() + duration

        async def worker() -> None:
            while time.perf_counter() < deadline:
                await post(session, url, signer, make_body(next(counter)), res)

        start = res.started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        res.elapsed = time.perf_counter() - start
    return res


def closed_loop(url: str, signer: Signer, make_body: Callable[[int], str], *, concurrency: int, duration: float,
                timeout: float = 10.0, server_pid: int | None = None) -> Result:
    """``concurrency`` clients, each sending its next request as soon as the
    previous one is answered, for ``duration`` seconds; with ``server_pid``,
    the CPU both sides spent."""
    s0, c0 = (cpu_seconds(server_pid) if server_pid else None), cpu_seconds(os.getpid())
    res = asyncio.run(_closed_loop(url, signer, make_body, concurrency, duration, timeout))
    s1, c1 = (cpu_seconds(server_pid) if server_pid else None), cpu_seconds(os.getpid())
    if s0 is not None and s1 is not None:
        res.server_cpu = s1 - s0
    if c0 is not None and c1 is not None:
        res.client_cpu = c1 - c0
    return res


async def _burst(url: str, signer: Signer, bodies: list[str], timeout: float) -> Result:
    res = Result()
    # One connection per click, opened when the gate opens, as 200 browsers would.
    connector = aiohttp.TCPConnector(limit=len(bodies), force_close=True)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        gate = asyncio.Event()

        async def one(body: str) -> None:
            await gate.wait()
            await post(session, url, signer, body, res)

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
