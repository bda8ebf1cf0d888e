"""``uv run python -m bench``: run the benchmarks and write docs/performance.md."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench import report, suites, workspaces
from bench import workspaces_report as ws_report
from bench.servers import ROOT
from bot.kernel.outbox import THREADS

FINDINGS = Path(__file__).with_name("findings.md")
FULL = {"duration": 10.0, "concurrency": "1,8,32,128", "burst": 200, "members": 5000, "teams": 50, "window": 30.0}
WS_WORKSPACES, WS_MEMBERS = 200, 25  # issue 19: 200 workspaces × 25 members
QUICK = {"duration": 1.0, "concurrency": "1,8", "burst": 16, "members": 120, "teams": 4, "window": 2.0}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--suites", default="ack,burst,fanout",
                   help="comma-separated: ack, burst, fanout, workspaces (default: ack,burst,fanout; workspaces, "
                        "the many-workspaces suite of issue 19, runs when named)")
    p.add_argument("--duration", type=float, default=None, help="seconds per ack cell (default 10)")
    p.add_argument("--concurrency", default=None, help="ack concurrency levels (default 1,8,32,128)")
    p.add_argument("--burst", type=int, default=None, help="simultaneous Approve clicks (default 200)")
    p.add_argument("--members", type=int, default=None,
                   help="fan-out: members in all (default 5000); workspaces: members per workspace (default 25)")
    p.add_argument("--workspaces", type=int, default=None, help="workspaces: installed workspaces (default 200)")
    p.add_argument("--ws-concurrency", type=int, default=8, help="workspaces: ack concurrency (default 8)")
    p.add_argument("--ws-rounds", type=int, default=1,
                   help="workspaces: rounds of ack cells, four (ABBA) a round (default 1)")
    p.add_argument("--ws-timeout", type=float, default=600.0,
                   help="workspaces: seconds the fan-out may take to deliver everything (default 600)")
    p.add_argument("--ws-threads", type=int, default=None,
                   help="workspaces: the outbox worker's threads in the fan-out (default: opsbot's own; an experiment)")
    p.add_argument("--ws-replicas", default="1",
                   help="workspaces: comma-separated numbers of opsbot processes delivering the fan-out together "
                        "from one PostgreSQL (default 1; SQLite always 1)")
    p.add_argument("--ws-repeat", type=int, default=3,
                   help="workspaces: runs of each fan-out, the median reported with every run's rate (default 3)")
    p.add_argument("--json", help="workspaces: also write its figures and targets as JSON here")
    p.add_argument("--teams", type=int, default=None, help="fan-out: teams (default 50)")
    p.add_argument("--window", type=float, default=None, help="fan-out: seconds of delivery measured (default 30)")
    p.add_argument("--postgres", default=os.environ.get("OPSBOT_BENCH_POSTGRES_URL"),
                   help="a PostgreSQL database of the bench's own, emptied first (default $OPSBOT_BENCH_POSTGRES_URL; "
                        "without it only SQLite runs)")
    p.add_argument("--quick", action="store_true",
                   help="a smoke run of a few seconds: small numbers, report to stdout unless --out")
    p.add_argument("--out", help="where to write the report (default docs/performance.md; --quick: stdout)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Options given win; the rest come from the full run's or the quick run's defaults.
    chosen = {s.strip() for s in args.suites.split(",") if s.strip()}
    ws_members = args.members or WS_MEMBERS
    for key, value in (QUICK if args.quick else FULL).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.workspaces is None:
        args.workspaces = 3 if args.quick else WS_WORKSPACES
    unknown = chosen - {"ack", "burst", "fanout", "workspaces"}
    if unknown:
        print(f"bench: unknown suite(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    levels = [int(c) for c in args.concurrency.split(",")]
    ack, burst, fanout = [], [], []
    ws_fan: list[workspaces.FanoutFigures] = []
    ws_ack = None
    with tempfile.TemporaryDirectory(prefix="opsbot-bench-") as tmp:
        work = Path(tmp)
        if chosen & {"ack", "burst"}:
            out = suites.run_ack(levels=levels, duration=args.duration, pg_url=args.postgres, burst_size=args.burst,
                                 workdir=work, do_ack="ack" in chosen, do_burst="burst" in chosen)
            ack, burst = out["ack"], out["burst"]
        if "fanout" in chosen:
            backends = [("SQLite", f"sqlite:///{work / 'fanout.sqlite3'}")]
            if args.postgres:
                backends.append(("PostgreSQL", args.postgres))
            for name, url in backends:
                fanout.append(suites.run_fanout(backend=name, database_url=url, members=args.members,
                                                teams=args.teams, window=args.window, workdir=work))
        if "workspaces" in chosen:
            fleet = workspaces.Fleet.build(args.workspaces, ws_members)
            backends = [("SQLite", f"sqlite:///{work / 'workspaces.sqlite3'}")]
            if args.postgres:
                backends.append(("PostgreSQL", args.postgres))
            ceiling = workspaces.run_ceiling(fleet, args.ws_threads or THREADS)
            replicas = sorted({int(n) for n in args.ws_replicas.split(",") if n.strip()} or {1})
            for name, url in backends:
                for n in replicas if url.startswith("postgres") else [1]:
                    ws_fan.append(workspaces.median_of([
                        workspaces.run_fanout(backend=name, database_url=url, fleet=fleet, workdir=work,
                                              timeout=args.ws_timeout, threads=args.ws_threads, replicas=n)
                        for _ in range(max(1, args.ws_repeat))]))
                    ws_fan[-1].ceiling = ceiling
            ws_ack = workspaces.run_ack(fleet=fleet, workdir=work, pg_url=args.postgres,
                                        concurrency=args.ws_concurrency, duration=args.duration,
                                        rounds=args.ws_rounds)
    command = "uv run python -m bench" + (" " + " ".join(argv if argv is not None else sys.argv[1:])).rstrip()
    out_path = args.out or (None if args.quick else str(ROOT / "docs" / "performance.md"))
    section = None
    if "workspaces" in chosen:
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        section = ws_report.render(ws_fan, ws_ack, command=command.strip(), when=when)
        print(section, file=sys.stderr)  # the targets, PASS or MISS, whatever happens to the report
        if args.json:
            Path(args.json).write_text(json.dumps(ws_report.as_json(ws_fan, ws_ack), indent=2, default=str))
    elif out_path and Path(out_path).exists():  # keep the many-workspaces figures of their last run
        old = Path(out_path).read_text()
        at = old.find("## 4. Many workspaces")
        if at >= 0:
            end = old.find("\n## ", at + 1)
            section = old[at:end + 1] if end >= 0 else old[at:]
    if chosen == {"workspaces"}:
        base = Path(out_path).read_text() if out_path and Path(out_path).exists() else "# Performance\n\n"
        text = ws_report.splice(base, section or "")
    else:
        notes = FINDINGS.read_text() if FINDINGS.exists() and not args.quick else ""
        text = report.render(command=command.strip(), pg_url=args.postgres, ack=ack, burst=burst, fanout=fanout,
                             duration=args.duration, notes=notes)
        if section:
            text = ws_report.splice(text, section)
    if out_path:
        Path(out_path).parent.mkdir(parents=True, exist_ok=True)
        Path(out_path).write_text(text)
        print(f"bench: wrote {out_path}", file=sys.stderr)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
