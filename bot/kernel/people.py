"""Who a person is to the bot: their locale, the team they act in, their Home, Slack's events."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel import admins, notices
from bot.kernel.clock import Clock
from bot.kernel.errors import N_, NotInTeam
from bot.kernel.i18n import resolve_locale
from bot.kernel.outbox import Profile
from bot.kernel.team import TeamView, team_view
from storage import queries
from storage.db import transaction
from storage.models import Team


def _locale_for(s: Session, user_id: str, team: TeamView) -> str:
    u = queries.slack_users(s, [user_id]).get(user_id)
    return resolve_locale(u.locale if u else None, team.locale)


def user_locale(*, db: sessionmaker[Session], user_id: str, channel_id: str | None = None,
                workspace: str | None = None) -> str:
    """The language to answer this person in, before we know which item: their first team's (of
    the request's ``workspace``, when given: an Enterprise Grid user may be in teams of several)."""
    with transaction(db) as s:
        teams = queries.teams_of_user(s, user_id, workspace=workspace)
        if not teams:
            team = queries.team_by_channel(s, channel_id) if channel_id else None
            return resolve_locale(None, team.locale if team else "en")
        return _locale_for(s, user_id, team_view(teams[0]))


def _resolve_team(s: Session, user_id: str, *, channel_id: str | None, team_id: int | None,
                  workspace: str | None = None) -> tuple[Team, bool]:
    """The team a proposal goes to: the one named, else the one whose channel
    it was typed in, else the user's first team; of the request's ``workspace``
    only, when given. The flag says it was the fallback, so the reply can say
    which team it picked."""
    teams = queries.teams_of_user(s, user_id, workspace=workspace)
    if not teams:
        raise NotInTeam()
    if team_id is not None:
        for t in teams:
            if t.id == team_id:
                return t, False
        raise NotInTeam(N_("You are not a member of that team."))
    if channel_id:
        for t in teams:
            if t.channel == channel_id:
                return t, False
    return teams[0], len(teams) > 1


def is_named_admin(*, db: sessionmaker[Session], user_id: str, workspace: str = "",
                   enterprise_id: str | None = None) -> bool:
    """An admin by name or install in ``workspace`` ("" in the single-workspace mode)."""
    with transaction(db) as s:
        return admins.is_named(s, user_id, workspace, enterprise_id)


def remember_profile(*, db: sessionmaker[Session], clock: Clock, profile: Profile, workspace: str = "") -> None:
    """A profile just read from Slack (``users.info``): its name, zone, language
    and whether the person is a workspace owner or admin; in OAuth mode, of
    ``workspace``, the one whose token asked (bot/kernel/admins.py)."""
    with transaction(db) as s:
        now = clock.now()
        queries.upsert_slack_users(s, [dict(user_id=profile.user_id, name=profile.name, tz=profile.tz,
                                            locale=profile.locale, deleted=profile.deleted,
                                            workspace_admin=profile.workspace_admin, refreshed_at=now)])
        admins.slack_says(s, profile.user_id, workspace, profile.workspace_admin, now)


def open_home(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str = "",
              enterprise_id: str | None = None) -> None:
    with transaction(db) as s:
        notices.enqueue_home(s, user=user_id, now=clock.now(), workspace=workspace, enterprise_id=enterprise_id)


def mark_event(*, db: sessionmaker[Session], clock: Clock, event_id: str) -> bool:
    """True the first time an Events API id is seen; a Slack retry gets False."""
    with transaction(db) as s:
        return queries.mark_event_processed(s, event_id, clock.now())
