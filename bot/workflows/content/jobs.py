"""The metrics ask: authors are asked for a publication's figures on day 1 and day 7."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.domain.periods import local_date
from bot.domain.schedule import Shift
from bot.kernel import notices
from bot.kernel.jobs import JobDef, JobReport, dm_once, due_at, skip_deactivated
from bot.kernel.snooze import Resender, Roles
from bot.kernel.team import TeamView, zone_of
from bot.workflows.content.rules import metrics_ask_due
from storage import content as content_rows
from storage import queries
from storage.models import Snooze

# Publications older than this are not asked about any more (the day-7 ask plus a week of catch-up).
METRICS_ASK_WINDOW = timedelta(days=21)


def _metrics_ask(s: Session, team: TeamView, now: datetime, manual: bool, dry_run: bool, report: JobReport) -> None:
    """Ask each author for a publication's figures 1 and 7 days after it went
    out, on the first working day on or after that day, at the team's daily
    hour in the author's own zone; once each (docs/PRODUCT.md §2.2, §5)."""
    job = JOBS["metrics-ask"]
    since = now - METRICS_ASK_WINDOW
    pubs = content_rows.publications_since(s, team.id, since)
    if not pubs:
        return
    profiles = queries.slack_users(s, {p.author_id for p, _t in pubs})
    for pub, title in pubs:
        prof = profiles.get(pub.author_id)
        if prof is not None and prof.deleted:
            skip_deactivated(s, team, pub.author_id, now, dry_run, report)
            continue
        if not queries.is_in_team(s, team.id, pub.author_id):
            continue
        zone = zone_of(prof, team)
        today = local_date(now, zone)
        days = metrics_ask_due(local_date(pub.published_at, team.tz), today, team.calendar)
        if days is None:
            continue
        if not manual:
            if not team.calendar.is_working_day(today):
                continue
            if now < due_at(team, job, today, zone):
                report.skipped.append((pub.author_id, "not due yet in their zone"))
                continue
        dm_once(s, team, job.name, pub.author_id, f"pub:{pub.id}:d{days}", now, dry_run, report,
                 f"metrics for publication #{pub.id} “{title}”, day {days}", zone=zone, type="metrics_ask",
                 publication_id=pub.id, days=days)


def _resend_metrics_ask(s: Session, team: TeamView, sn: Snooze, now: datetime) -> int:
    # period "pub:<id>:d<days>": still applies while no figures came in since the snooze.
    _pub, pub_id, days = sn.period.split(":")
    last = content_rows.latest_metrics(s, [int(pub_id)]).get(int(pub_id))
    if last is not None and last.at >= sn.created_at:
        return 0
    return int(notices.enqueue_dm(
        s, user=sn.user_id, type="metrics_ask", team_id=team.id, now=now, key=f"snooze:{sn.id}",
        publication_id=int(pub_id), days=int(days.removeprefix("d")), job=sn.job, period=sn.period, snoozed=True,
    ))


JOBS: dict[str, JobDef] = {
    "metrics-ask": JobDef("metrics-ask", "daily", False, Shift.EARLIER, True, _metrics_ask,
                          "ask authors for metrics 1 and 7 days after publication"),
}
SNOOZABLE: dict[str, Roles] = {"metrics-ask": "member"}
RESENDERS: dict[str, Resender] = {"metrics-ask": _resend_metrics_ask}
