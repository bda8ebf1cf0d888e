"""Onboarding (培训与发展): a new member's run of the team's checklist, one row
per item. Queries never commit: the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base, Membership


class OnboardingRun(Base):
    """One new member's onboarding in one team, from the day they were added."""

    __tablename__ = "onboarding_runs"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    start_date: Mapped[date] = mapped_column(Date)  # the day they were added, in the team's zone
    created_at: Mapped[datetime]


class OnboardingItem(Base):
    """One checklist item of a run: the template's day and text when it was taken."""

    __tablename__ = "onboarding_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("onboarding_runs.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    day: Mapped[int] = mapped_column(Integer)  # working days after the start
    text: Mapped[str] = mapped_column(Text)
    done_at: Mapped[datetime | None]


def _add_items(s: Session, run_id: int, template: Iterable[dict[str, Any]]) -> None:
    for pos, entry in enumerate(template):
        s.add(OnboardingItem(run_id=run_id, position=pos, day=int(entry["day"]), text=str(entry["item"])))


def start_runs(s: Session, team_id: int, template: list[dict[str, Any]] | None, user_ids: Iterable[str],
               start: date, now: datetime) -> list[str]:
    """An onboarding run for each person added as a member who has none in
    the team yet (someone removed and added back keeps the first one)."""
    users = list(dict.fromkeys(user_ids))
    if not users:
        return []
    have = set(s.scalars(select(OnboardingRun.user_id).where(OnboardingRun.team_id == team_id,
                                                               OnboardingRun.user_id.in_(users))))
    started = []
    for u in users:
        if u in have:
            continue
        run = OnboardingRun(team_id=team_id, user_id=u, start_date=start, created_at=now)
        s.add(run)
        s.flush()
        _add_items(s, run.id, template or [])
        started.append(u)
    return started


def fill_empty_runs(s: Session, team_id: int, template: list[dict[str, Any]]) -> int:
    """Runs started while the team had no checklist take the one just set."""
    runs = s.scalars(select(OnboardingRun).where(
        OnboardingRun.team_id == team_id,
        ~select(OnboardingItem.id).where(OnboardingItem.run_id == OnboardingRun.id).exists())).all()
    for run in runs:
        _add_items(s, run.id, template)
    return len(runs)


def team_runs(s: Session, team_id: int) -> list[tuple[OnboardingRun, list[OnboardingItem]]]:
    """The runs of the team's active members, each with its items in order: one query each."""
    runs = s.scalars(
        select(OnboardingRun).join(Membership, (Membership.team_id == OnboardingRun.team_id)
                                   & (Membership.user_id == OnboardingRun.user_id))
        .where(OnboardingRun.team_id == team_id, Membership.role == "member", Membership.active)
        .order_by(OnboardingRun.start_date, OnboardingRun.id)).all()
    items: dict[int, list[OnboardingItem]] = {r.id: [] for r in runs}
    if runs:
        for it in s.scalars(select(OnboardingItem).where(OnboardingItem.run_id.in_(list(items)))
                            .order_by(OnboardingItem.position, OnboardingItem.id)):
            items[it.run_id].append(it)
    return [(r, items[r.id]) for r in runs]


def item_with_run(s: Session, item_id: int) -> tuple[OnboardingItem, OnboardingRun] | None:
    row = s.execute(select(OnboardingItem, OnboardingRun).join(OnboardingRun, OnboardingRun.id == OnboardingItem.run_id)
                    .where(OnboardingItem.id == item_id)).first()
    return (row[0], row[1]) if row else None


def mark_done(s: Session, item_id: int, at: datetime) -> bool:
    """True when this call marked it (a second press changes nothing)."""
    result = s.execute(update(OnboardingItem).where(OnboardingItem.id == item_id, OnboardingItem.done_at.is_(None))
                       .values(done_at=at))
    return result.rowcount == 1


def runs_of(s: Session, user_id: str) -> Sequence[OnboardingRun]:
    return s.scalars(select(OnboardingRun).where(OnboardingRun.user_id == user_id)).all()
