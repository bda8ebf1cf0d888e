"""The topic jobs: the weekly plan, the quota reminder and the quota summary."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.domain.periods import local_date, local_instant, week_id
from bot.domain.schedule import Shift, weekly_due_date
from bot.kernel import notices
from bot.kernel.jobs import (
    Due,
    JobDef,
    JobReport,
    channel_post_week,
    dm_many,
    due_at,
    post_once,
    skip_deactivated,
    week_due_date,
    zone_of,
)
from bot.kernel.snooze import Resender, Roles
from bot.kernel.team import TeamView
from bot.workflows.topics.quota import progress_for
from storage import content as content_rows
from storage import outbox as outbox_rows
from storage import queries
from storage import topics as topic_rows
from storage.models import Snooze


def _quota_reminder(s: Session, team: TeamView, now: datetime, manual: bool, dry_run: bool, report: JobReport) -> None:
    job = JOBS["quota-reminder"]
    monday = team.monday(now)
    week = week_id(monday)
    due_day = week_due_date(team, job, monday)
    if due_day is None:
        report.skipped.append(("*", "no working days this week"))
        return
    if not manual and not team.existed_on(due_day):
        report.skipped.append(("*", "due before the team existed"))
        return
    members = queries.team_user_ids(s, team.id, "member")
    profiles = queries.slack_users(s, members)
    progress = progress_for(s, team, members, monday=monday, until=now)
    summary_day = weekly_due_date(team.weekly("quota_summary"), monday, team.calendar, Shift.EARLIER) or due_day
    summary_at = int(local_instant(summary_day, team.weekly("quota_summary").at, team.tz).timestamp())
    due: list[Due] = []
    for m in members:
        prof = profiles.get(m)
        if prof is not None and prof.deleted:
            skip_deactivated(s, team, m, now, dry_run, report)
            continue
        zone = zone_of(prof, team)
        if not manual and now < due_at(team, job, due_day, zone):
            report.skipped.append((m, "not due yet in their zone"))
            continue
        today = local_date(now, zone)
        if not manual and today > due_day and (
            not team.calendar.is_working_day(today) or now < local_instant(today, team.daily().at, zone)
        ):
            # After the reminder's day it only reaches people back from
            # leave, on a working day at the daily hour.
            report.skipped.append((m, "not due yet in their zone"))
            continue
        p = progress[m]
        if p.quota == 0 or p.met:
            continue
        due.append(Due(m, f"quota reminder {p.count}/{p.quota} for {week}", zone,
                       {"count": p.count, "quota": p.quota, "due": summary_at}))
    dm_many(s, team, job.name, week, now, dry_run, report, due, type="quota_reminder")


def _quota_summary(s: Session, team: TeamView, now: datetime, manual: bool, dry_run: bool, report: JobReport) -> None:
    job = JOBS["quota-summary"]
    monday = channel_post_week(team, job, now, manual, report)
    if monday is None:
        return
    week = week_id(monday)
    members = queries.team_user_ids(s, team.id, "member")
    progress = progress_for(s, team, members, monday=monday, until=now)
    rows = [[m, progress[m].count, progress[m].quota] for m in members]
    if post_once(s, team, job.name, week, now, dry_run, report, type="quota_summary", week=week, rows=rows):
        # The same chart as /opsbot report, in the summary's thread once the summary has its ts.
        outbox_rows.enqueue_notice(s, kind=notices.FILE, recipient=team.channel, team_id=team.id, now=report.sent_at,
                               key=f"{job.name}:chart:{team.id}:{week}",
                               payload={"type": "quota_chart", "week": week, "rows": rows,
                                        "parent": f"{job.name}:{team.id}:{week}"})


def _weekly_plan(s: Session, team: TeamView, now: datetime, manual: bool, dry_run: bool, report: JobReport) -> None:
    job = JOBS["weekly-plan"]
    monday = channel_post_week(team, job, now, manual, report)
    if monday is None:
        return
    week = week_id(monday)
    last_week = week_id(monday - timedelta(days=7))
    carried = [t.id for t in topic_rows.topics_for_week(s, team.id, last_week, statuses=["approved"])]
    published = content_rows.published_topic_ids(s, carried)
    carried = [t for t in carried if t not in published]
    current = [t.id for t in topic_rows.topics_for_week(s, team.id, week, statuses=["approved"])]
    post_once(s, team, job.name, week, now, dry_run, report, type="weekly_plan", week=week,
               carried=carried, current=current)


def _resend_quota_reminder(s: Session, team: TeamView, sn: Snooze, now: datetime) -> int:
    monday = team.monday(now)
    if week_id(monday) != sn.period:
        return 0  # the week is over; the reminder has nothing left to say
    p = progress_for(s, team, [sn.user_id], monday=monday, until=now)[sn.user_id]
    if p.met or p.quota == 0:
        return 0
    summary_day = weekly_due_date(team.weekly("quota_summary"), monday, team.calendar, Shift.EARLIER) or monday
    due = int(local_instant(summary_day, team.weekly("quota_summary").at, team.tz).timestamp())
    return int(notices.enqueue_dm(
        s, user=sn.user_id, type="quota_reminder", team_id=team.id, now=now, key=f"snooze:{sn.id}",
        count=p.count, quota=p.quota, due=due, job=sn.job, period=sn.period, snoozed=True,
    ))


JOBS: dict[str, JobDef] = {
    j.name: j
    for j in (
        JobDef("weekly-plan", "weekly_plan", True, Shift.LATER, False, _weekly_plan,
               "post last week's approved-but-unpublished and this week's approved topics"),
        JobDef("quota-reminder", "quota_reminder", True, Shift.EARLIER, True, _quota_reminder,
               "DM each member below quota", resumes_after_leave=True),
        JobDef("quota-summary", "quota_summary", True, Shift.EARLIER, False, _quota_summary,
               "post who met the quota this week"),
    )
}
# The reminders that carry "Remind me later", who receives each, and how each comes back.
SNOOZABLE: dict[str, Roles] = {"quota-reminder": "member"}
RESENDERS: dict[str, Resender] = {"quota-reminder": _resend_quota_reminder}
