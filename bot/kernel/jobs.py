"""The job kit and runner (docs/PRODUCT.md §5, §7): jobs are plain functions of ``now``.

A job decides who is due as of ``now`` and, for each, claims a unique
(job, subject, period) key before writing its notice in the same
transaction: a second run, a catch-up after downtime, a restart or a second
replica sends nothing twice. Each workflow's ``jobs.py`` holds its jobs;
:class:`JobRunner` runs the table the composition root hands it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.periods import local_date, local_instant
from bot.domain.schedule import Shift, next_daily_run, next_month_end_run, next_weekly_run, weekly_due_date
from bot.kernel import notices
from bot.kernel.clock import Clock
from bot.kernel.outbox import PermanentFailure, RetryLater, SlackPort, refresh_profiles
from bot.kernel.snooze import Resender
from bot.kernel.team import TeamView, team_view, zone_of
from storage import queries
from storage import workspaces as workspace_rows
from storage.db import transaction
from storage.models import Team

log = logging.getLogger(__name__)

# Who of ``people`` in team ``team_id`` is away on which days between two dates (approved leave):
# the leave workflow supplies it; without it nobody is ever away.
AwayFn = Callable[[Session, int, list[str], date, date], dict[str, set[date]]]


def nobody_away(s: Session, team_id: int, people: list[str], first: date, last: date) -> dict[str, set[date]]:
    return {}


@dataclass
class JobReport:
    job: str
    team: str
    # When notices are written: the real clock, even for a run "as of" another
    # time, so that what a run by hand sends goes out at once.
    sent_at: datetime
    sent: list[tuple[str, str]] = field(default_factory=list)  # (recipient, what)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (recipient, why)
    days_away: AwayFn = field(default=nobody_away, repr=False)
    # Approved leave of the team's people around ``now``, loaded once per run.
    _away: dict[str, set[date]] | None = field(default=None, repr=False)

    def away(self, s: Session, team: TeamView, user: str, day: date) -> bool:
        if self._away is None:
            people = queries.team_user_ids(s, team.id, "member") + queries.team_user_ids(s, team.id, "supervisor")
            self._away = self.days_away(s, team.id, people, day - timedelta(days=2), day + timedelta(days=2))
        return day in self._away.get(user, set())


# (session, team, zones, after) -> the job's next run after ``after``, or None.
NextDueFn = Callable[[Session, TeamView, list[ZoneInfo], datetime], datetime | None]


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
    # A job due on days of its own (e.g. the team's mid-month day): its next
    # run strictly after ``after`` in any of ``zones``, for ``opsbot jobs list``
    # and the scheduler; the schedule_key's daily run otherwise.
    next_due: NextDueFn | None = None


def due_at(team: TeamView, job: JobDef, day: date, zone: ZoneInfo) -> datetime:
    spec = team.weekly(job.schedule_key) if job.weekly else team.daily()
    return local_instant(day, spec.at, zone)


def week_due_date(team: TeamView, job: JobDef, monday: date) -> date | None:
    return weekly_due_date(team.weekly(job.schedule_key), monday, team.calendar, job.shift)


def skip_deactivated(s: Session, team: TeamView, user_id: str, now: datetime, dry_run: bool, report: JobReport) -> None:
    """A person who left the workspace gets nothing; supervisors hear it once."""
    report.skipped.append((user_id, "deactivated in Slack"))
    if dry_run or not queries.claim_once(
        s, job="member-deactivated", subject=f"{team.id}:{user_id}", period="once", team_id=team.id, at=now
    ):
        return
    for sup in queries.team_user_ids(s, team.id, "supervisor"):
        notices.enqueue_dm(s, user=sup, type="member_deactivated", team_id=team.id, now=report.sent_at,
                           key=f"member_deactivated:{team.id}:{user_id}:{sup}", member=user_id)


def channel_post_week(team: TeamView, job: JobDef, now: datetime, manual: bool, report: JobReport) -> date | None:
    """The Monday of the week a channel post is due for, or None when it is
    not (yet) due: a week with no working days, or before its hour."""
    monday = team.monday(now)
    due_day = week_due_date(team, job, monday)
    if due_day is None:
        report.skipped.append((team.channel, "no working days this week"))
        return None
    if not manual and now < due_at(team, job, due_day, team.tz):
        report.skipped.append((team.channel, "not due yet"))
        return None
    if not manual and not team.existed_on(due_day):
        report.skipped.append((team.channel, "due before the team existed"))
        return None
    return monday


def dm_once(s: Session, team: TeamView, job: str, user: str, period: str, now: datetime, dry_run: bool,
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


def dm_many(s: Session, team: TeamView, job: str, period: str, now: datetime, dry_run: bool,
             report: JobReport, due: list[Due], *, type: str) -> None:
    """:func:`dm_once` for a whole team at once, in a fixed number of
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


def post_once(s: Session, team: TeamView, job: str, period: str, now: datetime, dry_run: bool,
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


class UnknownJob(LookupError):
    pass


@dataclass(frozen=True)
class NextRun:
    job: str
    team: str
    tz: ZoneInfo
    at: datetime | None
    # Names are unique per workspace only (two workspaces may each have a Growth): the scheduler keys on this.
    team_id: int = 0


class JobRunner:
    """Runs jobs for every active team, by the scheduler or by hand."""

    def __init__(self, *, db: sessionmaker[Session], clock: Clock, jobs: Mapping[str, JobDef],
                 resenders: Mapping[str, Resender] | None = None, away: AwayFn = nobody_away,
                 slack: SlackPort | None = None, wake: Callable[[], None] | None = None) -> None:
        self.db, self.clock, self.slack, self.wake = db, clock, slack, wake
        self.jobs, self.resenders, self.away = jobs, resenders or {}, away

    def _teams(self, name: str | None, team_id: int | None = None) -> list[TeamView]:
        with transaction(self.db) as s:
            return [team_view(t) for t in _served_teams(s)
                    if (name is None or t.name == name) and (team_id is None or t.id == team_id)]

    def _refresh_profiles(self, teams: list[TeamView], now: datetime) -> None:
        """Refresh the stale profiles of every team's people at once: for many
        people that is one pass over ``users.list``, not one per team."""
        if self.slack is None or not teams:
            return
        # Per workspace (OAuth mode): each asked with its own token; one group in the single-workspace mode.
        by_workspace: dict[tuple[str, str | None], list[TeamView]] = {}
        for t in teams:
            by_workspace.setdefault((t.workspace, t.enterprise_id), []).append(t)
        for where, group in by_workspace.items():
            with transaction(self.db) as s:
                people = set(queries.people_of_teams(s, [t.id for t in group]))
                known = queries.slack_users(s, people)
            stale = {u for u in people if u not in known or known[u].refreshed_at < now - notices.PROFILE_MAX_AGE}
            if not stale:
                continue
            at = getattr(self.slack, "at", None)
            try:
                refresh_profiles(db=self.db, clock=self.clock, slack=at(*where) if at else self.slack,
                                 user_ids=stale)
            except (RetryLater, PermanentFailure) as e:
                # Slack is down, or the workspace has no installation: the job still runs, on the
                # profiles we have (or the team's zone); its DMs wait in the outbox (or fail there).
                names = ", ".join(t.name for t in group)
                log.warning("could not refresh profiles for %s (%s); using cached ones", names, e)

    def run(self, name: str, *, team: str | None = None, now: datetime | None = None, manual: bool = False,
            dry_run: bool = False, team_id: int | None = None) -> list[JobReport]:
        """Run a job for every active team, or those called ``team`` (one per workspace), or team ``team_id``."""
        job = self.jobs.get(name)
        if job is None:
            raise UnknownJob(f"unknown job {name!r}; jobs are: {', '.join(self.jobs)}")
        now = now or self.clock.now()
        reports = []
        teams = self._teams(team, team_id)
        if not dry_run:
            self._refresh_profiles(teams, now)
        for t in teams:
            report = JobReport(job.name, t.name, sent_at=self.clock.now(), days_away=self.away)
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
            gone = workspace_rows.uninstalled_team_ids(s)
            for sn in queries.due_snoozes(s, now):
                if not queries.mark_snooze_sent(s, sn.id) or sn.team_id in gone:
                    continue
                team = team_view(s.get_one(Team, sn.team_id))
                resend = self.resenders.get(sn.job)
                sent += resend(s, team, sn, now) if resend else 0
        if sent and self.wake:
            self.wake()
        return sent

    def next_runs(self, after: datetime, *, job: str | None = None, team: str | None = None,
                  team_id: int | None = None) -> list[NextRun]:
        out = []
        with transaction(self.db) as s:
            for row in _served_teams(s):
                if (team is not None and row.name != team) or (team_id is not None and row.id != team_id):
                    continue
                tv = team_view(row)
                people = queries.team_user_ids(s, tv.id, "member") + queries.team_user_ids(s, tv.id, "supervisor")
                zones = [tv.tz] + sorted(
                    {zone_of(p, tv) for p in queries.slack_users(s, people).values()} - {tv.tz}, key=str
                )
                for jd in self.jobs.values():
                    if job is not None and jd.name != job:
                        continue
                    zs = zones if jd.per_recipient else [tv.tz]
                    if jd.next_due is not None:
                        at = jd.next_due(s, tv, zs, after)
                    elif jd.months:
                        at = next_month_end_run(tv.daily(), tv.calendar, zs, after, jd.months)
                    elif jd.weekly:
                        at = next_weekly_run(tv.weekly(jd.schedule_key), tv.calendar, jd.shift, zs, after)
                        if jd.resumes_after_leave:
                            back = _back_from_leave_run(s, tv, jd, zs, after, self.away)
                            if back is not None and (at is None or back < at):
                                at = back
                    else:
                        at = next_daily_run(tv.daily(), tv.calendar, zs, after)
                    out.append(NextRun(jd.name, tv.name, tv.tz, at, tv.id))
        return out


def _served_teams(s: Session) -> list[Team]:
    """The active teams but those of a workspace that uninstalled opsbot (``bot/kernel/workspaces.py``):
    from that instant their jobs run for nobody, send nothing and are not planned."""
    gone = workspace_rows.uninstalled_team_ids(s)
    return [t for t in queries.active_teams(s) if t.id not in gone]


def _back_from_leave_run(s: Session, team: TeamView, job: JobDef, zones: list[ZoneInfo],
                         after: datetime, days_away: AwayFn) -> datetime | None:
    """The next daily run later in the week of ``after`` when a member was on
    leave on the weekly reminder's day: they get it on their first day back."""
    monday = team.monday(after)
    due_day = week_due_date(team, job, monday)
    if due_day is None:
        return None
    members = queries.team_user_ids(s, team.id, "member")
    if not any(due_day in days for days in days_away(s, team.id, members, due_day, due_day).values()):
        return None
    at = next_daily_run(team.daily(), team.calendar, zones, max(after, due_at(team, job, due_day, team.tz)))
    if at is None or team.monday(at) != monday:
        return None
    return at
