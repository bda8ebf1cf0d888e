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
from dataclasses import dataclass, field
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


def run_fanout(*, backend: str, database_url: str, fleet: Fleet, workdir: Path, timeout: float,
               threads: int | None = None) -> FanoutFigures:
    key = Fernet.generate_key().decode()
    log(f"workspaces fan-out on {backend}: {fleet.workspaces} workspaces × {fleet.members} members; populating")
    populate(database_url, fleet, key, fleet.workspaces)
    slack = SlackStandIn(users=fleet.users,
                         rate_limits={"chat.postMessage": (pacer.CHANNEL_RATE, pacer.CHANNEL_BURST)},
                         workspace_limits={"chat.postMessage": (pacer.WORKSPACE_RATE, pacer.WORKSPACE_BURST)}).start()
    slack.register_app(CLIENT_ID, CLIENT_SECRET)
    for w in range(fleet.workspaces):
        ws = fleet.team_id(w)
        slack.add_workspace(ws, f"Workspace {w}")
        slack.register_token(ws, fleet.tokens[ws])
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.workspaces_child", database_url, slack.api_url, key, CLIENT_ID,
             CLIENT_SECRET, str(timeout), *([str(threads)] if threads else [])], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        job = json.loads(proc.stdout.readline())
        c0, w0 = _cpu(), time.perf_counter()
        log(f"workspaces fan-out on {backend}: the job wrote {job['sent']} reminders in {job['job_seconds']:.2f}s")
        done = json.loads(proc.stdout.readline())
        standin_busy = (_cpu() - c0) / (time.perf_counter() - w0)
        proc.wait(60)
    finally:
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
        backend=backend, workspaces=fleet.workspaces, members=fleet.members, sent=job["sent"],
        job_seconds=job["job_seconds"], delivered=len(ok), span=span, rate=len(ok) / span if span else 0.0,
        allowed_rate=allowed_rate(fleet), pacer_rate=allowed_rate(fleet, 0.97), calls=len(posts),
        limited=sum(1 for c in posts if c.status == 429), duplicates=sum(n - 1 for n in per_channel.values()),
        wrong_workspace=wrong, undelivered=done["undelivered"], rss_mb=done["rss_mb"],
        users_list_calls=len(slack.calls("users.list", ok_only=False)), drained=done["drained"],
        app_busy=done["busy"], standin_busy=standin_busy, threads=done["threads"],
    )


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


# -- the report --------------------------------------------------------------------------------------


def targets(fan: list[FanoutFigures], ack: AckFigures | None) -> list[tuple[str, str, str, bool]]:
    """(target, measured, wanted, met) for every target of issue 19's benchmark."""
    rows: list[tuple[str, str, str, bool]] = []
    for f in fan:
        rows += [
            (f"delivery rate ({f.backend})", f"{f.rate:,.0f}/s = {f.share:.0%} of {f.allowed_rate:,.0f}/s",
             f"≥ {TARGET_SHARE:.0%}", f.share >= TARGET_SHARE),
            (f"duplicates ({f.backend})", str(f.duplicates), "0", f.duplicates == 0),
            (f"wrong workspace ({f.backend})", str(f.wrong_workspace), "0", f.wrong_workspace == 0),
            (f"peak RSS ({f.backend})", f"{f.rss_mb:,.0f} MB", f"≤ {TARGET_RSS_MB:.0f} MB", f.rss_mb <= TARGET_RSS_MB),
            (f"all delivered ({f.backend})", f"{f.delivered}/{f.sent}", "all", f.delivered == f.sent and f.drained),
        ]
    if ack is not None:
        rows.append((f"ack p99, {ack.workspaces} ÷ 1 installation",
                     f"{ack.many.pct(99):.1f} ÷ {ack.one.pct(99):.1f} ms = {ack.ratio:.2f}",
                     f"≤ {TARGET_ACK_RATIO}", ack.ratio <= TARGET_ACK_RATIO))
    return rows


def render(fan: list[FanoutFigures], ack: AckFigures | None, *, command: str, when: str) -> str:
    lines = [
        "## 4. Many workspaces",
        "",
        f"Written by `{command}` on {when}. One deployment in OAuth mode (\"Add to Slack\") with its "
        "workspaces' installations in its database, tokens sealed with `OPSBOT_TOKEN_KEY`; one team of "
        "members and a supervisor per workspace. The installations are saved straight into the app's "
        "InstallationStore with tokens the Slack stand-in knows (`register_token`), not through browser flows "
        "(`bench/workspaces.py`). Why each target was met or missed: the findings below (item 16).",
        "",
        "| target | measured | wanted | |",
        "| --- | --- | --- | --- |",
    ]
    for name, measured, wanted, met in targets(fan, ack):
        lines.append(f"| {name} | {measured} | {wanted} | {'PASS' if met else 'MISS'} |")
    for f in fan:
        lines += [
            "",
            f"**Fan-out ({f.backend})**: the quota reminder for {f.workspaces} workspaces × {f.members} members "
            f"through the real job and outbox (`OutboxWorker` with {f.threads} threads, per-workspace lanes "
            f"and pacer) in a process of its own. The stand-in limits `chat.postMessage` like Slack: "
            f"{pacer.CHANNEL_RATE:g}/s per channel (burst {pacer.CHANNEL_BURST}) and {pacer.WORKSPACE_RATE:g}/s per "
            f"workspace (burst {pacer.WORKSPACE_BURST}), the workspace being that of the call's token. Each "
            f"workspace sends {f.members} DMs, one per channel, so the limits allow "
            f"min({pacer.WORKSPACE_RATE:g}, {f.members} × {pacer.CHANNEL_RATE:g}) per workspace, "
            f"{f.allowed_rate:,.0f}/s in aggregate (the pacer aims at 97% of it: {f.pacer_rate:,.0f}/s).",
            "",
            "| reminders written | job s | delivered | span s | delivered/s | allowed/s | share | calls | 429s | "
            "duplicates | wrong workspace | undelivered | users.list calls | peak RSS MB | app CPU | stand-in CPU |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
            "| ---: |",
            f"| {f.sent} | {f.job_seconds:.1f} | {f.delivered} | {f.span:.1f} | {f.rate:,.0f} | "
            f"{f.allowed_rate:,.0f} | {f.share:.0%} | {f.calls} | {f.limited} | {f.duplicates} | "
            f"{f.wrong_workspace} | {f.undelivered} | {f.users_list_calls} | {f.rss_mb:,.0f} | {f.app_busy:.0%} | "
            f"{f.standin_busy:.0%} |",
            "",
            "\"App CPU\" and \"stand-in CPU\" are the CPU each process spent while the reminders were delivered, "
            "as a share of one core: near 100%, that process's interpreter (one GIL) set the pace.",
        ]
    if ack is not None:
        lines += [
            "",
            f"**Ack**: signed `/topic` commands from the workspaces' members, closed loop at concurrency "
            f"{ack.concurrency}, against two `opsbot serve --no-scheduler` processes in OAuth mode, one with 1 "
            f"installation and one with {ack.workspaces}; {ack.cells} cells in ABBA order, each server's pooled. "
            f"Both serve the same {ack.workspaces} teams, people and channels, and get the same commands from "
            f"the same people in turn: on the first all teams are in its one workspace, on the second each is in "
            "a workspace of its own. Every workspace's token was authorized once before (Bolt's cache: one "
            "`auth.test` per token).",
            "",
            "| installations | requests | errors | p50 ms | p95 ms | p99 ms | req/s | server CPU ms/req |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for n, r in ((1, ack.one), (ack.workspaces, ack.many)):
            lines.append(f"| {n} | {r.count} | {r.errors} | {r.pct(50):.1f} | {r.pct(95):.1f} | {r.pct(99):.1f} | "
                         f"{r.rps:,.0f} | {'' if r.server_ms_per_request is None else f'{r.server_ms_per_request:.2f}'} |")
    return "\n".join(lines) + "\n"


def as_json(fan: list[FanoutFigures], ack: AckFigures | None) -> dict[str, Any]:
    out: dict[str, Any] = {"fanout": [], "ack": None,
                           "targets": [{"target": t, "measured": m, "wanted": w, "met": ok}
                                       for t, m, w, ok in targets(fan, ack)]}
    for f in fan:
        d = dict(f.__dict__)
        d["share"] = f.share
        out["fanout"].append(d)
    if ack is not None:
        out["ack"] = {"concurrency": ack.concurrency, "workspaces": ack.workspaces, "ratio": ack.ratio,
                      "one": {"count": ack.one.count, "errors": ack.one.errors, "p99": ack.one.pct(99)},
                      "many": {"count": ack.many.count, "errors": ack.many.errors, "p99": ack.many.pct(99)}}
    return out


def splice(doc: str, section: str) -> str:
    """``doc`` with its "## 4. Many workspaces" section replaced by ``section`` (put before the
    findings if it has none)."""
    start = doc.find("## 4. Many workspaces")
    if start >= 0:
        end = doc.find("\n## ", start + 1)
        return doc[:start] + section + (doc[end + 1:] if end >= 0 else "")
    at = doc.find("## Findings")
    if at < 0:
        return doc.rstrip() + "\n\n" + section
    return doc[:at] + section + "\n" + doc[at:]
