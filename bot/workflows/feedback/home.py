"""What Home and the self-review form show of the feedback talks: a person's
own open items and upcoming talk; for a supervisor the team's open items,
the evaluated members whose talk is not scheduled, and the talks to record."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel.clock import Clock
from bot.kernel.team import TeamView
from bot.kernel.views import Person
from bot.workflows.feedback import views as fv
from bot.workflows.feedback.rules import RECORDABLE, TalkStatus
from bot.workflows.reviews.rules import HAS_RESULT
from storage import feedback as rows
from storage import queries
from storage.db import transaction
from storage.feedback import ImprovementItem
from storage.reviews import Review

# Evaluations this recent without a talk are listed for the supervisors to schedule.
TO_SCHEDULE_SINCE = timedelta(days=45)


def _line(i: ImprovementItem) -> fv.ItemLine:
    return fv.ItemLine(i.id, i.text, i.owner_id, i.due_date, i.status, i.comment, i.user_id)


def home_section(s: Session, team: TeamView, user_id: str, now: datetime, supervisor: bool) -> fv.FeedbackHome:
    mine = [_line(i) for i in rows.open_items(s, team.id, owner_id=user_id)]
    talks = rows.talks_of_team(s, team.id, (TalkStatus.SCHEDULED, TalkStatus.OBJECTED))
    people = {t.user_id for t in talks}
    if supervisor:
        waiting = rows.reviews_without_talk(s, team.id, HAS_RESULT, now - TO_SCHEDULE_SINCE)
        people |= {r.user_id for r in waiting}
    names = queries.slack_users(s, people)

    def person(u: str) -> Person:
        return Person(u, getattr(names.get(u), "name", None))

    def talk_line(t) -> fv.TalkLine:
        recordable = t.status in RECORDABLE and (t.status == TalkStatus.OBJECTED or t.starts_at <= now)
        return fv.TalkLine(t.id, person(t.user_id), t.period, int(t.starts_at.timestamp()), recordable)

    my_talks = [talk_line(t) for t in talks if t.user_id == user_id and t.status == TalkStatus.SCHEDULED
                and t.starts_at > now]
    if not supervisor:
        return fv.FeedbackHome(my_items=mine, my_talks=my_talks)
    return fv.FeedbackHome(
        my_items=mine, my_talks=my_talks,
        team_items=[_line(i) for i in rows.open_items(s, team.id) if i.owner_id != user_id],
        to_schedule=[fv.ToSchedule(r.id, person(r.user_id), r.period) for r in waiting if r.user_id != user_id],
        talks=[talk_line(t) for t in talks if t.user_id != user_id],
    )


def open_items_for_review(*, db: sessionmaker[Session], clock: Clock, user_id: str,
                          review_id: int) -> list[fv.ItemLine]:
    """The open items of the member's improvement plans, for their self-review
    form: only ever the member's own (the form is theirs alone)."""
    with transaction(db) as s:
        r = s.get(Review, review_id)
        if r is None or r.user_id != user_id:
            return []
        return [_line(i) for i in rows.open_items(s, r.team_id, user_id=user_id)]
