"""The fan-out's opsbot process: builds the app, runs the quota reminder for
every team (counting each team's SQL statements), runs it again (which must
send nothing), then lets the outbox worker deliver for a window and reports
its peak RSS. ``python -m bench.fanout_child DATABASE_URL API_URL TEAMS_JSON WINDOW``.

Prints two JSON lines: after the job, and at the end.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import resource
import sys
import time
from collections import Counter

from sqlalchemy import event

from bot.app import create_app
from bot.kernel.settings import Settings
from bot.kernel.teams_file import parse_teams


def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    database_url, api_url, teams_path, window = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    with open(teams_path) as f:
        cfg = json.load(f)
    settings = Settings(slack_bot_token="xoxb-bench", slack_signing_secret="bench", slack_api_url=api_url,
                        database_url=database_url)
    app = create_app(settings, teams=parse_teams(cfg), worker_poll=1.0)

    label = ["other"]
    counts: Counter[str] = Counter()

    @event.listens_for(app.engine, "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany):
        counts[label[0]] += 1

    job = app.jobs.jobs["quota-reminder"]
    sizes: dict[str, int] = {t["name"]: len(t["members"]) for t in cfg["teams"]}

    def counted(s, team, now, manual, dry_run, report):
        label[0] = f"team:{team.name}"
        try:
            job.run(s, team, now, manual, dry_run, report)
        finally:
            label[0] = "profiles"

    app.jobs.jobs["quota-reminder"] = dataclasses.replace(job, run=counted)
    t0 = time.perf_counter()
    label[0] = "profiles"
    reports = app.jobs.run("quota-reminder", manual=True)
    job_seconds = time.perf_counter() - t0
    per_team = {k[5:]: v for k, v in counts.items() if k.startswith("team:")}
    small = [v for k, v in per_team.items() if sizes[k] == min(sizes.values())]
    large = [v for k, v in per_team.items() if sizes[k] == max(sizes.values())]
    statements = {"per_team_min": min(per_team.values()), "per_team_max": max(per_team.values()),
                  "smallest_teams": sorted(set(small)), "largest_teams": sorted(set(large)),
                  "outside_teams": counts["profiles"], "total": sum(counts.values())}
    counts.clear()
    rerun = app.jobs.run("quota-reminder", manual=True)
    print(json.dumps({"statements": statements, "job_seconds": job_seconds,
                      "sent": sum(len(r.sent) for r in reports), "rerun_sent": sum(len(r.sent) for r in rerun)}),
          flush=True)
    app.worker.start()
    time.sleep(window)
    app.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rss_mb": rss_mb}), flush=True)


if __name__ == "__main__":
    main()
