"""Applying the teams file to the store, idempotently: at every start
(``OPSBOT_TEAMS_FILE``) and by hand (``opsbot teams apply FILE [--dry-run]``).

The file manages the teams it names: they are marked ``managed_by="file"``
and Slack refuses to edit their people or channel (``/opsbot setup`` edits),
so the next start never silently undoes a change made in Slack. A team the
file names that was made in Slack is taken over by the file (the report says
so). Teams made in Slack and not named in the file are never touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.kernel import admins as admins_mod
from bot.kernel.clock import Clock
from bot.kernel.teams_file import TeamConfig, TeamsFile
from storage import onboarding as onboarding_rows
from storage import queries
from storage.models import Membership, Team

FILE = "file"
SLACK = "slack"


@dataclass(frozen=True)
class TeamChange:
    """One team's difference between the store and the file."""

    name: str
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field -> (before, after)
    added: dict[str, list[str]] = field(default_factory=dict)  # role -> user ids
    removed: dict[str, list[str]] = field(default_factory=dict)
    taken_over: bool = False  # it was made in Slack; the file manages it from now on


@dataclass(frozen=True)
class ApplyReport:
    created: list[str]
    updated: list[str]
    deactivated: list[str]
    changes: list[TeamChange] = field(default_factory=list)
    admins_added: list[str] = field(default_factory=list)
    admins_removed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.created or self.updated or self.deactivated or self.admins_added or self.admins_removed)

    def lines(self) -> list[str]:
        """The diff, one line per change, for an operator's terminal."""
        out: list[str] = []
        for c in self.changes:
            sign = "+" if c.name in self.created else "~"
            out.append(f"{sign} team {c.name!r}" + (" (taken over from Slack)" if c.taken_over else ""))
            for key, (before, after) in c.fields.items():
                out.append(f"    {key}: {before!r} -> {after!r}" if sign == "~" else f"    {key}: {after!r}")
            for role in ("supervisor", "member"):
                for u in c.added.get(role, []):
                    out.append(f"    + {role} {u}")
                for u in c.removed.get(role, []):
                    out.append(f"    - {role} {u} (inactive; items and history stay)")
        out += [f"- team {n!r} (archived; items and history stay)" for n in self.deactivated]
        out += [f"+ admin {u}" for u in self.admins_added]
        out += [f"- admin {u}" for u in self.admins_removed]
        return out


def team_values(cfg: TeamConfig) -> dict[str, Any]:
    """What the store keeps of a team the file describes (people apart)."""
    return {
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
        "recognition": cfg.recognition.model_dump(),
        "onboarding": [i.model_dump() for i in cfg.onboarding],
        "active": True,
    }


def apply_teams(*, db: sessionmaker[Session], clock: Clock, config: TeamsFile, dry_run: bool = False) -> ApplyReport:
    """Make the store say what the file says. File-managed teams missing from
    the file become inactive, and so do people missing from a team; their
    items and history stay. ``dry_run`` reports the same and stores nothing."""
    now = clock.now()
    created: list[str] = []
    updated: list[str] = []
    changes: list[TeamChange] = []
    with db() as s:
        s.begin()
        listed = {t.name for t in config.teams}
        for cfg in config.teams:
            team = queries.team_by_name(s, cfg.name)  # the teams file is the single workspace's ("")
            values = team_values(cfg)
            before: dict[str, Any] = {}
            taken_over = team is not None and team.managed_by != FILE
            if team is None:
                team = Team(name=cfg.name, created_at=now, updated_at=now, managed_by=FILE, **values)
                s.add(team)
                s.flush()
                created.append(cfg.name)
                diff = {k: (None, v) for k, v in values.items() if k != "active"}
            else:
                before = {k: getattr(team, k) for k in values}
                before["onboarding"] = before["onboarding"] or []  # none set yet: the same as an empty one
                diff = {k: (before[k], v) for k, v in values.items() if before[k] != v}
                for k, v in values.items():
                    setattr(team, k, v)
                team.managed_by = FILE
            added, removed = {}, {}
            for role, ids in (("supervisor", cfg.supervisors), ("member", cfg.members)):
                added[role], removed[role] = sync_memberships(s, team.id, role, ids)
            # New members (not those there before) work through the team's checklist.
            onboarding_rows.start_runs(s, team.id, team.onboarding, added["member"],
                                       now.astimezone(ZoneInfo(team.timezone)).date(), now)
            people_changed = any(added.values()) or any(removed.values())
            if cfg.name not in created and (diff or people_changed or taken_over):
                team.updated_at = now
                updated.append(cfg.name)
            if cfg.name in created or diff or people_changed or taken_over:
                changes.append(TeamChange(cfg.name, diff, {r: u for r, u in added.items() if u},
                                          {r: u for r, u in removed.items() if u}, taken_over))
        gone = s.scalars(select(Team).where(Team.active, Team.managed_by == FILE, Team.workspace == "",
                                            Team.name.not_in(listed or {""}))).all()
        for team in gone:
            team.active = False
            team.updated_at = now
            s.execute(update(Membership).where(Membership.team_id == team.id).values(active=False))
        admins_added, admins_removed = admins_mod.sync(s, admins_mod.FILE, config.admins, now)
        report = ApplyReport(created, updated, [t.name for t in gone], changes, admins_added, admins_removed)
        if dry_run:
            s.rollback()
        else:
            s.commit()
    return report


def sync_memberships(s: Session, team_id: int, role: str, user_ids: Sequence[str]) -> tuple[list[str], list[str]]:
    """Make ``user_ids`` (in order) the team's active people in ``role``; the rest
    become inactive, their items and history kept. Returns (added, removed):
    who became active in the role, and who stopped. The teams file and Slack's
    Edit both change people through this."""
    existing = {
        m.user_id: m
        for m in s.scalars(select(Membership).where(Membership.team_id == team_id, Membership.role == role))
    }
    added: list[str] = []
    for pos, uid in enumerate(dict.fromkeys(user_ids)):
        m = existing.pop(uid, None)
        if m is None:
            s.add(Membership(team_id=team_id, user_id=uid, role=role, position=pos, active=True))
            added.append(uid)
        else:
            if not m.active:
                added.append(uid)
            m.active, m.position = True, pos
    removed = [m.user_id for m in existing.values() if m.active]
    for m in existing.values():
        m.active = False
    return added, removed
