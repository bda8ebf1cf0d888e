"""The onboarding job: each item of a new member's checklist, DMed on its day
with Done, at the team's daily hour in the member's own zone, on working
days, never on a day of their approved leave, exactly once per item."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.domain.periods import local_date
from bot.domain.schedule import Shift
from bot.kernel.jobs import JobDef, JobReport, dm_once, due_at, skip_deactivated
from bot.kernel.team import TeamView, zone_of
from bot.workflows.onboarding.rules import due_date
from storage import onboarding as rows
from storage import queries

JOB = "onboarding"
DM_TYPE = "onboarding_item"


def _onboarding(s: Session, team: TeamView, now: datetime, manual: bool, dry_run: bool, report: JobReport) -> None:
    """An item whose day has come (or passed while its member was on leave)
    and that is not done is sent once: its claim is the item itself."""
    job = JOBS[JOB]
    runs = [(run, [it for it in items if it.done_at is None]) for run, items in rows.team_runs(s, team.id)]
    runs = [(run, items) for run, items in runs if items]
    profiles = queries.slack_users(s, {run.user_id for run, _items in runs})
    for run, items in runs:
        prof = profiles.get(run.user_id)
        if prof is not None and prof.deleted:
            skip_deactivated(s, team, run.user_id, now, dry_run, report)
            continue
        zone = zone_of(prof, team)
        today = local_date(now, zone)
        if not manual and not team.calendar.is_working_day(today):
            report.skipped.append((run.user_id, "not a working day"))
            continue
        if not manual and now < due_at(team, job, today, zone):
            report.skipped.append((run.user_id, "not due yet in their zone"))
            continue
        for it in items:
            if due_date(run.start_date, it.day, team.calendar) > today:
                continue
            dm_once(s, team, JOB, run.user_id, f"item:{it.id}", now, dry_run, report,
                    f"onboarding item #{it.id} (day {it.day})", zone=zone, type=DM_TYPE, item_id=it.id)


JOBS: dict[str, JobDef] = {
    JOB: JobDef(JOB, "daily", False, Shift.EARLIER, True, _onboarding,
                "DM new members each onboarding checklist item on its working day"),
}
