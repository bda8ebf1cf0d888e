"""The many-workspaces fan-out against a Slack that takes its time: the stand-in answers each
``chat.postMessage`` after ``--latency`` ms (Slack's own round trip is 100–300 ms), with the
outbox as opsbot runs it and, as the baseline of the same run, as it ran before a waiting run
freed its place (``bot/kernel/lanes.py``, ``Crew``): 4 threads, held to 4 runs at once.
Prints a Markdown table to stdout; findings items 18 and 19 in ``bench/findings.md`` read it.

``uv run python -m bench.latency [--workspaces 200] [--members 25] [--latency 100]`` (SQLite, ~1 min).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench import workspaces
from bot.kernel.lanes import MOST
from bot.kernel.outbox import THREADS

BEFORE = 4  # the outbox's threads and runs at once before Crew (stop 26)


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__)
    p.add_argument("--workspaces", type=int, default=200)
    p.add_argument("--members", type=int, default=25)
    p.add_argument("--latency", type=float, default=100.0, help="ms before the stand-in answers a post")
    p.add_argument("--timeout", type=float, default=900.0)
    args = p.parse_args()
    fleet = workspaces.Fleet.build(args.workspaces, args.members)
    cells = []
    with tempfile.TemporaryDirectory() as d:
        for label, threads, most in ((f"{BEFORE} threads, held to {BEFORE} runs at once (before)", BEFORE, BEFORE),
                                     (f"{THREADS} threads, up to {MOST} runs at once (now)", THREADS, MOST)):
            url = f"sqlite:///{Path(d) / f'latency-{most}.sqlite3'}"
            f = workspaces.run_fanout(backend=f"SQLite, {args.latency:g} ms", database_url=url, fleet=fleet,
                                      workdir=Path(d), timeout=args.timeout, latency=args.latency / 1000,
                                      threads=threads, most=most)
            cells.append((label, f))
    base = cells[0][1].rate
    print(f"Fan-out of {args.workspaces} workspaces × {args.members} members, the stand-in answering each post "
          f"after {args.latency:g} ms (SQLite):\n")
    print("| outbox | delivered/s | share of the limits | × before | duplicates | undelivered | peak RSS MB | app CPU |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, f in cells:
        print(f"| {label} | {f.rate:,.0f} | {f.share:.0%} | {f.rate / base:.1f} | {f.duplicates} | {f.undelivered} "
              f"| {f.rss_mb:.0f} | {f.app_busy:.0%} |")


if __name__ == "__main__":
    main()
