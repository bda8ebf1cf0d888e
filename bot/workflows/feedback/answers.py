"""Answers to a recorded talk: the member acknowledges the notes and plan, or
objects (the supervisors hear it and may revise: a new version, the old one
kept); an item's owner (or a supervisor) answers the follow-up with Done or
Not yet (a comment and the day to ask again). Every change kept in
``feedback_events``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel import notices
from bot.kernel.clock import Clock
from bot.kernel.errors import N_, Conflict, NotAuthorized, NotFound
from bot.kernel.people import _locale_for
from bot.kernel.team import team_view
from bot.workflows.feedback import rules
from bot.workflows.feedback import views as fv
from bot.workflows.feedback.rules import TalkStatus
from bot.workflows.feedback.service import TALK, item_snapshot, record_event, snapshot
from storage import feedback as rows
from storage import queries
from storage.db import transaction
from storage.feedback import FeedbackTalk, ImprovementItem
from storage.models import Team


@dataclass(frozen=True)
class Answer:
    locale: str
    already: bool = False


def _talk_of_member(s: Session, user_id: str, talk_id: int, version: int | None, action: str,
                    workspace: str | None = None) -> FeedbackTalk:
    t = s.get(FeedbackTalk, talk_id)
    if t is None or not queries.in_workspace(s, t.team_id, workspace):
        raise NotFound()
    if t.user_id != user_id:
        raise NotAuthorized(N_("Only <@{user}> can answer their own feedback talk."), user=t.user_id).refused(
            action, f"not the talk's member ({t.user_id})", item_kind=TALK, item_id=t.id, team_id=t.team_id)
    if version is not None and version != t.plan_version:
        raise Conflict(N_("Your supervisor has sent a newer version of this plan (version {version}): answer "
                          "that one."), version=t.plan_version)
    return t


def _locale(s: Session, user_id: str, team_id: int) -> str:
    return _locale_for(s, user_id, team_view(s.get_one(Team, team_id)))


def acknowledge(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, talk_id: int, version: int | None) -> Answer:
    now = clock.now()
    with transaction(db) as s:
        t = _talk_of_member(s, user_id, talk_id, version, "feedback.acknowledge", workspace)
        if t.status == TalkStatus.ACKNOWLEDGED:
            return Answer(_locale(s, user_id, t.team_id), already=True)
        before = snapshot(t)
        if not rows.set_talk_status_if(s, t.id, rules.ANSWERABLE, status=TalkStatus.ACKNOWLEDGED, updated_at=now):
            raise Conflict(N_("You have already answered this plan."))
        s.refresh(t)
        record_event(s, t, now=now, actor=user_id, event="acknowledge", before=before, after=snapshot(t))
        if t.recorded_by:
            notices.enqueue_dm(s, user=t.recorded_by, type="talk_acknowledged", team_id=t.team_id, now=now,
                               key=f"talk_acknowledged:{t.id}:{t.plan_version}", talk_id=t.id, version=t.plan_version)
        return Answer(_locale(s, user_id, t.team_id))


def object_form(*, db: sessionmaker[Session], user_id: str, workspace: str | None = None, talk_id: int, version: int | None) -> Answer:
    with transaction(db) as s:
        t = _talk_of_member(s, user_id, talk_id, version, "feedback.object", workspace)
        if t.status not in rules.ANSWERABLE:
            raise Conflict(N_("You have already answered this plan."))
        return Answer(_locale(s, user_id, t.team_id))


def object_to(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, talk_id: int, version: int | None,
              reason: str | None) -> None:
    now = clock.now()
    text = rules.check_text(reason, rules.FIELD_OBJECTION, rules.COMMENT_MAX)
    with transaction(db) as s:
        t = _talk_of_member(s, user_id, talk_id, version, "feedback.object", workspace)
        before = snapshot(t)
        if not rows.set_talk_status_if(s, t.id, rules.ANSWERABLE, status=TalkStatus.OBJECTED, objection=text,
                                       updated_at=now):
            raise Conflict(N_("You have already answered this plan."))
        s.refresh(t)
        record_event(s, t, now=now, actor=user_id, event="object", before=before, after=snapshot(t))
        for sup in queries.team_user_ids(s, t.team_id, "supervisor"):
            if sup != t.user_id:
                notices.enqueue_dm(s, user=sup, type="talk_objected", team_id=t.team_id, now=now,
                                   key=f"talk_objected:{t.id}:{t.plan_version}:{sup}", talk_id=t.id,
                                   version=t.plan_version)


def _item(s: Session, user_id: str, item_id: int, action: str,
          workspace: str | None = None) -> tuple[ImprovementItem, FeedbackTalk]:
    """The item, for its owner or a supervisor of the team; anyone else is refused with the reason."""
    i = s.get(ImprovementItem, item_id)
    if i is None or not queries.in_workspace(s, i.team_id, workspace):
        raise NotFound()
    t = s.get_one(FeedbackTalk, i.talk_id)
    if user_id != i.owner_id and not (user_id != i.user_id and queries.has_role(s, i.team_id, user_id, "supervisor")):
        raise NotAuthorized(N_("Only the item's owner <@{owner}> or a supervisor of the team can answer it."),
                            owner=i.owner_id).refused(action, "not the item's owner or a supervisor", item_kind=TALK,
                                                      item_id=t.id, team_id=i.team_id)
    if i.status != "open":
        raise Conflict(N_("This item is no longer open ({status}); nothing was changed."), status=i.status)
    return i, t


def item_done(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, item_id: int) -> str:
    now = clock.now()
    with transaction(db) as s:
        i, t = _item(s, user_id, item_id, "feedback.item_done", workspace)
        before = item_snapshot(i)
        if not rows.close_item_if_open(s, i.id, actor=user_id, at=now, comment=i.comment):
            raise Conflict(N_("This item is no longer open ({status}); nothing was changed."), status="done")
        s.refresh(i)
        record_event(s, t, now=now, actor=user_id, event="item_done", before=before, after=item_snapshot(i),
                     item_id=i.id)
        return _locale(s, user_id, i.team_id)


def not_yet_form(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, item_id: int) -> fv.NotYetContext:
    with transaction(db) as s:
        i, _t = _item(s, user_id, item_id, "feedback.item_not_yet", workspace)
        team = team_view(s.get_one(Team, i.team_id))
        return fv.NotYetContext(_locale_for(s, user_id, team), i.id, i.text, i.due_date, team.today(clock.now()))


def not_yet(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, item_id: int, comment: str | None,
            due: date | None) -> str:
    """Not done yet: why, and the day to ask again (a new due date; asked then, once)."""
    now = clock.now()
    text = rules.check_text(comment, rules.FIELD_FOLLOWUP_COMMENT, rules.COMMENT_MAX)
    with transaction(db) as s:
        i, t = _item(s, user_id, item_id, "feedback.item_not_yet", workspace)
        team = team_view(s.get_one(Team, i.team_id))
        new_due = rules.check_new_due(due, team.today(now))
        before = item_snapshot(i)
        i.comment, i.due_date = text, new_due
        s.flush()
        record_event(s, t, now=now, actor=user_id, event="item_not_yet", before=before, after=item_snapshot(i),
                     item_id=i.id)
        return _locale_for(s, user_id, team)
