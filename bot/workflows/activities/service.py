"""Activity use cases (docs/PRODUCT.md §2.3): propose, decide (approve, request
changes, reject), resubmit, and the retrospective.

Each opens exactly one transaction, applies the rules, and writes the
notices it causes into the outbox in that same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel import notices
from bot.kernel.clock import Clock
from bot.kernel.errors import N_, Conflict, InvalidInput, NotAuthorized, NotFound
from bot.kernel.people import _locale_for, _resolve_team
from bot.kernel.refusals import decider_refusal
from bot.kernel.team import team_view
from bot.kernel.views import Mention
from bot.workflows.activities.rules import (
    FIELD_THEME,
    ActivityDraft,
    ActivityStatus,
    Retro,
    comment_required,
    validate_activity,
    validate_retro,
)
from storage import activities as activity_rows
from storage import queries
from storage.activities import Activity, ActivityRound
from storage.db import transaction
from storage.models import Decision, Team

ACTIVITY = "activity"
APPROVE, CHANGES, REJECT = "approve", "changes", "reject"
DECISION_WORD = {ActivityStatus.CHANGES_REQUESTED: "changes"}
_STATUS = {APPROVE: ActivityStatus.APPROVED, CHANGES: ActivityStatus.CHANGES_REQUESTED, REJECT: ActivityStatus.REJECTED}


@dataclass(frozen=True)
class ActivityForm:
    locale: str
    teams: list[tuple[int, str]]
    default_team_id: int
    activity_id: int | None = None  # a resubmission
    round: int | None = None
    draft: ActivityDraft | None = None
    comment: str | None = None


@dataclass(frozen=True)
class RetroForm:
    locale: str
    activity_id: int
    theme: str
    targets: dict


@dataclass(frozen=True)
class Done:
    activity_id: int
    status: str
    theme: str
    locale: str


def _snapshot(a: Activity) -> dict:
    return {"status": a.status, "round": a.round, "theme": a.theme, "decided_by": a.decided_by, "reason": a.reason}


def draft_of(a: Activity) -> ActivityDraft:
    return ActivityDraft(a.theme, a.format, a.starts_at, a.ends_at, tuple(a.participants or ()), dict(a.targets or {}),
                         a.resources)


def _activity(s: Session, activity_id: int, workspace: str | None) -> Activity | None:
    """An activity; one of a team outside ``workspace`` (when given) is as good as missing."""
    a = s.get(Activity, activity_id)
    return a if a is not None and queries.in_workspace(s, a.team_id, workspace) else None


def form_context(*, db: sessionmaker[Session], user_id: str, channel_id: str | None,
                 activity_id: int | None = None, workspace: str | None = None) -> ActivityForm:
    """What the proposal modal needs; for a resubmission, the activity as it
    stands and the supervisor's comment, so the owner edits, not retypes."""
    with transaction(db) as s:
        if activity_id is not None:
            a = _activity(s, activity_id, workspace)
            if a is None or a.owner_id != user_id:
                raise _not_yours(activity_id, a, "activity.resubmit")
            if a.status != ActivityStatus.CHANGES_REQUESTED:
                raise Conflict(N_("Activity #{id} is not waiting for changes; there is nothing to resubmit."),
                               id=activity_id)
            team = team_view(s.get_one(Team, a.team_id))
            return ActivityForm(_locale_for(s, user_id, team), [(team.id, team.name)], team.id, a.id, a.round,
                                draft_of(a), a.reason)
        row, _ = _resolve_team(s, user_id, channel_id=channel_id, team_id=None, workspace=workspace)
        teams = queries.teams_of_user(s, user_id, workspace=workspace)
        return ActivityForm(_locale_for(s, user_id, team_view(row)), [(t.id, t.name) for t in teams], row.id)


def propose_activity(*, db: sessionmaker[Session], clock: Clock, user_id: str, draft: ActivityDraft,
                     team_id: int | None = None, channel_id: str | None = None,
                     workspace: str | None = None) -> Done:
    now = clock.now()
    with transaction(db) as s:
        row, _ = _resolve_team(s, user_id, channel_id=channel_id, team_id=team_id, workspace=workspace)
        team = team_view(row)
        draft = validate_activity(draft, now=now)
        if activity_rows.duplicate_activity(s, team.id, user_id, draft.theme, draft.starts_at) is not None:
            # A double submission, or a Slack retry of the same form.
            raise InvalidInput(N_("You already proposed “{theme}” for that start; nothing new was saved."),
                               field=FIELD_THEME, theme=draft.theme)
        a = Activity(team_id=team.id, owner_id=user_id, theme=draft.theme, format=draft.format,
                     starts_at=draft.starts_at, ends_at=draft.ends_at, participants=list(draft.participants),
                     targets=dict(draft.targets), resources=draft.resources, status=ActivityStatus.PROPOSED, round=1,
                     created_at=now, submitted_at=now)
        s.add(a)
        s.flush()
        s.add(ActivityRound(activity_id=a.id, round=1, content=draft.content(), submitted_at=now))
        queries.add_audit(s, at=now, actor_id=user_id, action="activity.propose", outcome="ok", team_id=team.id,
                          item_kind=ACTIVITY, item_id=a.id, before=None, after=_snapshot(a))
        notices.enqueue_card(s, item=ACTIVITY, item_id=a.id, team=team, now=now, homes=[user_id])
        notices.enqueue_dm(s, user=user_id, type="activity_sent", team_id=team.id, now=now,
                           key=f"activity_sent:{a.id}:1", activity_id=a.id)
        return Done(a.id, a.status, a.theme, _locale_for(s, user_id, team))


def resubmit_activity(*, db: sessionmaker[Session], clock: Clock, user_id: str, activity_id: int, round_: int,
                      draft: ActivityDraft, workspace: str | None = None) -> Done:
    """A new round after a request for changes: the same card, updated in place."""
    now = clock.now()
    failure: Exception | None = None
    with transaction(db) as s:
        a = _activity(s, activity_id, workspace)
        if a is None or a.owner_id != user_id:
            raise _not_yours(activity_id, a, "activity.resubmit")
        team = team_view(s.get_one(Team, a.team_id))
        # A start already past may stay as it was; a new start must be ahead.
        draft = validate_activity(draft, now=now, check_start=draft.starts_at != a.starts_at)
        before = _snapshot(a)
        values = dict(theme=draft.theme, format=draft.format, starts_at=draft.starts_at, ends_at=draft.ends_at,
                      participants=list(draft.participants), targets=dict(draft.targets), resources=draft.resources,
                      submitted_at=now)
        if activity_rows.resubmit_activity_if_asked(s, activity_id, user_id, round_, values):
            s.refresh(a)
            s.add(ActivityRound(activity_id=a.id, round=a.round, content=draft.content(), submitted_at=now))
            queries.add_audit(s, at=now, actor_id=user_id, action="activity.resubmit", outcome="ok", team_id=team.id,
                              item_kind=ACTIVITY, item_id=a.id, before=before, after=_snapshot(a))
            notices.enqueue_card(s, item=ACTIVITY, item_id=a.id, team=team, now=now, homes=[user_id])
            notices.enqueue_dm(s, user=user_id, type="activity_sent", team_id=team.id, now=now,
                               key=f"activity_sent:{a.id}:{a.round}", activity_id=a.id)
            return Done(a.id, a.status, a.theme, _locale_for(s, user_id, team))
        s.refresh(a)
        failure = Conflict(N_("Activity #{id} was already resubmitted or decided ({status})."), id=a.id,
                           status=a.status)
    raise failure


def _may_decide(s: Session, a: Activity, user_id: str, action: str) -> NotAuthorized | None:
    return decider_refusal(supervises=queries.has_role(s, a.team_id, user_id, "supervisor"), own=a.owner_id == user_id,
                           own_msgid=N_("Another supervisor decides on your own activity."), action=action,
                           item_kind=ACTIVITY, item_id=a.id, team_id=a.team_id)


def _not_yours(activity_id: int, a: Activity | None, action: str) -> NotFound:
    """Someone else's activity is answered like a missing one (ids are not a
    way to probe), and the refusal audited."""
    error = NotFound(N_("You have no activity #{id}."), id=activity_id)
    return error if a is None else error.refused(action, "not the owner", item_kind=ACTIVITY, item_id=a.id,
                                                 team_id=a.team_id)


def _already_decided(a: Activity) -> Conflict:
    if a.status == ActivityStatus.CHANGES_REQUESTED:
        return Conflict(N_("{user} already asked for changes to this activity; it waits for the owner."),
                        user=Mention(a.decided_by or "?"))
    return Conflict(N_("{user} already decided this activity ({status})."), user=Mention(a.decided_by or "?"), status=a.status)


def check_can_decide(*, db: sessionmaker[Session], clock: Clock, user_id: str, activity_id: int, action: str,
                     workspace: str | None = None) -> str:
    """Before opening a comment or reason modal. Returns the theme."""
    denied: Exception | None = None
    with transaction(db) as s:
        a = _activity(s, activity_id, workspace)
        if a is None:
            raise NotFound()
        denied = _may_decide(s, a, user_id, f"activity.{action}")
        if denied is None and a.status != ActivityStatus.PROPOSED:
            denied = _already_decided(a)
        theme = a.theme
    if denied:
        raise denied
    return theme


def decide_activity(*, db: sessionmaker[Session], clock: Clock, user_id: str, activity_id: int, decision: str,
                    comment: str | None = None, workspace: str | None = None) -> Done:
    """Approve, request changes (a comment is required) or reject. Exactly
    one of several concurrent decisions wins."""
    now = clock.now()
    action = f"activity.{decision}"
    comment = comment_required(comment) if decision == CHANGES else ((comment or "").strip() or None)
    failure: Exception | None = None
    with transaction(db) as s:
        a = _activity(s, activity_id, workspace)
        if a is None:
            raise NotFound()
        team = team_view(s.get_one(Team, a.team_id))
        failure = _may_decide(s, a, user_id, action)
        if failure is None:
            before = _snapshot(a)
            status = _STATUS[decision]
            if activity_rows.decide_activity_if_open(s, activity_id, status=status, actor=user_id, at=now, reason=comment):
                s.refresh(a)
                rnd = s.query(ActivityRound).filter_by(activity_id=a.id, round=a.round).one()
                rnd.outcome, rnd.comment, rnd.decided_by, rnd.decided_at = status, comment, user_id, now
                # The shared decisions table keeps words of up to 16 characters.
                s.add(Decision(item_kind=ACTIVITY, item_id=a.id, decision=DECISION_WORD.get(status, status),
                               actor_id=user_id, reason=comment, at=now))
                queries.add_audit(s, at=now, actor_id=user_id, action=action, outcome="ok", team_id=team.id,
                                  item_kind=ACTIVITY, item_id=a.id, before=before, after=_snapshot(a))
                notices.enqueue_card(s, item=ACTIVITY, item_id=a.id, team=team, now=now, homes=[a.owner_id])
                notices.enqueue_dm(s, user=a.owner_id, type="activity_decided", team_id=team.id, now=now,
                                   key=f"activity_decided:{a.id}:{a.round}", activity_id=a.id, round=a.round)
                return Done(a.id, a.status, a.theme, _locale_for(s, user_id, team))
            s.refresh(a)
            queries.add_audit(s, at=now, actor_id=user_id, action=action, outcome="conflict", team_id=team.id,
                              item_kind=ACTIVITY, item_id=a.id, before=None, after=None,
                              detail=f"already {a.status} by {a.decided_by}")
            failure = _already_decided(a)
    raise failure


def retro_form(*, db: sessionmaker[Session], clock: Clock, user_id: str, activity_id: int,
               workspace: str | None = None) -> RetroForm:
    now = clock.now()
    with transaction(db) as s:
        a = _activity(s, activity_id, workspace)
        if a is None or a.owner_id != user_id:
            raise _not_yours(activity_id, a, "activity.retro")
        _check_retro_open(a, now)
        team = team_view(s.get_one(Team, a.team_id))
        return RetroForm(_locale_for(s, user_id, team), a.id, a.theme, dict(a.targets or {}))


def _check_retro_open(a: Activity, now: datetime) -> None:
    if a.status != ActivityStatus.APPROVED:
        raise Conflict(N_("Activity #{id} was not approved; it needs no retrospective."), id=a.id)
    if a.retro_at is not None:
        raise Conflict(N_("The retrospective for activity #{id} is already in. Thank you!"), id=a.id)
    if a.ends_at > now:
        raise Conflict(N_("Activity #{id} has not ended yet; write the retrospective once it has."), id=a.id)


def submit_retro(*, db: sessionmaker[Session], clock: Clock, user_id: str, activity_id: int, retro: Retro,
                 workspace: str | None = None) -> Done:
    now = clock.now()
    retro = validate_retro(retro)
    with transaction(db) as s:
        a = _activity(s, activity_id, workspace)
        if a is None or a.owner_id != user_id:
            raise _not_yours(activity_id, a, "activity.retro")
        team = team_view(s.get_one(Team, a.team_id))
        if a.ends_at <= now and activity_rows.record_retro_if_missing(s, a.id, user_id, retro.as_json(), now):
            s.refresh(a)
            queries.add_audit(s, at=now, actor_id=user_id, action="activity.retro", outcome="ok", team_id=team.id,
                              item_kind=ACTIVITY, item_id=a.id, before=None, after={"retro": a.retro})
            notices.enqueue_post(s, channel=team.channel, type="activity_retro", team_id=team.id, now=now,
                                 key=f"activity_retro:{a.id}", activity_id=a.id)
            # An overdue retrospective is on the supervisors' Home too.
            notices.enqueue_homes(s, users=[user_id], supervisors_of=team.id, now=now)
            return Done(a.id, a.status, a.theme, _locale_for(s, user_id, team))
        s.refresh(a)
        _check_retro_open(a, now)
        raise Conflict(N_("The retrospective for activity #{id} is already in. Thank you!"), id=a.id)
