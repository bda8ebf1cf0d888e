"""The many-workspaces benchmark's report: its targets, PASS or MISS, and the section "## 4. Many
workspaces" of docs/performance.md (``bench/workspaces.py`` measures)."""

from __future__ import annotations

from typing import Any

from bench import report
from bench.workspaces import TARGET_ACK_RATIO, TARGET_RSS_MB, TARGET_SHARE, AckFigures, FanoutFigures
from bot.kernel import pacer

# -- the report --------------------------------------------------------------------------------------


def targets(fan: list[FanoutFigures], ack: AckFigures | None) -> list[tuple[str, str, str, bool]]:
    """(target, measured, wanted, met) for every target of issue 19's benchmark."""
    rows: list[tuple[str, str, str, bool]] = []
    for f in fan:
        rows += [
            (f"delivery rate ({f.backend})", f"{f.rate:,.0f}/s = {f.share:.0%} of {f.allowed_rate:,.0f}/s{_runs(f)}",
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


def _runs(f: FanoutFigures) -> str:
    """Every run's rate beside the median's, when the fan-out ran more than once."""
    if len(f.rates) < 2:
        return ""
    return f" (median of {len(f.rates)} runs: {', '.join(f'{r:,.0f}' for r in f.rates)}/s)"


def _processes(n: int) -> str:
    return "a process of its own" if n == 1 else f"{n} processes (replicas), the first running the job,"


def render(fan: list[FanoutFigures], ack: AckFigures | None, *, command: str, when: str) -> str:
    lines = [
        "## 4. Many workspaces",
        "",
        f"Written by `{command}` on {when}, on {report.interpreter()}. One deployment in OAuth mode (\"Add to Slack\") with its "
        "workspaces' installations in its database, tokens sealed with `OPSBOT_TOKEN_KEY`; one team of "
        "members and a supervisor per workspace. The installations are saved straight into the app's "
        "InstallationStore with tokens the Slack stand-in knows (`register_token`), not through browser flows "
        "(`bench/workspaces.py`). Why each target was met or missed: the findings below (items 16 to 22).",
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
            f"and pacer) in {_processes(f.replicas)} on one database. The stand-in limits `chat.postMessage` like "
            f"Slack: {pacer.CHANNEL_RATE:g}/s per channel (burst {pacer.CHANNEL_BURST}) and "
            f"{pacer.WORKSPACE_RATE:g}/s per workspace (burst {pacer.WORKSPACE_BURST}), the workspace being that "
            f"of the call's token. Each workspace sends {f.members} DMs, one per channel, so the limits allow "
            f"min({pacer.WORKSPACE_RATE:g}, {f.members} × {pacer.CHANNEL_RATE:g}) per workspace, "
            f"{f.allowed_rate:,.0f}/s in aggregate (the pacer aims at 97% of it: {f.pacer_rate:,.0f}/s)."
            + (f" It ran {len(f.rates)} times; the row is the run of the median rate, and duplicates, messages to "
               "a wrong workspace, 429s, undelivered reminders and peak RSS are the worst of all runs."
               if len(f.rates) > 1 else ""),
            "",
            "| reminders written | job s | delivered | span s | delivered/s | allowed/s | share | bare ceiling/s "
            "| of ceiling | calls | 429s | duplicates | wrong workspace | undelivered | users.list calls | "
            "peak RSS MB | app CPU | stand-in CPU |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
            "| ---: | ---: | ---: | ---: |",
            f"| {f.sent} | {f.job_seconds:.1f} | {f.delivered} | {f.span:.1f} | {f.rate:,.0f} | "
            f"{f.allowed_rate:,.0f} | {f.share:.0%} | {f.ceiling:,.0f} | "
            f"{f.rate / f.ceiling if f.ceiling else 0:.0%} | {f.calls} | {f.limited} | {f.duplicates} | "
            f"{f.wrong_workspace} | {f.undelivered} | {f.users_list_calls} | {f.rss_mb:,.0f} | {f.app_busy:.0%} | "
            f"{f.standin_busy:.0%} |",
        ]
    if fan:
        lines += [
            "",
            "\"Bare ceiling\" is the baseline of the same run: one process posting the same DMs with opsbot's "
            "client from as many threads, with no database, rendering or pacing, to a stand-in without limits "
            "(`bench/ceiling.py`): what one Python process can post on this machine at all. \"App CPU\" (summed "
            "over the opsbot processes) and \"stand-in CPU\" are the CPU spent while the reminders were delivered, "
            "in cores: near 100% a process, its interpreter (one GIL) set the pace.",
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
