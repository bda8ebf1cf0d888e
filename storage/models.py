"""SQLAlchemy 2 models: the whole persistent state of opsbot.

Every change goes through Alembic (``storage/migrations``); the test suite
checks that the migrations and these models agree.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    channel: Mapped[str] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(8))
    locale: Mapped[str] = mapped_column(String(8))
    weekly_topic_quota: Mapped[int] = mapped_column(Integer)
    mention_in_summaries: Mapped[bool] = mapped_column(Boolean, default=False)
    platforms: Mapped[list[Any]] = mapped_column(default=list)
    schedule: Mapped[dict[str, Any]] = mapped_column(default=dict)
    calendar: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reviews: Mapped[dict[str, Any]] = mapped_column(default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Membership(Base):
    """A user's role in a team. A user may hold both roles, in several teams."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("team_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(32), index=True)
    role: Mapped[str] = mapped_column(String(16))  # member | supervisor
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in the teams file
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SlackUser(Base):
    """What Slack told us about a person (``users.info``), cached."""

    __tablename__ = "slack_users"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255))
    tz: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(16))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    refreshed_at: Mapped[datetime]


class Topic(Base):
    __tablename__ = "topics"
    __table_args__ = (
        # The same author may not propose the same title twice in one week,
        # unless the first one was withdrawn.
        Index(
            "uq_topics_author_week_title",
            "team_id",
            "author_id",
            "week",
            "title_key",
            unique=True,
            sqlite_where=text("status <> 'withdrawn'"),
            postgresql_where=text("status <> 'withdrawn'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    author_id: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(150))
    title_key: Mapped[str] = mapped_column(String(150))
    angle: Mapped[str | None] = mapped_column(Text)
    platform: Mapped[str | None] = mapped_column(String(80))
    planned_date: Mapped[date | None] = mapped_column(Date)
    week: Mapped[str] = mapped_column(String(10), index=True)  # ISO week in the team's zone, e.g. 2026-W48
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    created_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    card_channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))


class Decision(Base):
    """One decision on one item: the record of who decided what, when, why."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_item", "item_kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_item", "item_kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(48))
    outcome: Mapped[str] = mapped_column(String(16))  # ok | denied | conflict
    team_id: Mapped[int | None] = mapped_column(Integer)
    item_kind: Mapped[str | None] = mapped_column(String(16))
    item_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    detail: Mapped[str | None] = mapped_column(Text)


class OutboxNotice(Base):
    """A Slack side effect that must not be lost, written in the transaction
    that caused it and delivered by the worker (``bot/outbox.py``)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[int | None] = mapped_column(Integer)
    recipient: Mapped[str] = mapped_column(String(32))
    # Notices with the same coalesce key render the same thing from current
    # state (a card, a Home tab): one pending row is enough.
    coalesce_key: Mapped[str | None] = mapped_column(String(100), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class InboxRequest(Base):
    """A request from Slack taken before its acknowledgement and decided
    after it by the inbox worker (``bot/inbox.py``): the click or command is
    durable the moment Slack is told it arrived."""

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class ReminderLog(Base):
    """A job's record that it did its work for a subject and period: the
    idempotency key that makes every job safe to run twice."""

    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("job", "subject", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime]


class Snooze(Base):
    """A reminder the person asked to see again later."""

    __tablename__ = "snoozes"
    __table_args__ = (Index("ix_snoozes_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    job: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent
    created_at: Mapped[datetime]


class ProcessedEvent(Base):
    """Slack Events API ids already handled: a retry of one is acknowledged and dropped."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime]


# -- content: drafts, review rounds, publications, metrics (docs/PRODUCT.md §2.2) ----


class Draft(Base):
    """The piece written for one approved topic; reviewed in rounds until approved."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    # One draft per topic: a second submission for the same topic is a new round, not a new draft.
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), unique=True)
    author_id: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(24))  # in_review | changes_requested | approved
    round: Mapped[int] = mapped_column(Integer)  # the current (latest) round's number
    created_at: Mapped[datetime]  # the first round's submission
    approved_by: Mapped[str | None] = mapped_column(String(32))
    approved_at: Mapped[datetime | None]
    card_channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))


class DraftRound(Base):
    """One submission of a draft and the supervisor's decision on it."""

    __tablename__ = "draft_rounds"
    __table_args__ = (UniqueConstraint("draft_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    link: Mapped[str] = mapped_column(String(2000))
    checklist: Mapped[list[Any]] = mapped_column(default=list)
    submitted_at: Mapped[datetime]
    # The modal submission that created it: a double click or a Slack retry creates nothing twice.
    view_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    decision: Mapped[str | None] = mapped_column(String(24))  # approved | changes_requested
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    comment: Mapped[str | None] = mapped_column(Text)


class Publication(Base):
    """Where and when an approved draft went out."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), unique=True)
    author_id: Mapped[str] = mapped_column(String(32), index=True)
    platform: Mapped[str] = mapped_column(String(80))
    url: Mapped[str] = mapped_column(String(2000))
    published_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime]


class MetricsUpdate(Base):
    """One reading of a publication's figures; the latest one counts, all are kept."""

    __tablename__ = "metrics_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"), index=True)
    reads: Mapped[int] = mapped_column(Integer)
    likes: Mapped[int] = mapped_column(Integer)
    comments: Mapped[int] = mapped_column(Integer)
    shares: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    view_id: Mapped[str | None] = mapped_column(String(64), unique=True)
# -- performance reviews (docs/PRODUCT.md §2.5) ------------------------------------


class ReviewTarget(Base):
    """A member's targets for a month, set by a supervisor."""

    __tablename__ = "review_targets"
    __table_args__ = (UniqueConstraint("team_id", "user_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    user_id: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    topics_approved: Mapped[int | None] = mapped_column(Integer)
    publications: Mapped[int | None] = mapped_column(Integer)
    reads: Mapped[int | None] = mapped_column(Integer)
    activities: Mapped[int | None] = mapped_column(Integer)
    set_by: Mapped[str] = mapped_column(String(32))
    set_at: Mapped[datetime]


class Review(Base):
    """One member's review of one month (``kind`` monthly, period YYYY-MM) or
    year (``kind`` annual, period YYYY). Private: only the member and the
    team's supervisors ever see it."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("team_id", "user_id", "kind", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # monthly | annual
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(16))
    achievements: Mapped[str | None] = mapped_column(Text)
    shortcomings: Mapped[str | None] = mapped_column(Text)
    improvement_plan: Mapped[str | None] = mapped_column(Text)
    self_scores: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    self_submitted_at: Mapped[datetime | None]
    evaluator_id: Mapped[str | None] = mapped_column(String(32))
    scores: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)
    total_centi: Mapped[int | None] = mapped_column(Integer)  # the total in hundredths of a point
    grade: Mapped[str | None] = mapped_column(String(2))
    evaluated_at: Mapped[datetime | None]
    objection: Mapped[str | None] = mapped_column(Text)
    objected_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(String(16))  # confirmed | revised
    resolution_comment: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(32))
    resolved_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ReviewEvent(Base):
    """The history of a review: every step, who took it, and the review as it was after."""

    __tablename__ = "review_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    at: Mapped[datetime]
    actor_id: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(32))
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)


class PeerRating(Base):
    """A colleague's attitude rating for a review; the member only ever sees the average and the count."""

    __tablename__ = "peer_ratings"
    __table_args__ = (UniqueConstraint("review_id", "peer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    peer_id: Mapped[str] = mapped_column(String(32))
    asked_by: Mapped[str] = mapped_column(String(32))
    asked_at: Mapped[datetime]
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None]


# -- activities and leave (docs/PRODUCT.md §2.3, §2.4) ------------------------------


class Activity(Base):
    """An activity proposal, its decision, and its retrospective."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    owner_id: Mapped[str] = mapped_column(String(32), index=True)
    theme: Mapped[str] = mapped_column(String(150))
    format: Mapped[str] = mapped_column(String(150))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    participants: Mapped[list[Any]] = mapped_column(default=list)  # Slack user ids
    targets: Mapped[dict[str, Any]] = mapped_column(default=dict)  # participants, engagement, conversion
    resources: Mapped[str | None] = mapped_column(Text)
    # proposed | changes_requested | approved | rejected
    status: Mapped[str] = mapped_column(String(24), default="proposed", index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    submitted_at: Mapped[datetime]  # when the current round went in
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)  # the last comment or rejection reason
    card_channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    retro: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # actuals and the three texts
    retro_at: Mapped[datetime | None]


class ActivityRound(Base):
    """One round of review: what was submitted, and what the supervisor said."""

    __tablename__ = "activity_rounds"
    __table_args__ = (UniqueConstraint("activity_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    submitted_at: Mapped[datetime]
    outcome: Mapped[str | None] = mapped_column(String(24))
    comment: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]


class Leave(Base):
    """A leave request for whole days in the team's calendar."""

    __tablename__ = "leaves"
    __table_args__ = (Index("ix_leaves_team_user_dates", "team_id", "user_id", "start_date", "end_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(32), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    # pending | approved | rejected | cancelled
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None]
    card_channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
