"""The three benchmarks: ack latency and throughput, the Approve burst, and
the quota-reminder fan-out under Slack's rate limits."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench import load
from bench.servers import ROOT, Server, StandIn, reset_postgres, start_bare, start_opsbot
from bot.devtools.slack_standin import SlackStandIn
from bot.kernel import outbox
from storage.db import make_engine
from storage.models import InboxRequest, OutboxNotice
from storage.topics import Topic

LEAD = "U0LEAD"
BENCH_CHANNEL, BURST_CHANNEL = "C0BENCH", "C0BURST"
ZONES = ["UTC", "Asia/Shanghai", "Europe/Madrid", "America/New_York"]


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- the people and teams of the ack and burst runs ------------------------------


def ack_people(concurrency: int, burst: int) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    members = [f"U0M{i:04d}" for i in range(max(concurrency, 1))]
    burst_members = [f"U0B{i:04d}" for i in range(burst)]
    burst_sups = [f"U0S{i:04d}" for i in range(burst)]
    teams = {"teams": [
        {"name": "Bench", "channel": BENCH_CHANNEL, "supervisors": [LEAD], "members": members},
        {"name": "Burst", "channel": BURST_CHANNEL, "supervisors": burst_sups, "members": burst_members},
    ]}
    users = {u: {"name": u.lower(), "real_name": f"Person {u}", "tz": ZONES[i % len(ZONES)]}
             for i, u in enumerate([LEAD, *members, *burst_members, *burst_sups])}
    return teams, users


class Store:
    """The bench's read-only window on an opsbot database."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url, pool_size=2)

    def proposed(self, channel_team: str) -> list[int]:
        from storage.models import Team
        with Session(self.engine) as s:
            team_id = s.scalar(select(Team.id).where(Team.name == channel_team))
            return list(s.scalars(select(Topic.id).where(Topic.team_id == team_id, Topic.status == "proposed")
                                  .order_by(Topic.id)))

    def pending(self) -> int:
        """Work still to do: requests the inbox has not decided and notices not delivered."""
        with Session(self.engine) as s:
            notices = s.scalar(select(func.count(OutboxNotice.id)).where(OutboxNotice.status == "pending")) or 0
        return notices + self.undecided()

    def undecided(self) -> int:
        """Clicks and commands acknowledged but not decided yet (bot/kernel/inbox.py)."""
        with Session(self.engine) as s:
            return s.scalar(select(func.count(InboxRequest.id)).where(InboxRequest.status == "pending")) or 0

    def wait_decided(self, timeout: float = 600) -> float:
        """Seconds until the inbox has decided every request it took."""
        t0 = time.perf_counter()
        while self.undecided() and time.perf_counter() - t0 < timeout:
            time.sleep(0.05)
        return time.perf_counter() - t0

    def last_notice(self) -> int:
        with Session(self.engine) as s:
            return s.scalar(select(func.max(OutboxNotice.id))) or 0

    def notices_after(self, notice_id: int) -> dict[str, int]:
        with Session(self.engine) as s:
            rows = s.execute(select(OutboxNotice.kind, OutboxNotice.status, func.count())
                             .where(OutboxNotice.id > notice_id).group_by(OutboxNotice.kind, OutboxNotice.status))
            return {f"{k}/{st}": n for k, st, n in rows}

    def wait_drained(self, timeout: float = 300) -> float:
        """Seconds until the outbox has nothing pending."""
        t0 = time.perf_counter()
        while self.pending() and time.perf_counter() - t0 < timeout:
            time.sleep(0.02)
        return time.perf_counter() - t0

    def dispose(self) -> None:
        self.engine.dispose()


# -- 1. ack latency and throughput ------------------------------------------------


@dataclass
class Target:
    label: str
    server: Server
    store: Store | None
    response_url: str


@dataclass
class AckRow:
    target: str
    kind: str  # "/topic" | "Approve"
    concurrency: int
    result: load.Result
    fresh: int | None = None  # Approve clicks that found an undecided topic
    # Seconds from the end of the load until the inbox had decided every
    # request it acknowledged (bot/kernel/inbox.py); None for the bare app.
    decided_after: float | None = None


def _send_all(url: str, signer: load.Signer, bodies: list[str], concurrency: int) -> load.Result:
    """Seeds and warm-ups: every body, ``concurrency`` at a time."""
    queue = list(reversed(bodies))

    async def run() -> load.Result:
        res = load.Result()
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency),
                                         timeout=aiohttp.ClientTimeout(total=30)) as session:
            async def worker() -> None:
                while queue:
                    await load.post(session, url, signer, queue.pop(), res)
            await asyncio.gather(*(worker() for _ in range(concurrency)))
        return res

    return asyncio.run(run())


def run_ack(*, levels: list[int], duration: float, pg_url: str | None, burst_size: int, workdir: Path,
            do_ack: bool, do_burst: bool) -> dict[str, Any]:
    teams, users = ack_people(max(levels), burst_size)
    standin = StandIn(users, workdir)
    response_url = standin.api_url.replace("/api/", "/response/bench")
    targets: list[Target] = []
    bursts: list[Target] = []
    try:
        log("starting the bare Bolt app")
        targets.append(Target("bare", start_bare(), None, response_url))
        backends = [("opsbot SQLite", f"sqlite:///{workdir / 'opsbot.sqlite3'}")]
        if pg_url:
            reset_postgres(pg_url)
            backends.append(("opsbot PostgreSQL", pg_url))
        for label, url in backends:
            log(f"starting {label} (opsbot serve --no-scheduler)")
            server = start_opsbot(label, database_url=url, api_url=standin.api_url, teams=teams, workdir=workdir)
            targets.append(Target(label, server, Store(url), response_url))
        if do_burst:
            # The burst's cards must be in the channel first, and Slack takes
            # one post a second per channel: a server and database of their
            # own, seeded now, so their cards trickle out while the ack cells run.
            bursts.append(Target("bare", targets[0].server, None, response_url))
            for label, url in backends:
                if url.startswith("sqlite"):
                    url = f"sqlite:///{workdir / 'burst.sqlite3'}"
                else:
                    url = _sibling_database(url, "burst")
                log(f"starting {label} for the burst; {burst_size} members propose a topic each")
                server = start_opsbot(label, database_url=url, api_url=standin.api_url, teams=teams, workdir=workdir)
                t = Target(label, server, Store(url), response_url)
                signer = load.Signer(server.secret)
                _send_all(server.url, signer, [load.command_body(m, f"Burst topic of {m}", response_url=response_url)
                                               for m in teams["teams"][1]["members"]], 16)
                bursts.append(t)
        out: dict[str, Any] = {"ack": [], "burst": []}
        members = teams["teams"][0]["members"]
        for t in targets:  # warm up: imports, connection pools, the profile cache
            signer = load.Signer(t.server.secret)
            _send_all(t.server.url, signer, [load.command_body(members[i % len(members)], f"Warm-up {i}",
                                                               response_url=response_url) for i in range(20)], 4)
        if do_ack:
            for c in levels:
                for t in targets:
                    out["ack"].extend(_ack_level(t, c, duration, members))
        for t in targets[1:]:  # the ack servers' backlog must not slow the burst's
            t.server.stop()
        if do_burst:
            for t in bursts:
                if t.store:
                    log(f"{t.label}: waiting for the burst's {burst_size} cards to be in the channel")
                    t.store.wait_drained(timeout=max(600, burst_size * 3))
                out["burst"].append(_burst(t, teams["teams"][1]))
        return out
    finally:
        for t in targets + bursts:
            t.server.stop()
            if t.store:
                t.store.dispose()
        standin.stop()


def _sibling_database(url: str, suffix: str) -> str:
    """``postgresql://…/opsbot_bench`` → ``…/opsbot_bench_burst``, created empty."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from storage.db import normalize_url
    u = make_url(normalize_url(url))
    name = f"{u.database}_{suffix}"
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return u.set(database=name).render_as_string(hide_password=False)


def _ack_level(t: Target, c: int, duration: float, members: list[str]) -> list[AckRow]:
    signer = load.Signer(t.server.secret)
    prefix = f"c{c}-{time.monotonic_ns()}"

    def topic(n: int) -> str:
        return load.command_body(members[n % len(members)], f"Bench topic {prefix}-{n}", response_url=t.response_url, n=n)

    log(f"{t.label}: /topic at concurrency {c} for {duration:g}s")
    r_topic = load.closed_loop(t.server.url, signer, topic, concurrency=c, duration=duration,
                               server_pid=t.server.proc.pid)
    ids = list(range(1, r_topic.count + 1))
    topic_decided = approve_decided = None
    if t.store:
        topic_decided = t.store.wait_decided()
        log(f"{t.label}: every proposal decided {topic_decided:.1f}s after the load")
        ids = t.store.proposed("Bench") or [1]

    def approve(n: int) -> str:
        return load.approve_body(LEAD, ids[n % len(ids)], channel=BENCH_CHANNEL, response_url=t.response_url, n=n)

    log(f"{t.label}: Approve at concurrency {c} for {duration:g}s ({len(ids)} cards waiting)")
    r_approve = load.closed_loop(t.server.url, signer, approve, concurrency=c, duration=duration,
                                 server_pid=t.server.proc.pid)
    fresh = min(r_approve.count + r_approve.errors, len(ids))
    if t.store:  # the next cell starts with no backlog of decisions
        approve_decided = t.store.wait_decided()
        log(f"{t.label}: every click decided {approve_decided:.1f}s after the load")
    return [AckRow(t.label, "/topic", c, r_topic, decided_after=topic_decided),
            AckRow(t.label, "Approve", c, r_approve, fresh, decided_after=approve_decided)]


@dataclass
class BurstRow:
    target: str
    clicks: int
    result: load.Result
    delivered_after: float | None = None  # seconds from the burst until the outbox was empty
    notices: dict[str, int] = field(default_factory=dict)


def _burst(t: Target, team: dict[str, Any]) -> BurstRow:
    signer = load.Signer(t.server.secret)
    members, sups = team["members"], team["supervisors"]
    n = len(members)
    ids = list(range(1, n + 1))
    before = 0
    if t.store:
        ids = t.store.proposed("Burst")
        before = t.store.last_notice()
    clicks = [load.approve_body(sups[i], ids[i], channel=BURST_CHANNEL, response_url=t.response_url, n=i)
              for i in range(min(n, len(ids)))]
    log(f"{t.label}: {len(clicks)} simultaneous Approve clicks")
    res = load.burst(t.server.url, signer, clicks)
    row = BurstRow(t.label, len(clicks), res)
    if t.store:
        while t.store.pending():
            time.sleep(0.01)
        row.delivered_after = time.perf_counter() - res.started
        row.notices = t.store.notices_after(before)
    return row


# -- 3. the reminder fan-out --------------------------------------------------------


def fanout_people(members: int, teams: int) -> tuple[dict[str, Any], dict[str, dict[str, Any]], list[int]]:
    """``members`` people in ``teams`` teams of alternating small and large
    size (half and one and a half times the mean), in four time zones."""
    mean = members // teams
    sizes = [mean // 2 if i % 2 == 0 else mean + mean // 2 for i in range(teams)]
    sizes[-1] += members - sum(sizes)
    cfg: dict[str, Any] = {"teams": []}
    users: dict[str, dict[str, Any]] = {}
    k = 0
    for i, size in enumerate(sizes):
        sup = f"U0FS{i:04d}"
        ms = [f"U0F{k + j:05d}" for j in range(size)]
        k += size
        zone = ZONES[i % len(ZONES)]
        cfg["teams"].append({"name": f"Fan {i:02d}", "channel": f"C0FAN{i:04d}", "timezone": zone,
                             "supervisors": [sup], "members": ms})
        for u in [sup, *ms]:
            users[u] = {"name": u.lower(), "real_name": f"Person {u}", "tz": zone}
    return cfg, users, sizes


@dataclass
class FanoutResult:
    backend: str
    members: int
    teams: int
    team_sizes: tuple[int, int]
    statements: dict[str, Any]
    job_seconds: float
    sent: int
    rerun_sent: int
    window: float
    delivered: int
    allowed: float
    calls: int
    limited: int
    duplicates: int
    rss_mb: float
    users_list_calls: int
    users_info_calls: int
    limits: dict[str, Any]

    @property
    def rate_share(self) -> float:
        return self.delivered / self.allowed if self.allowed else 0.0

    @property
    def limited_share(self) -> float:
        return self.limited / self.calls if self.calls else 0.0


def run_fanout(*, backend: str, database_url: str, members: int, teams: int, window: float,
               workdir: Path) -> FanoutResult:
    cfg, users, sizes = fanout_people(members, teams)
    if database_url.startswith("postgres"):
        reset_postgres(database_url)
    limits = {"channel": (outbox.CHANNEL_RATE, outbox.CHANNEL_BURST),
              "workspace": (outbox.WORKSPACE_RATE, outbox.WORKSPACE_BURST)}
    slack = SlackStandIn(users=users, rate_limits={"chat.postMessage": limits["channel"]},
                         workspace_limits={"chat.postMessage": limits["workspace"]}).start()
    cfg_path = workdir / f"fanout-{backend}.json"
    cfg_path.write_text(json.dumps(cfg))
    try:
        log(f"fan-out on {backend}: {members} members in {teams} teams")
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.fanout_child", database_url, slack.api_url, str(cfg_path), str(window)],
            cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        job = json.loads(proc.stdout.readline())
        t_job = time.monotonic()
        log(f"fan-out on {backend}: job wrote {job['sent']} reminders in {job['job_seconds']:.2f}s; delivering")
        done = json.loads(proc.stdout.readline())
        t_end = time.monotonic()
        proc.wait(30)
    finally:
        slack.stop()
    posts = [c for c in slack.all_calls() if c.method == "chat.postMessage" and c.at >= t_job]
    ok = [c for c in posts if c.ok]
    limited = [c for c in posts if c.status == 429]
    per_channel: dict[str, int] = {}
    for c in ok:
        per_channel[c.response.get("channel", "")] = per_channel.get(c.response.get("channel", ""), 0) + 1
    first = min((c.at for c in posts), default=t_end)
    span = t_end - first
    rate, burst = limits["workspace"]
    return FanoutResult(
        backend=backend, members=members, teams=teams, team_sizes=(min(sizes), max(sizes)),
        statements=job["statements"], job_seconds=job["job_seconds"], sent=job["sent"],
        rerun_sent=job["rerun_sent"], window=span, delivered=len(ok), allowed=burst + rate * span,
        calls=len(posts), limited=len(limited), duplicates=sum(n - 1 for n in per_channel.values()),
        rss_mb=done["rss_mb"], users_list_calls=len(slack.calls("users.list", ok_only=False)),
        users_info_calls=len(slack.calls("users.info", ok_only=False)), limits=limits,
    )
