"""Team settings changed in Slack by the team's supervisors (docs/PRODUCT.md §3).

The teams file, when a deployment uses one, is applied at every start and
stays the source of truth there: a change made here lasts until the next
start, unless the file says the same. Jobs read the team on every run, so a
change applies from the next run; the scheduler re-plans within 30 seconds
(``bot/kernel/scheduler.py``, ``CHANGE_CHECK_SECONDS``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel.clock import Clock
from bot.kernel.errors import N_, NotAuthorized, NotFound
from bot.kernel.i18n import resolve_locale
from bot.kernel.team import DEFAULT_SCHEDULE
from bot.workflows.kudos.rules import recognition_of
from bot.workflows.team_settings.rules import WEEKLY_KEYS, SettingsInput, TeamSettings, validate_settings
from storage import queries
from storage.db import transaction
from storage.models import Team


@dataclass(frozen=True)
class SettingsForm:
    locale: str
    team_id: int
    team_name: str
    current: TeamSettings


@dataclass(frozen=True)
class SettingsSaved:
    locale: str
    team_name: str
    changed: dict[str, tuple[object, object]]


def current_settings(team: Team) -> TeamSettings:
    schedule = {**DEFAULT_SCHEDULE, **(team.schedule or {})}
    recognition = recognition_of(team.recognition)
    return TeamSettings(
        weekly_topic_quota=team.weekly_topic_quota,
        weekly_plan=schedule["weekly_plan"],
        quota_reminder=schedule["quota_reminder"],
        quota_summary=schedule["quota_summary"],
        daily=schedule["daily"],
        timezone=team.timezone,
        country=team.country,
        locale=team.locale,
        mention_in_summaries=team.mention_in_summaries,
        platforms=tuple(team.platforms or ()),
        recognition_daily_cap=recognition.daily_cap,
        recognition_leaderboard=recognition.leaderboard,
    )


def _locale(s: Session, user_id: str, team: Team) -> str:
    prof = queries.slack_users(s, [user_id]).get(user_id)
    return resolve_locale(prof.locale if prof else None, team.locale)


def _deny(team_id: int | None, detail: str) -> NotAuthorized:
    """Audited where it is told (``bot/kernel/refusals.py``)."""
    return NotAuthorized(N_("Only a supervisor of this team can change its settings.")).refused(
        "settings.update", detail, item_kind="team", item_id=team_id, team_id=team_id)


def settings_form(*, db: sessionmaker[Session], clock: Clock, user_id: str, channel_id: str | None,
                  workspace: str | None = None) -> SettingsForm:
    """The settings of the team the supervisor is in (its channel, else their first team)."""
    refused: Exception | None = None
    with transaction(db) as s:
        supervised = list(queries.teams_of_user(s, user_id, role="supervisor", workspace=workspace))
        here = queries.team_by_channel(s, channel_id) if channel_id else None
        if not supervised or (here is not None and here.id not in {t.id for t in supervised}):
            refused = _deny(here.id if here else None, "opened settings")
        else:
            team = next((t for t in supervised if here is not None and t.id == here.id), supervised[0])
            return SettingsForm(_locale(s, user_id, team), team.id, team.name, current_settings(team))
    assert refused is not None
    raise refused


def update_settings(*, db: sessionmaker[Session], clock: Clock, user_id: str, team_id: int,
                    raw: SettingsInput, workspace: str | None = None) -> SettingsSaved:
    """Validate and store; audited with what changed. Authorization is
    checked again here: the modal's team id is the payload's word."""
    now = clock.now()
    refused: Exception | None = None
    with transaction(db) as s:
        team = s.get(Team, team_id)
        if team is None or not team.active or not queries.in_workspace(s, team_id, workspace):
            raise NotFound()
        if not queries.has_role(s, team_id, user_id, "supervisor"):
            refused = _deny(team_id, "submitted settings")
        else:
            new = validate_settings(raw)
            changed = current_settings(team).changes(new)
            if changed:
                team.weekly_topic_quota = new.weekly_topic_quota
                team.schedule = {**(team.schedule or {}), **{k: getattr(new, k) for k in (*WEEKLY_KEYS, "daily")}}
                team.timezone, team.country, team.locale = new.timezone, new.country, new.locale
                team.mention_in_summaries = new.mention_in_summaries
                team.platforms = list(new.platforms)
                team.recognition = {**(team.recognition or {}), "daily_cap": new.recognition_daily_cap,
                                    "leaderboard": new.recognition_leaderboard}
                team.updated_at = now
                queries.add_audit(
                    s, at=now, actor_id=user_id, action="settings.update", outcome="ok", team_id=team_id,
                    item_kind="team", item_id=team_id, before={k: b for k, (b, _a) in changed.items()},
                    after={k: a for k, (_b, a) in changed.items()}, detail=None,
                )
            return SettingsSaved(_locale(s, user_id, team), team.name, changed)
    assert refused is not None
    raise refused
