"""The many-workspaces fan-out's opsbot process, in OAuth mode on a database ``bench/workspaces.py``
populated (installations and teams): runs the quota reminder for every team, then lets the
outbox worker deliver until nothing is pending (or ``TIMEOUT`` seconds), and reports its peak RSS.
``python -m bench.workspaces_child DATABASE_URL API_URL TOKEN_KEY CLIENT_ID CLIENT_SECRET TIMEOUT [THREADS [ROLE [MOST]]]``
(THREADS: the outbox worker's, 0 for its default, other than which is an experiment, not how opsbot
runs; ROLE: ``job``, the default, or ``replica``: another replica on the same database, which runs
no job and starts delivering when a line comes on its stdin, once the job has written the reminders;
MOST: the most runs at once while Slack is slow to answer, 0 for opsbot's own: ``bench/latency.py``).

Prints two JSON lines: after the job (a replica: when it is ready), and at the end.
"""

from __future__ import annotations

import json
import logging
import resource
import sys
import time

from sqlalchemy import func, select

from bot.app import create_app
from bot.kernel.settings import Settings
from storage.db import transaction
from storage.models import OutboxNotice


def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    database_url, api_url, key, client_id, client_secret, timeout = sys.argv[1:7]
    settings = Settings(slack_signing_secret="bench", slack_api_url=api_url, database_url=database_url,
                        slack_client_id=client_id, slack_client_secret=client_secret, opsbot_token_key=key)
    app = create_app(settings, worker_poll=1.0)
    if len(sys.argv) > 7 and int(sys.argv[7]):
        app.worker.threads = max(1, int(sys.argv[7]))
    if len(sys.argv) > 9 and int(sys.argv[9]):
        app.worker.crew.most = max(1, int(sys.argv[9]))
    app.worker.replicas.start()  # a replica is up and beating before any fan-out, as `opsbot serve` is
    if (sys.argv[8] if len(sys.argv) > 8 else "job") == "replica":
        print(json.dumps({"ready": True}), flush=True)
        sys.stdin.readline()
    else:
        t0 = time.perf_counter()
        reports = app.jobs.run("quota-reminder", manual=True)
        job_seconds = time.perf_counter() - t0
        print(json.dumps({"job_seconds": job_seconds, "sent": sum(len(r.sent) for r in reports)}), flush=True)

    def pending() -> int:
        with transaction(app.db) as s:
            return s.scalar(select(func.count(OutboxNotice.id)).where(OutboxNotice.status == "pending")) or 0

    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    cpu0, wall0 = cpu(), time.perf_counter()
    app.worker.start()
    deadline = time.monotonic() + float(timeout)
    while pending() and time.monotonic() < deadline:
        time.sleep(0.05)
    drained = pending() == 0
    busy = (cpu() - cpu0) / (time.perf_counter() - wall0)  # cores' worth of CPU while delivering
    with transaction(app.db) as s:
        undelivered = s.scalar(select(func.count(OutboxNotice.id)).where(OutboxNotice.status != "delivered")) or 0
    app.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rss_mb": rss_mb, "drained": drained, "undelivered": undelivered, "busy": busy, "threads": app.worker.threads}), flush=True)


if __name__ == "__main__":
    main()
