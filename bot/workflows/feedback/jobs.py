"""The feedback talk's jobs: ``talk-reminder`` (both people, on the talk's
day) and ``improvement-followup`` (each open item's owner, on its due working
day). Each DM exactly once (``dm_once``), at the recipient's daily hour in
their own zone, never on a day of their leave.

A talk that starts before the daily hour is reminded of the day before, at the
daily hour: a reminder after the talk would be no use. A reminder that would
fall on a day off goes out on the last working day of the team's calendar
before it (调休 Saturdays are working days): a Monday 09:00 talk on Friday.
Someone on leave on their reminder day is skipped and nothing is claimed, the
convention of every reminder (``dm_once``): they get it on their first
working day back if the talk is still ahead then, else not at all (they had
the talk's time when it was scheduled); the other person is reminded as usual.
An item due on a day off is asked about on the next working day of the team's
calendar; an owner on leave then is asked on their first working day back.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.domain.periods import local_date
from bot.domain.schedule import Shift
from bot.kernel.jobs import JobDef, JobReport, dm_once, due_at
from bot.kernel.team import TeamView, zone_of
from bot.workflows.feedback import rules
from bot.workflows.feedback.rules import TalkStatus
from storage import feedback as rows
from storage import queries

TALK_REMINDER = "talk-reminder"
IMPROVEMENT_FOLLOWUP = "improvement-followup"


def _talk_reminder(s: Session, team: TeamView, now: datetime, manual: bool, dry_run: bool,
                   report: JobReport) -> None:
    job = JOBS[TALK_REMINDER]
    talks = [t for t in rows.talks_of_team(s, team.id, (TalkStatus.SCHEDULED,)) if t.starts_at > now]
    profiles = queries.slack_users(s, {u for t in talks for u in (t.user_id, t.scheduled_by)})
    for t in talks:
        for u in dict.fromkeys((t.user_id, t.scheduled_by)):
            prof = profiles.get(u)
            if prof is not None and prof.deleted:
                report.skipped.append((u, "deactivated in Slack"))
                continue
            zone = zone_of(prof, team)
            day = reminder_day(team, t.starts_at, zone)
            today = local_date(now, zone)
            if today < day or (not manual and now < due_at(team, job, day, zone)):
                report.skipped.append((u, "not the talk's reminder day and hour yet in their zone"))
                continue
            if not team.calendar.is_working_day(today):
                report.skipped.append((u, "a day off in the team's calendar"))
                continue
            dm_once(s, team, job.name, u, f"talk:{t.id}:{t.schedule_version}", now, dry_run, report,
                    f"feedback talk #{t.id}", zone=zone, type="talk_reminder", talk_id=t.id)


def reminder_day(team: TeamView, starts_at: datetime, zone: ZoneInfo) -> date:
    """The day someone in ``zone`` is reminded of a talk at ``starts_at``: the
    talk's day, or the day before when it starts before the daily hour, and
    then the last working day of the team's calendar on or before that (a
    Monday 09:00 talk is reminded of on Friday, not on Sunday)."""
    local = starts_at.astimezone(zone)
    day = local.date()
    if local.time() < team.daily().at:
        day -= timedelta(days=1)  # before the daily hour: the day before
    return team.calendar.last_working_day_on_or_before(day) or day


def _improvement_followup(s: Session, team: TeamView, now: datetime, manual: bool, dry_run: bool,
                          report: JobReport) -> None:
    job = JOBS[IMPROVEMENT_FOLLOWUP]
    items = rows.open_items(s, team.id)
    profiles = queries.slack_users(s, {i.owner_id for i in items})
    for i in items:
        prof = profiles.get(i.owner_id)
        if prof is not None and prof.deleted:
            report.skipped.append((i.owner_id, "deactivated in Slack"))
            continue
        zone = zone_of(prof, team)
        today = local_date(now, zone)
        day = rules.ask_day(i.due_date, team.calendar)
        if today < day or not team.calendar.is_working_day(today) or (not manual and now < due_at(team, job, today, zone)):
            report.skipped.append((i.owner_id, "not the item's due working day and hour yet in their zone"))
            continue
        dm_once(s, team, job.name, i.owner_id, f"item:{i.id}:{i.due_date.isoformat()}", now, dry_run, report,
                f"improvement item #{i.id}", zone=zone, type="item_followup", item_id=i.id)


JOBS = {
    j.name: j
    for j in (
        JobDef(TALK_REMINDER, "daily", False, Shift.EARLIER, True, _talk_reminder,
               "remind the member and the supervisor of a feedback talk on its day"),
        JobDef(IMPROVEMENT_FOLLOWUP, "daily", False, Shift.EARLIER, True, _improvement_followup,
               "ask each open improvement item's owner Done / Not yet on its due working day"),
    )
}
