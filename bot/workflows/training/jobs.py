"""The training reminder: on a session's day, one DM to each person who
joined, at the team's daily hour in their own zone, never on a day of their
approved leave, exactly once per session and person."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.domain.periods import local_date
from bot.domain.schedule import Shift
from bot.kernel.jobs import JobDef, JobReport, dm_once, due_at, skip_deactivated
from bot.kernel.team import TeamView, zone_of
from storage import queries
from storage import training as rows

JOB = "training-reminder"
DM_TYPE = "training_reminder"


def _remind(s: Session, team: TeamView, now: datetime, manual: bool, dry_run: bool, report: JobReport) -> None:
    """Sessions not started yet whose day it is in the joiner's zone (any zone is within a day of UTC)."""
    job = JOBS[JOB]
    for row in rows.sessions_between(s, team.id, now, now + timedelta(days=2)):
        joined = sorted(u for u, yes in rows.answers(s, row.id).items() if yes)
        profiles = queries.slack_users(s, joined)
        for user in joined:
            prof = profiles.get(user)
            if prof is not None and prof.deleted:
                skip_deactivated(s, team, user, now, dry_run, report)
                continue
            zone = zone_of(prof, team)
            today = local_date(now, zone)
            if local_date(row.starts_at, zone) != today:
                continue
            if not manual and now < due_at(team, job, today, zone):
                report.skipped.append((user, "not due yet in their zone"))
                continue
            dm_once(s, team, JOB, user, f"session:{row.id}", now, dry_run, report,
                    f"training session #{row.id} today", zone=zone, type=DM_TYPE, session_id=row.id)


JOBS: dict[str, JobDef] = {
    JOB: JobDef(JOB, "daily", False, Shift.EARLIER, True, _remind,
                "DM those who joined a training session on its day"),
}
