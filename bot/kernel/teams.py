"""Applying the teams file to the store, idempotently, at every start."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.kernel.clock import Clock
from bot.kernel.teams_file import TeamsFile
from storage.db import transaction
from storage.models import Membership, Team


@dataclass(frozen=True)
class ApplyReport:
    created: list[str]
    updated: list[str]
    deactivated: list[str]


def apply_teams(*, db: sessionmaker[Session], clock: Clock, config: TeamsFile) -> ApplyReport:
    """Make the store say what the file says. Teams and people missing from
    the file become inactive; their items and history stay."""
    now = clock.now()
    created: list[str] = []
    updated: list[str] = []
    with transaction(db) as s:
        listed = {t.name for t in config.teams}
        for cfg in config.teams:
            team = s.scalar(select(Team).where(Team.name == cfg.name))
            values = {
                "channel": cfg.channel,
                "timezone": cfg.timezone,
                "country": cfg.country,
                "locale": cfg.locale,
                "weekly_topic_quota": cfg.weekly_topic_quota,
                "mention_in_summaries": cfg.mention_in_summaries,
                "platforms": list(cfg.platforms),
                "schedule": cfg.schedule.model_dump(),
                "calendar": cfg.calendar.model_dump(mode="json"),
                "reviews": cfg.reviews.model_dump(),
                "active": True,
            }
            if team is None:
                team = Team(name=cfg.name, created_at=now, updated_at=now, **values)
                s.add(team)
                s.flush()
                created.append(cfg.name)
            elif any(getattr(team, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(team, k, v)
                team.updated_at = now
                updated.append(cfg.name)
            _sync_memberships(s, team.id, "supervisor", cfg.supervisors)
            _sync_memberships(s, team.id, "member", cfg.members)
        gone = s.scalars(select(Team).where(Team.active, Team.name.not_in(listed or {""}))).all()
        for team in gone:
            team.active = False
            team.updated_at = now
            s.execute(update(Membership).where(Membership.team_id == team.id).values(active=False))
    return ApplyReport(created, updated, [t.name for t in gone])


def _sync_memberships(s: Session, team_id: int, role: str, user_ids: list[str]) -> None:
    existing = {
        m.user_id: m
        for m in s.scalars(select(Membership).where(Membership.team_id == team_id, Membership.role == role))
    }
    for pos, uid in enumerate(dict.fromkeys(user_ids)):
        m = existing.pop(uid, None)
        if m is None:
            s.add(Membership(team_id=team_id, user_id=uid, role=role, position=pos, active=True))
        else:
            m.active, m.position = True, pos
    for m in existing.values():
        m.active = False
