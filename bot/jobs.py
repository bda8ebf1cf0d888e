"""The scheduled jobs (docs/PRODUCT.md §5, §7) as plain functions of ``now``.

A job decides who is due as of ``now`` and, for each, claims a unique
(job, subject, period) key before writing its notice in the same
transaction: a second run, a catch-up after downtime, a restart or a second
replica sends nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session, sessionmaker

from bot import notices
from bot.clock import Clock
from bot.domain.activities import retro_first_ask_day
from bot.domain.content import metrics_ask_due
from bot.domain.periods import local_date, local_instant, week_id
from bot.domain.schedule import Shift, next_daily_run, next_month_end_run, next_weekly_run, weekly_due_date
from bot.errors import NotFound
from bot.i18n import resolve_locale
from bot.outbox import RetryLater, SlackPort, refresh_profiles
from bot.services import pending
from bot.services.leave import days_away
from bot.services.quota import progress_for
from bot.team import TeamView, team_view
from storage import activity_queries, queries, queries_content
from storage.db import transaction
from storage.models import Activity, SlackUser, Snooze, Team

log = logging.getLogger(__name__)

PENDING_AFTER = timedelta(hours=24)
SNOOZE_FOR = timedelta(hours=3)
SNOOZE_LATEST_HOUR = 18
# Publications older than this are not asked about any more (the day-7 ask plus a week of catch-up).
METRICS_ASK_WINDOW = timedelta(days=21)


@dataclass
class JobReport:
    job: str
    team: str
    # When notices are written: the real clock, even for a run "as of" another
    # time, so that what a run by hand sends goes out at once.
    sent_at: datetime
    sent: list[tuple[str, str]] = field(default_factory=list)  # (recipient, what)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (recipient, why)
    # Approved leave of the team's people around ``now``, loaded once per run.
    _away: dict[str, set[date]] | None = field(default=None, repr=False)

    def away(self, s: Session, team: TeamView, user: str, day: date) -> bool:
        if self._away is None:
            people = queries.team_user_ids(s, team.id, "member") + queries.team_user_ids(s, team.id, "supervisor")
            self._away = days_away(s, team.id, people, day - timedelta(days=2), day + timedelta(days=2))
        return day in self._away.get(user, set())


@dataclass(frozen=True)
class JobDef:
    name: str
    schedule_key: str  # key in the team's schedule
    weekly: bool
    shift: Shift
    per_recipient: bool  # DMs at the hour in each recipient's own zone
    run: Callable[[Session, TeamView, datetime, bool, bool, JobReport], None]
    what: str
    # Month-end jobs: the months (1..12) on whose last working day it runs.
    months: tuple[int, ...] | None = None
    # A weekly reminder that someone on leave on its day gets on their first
    # working day back that week, at the daily hour.
    resumes_after_leave: bool = False


def _zone(profile: SlackUser | None, team: TeamView) -> ZoneInfo:
    if profile and profile.tz:
        try:
            return ZoneInfo(profile.tz)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return team.tz


def _due_at(team: TeamView, job: JobDef, day: date, zone: ZoneInfo) -> datetime:
    spec = team.weekly(job.schedule_key) if job.weekly else team.daily()
    return local_instant(day, spec.at, zone)


def _week_due_date(team: TeamView, job: JobDef, monday: date) -> date | None:
    return weekly_due_date(team.weekly(job.schedule_key), monday, team.calendar, job.shift)


def _skip_deactivated(s: Session, team: TeamView, user_id: str, now: datetime, dry_run: bool, report: JobReport) -> None:
    """A person who left the workspace gets nothing; supervisors hear it once."""
    report.skipped.append((user_id, "deactivated in Slack"))
    if dry_run or not queries.claim_once(
        s, job="member-deactivated", subject=f"{team.id}:{user_id}", period="once", team_id=team.id, at=now
    ):
        return
    for sup in queries.team_user_ids(s, team.id, "supervisor"):
        notices.enqueue_dm(s, user=sup, type="member_deactivated", team_id=team.id, now=report.sent_at,
                           key=f"member_deactivated:{team.id}:{user_id}:{sup}", member=user_id)


def _quota_reminder(s: Session, team: TeamView, now: datetime, manual: bool, dry_run: bool, report: JobReport) -> None:
    job = JOBS["quota-reminder"]
    monday = team.monday(now)
    week = week_id(monday)
    due_day = _week_due_date(team, job, monday)
    if due_day is None:
        report.skipped.append(("*", "no working days this week"))
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
            _skip_deactivated(s, team, m, now, dry_run, report)
            continue
        zone = _zone(prof, team)
        if not manual and now < _due_at(team, job, due_day, zone):
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
    _dm_many(s, team, job.name, week, now, dry_run, report, due, type="quota_reminder")


def _channel_post_week(team: TeamView, job: JobDef, now: datetime, manual: bool, report: JobReport) -> date | None:
    """The Monday of the week a channel post is due for, or None when it is
    not (yet) due: a week with no working days, or before its hour."""
    monday = team.monday(now)
    due_day = _week_due_date(team, job, monday)
    if due_day is None:
        report.skipped.append((team.channel, "no working days this week"))
        return None
    if not manual and now < _due_at(team, job, due_day, team.tz):
        report.skipped.append((team.channel, "not due yet"))
        return None
    return monday


def _quota_summary(s: Session, team: TeamView, now: datetime, manual: bool, dry_run: bool, report: JobReport) -> None:
    job = JOBS["quota-summary"]
    monday = _channel_post_week(team, job, now, manual, report)
    if monday is None:
        return
    week = week_id(monday)
    members = queries.team_user_ids(s, team.id, "member")
    progress = progress_for(s, team, members, monday=monday, until=now)
    rows = [[m, progress[m].count, progress[m].quota] for m in members]
    if _post_once(s, team, job.name, week, now, dry_run, report, type="quota_summary", week=week, rows=rows):
        # The same chart as /opsbot report, in the summary's thread once the summary has its ts.
        queries.enqueue_notice(s, kind=notices.FILE, recipient=team.channel, team_id=team.id, now=report.sent_at,
                               key=f"{job.name}:chart:{team.id}:{week}",
                               payload={"type": "quota_chart", "week": week, "rows": rows,
                                        "parent": f"{job.name}:{team.id}:{week}"})


def _weekly_plan(s: Session, team: TeamView, now: datetime, manual: bool, dry_run: bool, report: JobReport) -> None:
    job = JOBS["weekly-plan"]
    monday = _channel_post_week(team, job, now, manual, report)
    if monday is None:
        return
    week = week_id(monday)
    last_week = week_id(monday - timedelta(days=7))
    carried = [t.id for t in queries.topics_for_week(s, team.id, last_week, statuses=["approved"])]
    published = queries_content.published_topic_ids(s, carried)
    carried = [t for t in carried if t not in published]
    current = [t.id for t in queries.topics_for_week(s, team.id, week, statuses=["approved"])]
    _post_once(s, team, job.name, week, now, dry_run, report, type="weekly_plan", week=week,
               carried=carried, current=current)


def _dm_once(s: Session, team: TeamView, job: str, user: str, period: str, now: datetime, dry_run: bool,
             report: JobReport, what: str, *, zone: ZoneInfo | None = None, **payload) -> None:
    """Claim (job, team:user, period) and write the DM; a dry run only looks.

    Nobody is reminded on a day of their approved leave (in their own zone,
    ``zone``): nothing is claimed, so the reminder comes once they are back."""
    if report.away(s, team, user, local_date(now, zone or team.tz)):
        report.skipped.append((user, "on leave"))
        return
    subject = f"{team.id}:{user}"
    if dry_run:
        if not queries.already_claimed(s, job=job, subject=subject, period=period):
            report.sent.append((user, what))
        return
    if queries.claim_once(s, job=job, subject=subject, period=period, team_id=team.id, at=now):
        notices.enqueue_dm(s, user=user, team_id=team.id, now=report.sent_at, key=f"{job}:{subject}:{period}",
                           job=job, period=period, **payload)
        report.sent.append((user, what))


@dataclass(frozen=True)
class Due:
    """One recipient of a batched reminder: who, what (for the report), the
    zone their day is reckoned in, and the notice's parameters."""

    user: str
    what: str
    zone: ZoneInfo | None
    payload: dict


def _dm_many(s: Session, team: TeamView, job: str, period: str, now: datetime, dry_run: bool,
             report: JobReport, due: list[Due], *, type: str) -> None:
    """:func:`_dm_once` for a whole team at once, in a fixed number of
    statements however many people are due: one claim INSERT and one outbox
    executemany (per 500 people), never a query per person."""
    due = [d for d in due if not _on_leave(s, team, d, now, report)]
    subjects = [f"{team.id}:{d.user}" for d in due]
    if not subjects:
        return
    if dry_run:
        done = queries.already_claimed_many(s, job=job, subjects=subjects, period=period)
        report.sent.extend((d.user, d.what) for d, sub in zip(due, subjects, strict=True) if sub not in done)
        return
    claimed = queries.claim_many(s, job=job, subjects=subjects, period=period, team_id=team.id, at=now)
    mine = [(d, sub) for d, sub in zip(due, subjects, strict=True) if sub in claimed]
    notices.enqueue_dms(s, [(d.user, f"{job}:{sub}:{period}", {"job": job, "period": period, **d.payload})
                            for d, sub in mine], type=type, team_id=team.id, now=report.sent_at)
    report.sent.extend((d.user, d.what) for d, _sub in mine)


def _on_leave(s: Session, team: TeamView, d: Due, now: datetime, report: JobReport) -> bool:
    if report.away(s, team, d.user, local_date(now, d.zone or team.tz)):
        report.skipped.append((d.user, "on leave"))
        return True
    return False


def _post_once(s: Session, team: TeamView, job: str, period: str, now: datetime, dry_run: bool,
               report: JobReport, **payload) -> bool:
    """Claim (job, team, period) and write the post; True when this run wrote it."""
    subject = f"team:{team.id}"
    if dry_run:
        if not queries.already_claimed(s, job=job, subject=subject, period=period):
            report.sent.append((team.channel, f"{job} for {period}"))
        return False
    if queries.claim_once(s, job=job, subject=subject, period=period, team_id=team.id, at=now):
        notices.enqueue_post(s, channel=team.channel, team_id=team.id, now=report.sent_at, key=f"{job}:{team.id}:{period}",
                             **payload)
        report.sent.append((team.channel, f"{job} for {period}"))
        return True
    return False


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
        if not manual and now < _due_at(team, job, today, _zone(prof, team)):
            report.skipped.append((sup, "not due yet in their zone"))
            continue
        _dm_once(s, team, job.name, sup, period, now, dry_run, report, f"{len(waiting)} item(s) waiting over 24 h",
                 zone=_zone(prof, team), type="pending_nudge", items=[w.ref for w in waiting])


def _metrics_ask(s: Session, team: TeamView, now: datetime, manual: bool, dry_run: bool, report: JobReport) -> None:
    """Ask each author for a publication's figures 1 and 7 days after it went
    out, on the first working day on or after that day, at the team's daily
    hour in the author's own zone; once each (docs/PRODUCT.md §2.2, §5)."""
    job = JOBS["metrics-ask"]
    since = now - METRICS_ASK_WINDOW
    pubs = queries_content.publications_since(s, team.id, since)
    if not pubs:
        return
    profiles = queries.slack_users(s, {p.author_id for p, _t in pubs})
    for pub, title in pubs:
        prof = profiles.get(pub.author_id)
        if prof is not None and prof.deleted:
            _skip_deactivated(s, team, pub.author_id, now, dry_run, report)
            continue
        if not queries.is_in_team(s, team.id, pub.author_id):
            continue
        zone = _zone(prof, team)
        today = local_date(now, zone)
        days = metrics_ask_due(local_date(pub.published_at, team.tz), today, team.calendar)
        if days is None:
            continue
        if not manual:
            if not team.calendar.is_working_day(today):
                continue
            if now < _due_at(team, job, today, zone):
                report.skipped.append((pub.author_id, "not due yet in their zone"))
                continue
        _dm_once(s, team, job.name, pub.author_id, f"pub:{pub.id}:d{days}", now, dry_run, report,
                 f"metrics for publication #{pub.id} “{title}”, day {days}", zone=zone, type="metrics_ask",
                 publication_id=pub.id, days=days)
RETRO_PERIOD_SEP = "#a"


def _retro_period(day: date, activity_id: int) -> str:
    return f"{day.isoformat()}{RETRO_PERIOD_SEP}{activity_id}"


def _retro_ask(s: Session, team: TeamView, now: datetime, manual: bool, dry_run: bool, report: JobReport) -> None:
    """Owners of approved activities that ended with no retrospective: the
    first ask on the first working day after the end, then once each working
    day until it is in."""
    job = JOBS["retro-ask"]
    missing = activity_queries.retros_missing(s, team.id, now)
    profiles = queries.slack_users(s, {a.owner_id for a in missing})
    for a in missing:
        prof = profiles.get(a.owner_id)
        if prof is not None and prof.deleted:
            _skip_deactivated(s, team, a.owner_id, now, dry_run, report)
            continue
        zone = _zone(prof, team)
        today = local_date(now, zone)
        first = retro_first_ask_day(local_date(a.ends_at, team.tz), team.calendar)
        if today < first:
            report.skipped.append((a.owner_id, f"activity #{a.id}: retrospective asked from {first.isoformat()}"))
            continue
        if not manual and not team.calendar.is_working_day(today):
            report.skipped.append((a.owner_id, "not a working day"))
            continue
        if not manual and now < _due_at(team, job, today, zone):
            report.skipped.append((a.owner_id, "not due yet in their zone"))
            continue
        asked = activity_queries.retro_asked_before(s, job.name, f"{team.id}:{a.owner_id}", a.id, RETRO_PERIOD_SEP)
        what = f"{'retrospective reminder' if asked else 'retrospective ask'} for activity #{a.id}"
        _dm_once(s, team, job.name, a.owner_id, _retro_period(today, a.id), now, dry_run, report, what, zone=zone,
                 type="retro_ask", activity_id=a.id, reminder=asked)


JOBS: dict[str, JobDef] = {
    j.name: j
    for j in (
        JobDef("weekly-plan", "weekly_plan", True, Shift.LATER, False, _weekly_plan,
               "post last week's approved-but-unpublished and this week's approved topics"),
        JobDef("quota-reminder", "quota_reminder", True, Shift.EARLIER, True, _quota_reminder,
               "DM each member below quota", resumes_after_leave=True),
        JobDef("quota-summary", "quota_summary", True, Shift.EARLIER, False, _quota_summary,
               "post who met the quota this week"),
        JobDef("pending-nudge", "daily", False, Shift.EARLIER, True, _pending_nudge,
               "DM supervisors items waiting for a decision over 24 h"),
        JobDef("metrics-ask", "daily", False, Shift.EARLIER, True, _metrics_ask,
               "ask authors for metrics 1 and 7 days after publication"),
        JobDef("retro-ask", "daily", False, Shift.EARLIER, True, _retro_ask,
               "ask owners of activities that ended and have no retrospective"),
    )
}


# The reminders that carry "Remind me later", and who receives each.
SNOOZABLE: dict[str, str | tuple[str, ...]] = {
    "quota-reminder": "member", "pending-nudge": "supervisor", "metrics-ask": "member", "retro-ask": "member",
}
# How a snoozed reminder of a job added below comes back: job -> resend(s, team, snooze, now) -> sent.
RESENDERS: dict[str, Callable[[Session, TeamView, Snooze, datetime], int]] = {}


class UnknownJob(LookupError):
    pass


@dataclass(frozen=True)
class NextRun:
    job: str
    team: str
    tz: ZoneInfo
    at: datetime | None


class JobRunner:
    """Runs jobs for every active team, by the scheduler or by hand."""

    def __init__(self, *, db: sessionmaker[Session], clock: Clock, slack: SlackPort | None = None,
                 wake: Callable[[], None] | None = None) -> None:
        self.db, self.clock, self.slack, self.wake = db, clock, slack, wake

    def _teams(self, name: str | None) -> list[TeamView]:
        with transaction(self.db) as s:
            return [team_view(t) for t in queries.active_teams(s) if name is None or t.name == name]

    def _refresh_profiles(self, teams: list[TeamView], now: datetime) -> None:
        """Refresh the stale profiles of every team's people at once: for many
        people that is one pass over ``users.list``, not one per team."""
        if self.slack is None or not teams:
            return
        with transaction(self.db) as s:
            people = set(queries.people_of_teams(s, [t.id for t in teams]))
            known = queries.slack_users(s, people)
        stale = {u for u in people if u not in known or known[u].refreshed_at < now - notices.PROFILE_MAX_AGE}
        if stale:
            try:
                refresh_profiles(db=self.db, clock=self.clock, slack=self.slack, user_ids=stale)
            except RetryLater as e:
                # Slack is down: the job still runs, on the profiles we have
                # (or the team's zone); its DMs wait in the outbox.
                names = ", ".join(t.name for t in teams)
                log.warning("could not refresh profiles for %s (%s); using cached ones", names, e.error)

    def run(self, name: str, *, team: str | None = None, now: datetime | None = None, manual: bool = False,
            dry_run: bool = False) -> list[JobReport]:
        job = JOBS.get(name)
        if job is None:
            raise UnknownJob(f"unknown job {name!r}; jobs are: {', '.join(JOBS)}")
        now = now or self.clock.now()
        reports = []
        teams = self._teams(team)
        if not dry_run:
            self._refresh_profiles(teams, now)
        for t in teams:
            report = JobReport(job.name, t.name, sent_at=self.clock.now())
            with transaction(self.db) as s:
                job.run(s, t, now, manual, dry_run, report)
                if dry_run:
                    s.rollback()
            reports.append(report)
        if self.wake and any(r.sent for r in reports) and not dry_run:
            self.wake()
        return reports

    def run_snoozes(self, now: datetime | None = None) -> int:
        """Bring back reminders whose snooze ran out, if still relevant."""
        now = now or self.clock.now()
        sent = 0
        with transaction(self.db) as s:
            for sn in queries.due_snoozes(s, now):
                if not queries.mark_snooze_sent(s, sn.id):
                    continue
                team = team_view(s.get_one(Team, sn.team_id))
                sent += _resend(s, team, sn, now)
        if sent and self.wake:
            self.wake()
        return sent

    def next_runs(self, after: datetime, *, job: str | None = None, team: str | None = None) -> list[NextRun]:
        out = []
        with transaction(self.db) as s:
            for row in queries.active_teams(s):
                if team is not None and row.name != team:
                    continue
                tv = team_view(row)
                people = queries.team_user_ids(s, tv.id, "member") + queries.team_user_ids(s, tv.id, "supervisor")
                zones = [tv.tz] + sorted(
                    {_zone(p, tv) for p in queries.slack_users(s, people).values()} - {tv.tz}, key=str
                )
                for jd in JOBS.values():
                    if job is not None and jd.name != job:
                        continue
                    zs = zones if jd.per_recipient else [tv.tz]
                    if jd.months:
                        at = next_month_end_run(tv.daily(), tv.calendar, zs, after, jd.months)
                    elif jd.weekly:
                        at = next_weekly_run(tv.weekly(jd.schedule_key), tv.calendar, jd.shift, zs, after)
                        if jd.resumes_after_leave:
                            back = _back_from_leave_run(s, tv, jd, zs, after)
                            if back is not None and (at is None or back < at):
                                at = back
                    else:
                        at = next_daily_run(tv.daily(), tv.calendar, zs, after)
                    out.append(NextRun(jd.name, tv.name, tv.tz, at))
        return out


def _back_from_leave_run(s: Session, team: TeamView, job: JobDef, zones: list[ZoneInfo],
                         after: datetime) -> datetime | None:
    """The next daily run later in the week of ``after`` when a member was on
    leave on the weekly reminder's day: they get it on their first day back."""
    monday = team.monday(after)
    due_day = _week_due_date(team, job, monday)
    if due_day is None:
        return None
    members = queries.team_user_ids(s, team.id, "member")
    if not any(due_day in days for days in days_away(s, team.id, members, due_day, due_day).values()):
        return None
    at = next_daily_run(team.daily(), team.calendar, zones, max(after, _due_at(team, job, due_day, team.tz)))
    if at is None or team.monday(at) != monday:
        return None
    return at


def _resend(s: Session, team: TeamView, sn: Snooze, now: datetime) -> int:
    if sn.job == "quota-reminder":
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
    if sn.job == "retro-ask":
        _day, _sep, raw = sn.period.partition(RETRO_PERIOD_SEP)
        a = s.get(Activity, int(raw)) if raw.isdigit() else None
        if a is None or a.owner_id != sn.user_id or a.status != "approved" or a.retro_at is not None:
            return 0  # written in the meantime: nothing left to remind
        return int(notices.enqueue_dm(
            s, user=sn.user_id, type="retro_ask", team_id=team.id, now=now, key=f"snooze:{sn.id}",
            activity_id=a.id, reminder=True, job=sn.job, period=sn.period, snoozed=True,
        ))
    if sn.job == "pending-nudge":
        waiting = pending.waiting(s, team.id, now - PENDING_AFTER)
        if not waiting:
            return 0
        return int(notices.enqueue_dm(
            s, user=sn.user_id, type="pending_nudge", team_id=team.id, now=now, key=f"snooze:{sn.id}",
            items=[w.ref for w in waiting], job=sn.job, period=sn.period,
        ))
    if sn.job == "metrics-ask":
        # period "pub:<id>:d<days>": still applies while no figures came in since the snooze.
        _pub, pub_id, days = sn.period.split(":")
        last = queries_content.latest_metrics(s, [int(pub_id)]).get(int(pub_id))
        if last is not None and last.at >= sn.created_at:
            return 0
        return int(notices.enqueue_dm(
            s, user=sn.user_id, type="metrics_ask", team_id=team.id, now=now, key=f"snooze:{sn.id}",
            publication_id=int(pub_id), days=int(days.removeprefix("d")), job=sn.job, period=sn.period, snoozed=True,
        ))
    if sn.job in RESENDERS:
        return RESENDERS[sn.job](s, team, sn, now)
    return 0


def snooze_until(now: datetime, zone: ZoneInfo, team: TeamView) -> datetime:
    """'Remind me later': three hours on if that is still the working day
    (before 18:00 where the person is), else the next working day at the
    team's daily hour in the person's zone."""
    later = now + SNOOZE_FOR
    local = later.astimezone(zone)
    if local.date() == now.astimezone(zone).date() and local.hour < SNOOZE_LATEST_HOUR:
        return later
    day = local_date(now, zone) + timedelta(days=1)
    nxt = team.calendar.first_working_day_on_or_after(day) or day
    return local_instant(nxt, team.daily().at, zone)


def snooze(*, db: sessionmaker[Session], clock: Clock, user_id: str, team_id: int, job: str, period: str) -> tuple[datetime, ZoneInfo, str]:
    """Record a snooze for the clicker's own reminder; returns when, where, and the locale."""
    now = clock.now()
    with transaction(db) as s:
        row = s.get(Team, team_id)
        # The button's value is the payload's word: the store decides whether
        # this person gets that reminder at all.
        role = SNOOZABLE.get(job)
        roles = (role,) if isinstance(role, str) else role or ()
        if row is None or not any(queries.has_role(s, team_id, user_id, r) for r in roles):
            raise NotFound()
        team = team_view(row)
        prof = queries.slack_users(s, [user_id]).get(user_id)
        zone = _zone(prof, team)
        due = snooze_until(now, zone, team)
        existing = queries.pending_snooze(s, user_id=user_id, team_id=team_id, job=job, period=period)
        if existing is not None:
            # A double click, or a second "later": one snooze, the latest time.
            existing.due_at = due
        else:
            s.add(Snooze(user_id=user_id, team_id=team_id, job=job, period=period, due_at=due, status="pending",
                         created_at=now))
        return due, zone, resolve_locale(prof.locale if prof else None, team.locale)


# Performance reviews (docs/PRODUCT.md §2.5): their jobs live beside their services.
from bot.review_jobs import JOBS as _REVIEW_JOBS  # noqa: E402
from bot.review_jobs import RESENDERS as _REVIEW_RESENDERS  # noqa: E402
from bot.review_jobs import SNOOZABLE as _REVIEW_SNOOZABLE  # noqa: E402

JOBS.update(_REVIEW_JOBS)
SNOOZABLE.update(_REVIEW_SNOOZABLE)
RESENDERS.update(_REVIEW_RESENDERS)
