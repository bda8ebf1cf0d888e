"""The pending nudge: supervisors hear of items waiting over a day."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.domain.schedule import Shift
from bot.kernel import notices
from bot.kernel.jobs import JobDef, JobReport, dm_once, due_at
from bot.kernel.snooze import Resender, Roles
from bot.kernel.team import TeamView, zone_of
from bot.workflows.pending import service as pending
from storage import queries
from storage.models import Snooze

PENDING_AFTER = timedelta(hours=24)


def _pending_nudge(s: Session, team: TeamView, now: datetime, manual: bool, dry_run: bool, report: JobReport) -> None:
    job = JOBS["pending-nudge"]
    today = team.today(now)
    if not manual and not team.calendar.is_working_day(today):
        report.skipped.append(("*", "not a working day"))
        return
    waiting = pending.waiting(s, team.id, now - PENDING_AFTER)
    if not waiting:
        return
    sups = queries.team_user_ids(s, team.id, "supervisor")
    profiles = queries.slack_users(s, sups)
    period = today.isoformat()
    for sup in sups:
        prof = profiles.get(sup)
        if prof is not None and prof.deleted:
            report.skipped.append((sup, "deactivated in Slack"))
            continue
        if not manual and now < due_at(team, job, today, zone_of(prof, team)):
            report.skipped.append((sup, "not due yet in their zone"))
            continue
        dm_once(s, team, job.name, sup, period, now, dry_run, report, f"{len(waiting)} item(s) waiting over 24 h",
                 zone=zone_of(prof, team), type="pending_nudge", items=[w.ref for w in waiting])


def _resend_pending_nudge(s: Session, team: TeamView, sn: Snooze, now: datetime) -> int:
    waiting = pending.waiting(s, team.id, now - PENDING_AFTER)
    if not waiting:
        return 0
    return int(notices.enqueue_dm(
        s, user=sn.user_id, type="pending_nudge", team_id=team.id, now=now, key=f"snooze:{sn.id}",
        items=[w.ref for w in waiting], job=sn.job, period=sn.period,
    ))


JOBS: dict[str, JobDef] = {
    "pending-nudge": JobDef("pending-nudge", "daily", False, Shift.EARLIER, True, _pending_nudge,
                            "DM supervisors items waiting for a decision over 24 h"),
}
SNOOZABLE: dict[str, Roles] = {"pending-nudge": "supervisor"}
RESENDERS: dict[str, Resender] = {"pending-nudge": _resend_pending_nudge}
