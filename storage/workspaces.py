"""Workspaces that uninstalled opsbot (issue 19): the mark, the teams it stops, and the purge of
their rows once the retention period is over.

- A workspace is ``(enterprise_id, team_id)``, "" for the part it does not have. A mark on
  ``("", T)`` or ``(E, T)`` stops the teams whose ``workspace`` is ``T``; a mark on ``(E, "")``
  (an org-wide install) stops every team of org ``E``.
- :func:`record_uninstall` does, in one transaction: refuse an event older than the workspace's
  newest installation (events arrive out of order; a fresh install is never deleted), delete the
  installation and bot rows, set the mark, and fail the notices its teams still had pending.
- :func:`purge` deletes every row of a workspace's teams: the teams, each table that reaches
  ``teams`` through foreign keys (children first, so it works with the keys enforced on SQLite and
  PostgreSQL alike), the kernel's rows that name a team without a key (outbox, claims, audit
  log), and the decisions, audit entries and card claims about the items deleted. Then the
  workspace's admins (the org's, for an org-wide install; never the deployment's, ``""``) and the
  cached Slack profiles of its teams' people and its admins who are in no team left and admins
  nowhere left (Enterprise Grid user ids are shared by an org's workspaces: someone still in
  another workspace's team keeps theirs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, exists, or_, select, update
from sqlalchemy.orm import Session

import storage.schema  # noqa: F401  (every table joins the metadata: the purge follows all their keys)
from storage.installations import BOTS, INSTALLATIONS
from storage.models import (
    Admin,
    AuditEntry,
    Base,
    CardPost,
    Decision,
    Membership,
    OutboxNotice,
    ReminderLog,
    SlackUser,
    Team,
    WorkspaceUninstall,
)
from storage.queries import _insert_ignore

APP_UNINSTALLED, TOKENS_REVOKED = "app_uninstalled", "tokens_revoked"
# What a notice of an uninstalled workspace's team fails with (``opsbot outbox --failed`` shows it).
UNINSTALLED_ERROR = "workspace uninstalled: not sent"
# The item kinds of decisions, audit entries and card claims, and the table each item lives in.
ITEM_TABLES = {"team": "teams", "topic": "topics", "draft": "drafts", "activity": "activities", "leave": "leaves",
               "review": "reviews", "plan": "review_plans", "training": "training_sessions",
               "feedback_talk": "feedback_talks", "kudos": "kudos"}


def key(enterprise_id: str | None, team_id: str | None) -> tuple[str, str]:
    return enterprise_id or "", team_id or ""


def _gone() -> Any:
    """True for a team (``Team``) of a workspace marked uninstalled."""
    u = WorkspaceUninstall
    return exists().where(or_(
        and_(u.team_id != "", u.team_id == Team.workspace),
        and_(u.team_id == "", u.enterprise_id != "", u.enterprise_id == Team.enterprise_id),
    ))


def uninstalled_team_ids(session: Session) -> set[int]:
    return set(session.scalars(select(Team.id).where(_gone())))


def workspace_uninstalled(session: Session, workspace: str, enterprise_id: str | None) -> bool:
    """Whether ``workspace`` (or, for an org-wide install, its org) is marked uninstalled: what a
    notice is checked against, with its team's workspace or, for a Home tab, its recipient's."""
    if not workspace and not enterprise_id:
        return False
    return bool(session.scalar(_uninstalled_statement(bool(workspace), bool(enterprise_id)),
                               {"workspace": workspace, "enterprise_id": enterprise_id}))


@cache
def _uninstalled_statement(by_workspace: bool, by_org: bool) -> Any:
    """Built once per shape: the outbox asks it for every run it sends."""
    u = WorkspaceUninstall
    marked = [u.team_id == bindparam("workspace")] if by_workspace else []
    if by_org:
        marked.append(and_(u.team_id == "", u.enterprise_id == bindparam("enterprise_id")))
    return select(exists().where(or_(*marked)))


def _teams_of(session: Session, enterprise_id: str, team_id: str) -> list[int]:
    if team_id:
        where = Team.workspace == team_id
    elif enterprise_id:
        where = Team.enterprise_id == enterprise_id
    else:
        return []  # no workspace named: never the single-workspace mode's teams
    return list(session.scalars(select(Team.id).where(where).order_by(Team.id)))


def _rows_of(table: Table, client_id: str, enterprise_id: str | None, team_id: str | None) -> Any:
    """A workspace's installation (or bot) rows; for an org-wide install (no team id) the org's
    org-wide rows, whatever team id Slack gave them."""
    c = table.c
    if team_id:
        return and_(c.client_id == client_id, c.enterprise_id == (enterprise_id or None), c.team_id == team_id)
    return and_(c.client_id == client_id, c.enterprise_id == enterprise_id, c.is_enterprise_install.is_(True))


def installed_since(session: Session, *, client_id: str, enterprise_id: str | None, team_id: str | None,
                    at: datetime) -> bool:
    """Whether an installation (or bot) row of the workspace was saved at ``at`` or later.
    slack_sdk's ``installed_at`` is a zone-less column holding UTC's wall time on both backends
    (whatever the PostgreSQL session's time zone): ``at`` is compared as the same, zone-less."""
    since = at.astimezone(UTC).replace(tzinfo=None)
    return any(session.scalar(select(exists().where(_rows_of(table, client_id, enterprise_id, team_id),
                                                    table.c.installed_at >= since)))
               for table in (INSTALLATIONS, BOTS))


@dataclass(frozen=True)
class Uninstalled:
    installations: int
    bots: int
    teams: int
    notices_failed: int


def record_uninstall(session: Session, *, client_id: str, enterprise_id: str | None, team_id: str | None,
                     event_at: datetime, now: datetime, reason: str) -> Uninstalled | None:
    """The workspace uninstalled (or its bot token was revoked) at ``event_at`` (Slack's clock, whole
    seconds). None, changing nothing, when its newest installation was saved in a later second: the
    event is older than that install. Otherwise its installation and bot rows go, the mark is set
    (the first one's time is kept: the retention period runs from the first uninstall), and the
    pending notices of its teams fail."""
    if installed_since(session, client_id=client_id, enterprise_id=enterprise_id, team_id=team_id,
                       at=event_at + timedelta(seconds=1)):
        return None
    gone = []
    for table in (INSTALLATIONS, BOTS):
        gone.append(session.execute(delete(table).where(_rows_of(table, client_id, enterprise_id,
                                                                 team_id))).rowcount)
    e, t = key(enterprise_id, team_id)
    _insert_ignore(session, WorkspaceUninstall, {"enterprise_id": e, "team_id": t, "reason": reason,
                                                 "uninstalled_at": now, "purged_at": None})
    teams = _teams_of(session, e, t)
    failed = fail_pending_notices(session, teams, now)
    return Uninstalled(gone[0], gone[1], len(teams), failed)


def fail_pending_notices(session: Session, team_ids: Sequence[int], now: datetime) -> int:
    if not team_ids:
        return 0
    return session.execute(
        update(OutboxNotice)
        .where(OutboxNotice.team_id.in_(team_ids), OutboxNotice.status == "pending")
        .values(status="failed", failed_at=now, claimed_until=None, last_error=UNINSTALLED_ERROR)
    ).rowcount


def clear_uninstall(session: Session, *, enterprise_id: str | None, team_id: str | None) -> bool:
    """A new install of the workspace: its teams (if not purged yet) are served again."""
    e, t = key(enterprise_id, team_id)
    return session.execute(delete(WorkspaceUninstall).where(
        WorkspaceUninstall.enterprise_id == e, WorkspaceUninstall.team_id == t)).rowcount > 0


def marks(session: Session, *, purged: bool = False) -> list[WorkspaceUninstall]:
    q = select(WorkspaceUninstall).order_by(WorkspaceUninstall.uninstalled_at)
    if not purged:
        q = q.where(WorkspaceUninstall.purged_at.is_(None))
    return list(session.scalars(q))


# -- the purge ---------------------------------------------------------------------------------


def _team_tables() -> list[Table]:
    """``teams`` and every table whose rows reach it through foreign keys, parents before children."""
    reached = {"teams"}
    for table in Base.metadata.sorted_tables:  # parents come first: one pass reaches every descendant
        if any(fk.column.table.name in reached for fk in table.foreign_keys):
            reached.add(table.name)
    return [t for t in Base.metadata.sorted_tables if t.name in reached]


def _doomed(table: Table, team_ids: list[int], reached: set[str]) -> Any:
    """The rows of ``table`` that belong to the teams ``team_ids``."""
    if table.name == "teams":
        return table.c.id.in_(team_ids)
    return or_(*(fk.parent.in_(select(fk.column).where(_doomed(fk.column.table, team_ids, reached)))
                 for fk in table.foreign_keys if fk.column.table.name in reached))


@dataclass
class Purged:
    enterprise_id: str
    team_id: str
    teams: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # table → rows deleted

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def purge(session: Session, mark: WorkspaceUninstall, now: datetime) -> Purged:
    """Delete every row of the workspace's teams, in one transaction; the mark keeps ``purged_at``."""
    out = Purged(mark.enterprise_id, mark.team_id)
    team_ids = _teams_of(session, mark.enterprise_id, mark.team_id)
    out.teams = list(session.scalars(select(Team.name).where(Team.id.in_(team_ids)).order_by(Team.name)))

    def count(name: str, n: int) -> None:
        if n:
            out.rows[name] = out.rows.get(name, 0) + n

    people = set(session.scalars(select(Membership.user_id).where(Membership.team_id.in_(team_ids)))) \
        if team_ids else set()
    if team_ids:
        tables = _team_tables()
        reached = {t.name for t in tables}
        by_name = {t.name: t for t in tables}
        # First what names the doomed rows without a foreign key, while they are still there to be named.
        for model, kind_col, id_col in ((Decision, Decision.item_kind, Decision.item_id),
                                        (AuditEntry, AuditEntry.item_kind, AuditEntry.item_id),
                                        (CardPost, CardPost.item, CardPost.item_id)):
            about = [and_(kind_col == kind, id_col.in_(select(by_name[name].c.id).where(
                         _doomed(by_name[name], team_ids, reached))))
                     for kind, name in ITEM_TABLES.items() if name in by_name]
            if isinstance(model, type) and hasattr(model, "team_id"):
                about.append(model.team_id.in_(team_ids))
            count(model.__tablename__, session.execute(delete(model).where(or_(*about))).rowcount)
        for model in (OutboxNotice, ReminderLog):
            count(model.__tablename__, session.execute(delete(model).where(model.team_id.in_(team_ids))).rowcount)
        for table in reversed(tables):  # children before their parents
            count(table.name, session.execute(delete(table).where(_doomed(table, team_ids, reached))).rowcount)
    for model, n in _people_rows(session, mark, people):
        count(model, n)
    mark.purged_at = now
    return out


def _people_rows(session: Session, mark: WorkspaceUninstall, people: set[str]) -> list[tuple[str, int]]:
    """After the teams: delete the workspace's admins (an org-wide install's are the org's: an
    installer there is an admin of ``enterprise_id``), then the profiles of ``people`` (who were in
    its teams) and of those admins that no team and no admin row still names. Rows deleted, per table."""
    admins_of = mark.team_id or mark.enterprise_id
    gone = 0
    if admins_of:  # never "": the deployment's admins
        people = people | set(session.scalars(select(Admin.user_id).where(Admin.workspace == admins_of)))
        gone = session.execute(delete(Admin).where(Admin.workspace == admins_of)).rowcount
    profiles = 0
    if people:
        profiles = session.execute(delete(SlackUser).where(
            SlackUser.user_id.in_(people),
            ~exists().where(Membership.user_id == SlackUser.user_id),
            ~exists().where(Admin.user_id == SlackUser.user_id),
        ).execution_options(synchronize_session=False)).rowcount
    return [(Admin.__tablename__, gone), (SlackUser.__tablename__, profiles)]
