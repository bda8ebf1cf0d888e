"""``docs/performance.md``: the machine, the versions, the date, every figure
beside its baseline, the limits assumed and where they come from."""

from __future__ import annotations

import math
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

from bench.suites import AckRow, BurstRow, FanoutResult

TARGET_P99 = 2.0
TARGET_RPS = 0.5


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _pg_version(url: str | None) -> str:
    if not url:
        return "not run"
    try:
        from sqlalchemy import create_engine, text

        from storage.db import normalize_url
        engine = create_engine(normalize_url(url))
        with engine.connect() as c:
            v = c.execute(text("SHOW server_version")).scalar()
        engine.dispose()
        return f"PostgreSQL {v}"
    except Exception as e:  # a report, not a test: say what happened
        return f"unknown ({type(e).__name__})"


def interpreter() -> str:
    """The interpreter the bench and its children run on: which build it is matters as much as its
    version (a CPython compiled without PGO and LTO spends about a sixth more CPU per DM: findings item 22)."""
    where = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    try:
        with open("/proc/self/maps") as f:
            shared = any("libpython" in line for line in f)
        linked = ", libpython shared" if shared else ", libpython linked in"
    except OSError:
        linked = ""
    return f"{platform.python_implementation()} {platform.python_version()} ({where}{linked})"


def _git() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _f(x: float, digits: int = 1) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.{digits}f}"


def _ok(cond: bool) -> str:
    return "✅" if cond else "❌"


def render(*, command: str, pg_url: str | None, ack: list[AckRow], burst: list[BurstRow],
           fanout: list[FanoutResult], duration: float, notes: str = "") -> str:
    from sqlite3 import sqlite_version
    now = datetime.now(UTC)
    lines = [
        "# Performance",
        "",
        f"Written by `{command}` on {now:%Y-%m-%d %H:%M} UTC (commit `{_git()}`). "
        "Benchmarks are not tests: they never run in CI and nothing asserts a time. Every figure stands "
        "beside a baseline measured in the same run, because the machine is shared and absolute times drift; "
        "read the ratios, not the milliseconds.",
        "",
        "| | |",
        "| --- | --- |",
        f"| machine | {_cpu()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()} |",
        f"| Python | {interpreter()} |",
        f"| versions | opsbot {version('opsbot')}, slack-bolt {version('slack-bolt')}, slack-sdk {version('slack-sdk')}, "
        f"SQLAlchemy {version('sqlalchemy')}, uvicorn {version('uvicorn')}, starlette {version('starlette')}, "
        f"psycopg {version('psycopg')}, aiohttp {version('aiohttp')} (the client) |",
        f"| databases | SQLite {sqlite_version}; {_pg_version(pg_url)} |",
        "",
        "How to run it: `uv run python -m bench` (everything, ~8 min), `uv run python -m bench --quick` "
        "(a smoke run of a few seconds), `--suites ack,burst,fanout`, `--duration`, `--concurrency`, "
        "`--postgres URL` (or `OPSBOT_BENCH_POSTGRES_URL`; a database of its own, it is emptied). "
        "`uv run python -m bench --suites workspaces` (~7 min with `--postgres`) runs section 4, many installed "
        "workspaces, and writes only that section (`--workspaces`, `--members`: 200 × 25; `--workspaces 3 "
        "--members 2` is its smoke run).",
        "",
    ]
    if ack:
        lines += [
            "## 1. Ack latency and throughput",
            "",
            f"Signed `/topic <title>` commands and **Approve** clicks over real HTTP, closed loop, {duration:g} s per "
            "cell, measured by the client (asyncio + aiohttp in the bench process). opsbot is "
            "`opsbot serve --no-scheduler` (HTTP mode, uvicorn, Bolt's Starlette adapter) in its own process, its "
            "Web API pointed at the Slack stand-in in a third process, its outbox worker delivering the cards, "
            "confirmations and DMs the requests cause while they are measured. The baseline is a Bolt app on "
            "the same server stack that only acks (`bench/bare_app.py`). opsbot acknowledges a `/topic <title>` "
            "and an **Approve** once the request is committed to its inbox, and decides it after the ack, giving way "
            "to the acks of requests in flight (`bot/kernel/inbox.py`). Every **Approve** decides an undecided topic (a "
            "conditional UPDATE, an audit entry, the card update and the author's DM in the outbox) unless the "
            "\"fresh\" column says fewer cards were waiting; the others are answered \"already decided\" through "
            "response_url. \"Decided after\" is the time from the end of the load until the inbox had decided "
            "every request it took, and \"decided/s\" the requests over the load's time plus that: the rate at "
            "which the work itself was done. \"Server CPU\" is the CPU the server process spent per request "
            "answered, in the cell's measured seconds (its workers included); \"client busy\" is the client's share "
            "of one core, so a cell whose client was near 100% measured the client, not the server.",
            "",
            "| target | request | conc. | requests | errors | p50 ms | p95 ms | p99 ms | req/s | p99 ÷ bare | "
            "req/s ÷ bare | server CPU ms/req | CPU ÷ bare | client busy | fresh | decided after | decided/s |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
            "| ---: | ---: |",
        ]
        bare = {(r.kind, r.concurrency): r.result for r in ack if r.target == "bare"}
        for r in ack:
            b = bare.get((r.kind, r.concurrency))
            p99r = r.result.pct(99) / b.pct(99) if b and r.target != "bare" else None
            rpsr = r.result.rps / b.rps if b and b.rps and r.target != "bare" else None
            cpu, busy = r.result.server_ms_per_request, r.result.client_busy
            cpur = cpu / b.server_ms_per_request if cpu and b and b.server_ms_per_request and r.target != "bare" else None
            lines.append(
                f"| {r.target} | {r.kind} | {r.concurrency} | {r.result.count} | {r.result.errors} | "
                f"{_f(r.result.pct(50))} | {_f(r.result.pct(95))} | {_f(r.result.pct(99))} | {_f(r.result.rps, 0)} | "
                f"{_f(p99r, 2) if p99r else ''} | {_f(rpsr, 2) if rpsr else ''} | "
                f"{_f(cpu, 2) if cpu is not None else ''} | {_f(cpur, 1) if cpur else ''} | "
                f"{f'{busy:.0%}' if busy is not None else ''} | "
                f"{'' if r.fresh is None or r.target == 'bare' else r.fresh} | "
                f"{'' if r.decided_after is None else f'{r.decided_after:.1f} s'} | "
                f"{'' if r.decided_after is None else _f(r.result.count / (r.result.elapsed + r.decided_after), 0)} |")
        lines += ["", "Targets at 32 concurrent: p99 ≤ 2× the bare app, throughput ≥ 50% of it, 0 errors.", "",
                  "| target | request | p99 ÷ bare ≤ 2 | req/s ÷ bare ≥ 0.5 | 0 errors |", "| --- | --- | --- | --- | --- |"]
        for r in ack:
            b = bare.get((r.kind, r.concurrency))
            if r.concurrency != 32 or r.target == "bare" or not b:
                continue
            p99r, rpsr = r.result.pct(99) / b.pct(99), r.result.rps / b.rps
            lines.append(f"| {r.target} | {r.kind} | {_ok(p99r <= TARGET_P99)} {p99r:.2f} | "
                         f"{_ok(rpsr >= TARGET_RPS)} {rpsr:.2f} | {_ok(r.result.errors == 0)} {r.result.errors} |")
        lines.append("")
    if burst:
        lines += [
            "## 2. Burst: simultaneous Approve clicks",
            "",
            "Every member of a team proposed a topic and its card is in the channel; then every card's **Approve** "
            "is pressed at the same moment (one connection each), by as many supervisors. Slack wants each "
            "request acknowledged within 3 s. \"All delivered\" is the time from the burst until the inbox had "
            "decided every click and the outbox held nothing pending: every card updated in place (`chat.update`) and every author's DM sent, here "
            "without Slack rate limits (the stand-in answers at once).",
            "",
            "| target | clicks | errors | p50 ms | p99 ms | slowest ack ms | slowest ÷ bare | all acked < 3 s | "
            "all delivered after | notices written → delivered |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |",
        ]
        bare_b = next((b for b in burst if b.target == "bare"), None)
        for b in burst:
            slow = b.result.max_ms
            ratio = slow / bare_b.result.max_ms if bare_b and b is not bare_b else None
            within = b.result.errors == 0 and b.result.count == b.clicks and slow < 3000
            delivered = f"{b.delivered_after:.2f} s" if b.delivered_after is not None else ""
            written = ", ".join(f"{k} {v}" for k, v in sorted(b.notices.items()))
            lines.append(f"| {b.target} | {b.clicks} | {b.result.errors} | {_f(b.result.pct(50))} | "
                         f"{_f(b.result.pct(99))} | {_f(slow)} | {_f(ratio, 2) if ratio else ''} | "
                         f"{_ok(within)} | {delivered} | {written} |")
        lines.append("")
    if fanout:
        f0 = fanout[0]
        (crate, cburst), (wrate, wburst) = f0.limits["channel"], f0.limits["workspace"]
        lines += [
            "## 3. Reminder fan-out under Slack's rate limits",
            "",
            f"The quota reminder for {f0.members:,} members in {f0.teams} teams (teams of {f0.team_sizes[0]} and "
            f"{f0.team_sizes[1]}, in four time zones), nobody at quota, run by hand like "
            "`opsbot jobs run quota-reminder` in a process of its own, then run a second time (which must send "
            "nothing), then its outbox worker delivers for a fixed window. The Slack stand-in enforces Slack's "
            f"posting limits (below) and answers 429 with `Retry-After` beyond them. Delivering all {f0.members:,} "
            f"at {wrate:g}/s takes {f0.members / wrate / 60:.0f} min, so the rate is measured over the window; "
            "\"allowed\" is the workspace burst plus the workspace rate times the window.",
            "",
            "| backend | SQL statements per team (teams of "
            f"{f0.team_sizes[0]} / {f0.team_sizes[1]}) | statements outside the teams | job time | reminders written | "
            "written by the second run | window | delivered | allowed | delivery ÷ allowed | "
            "429s | duplicates | peak RSS | users.list / users.info calls |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | --- | --- |",
        ]
        for r in fanout:
            st = r.statements
            constant = st["per_team_min"] == st["per_team_max"]
            lines.append(
                f"| {r.backend} | {_ok(constant)} {'/'.join(map(str, st['smallest_teams']))} / "
                f"{'/'.join(map(str, st['largest_teams']))} | {st['outside_teams']} | {r.job_seconds:.2f} s | {r.sent:,} | "
                f"{r.rerun_sent} | {r.window:.1f} s | {r.delivered:,} | {r.allowed:,.0f} | "
                f"{_ok(r.rate_share >= 0.9)} {r.rate_share:.0%} | {_ok(r.limited_share <= 0.01)} {r.limited} of "
                f"{r.calls:,} ({r.limited_share:.2%}) | {_ok(r.duplicates == 0)} {r.duplicates} | "
                f"{_ok(r.rss_mb <= 150)} {r.rss_mb:.0f} MB | {r.users_list_calls} / {r.users_info_calls} |")
        lines += [
            "",
            "Targets: statements per team do not grow with the team; delivery ≥ 90% of what the limits allow; "
            "≤ 1% of calls answered 429; 0 duplicates; peak RSS ≤ 150 MB.",
            "",
            "### The limits assumed, and their source",
            "",
            "- Slack, *Rate limits* (<https://docs.slack.dev/apis/web-api/rate-limits>, also "
            "<https://api.slack.com/docs/rate-limits>): the Special tier: \"chat.postMessage generally allows "
            "posting one message per second per channel, while also maintaining a workspace-wide limit\"; "
            "*Posting messages*: \"1 per second; short bursts >1 allowed\". 429 answers carry `Retry-After`.",
            f"- Per channel: {crate:g} message/s with a burst of {cburst} (\"short bursts\"; Slack gives no number).",
            f"- Workspace-wide: {wrate:g} messages/s ({wrate * 60:.0f}/min) with a burst of {wburst}. Slack does not "
            "publish this number; \"several hundred per minute\" is the commonly observed order (a vendor "
            "that paces Slack messaging publicly, Moveworks, documents 525 requests/min for Slack), so 600/min "
            "is assumed. `bot/kernel/pacer.py` (`CHANNEL_*`, `WORKSPACE_*`) holds the numbers; the pacer keeps 3% "
            "and one token of burst under them.",
            "- Per workspace: Slack applies its limits \"per API method per app per workspace\", so each workspace (the Slack team id of the "
            "notice's team; one, \"\", in the single-workspace mode) has its own channel and workspace-wide buckets, "
            "and a 429 holds back only the workspace it came from. The outbox worker delivers one notice at a time "
            "per workspace and up to 4 workspaces at once (`OutboxWorker(threads=…)`, `bot/kernel/lanes.py`): a "
            "workspace waiting for its limit does not hold up the others. The fan-out above is one workspace; what "
            "many workspaces reach in aggregate is section 4's.",
            "- `users.list` (Tier 2, 20+/min) is not limited by the stand-in: the fan-out pages it "
            "(200 people a page) once per run for all teams instead of one `users.info` per person.",
            "",
        ]
    if notes:
        lines += ["## Findings", "", notes.strip(), ""]
    return "\n".join(lines)


def dump(data: Any) -> Any:
    """The raw figures (for the JSON beside the report)."""
    import dataclasses
    if dataclasses.is_dataclass(data):
        d = {k: dump(v) for k, v in dataclasses.asdict(data).items() if k != "latencies"}
        if hasattr(data, "result"):
            r = data.result
            d["result"] = {"count": r.count, "errors": r.errors, "elapsed": r.elapsed, "p50": r.pct(50),
                           "p95": r.pct(95), "p99": r.pct(99), "max": r.max_ms, "rps": r.rps,
                           "error_samples": r.error_samples, "server_cpu": r.server_cpu,
                           "client_cpu": r.client_cpu}
        return d
    if isinstance(data, list):
        return [dump(x) for x in data]
    return data
