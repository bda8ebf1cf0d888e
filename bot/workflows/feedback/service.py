"""The feedback talk (绩效反馈面谈, issue 18): after an evaluation a supervisor
of the member's team schedules the talk, and after it records the notes and an
improvement plan (items, each with an owner and a due date).

One transaction per step; authorization from the store; every change kept in
``feedback_events`` (before and after); the DMs it causes written to the
outbox in the same transaction. Notes and plan go only to the member and the
team's supervisors. The member's answers and the follow-up are in ``answers.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel import notices
from bot.kernel.clock import Clock
from bot.kernel.errors import N_, Conflict, NotAuthorized, NotFound
from bot.kernel.people import _locale_for
from bot.kernel.team import TeamView, team_view
from bot.kernel.views import Mention, Person
from bot.workflows.feedback import rules
from bot.workflows.feedback import views as fv
from bot.workflows.feedback.rules import TalkStatus
from bot.workflows.leave.away import days_away
from bot.workflows.reviews.rules import HAS_RESULT, MONTHLY, parse_period, period_id
from storage import feedback as rows
from storage import queries
from storage.db import transaction
from storage.feedback import FeedbackEvent, FeedbackTalk, ImprovementItem
from storage.models import Team
from storage.reviews import Review

TALK = "feedback_talk"
NOT_SUPERVISOR = N_("Only a supervisor of <@{user}>'s team can do that; the feedback talk is private to the "
                    "member and the team's supervisors.")


def snapshot(t: FeedbackTalk) -> dict[str, Any]:
    return {"starts_at": t.starts_at.isoformat(), "place": t.place, "status": t.status, "notes": t.notes,
            "plan_version": t.plan_version, "objection": t.objection}


def item_snapshot(i: ImprovementItem) -> dict[str, Any]:
    return {"text": i.text, "owner": i.owner_id, "due": i.due_date.isoformat(), "status": i.status,
            "comment": i.comment}


def record_event(s: Session, t: FeedbackTalk, *, now: datetime, actor: str, event: str, before: dict | None,
                 after: dict | None, item_id: int | None = None) -> None:
    """The change, kept whole; the audit says only that it happened (its content stays private)."""
    s.add(FeedbackEvent(talk_id=t.id, item_id=item_id, at=now, actor_id=actor, event=event, before=before,
                        after=after))
    queries.add_audit(s, at=now, actor_id=actor, action=f"feedback.{event}", outcome="ok", team_id=t.team_id,
                      item_kind=TALK, item_id=t.id, before=None, after={"status": t.status}, detail=t.period)
    notices.enqueue_homes(s, users=[t.user_id], supervisors_of=t.team_id, now=now)


def supervisor_denial(s: Session, team_id: int, member: str, user_id: str, action: str,
                      item_id: int | None) -> NotAuthorized | None:
    if user_id != member and queries.has_role(s, team_id, user_id, "supervisor"):
        return None
    return NotAuthorized(NOT_SUPERVISOR, user=member).refused(
        action, "not a supervisor of the member's team", item_kind=TALK, item_id=item_id, team_id=team_id)


def _review(s: Session, user_id: str, review_id: int, action: str, workspace: str | None = None) -> Review:
    r = s.get(Review, review_id)
    if r is None or r.kind != MONTHLY or not queries.in_workspace(s, r.team_id, workspace):
        raise NotFound()
    denied = supervisor_denial(s, r.team_id, r.user_id, user_id, action, None)
    if denied:
        raise denied
    if r.status not in HAS_RESULT:
        raise Conflict(N_("The feedback talk follows the evaluation: evaluate <@{user}>'s review for {period} "
                          "first."), user=r.user_id, period=r.period)
    return r


def talk_for_supervisor(s: Session, user_id: str, talk_id: int, action: str,
                        workspace: str | None = None) -> FeedbackTalk:
    t = s.get(FeedbackTalk, talk_id)
    if t is None or not queries.in_workspace(s, t.team_id, workspace):
        raise NotFound()
    denied = supervisor_denial(s, t.team_id, t.user_id, user_id, action, t.id)
    if denied:
        raise denied
    return t


def review_to_talk(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, member: str,
                   period: str | None) -> int:
    """``/opsbot talk @member [YYYY-MM]``: the member's review of that month, or
    their latest with a result, in a team the caller supervises."""
    with transaction(db) as s:
        team = next((t for t in queries.teams_of_user(s, user_id, role="supervisor", workspace=workspace)
                     if queries.has_role(s, t.id, member, "member")), None)
        if team is None or member == user_id:
            raise NotAuthorized(NOT_SUPERVISOR, user=member).refused("feedback.schedule",
                                                                     f"not a supervisor of {member}", item_kind=TALK)
        if period is not None:
            ym = parse_period(period)
            r = s.query(Review).filter_by(team_id=team.id, user_id=member, kind=MONTHLY,
                                          period=period_id(*ym) if ym else period).one_or_none()
        else:
            r = rows.latest_review_with_result(s, team.id, member, HAS_RESULT)
        if r is None:
            raise Conflict(N_("<@{user}> has no evaluated review to talk about yet."), user=member)
        return r.id


def schedule_form(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, review_id: int) -> fv.ScheduleContext:
    with transaction(db) as s:
        r = _review(s, user_id, review_id, "feedback.schedule", workspace)
        team = team_view(s.get_one(Team, r.team_id))
        t = rows.talk_of_review(s, r.id)
        if t is not None and t.status not in rules.RESCHEDULABLE:
            raise Conflict(N_("The talk with <@{user}> for {period} has taken place; its notes are recorded."),
                           user=r.user_id, period=r.period)
        return fv.ScheduleContext(_locale_for(s, user_id, team), r.id, r.user_id, r.period, team.name,
                                  int(t.starts_at.timestamp()) if t else None, t.place if t else None,
                                  team.today(clock.now()))


def _check_talk_day(s: Session, team: TeamView, at: datetime, member: str, scheduler: str) -> None:
    """The talk's day, in the team's zone, is a working day with neither of them on leave."""
    day = team.today(at)
    name = getattr(queries.slack_users(s, [member]).get(member), "name", None)
    rules.check_talk_day(day, team.calendar, days_away(s, team.id, (member, scheduler), day, day), member=member,
                         member_name=name or Mention(member), scheduler=scheduler)


@dataclass(frozen=True)
class Scheduled:
    locale: str
    talk_id: int
    moved: bool


def schedule(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, review_id: int, starts_at: datetime | None,
             place: str | None) -> Scheduled:
    """Schedule the talk, or move it while it has not been recorded; both people hear it."""
    now = clock.now()
    at = rules.check_talk_time(starts_at, now)
    where = rules.check_text(place, rules.FIELD_TALK_PLACE, rules.PLACE_MAX, required=False)
    with transaction(db) as s:
        r = _review(s, user_id, review_id, "feedback.schedule", workspace)
        _check_talk_day(s, team_view(s.get_one(Team, r.team_id)), at, r.user_id, user_id)
        t = rows.talk_of_review(s, r.id)
        before = snapshot(t) if t else None
        if t is None:
            t = FeedbackTalk(team_id=r.team_id, review_id=r.id, user_id=r.user_id, period=r.period,
                             scheduled_by=user_id, starts_at=at, place=where, schedule_version=1,
                             status=TalkStatus.SCHEDULED, plan_version=0, created_at=now, updated_at=now)
            s.add(t)
            s.flush()
        elif rows.set_talk_status_if(s, t.id, rules.RESCHEDULABLE, starts_at=at, place=where, scheduled_by=user_id,
                                     schedule_version=t.schedule_version + 1, updated_at=now):
            s.refresh(t)
        else:
            raise Conflict(N_("The talk with <@{user}> for {period} has taken place; its notes are recorded."),
                           user=r.user_id, period=r.period)
        record_event(s, t, now=now, actor=user_id, event="reschedule" if before else "schedule", before=before,
                     after=snapshot(t))
        for u in dict.fromkeys((t.user_id, user_id)):
            notices.enqueue_dm(s, user=u, type="talk_scheduled", team_id=t.team_id, now=now,
                               key=f"talk_scheduled:{t.id}:{t.schedule_version}:{u}", talk_id=t.id,
                               version=t.schedule_version)
        return Scheduled(_locale_for(s, user_id, team_view(s.get_one(Team, t.team_id))), t.id, before is not None)


def notes_form(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, talk_id: int) -> fv.NotesContext:
    now = clock.now()
    with transaction(db) as s:
        t = talk_for_supervisor(s, user_id, talk_id, "feedback.record", workspace)
        _recordable(t, now)
        team = team_view(s.get_one(Team, t.team_id))
        owners = [t.user_id] + [u for u in queries.team_user_ids(s, t.team_id, "supervisor") if u != t.user_id]
        names = queries.slack_users(s, owners)
        items = [fv.ItemLine(i.id, i.text, i.owner_id, i.due_date, i.status, i.comment, t.user_id)
                 for i in rows.items_of_talk(s, t.id, t.plan_version)]
        return fv.NotesContext(_locale_for(s, user_id, team), t.id, t.user_id, t.period, team.name,
                               [Person(u, getattr(names.get(u), "name", None)) for u in owners], t.notes, items,
                               t.objection, team.today(now))


def _recordable(t: FeedbackTalk, now: datetime) -> None:
    if t.status not in rules.RECORDABLE:
        raise Conflict(N_("The notes of this talk are recorded and with <@{user}>; they can be revised if "
                          "<@{user}> objects."), user=t.user_id)
    if t.status == TalkStatus.SCHEDULED and now < t.starts_at:
        raise Conflict(N_("The talk has not taken place yet: record its notes after it starts."))


def record(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, talk_id: int, notes: str | None,
           items: list[rules.ItemRow]) -> str:
    """The notes and the plan after the talk (or a revision after an objection: a
    new version, the old one kept); the member gets them with Acknowledge / Object."""
    now = clock.now()
    text = rules.check_text(notes, rules.FIELD_NOTES, rules.NOTES_MAX)
    with transaction(db) as s:
        t = talk_for_supervisor(s, user_id, talk_id, "feedback.record", workspace)
        _recordable(t, now)
        team = team_view(s.get_one(Team, t.team_id))
        owners = {t.user_id} | set(queries.team_user_ids(s, t.team_id, "supervisor"))
        drafts = rules.check_rows(items, today=team.today(now), owners=owners)
        before = {**snapshot(t), "items": [item_snapshot(i) for i in rows.items_of_talk(s, t.id, t.plan_version)]}
        revision = t.status == TalkStatus.OBJECTED
        if not rows.set_talk_status_if(s, t.id, (t.status,), status=TalkStatus.RECORDED, notes=text,
                                       plan_version=t.plan_version + 1, recorded_by=user_id, updated_at=now):
            raise Conflict(N_("Someone else changed this talk just now; nothing was changed."))
        s.refresh(t)
        rows.replace_items(s, t.id)
        new = [ImprovementItem(talk_id=t.id, team_id=t.team_id, user_id=t.user_id, version=t.plan_version,
                               text=d.text, owner_id=d.owner, due_date=d.due, status="open") for d in drafts]
        s.add_all(new)
        s.flush()
        record_event(s, t, now=now, actor=user_id, event="revise" if revision else "record", before=before,
                     after={**snapshot(t), "items": [item_snapshot(i) for i in new]})
        notices.enqueue_dm(s, user=t.user_id, type="talk_plan", team_id=t.team_id, now=now,
                           key=f"talk_plan:{t.id}:{t.plan_version}", talk_id=t.id, version=t.plan_version)
        return _locale_for(s, user_id, team)
