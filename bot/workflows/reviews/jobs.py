"""The review jobs (docs/PRODUCT.md §5, §7): ``selfreview-open``, ``review-reminders``,
``annual-review`` and ``plan-progress``, registered with the kernel's job runner by the composition root.

Month-end jobs are scheduled on the team's month-end day (the last working
day of the month in its calendar) at the daily hour in each recipient's zone
(``next_month_end_run``), so ``opsbot jobs list`` shows the real date.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.domain.periods import local_date, local_instant
from bot.domain.schedule import Shift, next_daily_run
from bot.kernel import notices
from bot.kernel.jobs import JobDef, JobReport, dm_once, due_at, skip_deactivated
from bot.kernel.snooze import Roles
from bot.kernel.team import TeamView, zone_of
from bot.workflows.leave.away import after_leave
from bot.workflows.reviews import rules
from bot.workflows.reviews import service as svc
from bot.workflows.reviews.rules import ReviewStatus as St
from storage import queries
from storage import reviews as review_rows
from storage.models import Snooze, Team

SELFREVIEW_OPEN = "selfreview-open"
REVIEW_REMINDERS = "review-reminders"
ANNUAL_REVIEW = "annual-review"
PLAN_PROGRESS = "plan-progress"


def _month_end_due(team: TeamView, job: JobDef, now: datetime, zone: ZoneInfo) -> tuple[int, int, date] | None:
    """The latest of this and last month's month-end days (of ``job.months``)
    whose hour has come in ``zone``: (year, month, that day), or None. A
    month-end day before the team existed is none of its business: a team
    created on the 3rd is not prompted for the month before."""
    today = team.today(now)
    for y, m in ((today.year, today.month), rules.previous_month(today.year, today.month)):
        if job.months and m not in job.months:
            continue
        day = rules.month_end_day(y, m, team.calendar)
        if due_at(team, job, day, zone) <= now:
            return (y, m, day) if team.existed_on(day) else None
    return None


def _recipients(s: Session, team: TeamView, role: str, now: datetime, dry_run: bool, report: JobReport):
    people = queries.team_user_ids(s, team.id, role)
    profiles = queries.slack_users(s, people)
    for u in people:
        prof = profiles.get(u)
        if prof is not None and prof.deleted:
            skip_deactivated(s, team, u, now, dry_run, report)
            continue
        yield u, zone_of(prof, team)


def _selfreview_open(s: Session, team: TeamView, now: datetime, manual: bool, dry_run: bool,
                     report: JobReport) -> None:

    job = JOBS[SELFREVIEW_OPEN]
    row = s.get_one(Team, team.id)
    cfg = svc.config(row)
    for m, zone in _recipients(s, team, "member", now, dry_run, report):
        if manual:
            y, mo = rules.review_month(team.today(now), team.calendar)
        else:
            due = _month_end_due(team, job, now, zone)
            # A late start (a catch-up after downtime) still prompts, until the self-review is due;
            # after that review-reminders take over.
            if due is None or team.today(now) > rules.deadlines(
                    due[0], due[1], team.calendar, selfreview_workday=cfg.selfreview_due_workday).self_review:
                report.skipped.append((m, "no month-end prompt due now in their zone"))
                continue
            y, mo, _day = due
        period = rules.period_id(y, mo)
        existing = review_rows.review(s, team.id, m, rules.MONTHLY, period)
        if existing is not None and existing.status != St.NOT_STARTED:
            continue  # already written
        review_id = existing.id if existing else 0
        if not dry_run and existing is None:
            review_id = review_rows.get_or_create_review(s, team.id, m, rules.MONTHLY, period, St.NOT_STARTED, now)[0].id
        dm_once(s, team, job.name, m, period, now, dry_run, report, f"self-review prompt for {period}",
                 zone=zone, type="selfreview_open", review_id=review_id)


def _review_reminders(s: Session, team: TeamView, now: datetime, manual: bool, dry_run: bool,
                      report: JobReport) -> None:

    job = JOBS[REVIEW_REMINDERS]
    today = team.today(now)
    if not manual and not team.calendar.is_working_day(today):
        report.skipped.append(("*", "not a working day"))
        return
    cfg = svc.config(s.get_one(Team, team.id))
    y, m = rules.previous_month(today.year, today.month)
    period = rules.period_id(y, m)
    d = rules.deadlines(y, m, team.calendar, selfreview_workday=cfg.selfreview_due_workday,
                        evaluation_workday=cfg.evaluation_due_workday)
    reviews = review_rows.reviews_of_period(s, team.id, rules.MONTHLY, period)
    for member, zone in _recipients(s, team, "member", now, dry_run, report):
        r = reviews.get(member)
        # Only a cycle that was opened (the month-end prompt, or /selfreview) can be late: a
        # month before the bot was installed, or before the member joined, is not chased.
        if r is None or r.status != St.NOT_STARTED:
            continue
        due = after_leave(s, team.id, member, d.self_review, team.calendar)
        if today <= due:
            continue
        if not manual and now < due_at(team, job, today, zone):
            report.skipped.append((member, "not due yet in their zone"))
            continue
        dm_once(s, team, job.name, member, f"self:{period}:{today.isoformat()}", now, dry_run, report,
                 f"self-review for {period} was due {due.isoformat()}", zone=zone, type="selfreview_late",
                 review_id=r.id)
    if today <= d.evaluation:
        return
    late = sorted((r for r in reviews.values() if r.status in rules.EVALUABLE), key=lambda r: r.id)
    if not late:
        return
    for sup, zone in _recipients(s, team, "supervisor", now, dry_run, report):
        if today <= after_leave(s, team.id, sup, d.evaluation, team.calendar):
            continue  # their deadline moved past their leave
        if not manual and now < due_at(team, job, today, zone):
            report.skipped.append((sup, "not due yet in their zone"))
            continue
        dm_once(s, team, job.name, sup, f"eval:{period}:{today.isoformat()}", now, dry_run, report,
                 f"{len(late)} evaluation(s) for {period} late", zone=zone, type="evaluation_late",
                 review_ids=[r.id for r in late], review_period=period, due=d.evaluation.isoformat())


def _annual_review(s: Session, team: TeamView, now: datetime, manual: bool, dry_run: bool,
                   report: JobReport) -> None:

    job = JOBS[ANNUAL_REVIEW]
    members = queries.team_user_ids(s, team.id, "member")
    for sup, zone in _recipients(s, team, "supervisor", now, dry_run, report):
        if manual:
            today = team.today(now)
            year = today.year if today.month == 12 else today.year - 1
        else:
            due = _month_end_due(team, job, now, zone)
            if due is None or team.today(now).year != due[0]:
                report.skipped.append((sup, "not December's month-end day and hour yet in their zone"))
                continue
            year = due[0]
        for m in members:
            if m == sup:
                continue
            review_id = 0
            if not dry_run:
                review_id = review_rows.get_or_create_review(s, team.id, m, rules.ANNUAL, str(year), St.SELF_REVIEW_IN,
                                                    now)[0].id
            dm_once(s, team, job.name, sup, f"{year}:{m}", now, dry_run, report, f"annual review of {m} for {year}",
                     zone=zone, type="annual_ready", review_id=review_id)


def _plan_progress(s: Session, team: TeamView, now: datetime, manual: bool, dry_run: bool,
                   report: JobReport) -> None:
    """Members with an agreed plan for the month hear how it stands, once, on
    the team's mid-month day (the next working day if not one) or the first
    working day after it they are not on leave."""
    job = JOBS[PLAN_PROGRESS]
    today = team.today(now)
    period = rules.period_id(today.year, today.month)
    agreed = {p.user_id: p for p in review_rows.agreed_plans(s, team.id, period)}
    day = rules.plan_progress_day(today.year, today.month, svc.config(s.get_one(Team, team.id)).plan_progress_day,
                                  team.calendar)
    for m, zone in _recipients(s, team, "member", now, dry_run, report):
        p = agreed.get(m)
        if p is None:
            continue
        local = local_date(now, zone)
        if not manual and (local < day or not team.calendar.is_working_day(local) or now < due_at(team, job, local, zone)):
            report.skipped.append((m, "not the mid-month day and hour yet in their zone"))
            continue
        dm_once(s, team, job.name, m, period, now, dry_run, report, f"plan progress for {period}", zone=zone,
                type="plan_progress", plan_id=p.id)


def _plan_progress_next(s: Session, team: TeamView, zones: list[ZoneInfo], after: datetime) -> datetime | None:
    """When ``plan-progress`` next has something to send: the mid-month day
    (this month's or the next) at the daily hour in each zone; or, while a
    member with an agreed plan for this month past that day has not had it
    (on leave that day, or agreed since), the next working day's daily hour."""
    spec, cfg = team.daily(), svc.config(s.get_one(Team, team.id))
    today = team.today(after)
    months = [(today.year, today.month), rules.next_month(today.year, today.month)]
    days = [rules.plan_progress_day(y, m, cfg.plan_progress_day, team.calendar) for y, m in months]
    found = [at for d in days for z in zones if (at := local_instant(d, spec.at, z)) > after]
    period = rules.period_id(today.year, today.month)
    members = set(queries.team_user_ids(s, team.id, "member"))
    waiting = [p.user_id for p in review_rows.agreed_plans(s, team.id, period) if p.user_id in members]
    if today >= days[0] and waiting:
        done = queries.already_claimed_many(s, job=PLAN_PROGRESS, subjects=[f"{team.id}:{u}" for u in waiting],
                                            period=period)
        if len(done) < len(waiting):
            at = next_daily_run(spec, team.calendar, zones, after)
            if at is not None and local_date(at, team.tz).month == today.month:
                found.append(at)
    return min(found, default=None)


def _resend_prompt(s: Session, team: TeamView, sn: Snooze, now: datetime) -> int:
    """A snoozed month-end prompt comes back while the self-review is not written."""
    r = review_rows.review(s, team.id, sn.user_id, rules.MONTHLY, sn.period)
    if r is None or r.status != St.NOT_STARTED:
        return 0
    return int(notices.enqueue_dm(s, user=sn.user_id, type="selfreview_open", team_id=team.id, now=now,
                                  key=f"snooze:{sn.id}", review_id=r.id, job=sn.job, period=sn.period, snoozed=True))


def _resend_reminder(s: Session, team: TeamView, sn: Snooze, now: datetime) -> int:
    """A snoozed review reminder comes back only if it still applies."""
    what, _sep, rest = sn.period.partition(":")
    period = rest.rpartition(":")[0]
    reviews = review_rows.reviews_of_period(s, team.id, rules.MONTHLY, period)
    if what == "self":
        r = reviews.get(sn.user_id)
        if r is None or r.status != St.NOT_STARTED:
            return 0
        return int(notices.enqueue_dm(s, user=sn.user_id, type="selfreview_late", team_id=team.id, now=now,
                                      key=f"snooze:{sn.id}", review_id=r.id, job=sn.job, period=sn.period,
                                      snoozed=True))
    late = sorted(r.id for r in reviews.values() if r.status in rules.EVALUABLE)
    if what != "eval" or not late:
        return 0
    ym = rules.parse_period(period)
    assert ym is not None
    cfg = svc.config(s.get_one(Team, team.id))
    due = rules.deadlines(*ym, team.calendar, selfreview_workday=cfg.selfreview_due_workday,
                          evaluation_workday=cfg.evaluation_due_workday).evaluation
    return int(notices.enqueue_dm(s, user=sn.user_id, type="evaluation_late", team_id=team.id, now=now,
                                  key=f"snooze:{sn.id}", review_ids=late, review_period=period,
                                  due=due.isoformat(), job=sn.job, period=sn.period, snoozed=True))


JOBS = {
    j.name: j
    for j in (
        JobDef(SELFREVIEW_OPEN, "daily", False, Shift.EARLIER, True, _selfreview_open,
               "DM members the self-review button on the month-end day", months=tuple(range(1, 13))),
        JobDef(REVIEW_REMINDERS, "daily", False, Shift.EARLIER, True, _review_reminders,
               "DM late self-reviews to members and late evaluations to supervisors"),
        JobDef(ANNUAL_REVIEW, "daily", False, Shift.EARLIER, True, _annual_review,
               "assemble each member's year and ask supervisors for the annual grade", months=(12,)),
        JobDef(PLAN_PROGRESS, "daily", False, Shift.EARLIER, True, _plan_progress,
               "DM members with an agreed plan how it stands on the team's mid-month day",
               next_due=_plan_progress_next),
    )
}
SNOOZABLE: dict[str, Roles] = {SELFREVIEW_OPEN: "member", REVIEW_REMINDERS: ("member", "supervisor")}
RESENDERS = {SELFREVIEW_OPEN: _resend_prompt, REVIEW_REMINDERS: _resend_reminder}
