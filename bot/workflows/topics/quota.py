"""Quota progress for people in a week, computed in one query per team."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.domain.periods import week_id
from bot.kernel.team import TeamView
from bot.workflows.leave.away import days_away
from bot.workflows.topics.rules import QuotaProgress, weekly_quota
from storage import topics as topic_rows


def leave_days(session: Session, team_id: int, user_ids: Iterable[str], monday: date) -> dict[str, set[date]]:
    """Days each person is away in the week starting ``monday``."""
    return days_away(session, team_id, user_ids, monday, monday + timedelta(days=6))


def progress_for(
    session: Session, team: TeamView, user_ids: Iterable[str], *, monday: date, until: datetime | None = None
) -> dict[str, QuotaProgress]:
    users = list(dict.fromkeys(user_ids))
    counts = topic_rows.topic_counts_for_week(session, team.id, week_id(monday), until=until, authors=users)
    away = leave_days(session, team.id, users, monday)
    return {
        u: QuotaProgress(
            count=counts.get(u, 0),
            quota=weekly_quota(team.quota, team.calendar, monday, away.get(u, set())),
        )
        for u in users
    }
