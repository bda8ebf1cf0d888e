"""The retrospective ask: owners of ended activities are asked each working day until it is in."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.domain.periods import local_date
from bot.domain.schedule import Shift
from bot.kernel import notices
from bot.kernel.jobs import JobDef, JobReport, dm_once, due_at, skip_deactivated
from bot.kernel.snooze import Resender, Roles
from bot.kernel.team import TeamView, zone_of
from bot.workflows.activities.rules import retro_first_ask_day
from storage import activities as activity_rows
from storage import queries
from storage.activities import Activity
from storage.models import Snooze

RETRO_PERIOD_SEP = "#a"


def _retro_period(day: date, activity_id: int) -> str:
    return f"{day.isoformat()}{RETRO_PERIOD_SEP}{activity_id}"


def _retro_ask(s: Session, team: TeamView, now: datetime, manual: bool, dry_run: bool, report: JobReport) -> None:
    """Owners of approved activities that ended with no retrospective: the
    first ask on the first working day after the end, then once each working
    day until it is in."""
    job = JOBS["retro-ask"]
    missing = activity_rows.retros_missing(s, team.id, now)
    profiles = queries.slack_users(s, {a.owner_id for a in missing})
    for a in missing:
        prof = profiles.get(a.owner_id)
        if prof is not None and prof.deleted:
            skip_deactivated(s, team, a.owner_id, now, dry_run, report)
            continue
        zone = zone_of(prof, team)
        today = local_date(now, zone)
        first = retro_first_ask_day(local_date(a.ends_at, team.tz), team.calendar)
        if today < first:
            report.skipped.append((a.owner_id, f"activity #{a.id}: retrospective asked from {first.isoformat()}"))
            continue
        if not manual and not team.calendar.is_working_day(today):
            report.skipped.append((a.owner_id, "not a working day"))
            continue
        if not manual and now < due_at(team, job, today, zone):
            report.skipped.append((a.owner_id, "not due yet in their zone"))
            continue
        asked = activity_rows.retro_asked_before(s, job.name, f"{team.id}:{a.owner_id}", a.id, RETRO_PERIOD_SEP)
        what = f"{'retrospective reminder' if asked else 'retrospective ask'} for activity #{a.id}"
        dm_once(s, team, job.name, a.owner_id, _retro_period(today, a.id), now, dry_run, report, what, zone=zone,
                 type="retro_ask", activity_id=a.id, reminder=asked)


def _resend_retro_ask(s: Session, team: TeamView, sn: Snooze, now: datetime) -> int:
    _day, _sep, raw = sn.period.partition(RETRO_PERIOD_SEP)
    a = s.get(Activity, int(raw)) if raw.isdigit() else None
    if a is None or a.owner_id != sn.user_id or a.status != "approved" or a.retro_at is not None:
        return 0  # written in the meantime: nothing left to remind
    return int(notices.enqueue_dm(
        s, user=sn.user_id, type="retro_ask", team_id=team.id, now=now, key=f"snooze:{sn.id}",
        activity_id=a.id, reminder=True, job=sn.job, period=sn.period, snoozed=True,
    ))


JOBS: dict[str, JobDef] = {
    "retro-ask": JobDef("retro-ask", "daily", False, Shift.EARLIER, True, _retro_ask,
                        "ask owners of activities that ended and have no retrospective"),
}
SNOOZABLE: dict[str, Roles] = {"retro-ask": "member"}
RESENDERS: dict[str, Resender] = {"retro-ask": _resend_retro_ask}
