"""Loaders of the review DMs: each builds its view from the review's current
state at delivery time (``bot/kernel/notices.py`` dispatches to them by type)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.domain.periods import local_date
from bot.kernel.notices import NoticeLoaders, People, team_of
from bot.kernel.team import TeamView, zone_of
from bot.workflows.reviews import rules
from bot.workflows.reviews import service as svc
from bot.workflows.reviews import team as reviews_team
from bot.workflows.reviews import views as review_views
from bot.workflows.reviews.incentives import Incentive, of_year
from storage.models import OutboxNotice, Team
from storage.reviews import PeerRating, Review


def _review_dm(s: Session, notice: OutboxNotice, now: datetime) -> review_views.ReviewDM:
    p = notice.payload
    r = s.get_one(Review, p["review_id"])
    row = s.get_one(Team, r.team_id)
    team = team_of(s, r.team_id)
    result = svc.result_of(r)
    people = People(s, now, {notice.recipient, r.user_id} | ({result["evaluator"]} if result else set()))
    dd = svc.due_dates(s, team, svc.config(row), r)
    due = None
    if dd is not None:
        due = (dd.evaluation if notice.recipient != r.user_id else dd.self_review).isoformat()
    peers, _comments = svc.peer_summary(s, r.id, svc.config(row).peer_ratings_min)
    late = _prompt_late(r, team, zone_of(people.users.get(notice.recipient), team), now) \
        if p["type"] == "selfreview_open" else None
    return review_views.ReviewDM(
        locale=people.locale(notice.recipient, team.locale),
        type=p["type"],
        review_id=r.id,
        kind=r.kind,
        period=r.period,
        team_name=team.name,
        member=people.person(r.user_id),
        status=r.status,
        due=due,
        result=review_views.ReviewResult(**result) if result else None,
        self_scores=r.self_scores,
        objection=r.objection,
        resolution=r.resolution,
        resolution_comment=r.resolution_comment,
        peers=peers,
        job=p.get("job"),
        job_period=p.get("period"),
        team_id=team.id,
        snoozed=p.get("snoozed", False),
        prompt_due=late.isoformat() if late else None,
        incentive=_incentive(s, row, r, notice.recipient) if r.kind == rules.ANNUAL else None,
    )


def _incentive(s: Session, row: Team, r: Review, recipient: str) -> Incentive:
    """The coefficient for anyone the notice goes to; the candidate marks
    only for a supervisor, never in the member's own DM."""
    return of_year(svc.config(row).incentives, svc.year_of(s, row, r), r.grade if r.status in rules.HAS_RESULT else None,
                   for_member=recipient == r.user_id)


def _prompt_late(r: Review, team: TeamView, zone: ZoneInfo, now: datetime) -> date | None:
    """The month-end day a self-review prompt was due on, when it goes out
    on a later day in the member's zone (a catch-up after downtime, a prompt
    held up in the outbox, a snooze): else None, and it says "today"."""
    ym = rules.parse_period(r.period)
    if r.kind != rules.MONTHLY or ym is None:
        return None
    day = rules.month_end_day(*ym, team.calendar)
    return day if local_date(now, zone) > day else None


def _evaluations_late(s: Session, notice: OutboxNotice, now: datetime) -> review_views.ReviewDM:
    """One reminder to a supervisor listing the members whose evaluation is late
    (still waiting at delivery time)."""
    p = notice.payload
    team = team_of(s, notice.team_id)
    reviews = [r for r in (s.get(Review, i) for i in p["review_ids"]) if r is not None and r.status in rules.EVALUABLE]
    people = People(s, now, {notice.recipient} | {r.user_id for r in reviews})
    first = reviews[0] if reviews else None
    return review_views.ReviewDM(
        locale=people.locale(notice.recipient, team.locale), type="evaluation_late",
        review_id=first.id if first else 0, kind=rules.MONTHLY, period=p["review_period"], team_name=team.name,
        member=people.person(first.user_id) if first else people.person(notice.recipient),
        status="", due=p.get("due"), late=[people.person(r.user_id) for r in reviews],
        late_ids=[r.id for r in reviews], job=p.get("job"), job_period=p.get("period"), team_id=team.id,
        snoozed=p.get("snoozed", False),
    )


def _peer_request(s: Session, notice: OutboxNotice, now: datetime) -> review_views.PeerRequestDM:
    rating = s.get_one(PeerRating, notice.payload["rating_id"])
    r = s.get_one(Review, rating.review_id)
    team = team_of(s, r.team_id)
    people = People(s, now, {notice.recipient, r.user_id})
    return review_views.PeerRequestDM(people.locale(notice.recipient, team.locale), rating.id, team.name,
                           people.person(r.user_id), r.period, rating.score is not None)


def _team_reviews(s: Session, notice: OutboxNotice, now: datetime) -> review_views.TeamReviews:
    """The answer to `/opsbot reviews` typed in a channel, as of delivery."""
    row = s.get_one(Team, notice.team_id)
    return reviews_team.reviews_of(s, row, notice.recipient, notice.payload["period"], now)


LOADERS = NoticeLoaders(dms={
    t: _review_dm
    for t in ("selfreview_open", "selfreview_late", "review_evaluate", "review_result", "review_acknowledged",
              "review_objection", "review_resolved", "annual_ready")
} | {"evaluation_late": _evaluations_late, "peer_request": _peer_request, reviews_team.TEAM_REVIEWS: _team_reviews})
