"""Training use cases (docs/PRODUCT.md §2.7, docs/RULES.md §五): a supervisor
announces a session, members answer on its card, a supervisor records who
attended, and the self-review shows a member's sessions of the month. One
transaction each; the card is redrawn in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.periods import local_instant, month_bounds
from bot.kernel import notices
from bot.kernel.clock import Clock
from bot.kernel.errors import N_, Conflict, InvalidInput, NotAuthorized, NotFound
from bot.kernel.people import _locale_for
from bot.kernel.team import TeamView, team_view
from bot.kernel.views import Mention
from bot.workflows.training import rules, views
from storage import queries
from storage import training as rows
from storage.db import transaction
from storage.models import Team
from storage.training import TrainingSession

TRAINING = "training"
NOT_SUPERVISOR = N_("Only a supervisor of this team can announce a training session.")
NOT_MEMBER = N_("Only members of {team} can answer this training session.")
NOT_RECORDER = N_("Only a supervisor of {team} can record attendance.")
STARTED = N_("This training session has started: answers are closed.")
NOT_YET = N_("Attendance can be recorded once the session has started.")


@dataclass(frozen=True)
class Announced:
    locale: str
    team_name: str
    channel: str


@dataclass(frozen=True)
class Answered:
    locale: str
    topic: str
    joining: bool


def _in_team(s: Session, team_id: int, user_id: str) -> bool:
    return queries.has_role(s, team_id, user_id, "member") or queries.has_role(s, team_id, user_id, "supervisor")


def announce_form(*, db: sessionmaker[Session], user_id: str, workspace: str | None = None, channel_id: str | None) -> views.AnnounceForm:
    """The team the supervisor is in (its channel, else their first team); refused to anyone else."""
    with transaction(db) as s:
        supervised = list(queries.teams_of_user(s, user_id, role="supervisor", workspace=workspace))
        here = queries.team_by_channel(s, channel_id) if channel_id else None
        if supervised and (here is None or here.id in {t.id for t in supervised}):
            team = next((t for t in supervised if here is not None and t.id == here.id), supervised[0])
            return views.AnnounceForm(_locale_for(s, user_id, team_view(team)), team.id, team.name)
        team_id = here.id if here else None
    raise NotAuthorized(NOT_SUPERVISOR).refused("training.open", "not a supervisor of the team", item_kind="team",
                                                item_id=team_id, team_id=team_id)


def announce(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, team_id: int, topic: str | None,
             starts_at: datetime | None, place: str | None, description: str | None) -> Announced:
    now = clock.now()
    draft = rules.validate_session(topic, starts_at, place, description, now)
    with transaction(db) as s:
        team = s.get(Team, team_id)
        if team is None or not team.active or not queries.in_workspace(s, team.id, workspace):
            raise NotFound()
        if not queries.has_role(s, team.id, user_id, "supervisor"):
            raise NotAuthorized(NOT_SUPERVISOR).refused("training.announce", "not a supervisor of the team",
                                                        item_kind="team", item_id=team.id, team_id=team.id)
        row = TrainingSession(team_id=team.id, created_by=user_id, topic=draft.topic, starts_at=draft.starts_at,
                              place=draft.place, description=draft.description, created_at=now)
        s.add(row)
        s.flush()
        queries.add_audit(s, at=now, actor_id=user_id, action="training.announce", outcome="ok", team_id=team.id,
                          item_kind=TRAINING, item_id=row.id, before=None,
                          after={"topic": draft.topic, "starts_at": draft.starts_at.isoformat()}, detail=None)
        tv = team_view(team)
        notices.enqueue_card(s, item=TRAINING, item_id=row.id, team=tv, now=now,
                             homes=queries.team_user_ids(s, team.id, "member"))
        return Announced(_locale_for(s, user_id, tv), team.name, team.channel)


def _session(s: Session, session_id: int, workspace: str | None = None) -> tuple[TrainingSession, Team]:
    row = s.get(TrainingSession, session_id)
    if row is None or not queries.in_workspace(s, row.team_id, workspace):
        raise NotFound()
    return row, s.get_one(Team, row.team_id)


def answer(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, session_id: int, joining: bool) -> Answered:
    """Join or Can't make it: members of the team only, until the session starts; a second click changes it."""
    now = clock.now()
    with transaction(db) as s:
        row, team = _session(s, session_id, workspace)
        action = "training.join" if joining else "training.decline"
        if not _in_team(s, team.id, user_id):
            raise NotAuthorized(NOT_MEMBER, team=team.name).refused(
                action, "not a member of the team", item_kind=TRAINING, item_id=row.id, team_id=team.id)
        if now >= row.starts_at:
            raise Conflict(STARTED)
        before = rows.set_answer(s, row.id, user_id, joining, now)
        if before != joining:
            queries.add_audit(s, at=now, actor_id=user_id, action=action, outcome="ok", team_id=team.id,
                              item_kind=TRAINING, item_id=row.id, before={"joining": before},
                              after={"joining": joining}, detail=None)
            notices.enqueue_card(s, item=TRAINING, item_id=row.id, team=team_view(team), now=now, homes=[user_id])
        return Answered(_locale_for(s, user_id, team_view(team)), row.topic, joining)


def _check_recorder(s: Session, row: TrainingSession, team: Team, user_id: str, now: datetime) -> None:
    if not queries.has_role(s, team.id, user_id, "supervisor"):
        raise NotAuthorized(NOT_RECORDER, team=team.name).refused(
            "training.attendance", "not a supervisor of the team", item_kind=TRAINING, item_id=row.id,
            team_id=team.id)
    if now < row.starts_at:
        raise Conflict(NOT_YET)


def attendance_form(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, session_id: int) -> views.AttendanceForm:
    """Prefilled with who was recorded, else with who joined."""
    with transaction(db) as s:
        row, team = _session(s, session_id, workspace)
        _check_recorder(s, row, team, user_id, clock.now())
        recorded = rows.attendees(s, row.id)
        joined = [u for u, yes in rows.answers(s, row.id).items() if yes]
        return views.AttendanceForm(_locale_for(s, user_id, team_view(team)), row.id, row.topic,
                                    int(row.starts_at.timestamp()),
                                    recorded if row.attendance_at is not None else sorted(joined))


def record_attendance(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, session_id: int,
                      attendees: list[str]) -> tuple[str, int]:
    """Who attended, among the team's people; recording again replaces it. (locale, count)"""
    now = clock.now()
    with transaction(db) as s:
        row, team = _session(s, session_id, workspace)
        _check_recorder(s, row, team, user_id, now)
        people = list(dict.fromkeys(attendees))
        outsider = next((u for u in people if not _in_team(s, team.id, u)), None)
        if outsider is not None:
            raise InvalidInput(N_("{user} is not in {team}: only the team's people can be recorded."),
                               field=rules.FIELD_ATTENDEES, user=Mention(outsider), team=team.name)
        before = rows.attendees(s, row.id)
        rows.set_attendees(s, row.id, people)
        row.attendance_by, row.attendance_at = user_id, now
        queries.add_audit(s, at=now, actor_id=user_id, action="training.attendance", outcome="ok", team_id=team.id,
                          item_kind=TRAINING, item_id=row.id, before={"attendees": before},
                          after={"attendees": people}, detail=None)
        notices.enqueue_card(s, item=TRAINING, item_id=row.id, team=team_view(team), now=now)
        return _locale_for(s, user_id, team_view(team)), len(people)


def attended_in_month(s: Session, team: TeamView, user_id: str, period: str) -> list[views.AttendedSession]:
    """For the self-review of ``period`` (YYYY-MM): the sessions the member attended that month, in the team's zone."""
    year, month = (int(p) for p in period.split("-"))
    start, end = month_bounds(local_instant(date(year, month, 1), time(0), team.tz), team.tz)
    return [views.AttendedSession(r.topic, int(r.starts_at.timestamp()))
            for r in rows.attended(s, team.id, user_id, start, end)]
