"""``uv run python -m bench``: run the benchmarks and write docs/performance.md."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from bench import report, suites
from bench.servers import ROOT

FINDINGS = Path(__file__).with_name("findings.md")
FULL = {"duration": 10.0, "concurrency": "1,8,32,128", "burst": 200, "members": 5000, "teams": 50, "window": 30.0}
QUICK = {"duration": 1.0, "concurrency": "1,8", "burst": 16, "members": 120, "teams": 4, "window": 2.0}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--suites", default="ack,burst,fanout", help="comma-separated: ack, burst, fanout (default: all)")
    p.add_argument("--duration", type=float, default=None, help="seconds per ack cell (default 10)")
    p.add_argument("--concurrency", default=None, help="ack concurrency levels (default 1,8,32,128)")
    p.add_argument("--burst", type=int, default=None, help="simultaneous Approve clicks (default 200)")
    p.add_argument("--members", type=int, default=None, help="fan-out: members (default 5000)")
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
    for key, value in (QUICK if args.quick else FULL).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    chosen = {s.strip() for s in args.suites.split(",") if s.strip()}
    unknown = chosen - {"ack", "burst", "fanout"}
    if unknown:
        print(f"bench: unknown suite(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    levels = [int(c) for c in args.concurrency.split(",")]
    ack, burst, fanout = [], [], []
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
    command = "uv run python -m bench" + (" " + " ".join(argv if argv is not None else sys.argv[1:])).rstrip()
    notes = FINDINGS.read_text() if FINDINGS.exists() and not args.quick else ""
    text = report.render(command=command.strip(), pg_url=args.postgres, ack=ack, burst=burst, fanout=fanout,
                         duration=args.duration, notes=notes)
    out_path = args.out or (None if args.quick else str(ROOT / "docs" / "performance.md"))
    if out_path:
        Path(out_path).parent.mkdir(parents=True, exist_ok=True)
        Path(out_path).write_text(text)
        print(f"bench: wrote {out_path}", file=sys.stderr)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
