"""The many-workspaces benchmark (issue 19): one OAuth-mode deployment serving ``workspaces``
installed workspaces of ``members`` people each.

- fan-out: the quota reminder for every team, delivered by the real job and outbox
  (``bench/workspaces_child.py``, a process of its own) to the Slack stand-in, which limits
  ``chat.postMessage`` per channel and per workspace (the workspace of the call's token) as Slack
  does. Reported: delivered per second against the sum of the workspaces' limits, duplicates,
  messages sent with another workspace's token, and the app process's peak RSS.
- ack: signed ``/topic`` commands, p99 ack latency of a server with one installation and of one
  with ``workspaces`` installations, measured in alternating cells of the same run.

The installations are saved straight into the app's InstallationStore (sealed with the
deployment's OPSBOT_TOKEN_KEY) with tokens the stand-in is told about, instead of going through
``workspaces`` browser flows; the teams are applied through the store and given their workspace.
"""

from __future__ import annotations

import json
import resource
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import update

from bench import load
from bench.servers import ROOT, Server, reset_postgres, start_opsbot
from bench.suites import Store, log
from bot.devtools.slack_standin import SlackStandIn
from bot.kernel import pacer
from bot.kernel.clock import SystemClock
from bot.kernel.teams import apply_teams
from bot.kernel.teams_file import parse_teams
from storage import migrate
from storage.db import make_engine, make_session_factory, transaction
from storage.installations import InstallationStore, Sealer
from storage.models import Team

CLIENT_ID, CLIENT_SECRET = "1111.bench", "bench-client-secret"
APP_ID = "A0OPSBOT"
TARGET_SHARE, TARGET_RSS_MB, TARGET_ACK_RATIO = 0.90, 200.0, 1.2


# -- the workspaces, their people and their tokens -----------------------------------------


@dataclass
class Fleet:
    """``workspaces`` workspaces, each with one team of ``members`` members and a supervisor."""

    workspaces: int
    members: int
    teams: dict[str, Any] = field(default_factory=dict)  # the teams file shape, one team per workspace
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    home: dict[str, str] = field(default_factory=dict)  # person → workspace
    tokens: dict[str, str] = field(default_factory=dict)  # workspace → bot token

    @staticmethod
    def team_id(w: int) -> str:
        return f"T0W{w:04d}"

    @classmethod
    def build(cls, workspaces: int, members: int) -> Fleet:
        zones = ["UTC", "Asia/Shanghai", "Europe/Madrid", "America/New_York"]
        fleet = cls(workspaces, members, teams={"teams": []})
        for w in range(workspaces):
            ws = cls.team_id(w)
            sup = f"U0W{w:04d}S"
            ms = [f"U0W{w:04d}M{j:03d}" for j in range(members)]
            zone = zones[w % len(zones)]
            fleet.teams["teams"].append({"name": f"Team {w:04d}", "channel": f"C0W{w:04d}", "timezone": zone,
                                         "supervisors": [sup], "members": ms})
            for u in [sup, *ms]:
                fleet.users[u] = {"name": u.lower(), "real_name": f"Person {u}", "tz": zone, "team_id": ws}
                fleet.home[u] = ws
            fleet.tokens[ws] = f"xoxb-{ws}-{secrets.token_hex(12)}"
        return fleet

    def workspace_of_channel(self, channel: str) -> str | None:
        """The workspace of a DM's recipient (a user id or its ``D`` channel) or of a team's channel."""
        if channel.startswith("D"):
            channel = "U" + channel[1:]
        if channel.startswith("C0W"):
            return self.team_id(int(channel[3:]))
        return self.home.get(channel)


def populate(database_url: str, fleet: Fleet, key: str, installed: int) -> None:
    """Migrate, apply every team of the fleet, and save the installations of the first
    ``installed`` workspaces in the app's InstallationStore, sealed with ``key``. Each team is in
    its own workspace, or with one installation all in the first: the same teams, people and
    channels either way, only the number of workspaces differs."""
    if database_url.startswith("postgres"):
        reset_postgres(database_url)
    elif database_url.startswith("sqlite:///"):  # a run before this one (--ws-repeat) left its database
        for suffix in ("", "-wal", "-shm"):
            Path(database_url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    db = make_session_factory(engine)
    apply_teams(db=db, clock=SystemClock(), config=parse_teams(fleet.teams))
    with transaction(db) as s:
        for w, team in enumerate(fleet.teams["teams"]):
            ws = fleet.team_id(w if installed > 1 else 0)
            s.execute(update(Team).where(Team.name == team["name"]).values(workspace=ws))
    store = InstallationStore(client_id=CLIENT_ID, engine=engine, sealer=Sealer(key))
    for w in range(installed):
        ws = fleet.team_id(w)
        store.save(Installation(app_id=APP_ID, team_id=ws, team_name=f"Workspace {w}", bot_token=fleet.tokens[ws],
                                bot_id=f"B{ws[1:]}BOT", bot_user_id=f"U{ws[1:]}BOT",
                                bot_scopes="chat:write,commands,users:read,im:write",
                                user_id=f"U0W{w:04d}S", is_enterprise_install=False, token_type="bot"))
    engine.dispose()


def oauth_env(key: str, api_url: str) -> dict[str, str]:
    return {"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET, "OPSBOT_TOKEN_KEY": key,
            "SLACK_API_URL": api_url}


# -- fan-out -------------------------------------------------------------------------------------


@dataclass
class FanoutFigures:
    backend: str
    workspaces: int
    members: int
    sent: int  # reminders the job wrote
    job_seconds: float
    delivered: int  # chat.postMessage calls answered ok
    span: float  # seconds from the first post to the last one answered ok
    rate: float  # delivered per second over the span
    allowed_rate: float  # the sum over workspaces of what Slack's limits allow them, per second
    pacer_rate: float  # the same with the pacer's own margin: the most the outbox aims for
    calls: int
    limited: int  # answered 429
    duplicates: int
    wrong_workspace: int
    undelivered: int  # reminders still pending or failed at the end
    rss_mb: float
    users_list_calls: int
    drained: bool
    app_busy: float  # the app process's CPU while delivering, in cores (1.0: one core all the time)
    standin_busy: float  # and the stand-in's (this process's)
    threads: int  # the outbox worker's threads: workspaces delivered to at once
    replicas: int = 1  # opsbot processes delivering from the one database
    ceiling: float = 0.0  # posts/s of one bare client process on this machine (run_ceiling), same run
    rates: list[float] = field(default_factory=list)  # delivered/s of every run of this fan-out (median_of)

    @property
    def share(self) -> float:
        return self.rate / self.allowed_rate if self.allowed_rate else 0.0


def allowed_rate(fleet: Fleet, rate_share: float = 1.0) -> float:
    """Per second, summed over workspaces: min(the workspace's limit, one post a second per channel
    it is sending to). Every workspace sends ``members`` DMs, each to a channel of its own."""
    ws_rate, _ = pacer.WORKSPACE_RATE, pacer.WORKSPACE_BURST
    per = min(ws_rate, pacer.CHANNEL_RATE * fleet.members) * rate_share
    return per * fleet.workspaces


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _standin(fleet: Fleet, *, limited: bool = True, latency: float = 0.0) -> SlackStandIn:
    """The Slack stand-in with every workspace of the fleet and its token; limiting
    ``chat.postMessage`` per channel and per workspace as Slack does, unless not ``limited``;
    answering it after ``latency`` seconds (Slack's round trip; 0: at once)."""
    limits: dict[str, Any] = {}
    if limited:
        limits = {"rate_limits": {"chat.postMessage": (pacer.CHANNEL_RATE, pacer.CHANNEL_BURST)},
                  "workspace_limits": {"chat.postMessage": (pacer.WORKSPACE_RATE, pacer.WORKSPACE_BURST)}}
    slack = SlackStandIn(users=fleet.users, **limits).start()
    if latency:
        slack.latency = {"chat.postMessage": latency}
    slack.register_app(CLIENT_ID, CLIENT_SECRET)
    for w in range(fleet.workspaces):
        ws = fleet.team_id(w)
        slack.add_workspace(ws, f"Workspace {w}")
        slack.register_token(ws, fleet.tokens[ws])
    return slack


def run_fanout(*, backend: str, database_url: str, fleet: Fleet, workdir: Path, timeout: float,
               threads: int | None = None, replicas: int = 1, latency: float = 0.0,
               most: int | None = None) -> FanoutFigures:
    """The fan-out through ``replicas`` opsbot processes on one database: the first runs the job,
    then all deliver (the outbox's leases share the work out). ``latency``: the stand-in answers
    each post after that long; ``most``: the outbox's most runs at once (an experiment)."""
    key = Fernet.generate_key().decode()
    label = backend if replicas == 1 else f"{backend}, {replicas} replicas"
    log(f"workspaces fan-out on {label}: {fleet.workspaces} workspaces × {fleet.members} members; populating")
    populate(database_url, fleet, key, fleet.workspaces)
    slack = _standin(fleet, latency=latency)
    procs: list[subprocess.Popen[str]] = []
    try:
        for role in ["job"] + ["replica"] * (replicas - 1):
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "bench.workspaces_child", database_url, slack.api_url, key, CLIENT_ID,
                 CLIENT_SECRET, str(timeout), str(threads or 0), role, str(most or 0)],
                cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
        for proc in procs[1:]:  # the replicas are up
            assert proc.stdout is not None
            json.loads(proc.stdout.readline())
        assert procs[0].stdout is not None
        job = json.loads(procs[0].stdout.readline())
        for proc in procs[1:]:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        c0, w0 = _cpu(), time.perf_counter()
        log(f"workspaces fan-out on {label}: the job wrote {job['sent']} reminders in {job['job_seconds']:.2f}s")
        done = [json.loads(proc.stdout.readline()) for proc in procs if proc.stdout is not None]
        standin_busy = (_cpu() - c0) / (time.perf_counter() - w0)
        for proc in procs:
            proc.wait(60)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        slack.stop()
    posts = [c for c in slack.all_calls() if c.method == "chat.postMessage"]
    ok = [c for c in posts if c.ok]
    per_channel: dict[str, int] = {}
    wrong = 0
    for c in ok:
        channel = str(c.response.get("channel") or c.params.get("channel") or "")
        per_channel[channel] = per_channel.get(channel, 0) + 1
        if slack.token_team(c.token) != fleet.workspace_of_channel(channel):
            wrong += 1
    span = (max(c.at for c in ok) - min(c.at for c in posts)) if ok else 0.0
    return FanoutFigures(
        backend=label, workspaces=fleet.workspaces, members=fleet.members, sent=job["sent"],
        job_seconds=job["job_seconds"], delivered=len(ok), span=span, rate=len(ok) / span if span else 0.0,
        allowed_rate=allowed_rate(fleet), pacer_rate=allowed_rate(fleet, 0.97), calls=len(posts),
        limited=sum(1 for c in posts if c.status == 429), duplicates=sum(n - 1 for n in per_channel.values()),
        wrong_workspace=wrong, undelivered=done[0]["undelivered"], rss_mb=max(d["rss_mb"] for d in done),
        users_list_calls=len(slack.calls("users.list", ok_only=False)), drained=all(d["drained"] for d in done),
        app_busy=sum(d["busy"] for d in done), standin_busy=standin_busy, threads=done[0]["threads"],
        replicas=replicas,
    )


def median_of(runs: list[FanoutFigures]) -> FanoutFigures:
    """Several runs of one fan-out as one: the run of the median delivery rate, with every run's
    rate beside it, and the worst of all runs where a target is a limit (duplicates, messages to a
    wrong workspace, 429s, reminders left undelivered, peak RSS). A fan-out lasts a few seconds, so
    one run's rate moves by a fifth with whatever else the machine does meanwhile."""
    median = sorted(runs, key=lambda f: f.rate)[len(runs) // 2]
    return replace(
        median, rates=[f.rate for f in runs], duplicates=max(f.duplicates for f in runs),
        wrong_workspace=max(f.wrong_workspace for f in runs), limited=max(f.limited for f in runs),
        undelivered=max(f.undelivered for f in runs), rss_mb=max(f.rss_mb for f in runs),
        drained=all(f.drained for f in runs), delivered=min(f.delivered for f in runs))


def run_ceiling(fleet: Fleet, threads: int) -> float:
    """The baseline of the same run: posts per second of a bare client process (``bench/ceiling.py``:
    the same DMs, ``threads`` threads, no database, no pacing) to a stand-in without limits. What one
    process can post on this machine at all, next to which the fan-out's rate is read."""
    slack = _standin(fleet, limited=False)
    try:
        jobs = [[fleet.tokens[fleet.home[u]], u] for u in sorted(fleet.users) if not u.endswith("S")]
        log(f"ceiling: {len(jobs)} bare posts from one process with {threads} threads, no limits")
        r = subprocess.run([sys.executable, "-m", "bench.ceiling", slack.api_url, str(threads)], cwd=ROOT,
                           input=json.dumps(jobs), capture_output=True, text=True, timeout=600, check=True)
        assert json.loads(r.stdout)["posted"] == len(jobs), r.stderr[-2000:]
    finally:
        slack.stop()
    posts = [c for c in slack.all_calls() if c.method == "chat.postMessage" and c.ok]
    span = max(c.at for c in posts) - min(c.at for c in posts) if len(posts) > 1 else 0.0
    return len(posts) / span if span else 0.0


# -- ack -------------------------------------------------------------------------------------------


@dataclass
class AckFigures:
    concurrency: int
    one: load.Result  # the server with one installation, its cells pooled
    many: load.Result  # the server with ``workspaces`` installations
    workspaces: int
    cells: int

    @property
    def ratio(self) -> float:
        return self.many.pct(99) / self.one.pct(99)


def _pool(into: load.Result, r: load.Result) -> None:
    into.latencies += r.latencies
    into.errors += r.errors
    into.elapsed += r.elapsed
    into.error_samples += r.error_samples[: max(0, 5 - len(into.error_samples))]
    if r.server_cpu is not None:
        into.server_cpu = (into.server_cpu or 0.0) + r.server_cpu


def run_ack(*, fleet: Fleet, workdir: Path, pg_url: str | None, concurrency: int, duration: float,
            rounds: int) -> AckFigures:
    from bench.servers import StandIn
    key = Fernet.generate_key().decode()
    standin = StandIn(fleet.users, workdir, workspaces=fleet.tokens)
    response_url = standin.api_url.replace("/api/", "/response/bench")
    servers: list[tuple[Server, Store, int]] = []
    try:
        for installed in (1, fleet.workspaces):
            if pg_url:
                from bench.suites import _sibling_database
                url = _sibling_database(pg_url, f"ws{installed}")
            else:
                url = f"sqlite:///{workdir / f'ack-ws{installed}.sqlite3'}"
            log(f"ack: opsbot in OAuth mode with {installed} installation(s)")
            populate(url, fleet, key, installed)
            server = start_opsbot(f"{installed} installations", database_url=url, api_url=standin.api_url,
                                  teams=None, workdir=workdir, env=oauth_env(key, standin.api_url))
            servers.append((server, Store(url), installed))

        def body_maker(installed: int, tag: str):
            def make(n: int) -> str:  # the same people in turn on both servers; only the workspace differs
                w = n % fleet.workspaces
                member = f"U0W{w:04d}M{(n // fleet.workspaces) % fleet.members:03d}"
                return load.command_body(member, f"Bench {tag}-{n}", response_url=response_url,
                                         team=Fleet.team_id(w if installed > 1 else 0), n=n)
            return make

        for server, store, installed in servers:  # warm up: every workspace's token authorized once
            make = body_maker(installed, f"warm-{installed}")
            from bench.suites import _send_all
            _send_all(server.url, load.Signer(server.secret), [make(n) for n in range(max(20, fleet.workspaces))], 4)
            store.wait_decided()
        one, many = load.Result(), load.Result()
        order = [0, 1, 1, 0] * rounds  # ABBA: drift on a shared machine falls on both alike
        for i, k in enumerate(order):
            server, store, installed = servers[k]
            log(f"ack: /topic at concurrency {concurrency} for {duration:g}s, {installed} installation(s)")
            r = load.closed_loop(server.url, load.Signer(server.secret), body_maker(installed, f"c{i}"),
                                 concurrency=concurrency, duration=duration, server_pid=server.proc.pid)
            _pool(one if k == 0 else many, r)
            store.wait_decided()  # the next cell starts with no backlog of decisions
        return AckFigures(concurrency, one, many, fleet.workspaces, len(order))
    finally:
        for server, store, _ in servers:
            server.stop()
            store.dispose()
        standin.stop()
