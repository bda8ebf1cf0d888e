"""Peer input to a review: asking peers and their ratings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel import notices
from bot.kernel.clock import Clock
from bot.kernel.errors import N_, Conflict, InvalidInput, NotAuthorized, NotFound
from bot.kernel.team import team_view
from bot.workflows.reviews import rules
from bot.workflows.reviews.service import (
    NOT_YOURS,
    REVIEW,
    _audit,
    _load,
    _locale,
    _moved_on,
    _supervisor_denial,
)
from storage import queries
from storage import reviews as review_rows
from storage.db import transaction
from storage.models import Team
from storage.reviews import PeerRating, Review


def ask_peers(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, review_id: int, peers: list[str]) -> int:
    now = clock.now()
    failure: Exception | None = None
    with transaction(db) as s:
        r = _load(s, review_id, workspace)
        failure = _supervisor_denial(s, r, user_id, "review.ask_peers")
        if failure is None:
            if r.kind != rules.MONTHLY or r.status not in rules.SELF_REVIEW_OPEN:
                failure = _moved_on(r)
            else:
                colleagues = set(queries.team_user_ids(s, r.team_id, "member")) | set(
                    queries.team_user_ids(s, r.team_id, "supervisor"))
                asked = {p.peer_id for p in review_rows.peer_ratings(s, r.id)}
                chosen = rules.check_peers(r.user_id, peers, colleagues=colleagues, already_asked=asked,
                                           asker=user_id)
                for peer in chosen:
                    if not review_rows.add_peer_request(s, review_id=r.id, peer_id=peer, asked_by=user_id, at=now):
                        raise InvalidInput(N_("<@{user}> was already asked for this review."),
                                           field=rules.FIELD_PEERS, user=peer)
                    rating = review_rows.peer_rating(s, r.id, peer)
                    assert rating is not None
                    notices.enqueue_dm(s, user=peer, type="peer_request", team_id=r.team_id, now=now,
                                       key=f"peer_request:{rating.id}", rating_id=rating.id)
                _audit(s, now=now, user_id=user_id, action="review.ask_peers", outcome="ok", review=r,
                       after={"asked": len(chosen)})
                return len(chosen)
    raise failure


RATINGS_CLOSED = N_("The evaluation is done, so ratings for it are closed. Thank you all the same.")


@dataclass(frozen=True)
class PeerContext:
    locale: str
    rating_id: int
    member: str
    period: str
    team_name: str


ALREADY_RATED = N_("You have already rated this; thank you.")


def _open_rating(s: Session, now: datetime, user_id: str, rating_id: int, workspace: str | None = None) -> tuple[PeerRating, Review, Exception | None]:
    """The rating asked of this colleague and its review, or why it cannot be
    given (someone else's rating is refused and audited; a closed one is told)."""
    p = s.get(PeerRating, rating_id)
    r = s.get_one(Review, p.review_id) if p is not None else None
    if p is None or r is None or not queries.in_workspace(s, r.team_id, workspace):
        raise NotFound()
    if p.peer_id != user_id:
        return p, r, NotAuthorized(NOT_YOURS).refused("review.peer_rate", "not the colleague asked", item_kind=REVIEW,
                                                      item_id=r.id, team_id=r.team_id)
    if p.score is not None:
        return p, r, Conflict(ALREADY_RATED)
    if r.status not in rules.SELF_REVIEW_OPEN:
        return p, r, Conflict(RATINGS_CLOSED)
    return p, r, None


def peer_form(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, rating_id: int) -> PeerContext:
    with transaction(db) as s:
        p, r, failure = _open_rating(s, clock.now(), user_id, rating_id, workspace)
        if failure is None:
            team = team_view(s.get_one(Team, r.team_id))
            return PeerContext(_locale(s, user_id, team), p.id, r.user_id, r.period, team.name)
    raise failure


def rate_peer(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, rating_id: int, score: int,
              comment: str | None) -> None:
    now = clock.now()
    with transaction(db) as s:
        _p, r, failure = _open_rating(s, now, user_id, rating_id, workspace)
        if failure is None:
            if review_rows.rate_if_open(s, rating_id, user_id, score=score, comment=comment, at=now):
                # Who rated what stays out of the audit's before/after: the member may be shown the trail.
                _audit(s, now=now, user_id=user_id, action="review.peer_rate", outcome="ok", review=r)
                return
            failure = Conflict(ALREADY_RATED)  # a double submission: the other one was first
    raise failure
