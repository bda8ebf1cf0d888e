"""A member's monthly targets, set by a supervisor."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel.clock import Clock
from bot.kernel.errors import N_, NotAuthorized, NotFound
from bot.kernel.team import team_view
from bot.workflows.reviews import rules
from bot.workflows.reviews.figures import TARGET_KEYS
from bot.workflows.reviews.service import REVIEW, _locale
from storage import queries
from storage import reviews as review_rows
from storage.db import transaction
from storage.models import Team
from storage.reviews import ReviewTarget


@dataclass(frozen=True)
class TargetsContext:
    locale: str
    team_id: int
    team_name: str
    member: str
    period: str
    current: dict[str, int | None]


def _supervised_team_of(s: Session, supervisor: str, member: str) -> Team | None:
    for t in queries.teams_of_user(s, supervisor, role="supervisor"):
        if queries.has_role(s, t.id, member, "member"):
            return t
    return None


def targets_form(*, db: sessionmaker[Session], clock: Clock, user_id: str, member: str,
                 period: str | None) -> TargetsContext:
    now = clock.now()
    failure: Exception | None = None
    with transaction(db) as s:
        row = _supervised_team_of(s, user_id, member)
        if row is None:
            failure = NotAuthorized(N_("Only a supervisor of <@{user}>'s team can set their targets."), user=member
                                    ).refused("review.targets", f"not a supervisor of {member}", item_kind=REVIEW)
        else:
            team = team_view(row)
            if period is None:
                period = rules.period_id(team.today(now).year, team.today(now).month)
            else:
                period = rules.typed_month(period, team.today(now), team.today(row.created_at))
            t = review_rows.targets(s, team.id, member, period)
            current = {k: (getattr(t, k) if t else None) for k in TARGET_KEYS}
            return TargetsContext(_locale(s, user_id, team), team.id, team.name, member, period, current)
    raise failure


def set_targets(*, db: sessionmaker[Session], clock: Clock, user_id: str, member: str, period: str,
                values: dict[str, str | None]) -> None:
    now = clock.now()
    parsed = {k: rules.parse_target(values.get(k), rules.FIELD_TARGET[k]) for k in TARGET_KEYS}
    if rules.parse_period(period) is None:
        raise NotFound()
    failure: Exception | None = None
    with transaction(db) as s:
        row = _supervised_team_of(s, user_id, member)
        if row is None:
            failure = NotAuthorized(N_("Only a supervisor of <@{user}>'s team can set their targets."), user=member
                                    ).refused("review.targets", f"not a supervisor of {member}", item_kind=REVIEW)
        else:
            # The month comes back in the modal's metadata: check it as if typed.
            period = rules.typed_month(period, team_view(row).today(now), team_view(row).today(row.created_at))
            t = review_rows.targets(s, row.id, member, period)
            before = {k: getattr(t, k) for k in TARGET_KEYS} if t else None
            if t is None:
                t = ReviewTarget(team_id=row.id, user_id=member, period=period, set_by=user_id, set_at=now)
                s.add(t)
            for k, val in parsed.items():
                setattr(t, k, val)
            t.set_by, t.set_at = user_id, now
            queries.add_audit(s, at=now, actor_id=user_id, action="review.targets", outcome="ok", team_id=row.id,
                              item_kind="targets", item_id=None, before=before, after=parsed,
                              detail=f"{member} {period}")
            return
    raise failure
