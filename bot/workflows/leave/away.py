"""Who is away when: the one place every reminder and deadline asks.

The leave workflow (docs/PRODUCT.md §2.4) fills these in; every caller already
goes through them, so approved leave reaches the quota, every reminder job
(``bot/jobs._dm_once``) and every deadline at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.domain.calendar import WorkingCalendar
from storage.leave import Leave


def days_away(session: Session, team_id: int, user_ids: Iterable[str], first: date, last: date) -> dict[str, set[date]]:
    """Each person's approved leave days between ``first`` and ``last`` (inclusive),
    as dates in the team's calendar. People with none are left out. One query
    for everyone. Leave is a person's absence: leave approved in any of their
    teams counts in every team they belong to."""
    users = list(dict.fromkeys(user_ids))
    if not users or last < first:
        return {}
    rows = session.execute(_days_away_statement(), {"users": users, "first": first, "last": last}).all()
    out: dict[str, set[date]] = {}
    for user, start, end in rows:
        day = max(start, first)
        while day <= min(end, last):
            out.setdefault(user, set()).add(day)
            day += timedelta(days=1)
    return out


@cache
def _days_away_statement() -> Any:
    # Built once: a reminder or a proposal asks it on the request path.
    return select(Leave.user_id, Leave.start_date, Leave.end_date).where(
        Leave.user_id.in_(bindparam("users", expanding=True)), Leave.status == "approved",
        Leave.start_date <= bindparam("last", type_=Leave.start_date.type),
        Leave.end_date >= bindparam("first", type_=Leave.end_date.type),
    )


def is_away(session: Session, team_id: int, user_id: str, day: date) -> bool:
    return day in days_away(session, team_id, [user_id], day, day).get(user_id, set())


def after_leave(session: Session, team_id: int, user_id: str, due: date, calendar: WorkingCalendar) -> date:
    """A deadline that falls in the person's leave moves to the first working
    day after it; otherwise it stays."""
    away = days_away(session, team_id, [user_id], due, due + timedelta(days=366)).get(user_id, set())
    if due not in away:
        return due
    day = due
    # Leave is bounded (a request has an end), so this walks a few weeks at most.
    for _ in range(366):
        if day not in away and calendar.is_working_day(day):
            return day
        day += timedelta(days=1)
    return due


def after_leave_many(session: Session, team_id: int, user_ids: Iterable[str], due: date,
                     calendar: WorkingCalendar) -> dict[str, date]:
    """:func:`after_leave` for many people at once, in one query."""
    users = list(dict.fromkeys(user_ids))
    away = days_away(session, team_id, users, due, due + timedelta(days=366))
    out: dict[str, date] = {}
    for user in users:
        days, day = away.get(user, set()), due
        if due in days:
            for _ in range(366):
                if day not in days and calendar.is_working_day(day):
                    break
                day += timedelta(days=1)
            else:
                day = due
        out[user] = day
    return out
