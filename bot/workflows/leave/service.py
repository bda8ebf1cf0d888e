"""Leave use cases (docs/PRODUCT.md §2.4): request, decide, cancel, list.

``bot/workflows/leave/away.py`` answers "who is away when" for every reminder and
deadline; this module changes what it answers. One transaction each; the
notices they cause are written in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel import notices
from bot.kernel.clock import Clock
from bot.kernel.errors import N_, Conflict, InvalidInput, NotAuthorized, NotFound, NotInTeam
from bot.kernel.people import _locale_for, _resolve_team
from bot.kernel.refusals import NOT_A_SUPERVISOR, decider_refusal
from bot.kernel.team import team_view
from bot.kernel.views import Mention
from bot.workflows.leave.rules import FIELD_START, LeaveDraft, LeaveStatus, cancellable, validate_leave
from bot.workflows.leave.views import LeaveDetails
from storage import leave as leave_rows
from storage import queries
from storage.db import transaction
from storage.leave import Leave
from storage.models import Decision, Membership, Team

LEAVE = "leave"
LIST_DAYS_BACK = 30


@dataclass(frozen=True)
class LeaveDone:
    leave_id: int
    status: str
    start: date
    end: date
    locale: str


@dataclass(frozen=True)
class LeaveLine:
    id: int
    team_name: str
    start: date
    end: date
    status: str
    workdays: int
    cancellable: bool


@dataclass(frozen=True)
class LeaveForm:
    locale: str
    teams: list[tuple[int, str]]
    default_team_id: int
    today: date


def _snapshot(lv: Leave) -> dict:
    return {"status": lv.status, "start": lv.start_date.isoformat(), "end": lv.end_date.isoformat(),
            "decided_by": lv.decided_by}


def form_context(*, db: sessionmaker[Session], clock: Clock, user_id: str, channel_id: str | None,
                 workspace: str | None = None) -> LeaveForm:
    """The leave form's teams: the user's (of the request's ``workspace``, when given)."""
    with transaction(db) as s:
        row, _ = _resolve_team(s, user_id, channel_id=channel_id, team_id=None, workspace=workspace)
        team = team_view(row)
        teams = queries.teams_of_user(s, user_id, workspace=workspace)
        return LeaveForm(_locale_for(s, user_id, team), [(t.id, t.name) for t in teams], team.id,
                         team.today(clock.now()))


def request_leave(*, db: sessionmaker[Session], clock: Clock, user_id: str, draft: LeaveDraft,
                  team_id: int | None = None, channel_id: str | None = None,
                  workspace: str | None = None) -> LeaveDone:
    now = clock.now()
    with transaction(db) as s:
        row, _ = _resolve_team(s, user_id, channel_id=channel_id, team_id=team_id, workspace=workspace)
        team = team_view(row)
        draft = validate_leave(draft, today=team.today(now))
        assert draft.start is not None and draft.end is not None
        if not team.calendar.working_days(draft.start, draft.end):
            raise InvalidInput(N_("Those are all days off in {team}'s calendar; no leave is needed."),
                               field=FIELD_START, team=team.name)
        # Serialise this person's requests (PostgreSQL): two submissions at
        # once cannot both pass the overlap check.
        s.query(Membership).filter_by(user_id=user_id).with_for_update().all()
        clash = leave_rows.live_leaves_overlapping(s, user_id, draft.start, draft.end)
        if clash:
            c = clash[0]
            raise InvalidInput(
                N_("This overlaps your leave #{id} ({start} – {end}, {status}); cancel that one first or pick other dates."),
                field=FIELD_START, id=c.id, start=c.start_date.isoformat(), end=c.end_date.isoformat(), status=c.status,
            )
        lv = Leave(team_id=team.id, user_id=user_id, start_date=draft.start, end_date=draft.end, reason=draft.reason,
                   status=LeaveStatus.PENDING, created_at=now)
        s.add(lv)
        s.flush()
        queries.add_audit(s, at=now, actor_id=user_id, action="leave.request", outcome="ok", team_id=team.id,
                          item_kind=LEAVE, item_id=lv.id, before=None, after=_snapshot(lv))
        notices.enqueue_card(s, item=LEAVE, item_id=lv.id, team=team, now=now, homes=[user_id])
        notices.enqueue_dm(s, user=user_id, type="leave_sent", team_id=team.id, now=now, key=f"leave_sent:{lv.id}",
                           leave_id=lv.id)
        return LeaveDone(lv.id, lv.status, lv.start_date, lv.end_date, _locale_for(s, user_id, team))


def _already_decided(lv: Leave) -> Conflict:
    if lv.status == LeaveStatus.CANCELLED:
        return Conflict(N_("This leave was cancelled by its requester; there is nothing to decide."))
    return Conflict(N_("{user} already decided this leave ({status})."), user=Mention(lv.decided_by or "?"), status=lv.status)


def _may_decide(s: Session, lv: Leave, user_id: str, action: str) -> NotAuthorized | None:
    return decider_refusal(supervises=queries.has_role(s, lv.team_id, user_id, "supervisor"), own=lv.user_id == user_id,
                           own_msgid=N_("Another supervisor decides on your own leave."), action=action,
                           item_kind=LEAVE, item_id=lv.id, team_id=lv.team_id)


def _leave(s: Session, leave_id: int, workspace: str | None) -> Leave | None:
    """A leave; one of a team outside ``workspace`` (when given) is as good as missing."""
    lv = s.get(Leave, leave_id)
    return lv if lv is not None and queries.in_workspace(s, lv.team_id, workspace) else None


def check_can_decide(*, db: sessionmaker[Session], clock: Clock, user_id: str, leave_id: int,
                     workspace: str | None = None) -> None:
    with transaction(db) as s:
        lv = _leave(s, leave_id, workspace)
        if lv is None:
            raise NotFound()
        denied: Exception | None = _may_decide(s, lv, user_id, "leave.reject")
        if denied is None and lv.status != LeaveStatus.PENDING:
            denied = _already_decided(lv)
    if denied:
        raise denied


def decide_leave(*, db: sessionmaker[Session], clock: Clock, user_id: str, leave_id: int, approve: bool,
                 reason: str | None = None, workspace: str | None = None) -> LeaveDone:
    now = clock.now()
    action = "leave.approve" if approve else "leave.reject"
    with transaction(db) as s:
        lv = _leave(s, leave_id, workspace)
        if lv is None:
            raise NotFound()
        team = team_view(s.get_one(Team, lv.team_id))
        failure: Exception | None = _may_decide(s, lv, user_id, action)
        if failure is None:
            before = _snapshot(lv)
            status = LeaveStatus.APPROVED if approve else LeaveStatus.REJECTED
            reason = (reason or "").strip() or None
            if leave_rows.decide_leave_if_open(s, leave_id, status=status, actor=user_id, at=now, reason=reason):
                s.refresh(lv)
                s.add(Decision(item_kind=LEAVE, item_id=lv.id, decision=status, actor_id=user_id, reason=reason, at=now))
                queries.add_audit(s, at=now, actor_id=user_id, action=action, outcome="ok", team_id=team.id,
                                  item_kind=LEAVE, item_id=lv.id, before=before, after=_snapshot(lv))
                notices.enqueue_card(s, item=LEAVE, item_id=lv.id, team=team, now=now, homes=[lv.user_id])
                notices.enqueue_dm(s, user=lv.user_id, type="leave_decided", team_id=team.id, now=now,
                                   key=f"leave_decided:{lv.id}", leave_id=lv.id)
                return LeaveDone(lv.id, lv.status, lv.start_date, lv.end_date, _locale_for(s, user_id, team))
            s.refresh(lv)
            queries.add_audit(s, at=now, actor_id=user_id, action=action, outcome="conflict", team_id=team.id,
                              item_kind=LEAVE, item_id=lv.id, before=None, after=None,
                              detail=f"already {lv.status} by {lv.decided_by}")
            failure = _already_decided(lv)
    raise failure


NOT_YOUR_DETAILS = N_("Only the team's supervisors see the details of someone's leave; nothing was shown.")


def leave_details(*, db: sessionmaker[Session], clock: Clock, user_id: str, leave_id: int,
                  workspace: str | None = None) -> LeaveDetails:
    """The reason behind a leave card, for the team's supervisors and the
    requester; anyone else is refused, and audited."""
    failure: Exception | None = None
    with transaction(db) as s:
        lv = _leave(s, leave_id, workspace)
        if lv is None:
            raise NotFound()
        team = team_view(s.get_one(Team, lv.team_id))
        if lv.user_id == user_id or queries.has_role(s, lv.team_id, user_id, "supervisor"):
            return LeaveDetails(
                _locale_for(s, user_id, team), lv.id, team.name, lv.user_id, lv.start_date, lv.end_date,
                len(team.calendar.working_days(lv.start_date, lv.end_date)), lv.reason, lv.status, lv.decided_by,
                lv.decision_reason)
        failure = NotAuthorized(NOT_YOUR_DETAILS).refused("leave.details", NOT_A_SUPERVISOR, item_kind=LEAVE,
                                                          item_id=lv.id, team_id=lv.team_id)
    raise failure


def cancel_leave(*, db: sessionmaker[Session], clock: Clock, user_id: str, leave_id: int,
                 workspace: str | None = None) -> LeaveDone:
    """Own pending leave, or own approved leave that has not started yet."""
    now = clock.now()
    failure: Exception | None = None
    with transaction(db) as s:
        lv = _leave(s, leave_id, workspace)
        if lv is None or lv.user_id != user_id:
            error = NotFound(N_("You have no leave #{id}."), id=leave_id)
            raise error if lv is None else error.refused("leave.cancel", "not the requester", item_kind=LEAVE,
                                                         item_id=lv.id, team_id=lv.team_id)
        team = team_view(s.get_one(Team, lv.team_id))
        today = team.today(now)
        before = _snapshot(lv)
        if leave_rows.cancel_leave_if_allowed(s, leave_id, user_id, today, now):
            s.refresh(lv)
            queries.add_audit(s, at=now, actor_id=user_id, action="leave.cancel", outcome="ok", team_id=team.id,
                              item_kind=LEAVE, item_id=lv.id, before=before, after=_snapshot(lv))
            notices.enqueue_card(s, item=LEAVE, item_id=lv.id, team=team, now=now)
            if before["status"] == LeaveStatus.APPROVED and lv.decided_by:
                notices.enqueue_dm(s, user=lv.decided_by, type="leave_cancelled", team_id=team.id, now=now,
                                   key=f"leave_cancelled:{lv.id}", leave_id=lv.id)
            notices.enqueue_home(s, user=user_id, now=now)
            return LeaveDone(lv.id, lv.status, lv.start_date, lv.end_date, _locale_for(s, user_id, team))
        s.refresh(lv)
        if lv.status == LeaveStatus.APPROVED:
            failure = Conflict(N_("Leave #{id} has already started; ask a supervisor to change it."), id=lv.id)
        else:
            failure = Conflict(N_("Leave #{id} is {status}; only pending or future leave can be cancelled."),
                               id=lv.id, status=lv.status)
    raise failure


def my_leaves(*, db: sessionmaker[Session], clock: Clock, user_id: str,
              workspace: str | None = None) -> tuple[str, list[LeaveLine]]:
    """The caller's leave from a month ago on, in every team (of ``workspace``, when given)."""
    now = clock.now()
    with transaction(db) as s:
        teams = {t.id: team_view(t) for t in queries.teams_of_user(s, user_id, workspace=workspace)}
        if not teams:
            raise NotInTeam()
        first = next(iter(teams.values()))
        rows = leave_rows.leaves_of_user(s, user_id, first.today(now) - timedelta(days=LIST_DAYS_BACK))
        out = []
        for lv in rows:
            team = teams.get(lv.team_id)
            if team is None:
                continue
            days = len(team.calendar.working_days(lv.start_date, lv.end_date))
            out.append(LeaveLine(lv.id, team.name, lv.start_date, lv.end_date, lv.status, days,
                                 cancellable(lv.status, lv.start_date, team.today(now))))
        return _locale_for(s, user_id, first), out
