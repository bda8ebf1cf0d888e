"""Teams set up and run from Slack (docs/PRODUCT.md §1, §3): ``/opsbot setup``
creates a team, its Edit modal changes its people and channel, Archive ends
it. Admins do all of it; a team's supervisors edit and archive their own team.
In OAuth mode (many workspaces on one deployment) a request acts only on the
teams of its own workspace, and only an admin of that workspace (or of the
whole deployment) is an admin there: a button or a submission from one
workspace naming a team of another is refused (bot/kernel/admins.py).

A team the teams file manages (``managed_by="file"``) refuses all three,
saying so: the next start would undo them. A person removed becomes inactive
in the team and an archived team's people too; items and history stay.
Whoever is added gets one intro DM; a new team's channel gets a welcome card.
Every change is audited. The scheduler plans the team's jobs at the commit
(``bot/app.py``), without a restart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.kernel import admins, notices
from bot.kernel.clock import Clock
from bot.kernel.errors import N_, InvalidInput, NotAuthorized, NotFound
from bot.kernel.i18n import resolve_locale
from bot.kernel.team import DEFAULT_SCHEDULE, team_view
from bot.kernel.teams import FILE, SLACK, sync_memberships
from bot.workflows.team_settings.rules import LOCALES
from bot.workflows.teams import rules, views
from bot.workflows.teams.rules import TeamInput, TeamSpec
from storage import onboarding as onboarding_rows
from storage import queries
from storage.db import transaction
from storage.models import Membership, Team

INTRO, WELCOME = "team_intro", "team_welcome"
# Set on a session whose commit changed which teams exist or who is in them:
# the composition root re-plans the scheduler's jobs after it (bot/app.py).
TEAMS_CHANGED = "teams_changed"
DEFAULT_PLATFORMS = ("WeChat", "Weibo", "Xiaohongshu", "Website")

NOT_ADMIN = N_("Only an opsbot admin can set up a team. An admin is a workspace owner or admin, someone listed "
               "in the teams file's admins or in OPSBOT_ADMINS, or added with `opsbot admins add`.")
NOT_EDITOR = N_("Only an opsbot admin or a supervisor of this team can change it.")
FILE_MANAGED = N_("*{team}* is managed by the teams file: change it there (or with `opsbot teams apply`), "
                  "so that the next start does not undo a change made here.")


@dataclass(frozen=True)
class TeamForm:
    """What the setup or edit modal opens with."""

    locale: str
    team_id: int | None  # None: a new team
    current: TeamSpec
    file_managed: bool = False
    can_archive: bool = False


@dataclass(frozen=True)
class TeamSaved:
    locale: str
    team_id: int
    team_name: str
    channel: str
    created: bool
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    archived: bool = False


def _locale(s: Session, user_id: str, fallback: str = "en") -> str:
    prof = queries.slack_users(s, [user_id]).get(user_id)
    return resolve_locale(prof.locale if prof else None, fallback)


def _people(s: Session, team_id: int, role: str) -> tuple[str, ...]:
    return tuple(queries.team_user_ids(s, team_id, role))


def spec_of(s: Session, team: Team) -> TeamSpec:
    return TeamSpec(team.name, team.channel, _people(s, team.id, "supervisor"), _people(s, team.id, "member"),
                    team.timezone, team.country, team.locale, team.weekly_topic_quota, tuple(team.platforms or ()))


def _refuse(error: NotAuthorized, action: str, reason: str, team_id: int | None) -> NotAuthorized:
    return error.refused(action, reason, item_kind="team", item_id=team_id, team_id=team_id)


def _require_admin(s: Session, user_id: str, action: str, workspace: str, enterprise_id: str | None) -> None:
    if not admins.is_admin(s, user_id, workspace, enterprise_id):
        raise _refuse(NotAuthorized(NOT_ADMIN), action, "not an admin", None)


def _editable(s: Session, user_id: str, team_id: int, action: str, workspace: str,
              enterprise_id: str | None) -> Team:
    """The team to change, when ``user_id`` may change it from ``workspace`` (the request's;
    "" in the single-workspace mode, where every team is the one workspace's)."""
    team = s.get(Team, team_id)
    if team is None or not team.active:
        raise NotFound()
    if workspace and team.workspace != workspace:
        raise _refuse(NotAuthorized(NOT_EDITOR), action, "a team of another workspace", team_id)
    if not (admins.is_admin(s, user_id, workspace, enterprise_id)
            or queries.has_role(s, team_id, user_id, "supervisor")):
        raise _refuse(NotAuthorized(NOT_EDITOR), action, "not an admin or a supervisor of the team", team_id)
    return team


def _refuse_file_managed(team: Team, action: str) -> None:
    if team.managed_by == FILE:
        raise _refuse(NotAuthorized(FILE_MANAGED, team=team.name), action, "managed by the teams file", team.id)


# -- opening the modals ---------------------------------------------------------


def setup_form(*, db: sessionmaker[Session], user_id: str, workspace: str = "",
               enterprise_id: str | None = None) -> TeamForm:
    """A blank team for an admin of ``workspace``, in the admin's zone and language."""
    with transaction(db) as s:
        _require_admin(s, user_id, "team.setup", workspace, enterprise_id)
        prof = queries.slack_users(s, [user_id]).get(user_id)
        locale = _locale(s, user_id)
        blank = TeamSpec("", "", (user_id,), (), (prof.tz if prof and prof.tz else "UTC"), None,
                         locale if locale in LOCALES else "en", 3, DEFAULT_PLATFORMS)
        return TeamForm(locale, None, blank)


def edit_form(*, db: sessionmaker[Session], user_id: str, team_id: int, workspace: str = "",
              enterprise_id: str | None = None) -> TeamForm:
    with transaction(db) as s:
        team = _editable(s, user_id, team_id, "team.edit", workspace, enterprise_id)
        return TeamForm(_locale(s, user_id, team.locale), team.id, spec_of(s, team), team.managed_by == FILE,
                        can_archive=team.managed_by != FILE)


# -- saving ----------------------------------------------------------------------


def _check_taken(s: Session, spec: TeamSpec, team_id: int | None, workspace: str) -> None:
    """A name or channel already used in the same workspace (names are unique per workspace:
    two installed workspaces may each have a Growth)."""
    same = s.scalar(select(Team).where(func.lower(Team.name) == spec.name.lower(), Team.workspace == workspace,
                                       Team.id != (team_id or 0)))
    if same is not None:
        msg = (N_("A team named {name} exists already; pick another name.") if same.active
               else N_("An archived team is named {name}; pick another name."))
        raise InvalidInput(msg, field=rules.NAME, name=same.name)
    other = s.scalar(select(Team).where(Team.channel == spec.channel, Team.workspace == workspace, Team.active,
                                        Team.id != (team_id or 0)))
    if other is not None:
        raise InvalidInput(N_("That channel is the channel of team {name} already; pick another."),
                           field=rules.CHANNEL, name=other.name)


ChannelCheck = Callable[[str], None]  # raises InvalidInput(field=CHANNEL) when the bot cannot post there


def create_team(*, db: sessionmaker[Session], clock: Clock, user_id: str, raw: TeamInput,
                check_channel: ChannelCheck, workspace: str = "", enterprise_id: str | None = None) -> TeamSaved:
    """Validate, make sure the bot can post in the channel, then create the
    team, its people, the welcome card and the intro DMs in one commit. The
    team belongs to the request's ``workspace`` (its Slack team id in OAuth
    mode, "" in the single-workspace mode): its notices go out with that
    workspace's token."""
    with transaction(db) as s:
        _require_admin(s, user_id, "team.create", workspace, enterprise_id)
        _check_taken(s, rules.validate_team(raw), None, workspace)
    spec = rules.validate_team(raw)
    check_channel(spec.channel)  # a Web API call: outside any transaction
    now = clock.now()
    with transaction(db) as s:
        _require_admin(s, user_id, "team.create", workspace, enterprise_id)
        _check_taken(s, spec, None, workspace)  # again: another admin may have been quicker
        team = Team(name=spec.name, workspace=workspace, enterprise_id=enterprise_id or None, channel=spec.channel, timezone=spec.timezone, country=spec.country,
                    locale=spec.locale, weekly_topic_quota=spec.weekly_topic_quota, mention_in_summaries=False,
                    platforms=list(spec.platforms), schedule=dict(DEFAULT_SCHEDULE), calendar={}, reviews={},
                    active=True, managed_by=SLACK, created_at=now, updated_at=now)
        s.add(team)
        s.flush()
        for role, ids in (("supervisor", spec.supervisors), ("member", spec.members)):
            sync_memberships(s, team.id, role, ids)
        everyone = tuple(dict.fromkeys((*spec.supervisors, *spec.members)))
        _welcome_and_intros(s, team, everyone, now)
        _start_onboarding(s, team, spec.members, now)
        queries.add_audit(s, at=now, actor_id=user_id, action="team.create", outcome="ok", team_id=team.id,
                          item_kind="team", item_id=team.id, before=None, after=_audited(spec), detail=None)
        s.info[TEAMS_CHANGED] = True
        return TeamSaved(_locale(s, user_id, team.locale), team.id, team.name, team.channel, True, everyone)


def update_team(*, db: sessionmaker[Session], clock: Clock, user_id: str, team_id: int, raw: TeamInput,
                check_channel: ChannelCheck, workspace: str = "", enterprise_id: str | None = None) -> TeamSaved:
    with transaction(db) as s:
        team = _editable(s, user_id, team_id, "team.update", workspace, enterprise_id)
        _refuse_file_managed(team, "team.update")
        spec = rules.validate_team(raw)
        _check_taken(s, spec, team_id, team.workspace)
        moved = spec.channel != team.channel
    if moved:
        check_channel(spec.channel)
    now = clock.now()
    with transaction(db) as s:
        team = _editable(s, user_id, team_id, "team.update", workspace, enterprise_id)
        _refuse_file_managed(team, "team.update")
        _check_taken(s, spec, team_id, team.workspace)
        before = spec_of(s, team)
        added: list[str] = []
        removed: list[str] = []
        new_members: list[str] = []
        for role, ids in (("supervisor", spec.supervisors), ("member", spec.members)):
            a, r = sync_memberships(s, team.id, role, ids)
            added += a
            removed += r
            new_members += a if role == "member" else []
        now_in = set(spec.supervisors) | set(spec.members)
        added_people = tuple(dict.fromkeys(u for u in added if u not in set(before.supervisors) | set(before.members)))
        gone = tuple(dict.fromkeys(u for u in removed if u not in now_in))
        team.name, team.channel, team.timezone, team.country = spec.name, spec.channel, spec.timezone, spec.country
        team.locale, team.weekly_topic_quota, team.platforms = spec.locale, spec.weekly_topic_quota, list(spec.platforms)
        after = spec_of(s, team)
        if after != before:
            team.updated_at = now
            if moved:
                _welcome(s, team, now)
            _intros(s, team, added_people, now)
            _start_onboarding(s, team, new_members, now)
            notices.enqueue_homes(s, users=(*added_people, *gone), supervisors_of=team.id, now=now)
            changed = {k: v for k, v in _audited(after).items() if _audited(before).get(k) != v}
            queries.add_audit(s, at=now, actor_id=user_id, action="team.update", outcome="ok", team_id=team.id,
                              item_kind="team", item_id=team.id,
                              before={k: _audited(before)[k] for k in changed}, after=changed, detail=None)
            s.info[TEAMS_CHANGED] = True
        return TeamSaved(_locale(s, user_id, team.locale), team.id, team.name, team.channel, False, added_people, gone)


def archive_team(*, db: sessionmaker[Session], clock: Clock, user_id: str, team_id: int, workspace: str = "",
                 enterprise_id: str | None = None) -> TeamSaved:
    """The team stops: no more cards, reminders or jobs for it; everyone in it
    becomes inactive there. Its items and history stay."""
    now = clock.now()
    with transaction(db) as s:
        team = _editable(s, user_id, team_id, "team.archive", workspace, enterprise_id)
        _refuse_file_managed(team, "team.archive")
        people = queries.people_of_teams(s, [team.id])
        team.active, team.updated_at = False, now
        s.execute(update(Membership).where(Membership.team_id == team.id).values(active=False))
        notices.enqueue_homes(s, users=people, now=now)
        queries.add_audit(s, at=now, actor_id=user_id, action="team.archive", outcome="ok", team_id=team.id,
                          item_kind="team", item_id=team.id, before={"active": True}, after={"active": False},
                          detail=None)
        s.info[TEAMS_CHANGED] = True
        return TeamSaved(_locale(s, user_id, team.locale), team.id, team.name, team.channel, False,
                         removed=tuple(people), archived=True)


def _audited(spec: TeamSpec) -> dict[str, object]:
    """What a team change is audited as: its settings and its people (ids)."""
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in spec.__dict__.items()}


def _welcome(s: Session, team: Team, now) -> None:
    notices.enqueue_post(s, channel=team.channel, type=WELCOME, team_id=team.id, now=now,
                         key=f"welcome:{team.id}:{team.channel}")


def _intros(s: Session, team: Team, people: tuple[str, ...], now) -> None:
    stamp = int(now.timestamp())
    notices.enqueue_dms(s, [(u, f"intro:{team.id}:{u}:{stamp}", {}) for u in people], type=INTRO, team_id=team.id,
                        now=now)


def _start_onboarding(s: Session, team: Team, members, now) -> None:
    """Whoever joins as a member works through the team's onboarding checklist
    (bot/workflows/onboarding) from today, the team's date."""
    onboarding_rows.start_runs(s, team.id, team.onboarding, members, team_view(team).today(now), now)


def _welcome_and_intros(s: Session, team: Team, people: tuple[str, ...], now) -> None:
    _welcome(s, team, now)
    _intros(s, team, people, now)
    notices.enqueue_homes(s, users=people, now=now)


# -- Home --------------------------------------------------------------------------

TEAMS_ON_HOME = 20


def teams_section(s: Session, user_id: str, workspace: str = "",
                  enterprise_id: str | None = None) -> views.TeamsSection | None:
    """Home's Teams section: every team for an admin; for a supervisor, their
    own teams made in Slack (those the file manages they cannot edit); for
    someone else while nobody can set teams up, how an admin is made. None
    when there is nothing to show. In OAuth mode, of the Home's ``workspace`` only."""
    admin = admins.is_admin(s, user_id, workspace, enterprise_id)
    if admin:
        q = select(Team).where(Team.active)
        if workspace:
            q = q.where(Team.workspace == workspace)
        rows = list(s.scalars(q.order_by(Team.name).limit(TEAMS_ON_HOME)))
    else:
        rows = [t for t in queries.teams_of_user(s, user_id, role="supervisor", workspace=workspace or None)
                if t.managed_by != FILE]
        if not rows:
            return (None if admins.any_admin(s, workspace, enterprise_id)
                    else views.TeamsSection(False, [], no_admin_yet=True))
    counts = dict(s.execute(select(Membership.team_id, func.count(func.distinct(Membership.user_id)))
                            .where(Membership.team_id.in_([t.id for t in rows]), Membership.active)
                            .group_by(Membership.team_id)).all())
    return views.TeamsSection(admin, [views.TeamLine(t.id, t.name, t.channel, counts.get(t.id, 0),
                                                     t.managed_by == FILE, True) for t in rows])
