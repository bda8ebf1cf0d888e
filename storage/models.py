"""SQLAlchemy 2 models of the kernel: teams, people, the audit log, the inbox
and outbox, claims and snoozes. Each workflow's tables live beside its
queries (``storage/<workflow>.py``); ``storage/schema.py`` gathers them all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
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
    __table_args__ = (UniqueConstraint("workspace", "name", name="uq_teams_workspace_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    # The Slack workspace (team id, T…) of a team set up in an installed workspace (OAuth mode);
    # "" in the single-workspace mode. Names are unique per workspace (migration 0017).
    workspace: Mapped[str] = mapped_column(String(32), server_default="", default="", index=True)
    # The Enterprise Grid org of that workspace, when it has one.
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
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
    # Recognition settings (bot/workflows/kudos/rules.py): the daily cap, the leaderboard. None: the defaults.
    recognition: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Who keeps the team: "file" (OPSBOT_TEAMS_FILE or `opsbot teams apply`: Slack
    # refuses edits, so a start never undoes one) or "slack" (/opsbot setup).
    managed_by: Mapped[str] = mapped_column(String(8), server_default="file")
    # The onboarding checklist for new members: [{"day": N, "item": "..."}] (bot/workflows/onboarding).
    onboarding: Mapped[list[Any] | None] = mapped_column(JSON)
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
    # A workspace owner or admin (users.info is_owner / is_admin): an opsbot admin too.
    workspace_admin: Mapped[bool] = mapped_column(Boolean, server_default=false(), default=False)
    refreshed_at: Mapped[datetime]


class Admin(Base):
    """An opsbot admin: named by the operator (the teams file's ``admins``,
    ``OPSBOT_ADMINS``, ``opsbot admins add``: of the whole deployment), or whoever
    installed the app in a workspace (of that workspace). Workspace owners and admins are
    admins too, as Slack reports them: ``SlackUser.workspace_admin`` in the
    single-workspace mode, a row of source ``slack`` per workspace in OAuth mode."""

    __tablename__ = "admins"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # The Slack workspace (team id; an Enterprise Grid org id for an org-wide installer) they are an
    # admin of; "" for the whole deployment (migration 0019).
    workspace: Mapped[str] = mapped_column(String(32), primary_key=True, server_default="", default="")
    source: Mapped[str] = mapped_column(String(8))  # file | env | cli | install | slack
    added_at: Mapped[datetime]


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
    that caused it and delivered by the worker (``bot/kernel/outbox.py``)."""

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
    # Attempts that ended in an error that would repeat (not Slack's 5xx, 429
    # or the network): bounded, then the notice fails (bot/kernel/outbox_failures.py).
    failed_attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class CardPost(Base):
    """The first ``chat.postMessage`` of an item's card, claimed by one outbox
    worker in its own committed transaction before the call: however many
    workers race, one posts and the others update once its ``ts`` is recorded
    (``bot/kernel/first_post.py``). A claim whose worker died before posting
    runs out at ``expires_at``; then another worker may post."""

    __tablename__ = "card_posts"

    item: Mapped[str] = mapped_column(String(16), primary_key=True)  # the card's item kind: topic, draft, ...
    item_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(Integer)  # the outbox notice whose worker holds the claim
    claimed_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class InboxRequest(Base):
    """A request from Slack taken before its acknowledgement and decided
    after it by the inbox worker (``bot/kernel/inbox.py``): the click or command is
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


class WorkspaceUninstall(Base):
    """A Slack workspace (or Enterprise Grid org) that uninstalled opsbot or revoked its bot token
    (``storage/workspaces.py``): its teams get nothing from then on, and their rows are purged once
    ``OPSBOT_WORKSPACE_RETENTION_DAYS`` have passed. A reinstall deletes the row."""

    __tablename__ = "workspace_uninstalls"

    # "" for the part a workspace does not have: no org, or an org-wide install (no one workspace).
    enterprise_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    reason: Mapped[str] = mapped_column(String(32))  # app_uninstalled | tokens_revoked
    uninstalled_at: Mapped[datetime]
    purged_at: Mapped[datetime | None]


class Replica(Base):
    """A running outbox worker (one per opsbot process) and when it last said it was alive
    (``bot/kernel/replicas.py``): the replicas share out the workspaces with a backlog, so that one
    workspace is paced in one place. Not the data of any workspace: nothing here is purged with one."""

    __tablename__ = "replicas"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seen_at: Mapped[datetime]
