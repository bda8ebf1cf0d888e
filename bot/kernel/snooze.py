""""Remind me later": when a snoozed reminder comes back, and recording the snooze."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.periods import local_date, local_instant
from bot.kernel.clock import Clock
from bot.kernel.errors import NotFound
from bot.kernel.i18n import resolve_locale
from bot.kernel.team import TeamView, team_view, zone_of
from storage import queries
from storage.db import transaction
from storage.models import Snooze, Team

SNOOZE_FOR = timedelta(hours=3)
SNOOZE_LATEST_HOUR = 18


# Who receives a job's reminder that carries "Remind me later": a role, or several.
Roles = str | tuple[str, ...]
# How a snoozed reminder comes back: resend(s, team, snooze, now) -> notices written (0: nothing left to say).
Resender = Callable[[Session, TeamView, Snooze, datetime], int]


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


def snooze(*, db: sessionmaker[Session], clock: Clock, snoozable: Mapping[str, Roles], user_id: str, team_id: int,
           job: str, period: str) -> tuple[datetime, ZoneInfo, str]:
    """Record a snooze for the clicker's own reminder; returns when, where, and the locale."""
    now = clock.now()
    with transaction(db) as s:
        row = s.get(Team, team_id)
        # The button's value is the payload's word: the store decides whether
        # this person gets that reminder at all.
        role = snoozable.get(job)
        roles = (role,) if isinstance(role, str) else role or ()
        if row is None or not any(queries.has_role(s, team_id, user_id, r) for r in roles):
            raise NotFound()
        # Only a reminder this person was sent comes back: a forged period (a
        # week or month no job ever used) would be stored and fail each round.
        if not queries.already_claimed(s, job=job, subject=f"{team_id}:{user_id}", period=period):
            raise NotFound()
        team = team_view(row)
        prof = queries.slack_users(s, [user_id]).get(user_id)
        zone = zone_of(prof, team)
        due = snooze_until(now, zone, team)
        existing = queries.pending_snooze(s, user_id=user_id, team_id=team_id, job=job, period=period)
        if existing is not None:
            # A double click, or a second "later": one snooze, the latest time.
            existing.due_at = due
        else:
            s.add(Snooze(user_id=user_id, team_id=team_id, job=job, period=period, due_at=due, status="pending",
                         created_at=now))
        return due, zone, resolve_locale(prof.locale if prof else None, team.locale)
