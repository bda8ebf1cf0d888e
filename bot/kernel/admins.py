"""Who is an opsbot admin (docs/PRODUCT.md §1): may set teams up in Slack.

Four doors, any of which makes an admin:

- named by the operator and stored in ``admins``: the teams file's
  ``admins`` (source ``file``, kept in step with the file at every start),
  ``OPSBOT_ADMINS`` (source ``env``, in step with the environment at every
  start) and ``opsbot admins add U…`` (source ``cli``, until removed). These
  are admins of the whole deployment (``workspace`` "");
- whoever installed the app with "Add to Slack" (source ``install``, until
  ``opsbot admins remove``): an admin of the workspace they installed in (its
  team id; the org's id for an Enterprise Grid org-wide install), not of the
  others the deployment serves (issue 19);
- a workspace owner or admin, as Slack's ``users.info`` reports it
  (``is_owner`` / ``is_admin``): in the single-workspace mode cached on the
  person's profile; in OAuth mode a row of source ``slack`` for the workspace
  whose token asked, so an admin of one workspace is not one of another.

``workspace`` below is the request's (or the Home's) workspace: "" in the
single-workspace mode, where every admin counts (there is one workspace), and
a Slack team id in OAuth mode, where only the deployment's admins, that
workspace's (and its org's) count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select, true
from sqlalchemy.orm import Session

from storage import queries
from storage.models import Admin, SlackUser

FILE, ENV, CLI, INSTALL, SLACK = "file", "env", "cli", "install", "slack"
# Sources `opsbot admins remove` may undo: those nothing else keeps in step.
REMOVABLE = (CLI, INSTALL)
EVERYWHERE = ""  # the workspace of an admin of the whole deployment
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")


def parse_ids(text: str | None) -> list[str]:
    """``OPSBOT_ADMINS``: user ids separated by commas (or spaces). A word
    that is not a user id is refused, naming it."""
    out = []
    for word in re.split(r"[,\s]+", text or ""):
        if not word:
            continue
        if not USER_ID.match(word):
            raise ValueError(f"{word!r} is not a Slack user ID (like U0123ABCD)")
        out.append(word)
    return list(dict.fromkeys(out))


def _where(workspace: str, enterprise_id: str | None):
    """The rows that count in ``workspace``: the deployment's, the workspace's and its org's.
    The single-workspace mode (``workspace`` ""): every row."""
    if not workspace:
        return true()
    return Admin.workspace.in_([EVERYWHERE, workspace, *([enterprise_id] if enterprise_id else [])])


def is_named(s: Session, user_id: str, workspace: str = "", enterprise_id: str | None = None) -> bool:
    """Named by the operator or an installer (not Slack's word, which is asked each time)."""
    return s.scalar(select(Admin.user_id).where(Admin.user_id == user_id, Admin.source != SLACK,
                                                _where(workspace, enterprise_id)).limit(1)) is not None


def is_admin(s: Session, user_id: str, workspace: str = "", enterprise_id: str | None = None) -> bool:
    if s.scalar(select(Admin.user_id).where(Admin.user_id == user_id, _where(workspace, enterprise_id))
                .limit(1)) is not None:
        return True
    if workspace:  # OAuth mode: the cached profile does not say which workspace's admin they are
        return False
    return bool(s.scalar(select(SlackUser.workspace_admin).where(SlackUser.user_id == user_id)))


def any_admin(s: Session, workspace: str = "", enterprise_id: str | None = None) -> bool:
    """Whether anyone at all can set teams up there: an admin named or installed, or a workspace
    admin we know of."""
    if s.scalar(select(Admin.user_id).where(_where(workspace, enterprise_id)).limit(1)) is not None:
        return True
    return not workspace and s.scalar(select(SlackUser.user_id).where(SlackUser.workspace_admin).limit(1)) is not None


def slack_says(s: Session, user_id: str, workspace: str, is_workspace_admin: bool, now: datetime) -> None:
    """OAuth mode: what ``users.info``, asked with ``workspace``'s token, said of ``user_id``:
    a workspace owner or admin there becomes an admin of that workspace (source ``slack``),
    one no longer so stops being one at once. Another source's row is left alone."""
    if not workspace:
        return
    row = s.get(Admin, (user_id, workspace))
    if is_workspace_admin and row is None:
        s.add(Admin(user_id=user_id, workspace=workspace, source=SLACK, added_at=now))
    elif not is_workspace_admin and row is not None and row.source == SLACK:
        s.delete(row)


def sync(s: Session, source: str, user_ids: Iterable[str], now: datetime) -> tuple[list[str], list[str]]:
    """Make the deployment-wide admins of ``source`` exactly ``user_ids``; an admin named by
    another source keeps theirs. Returns (added, removed)."""
    wanted = list(dict.fromkeys(user_ids))
    have = {a.user_id: a for a in s.scalars(select(Admin).where(Admin.workspace == EVERYWHERE))}
    added = [u for u in wanted if u not in have]
    for u in added:
        s.add(Admin(user_id=u, workspace=EVERYWHERE, source=source, added_at=now))
    removed = [u for u, a in have.items() if a.source == source and u not in wanted]
    if removed:
        s.execute(delete(Admin).where(Admin.user_id.in_(removed), Admin.workspace == EVERYWHERE))
    return added, removed


def add(s: Session, user_id: str, now: datetime, source: str = CLI, workspace: str = EVERYWHERE) -> bool:
    """True when ``user_id`` was not an admin of ``workspace`` by name before. A Slack row
    there becomes this source's (the operator's word outlasts Slack's)."""
    row = s.get(Admin, (user_id, workspace))
    if row is not None and row.source != SLACK:
        return False
    if row is not None:
        row.source, row.added_at = source, now
    else:
        s.add(Admin(user_id=user_id, workspace=workspace, source=source, added_at=now))
    return True


def installed_by(s: Session, user_id: str, now: datetime, workspace: str = EVERYWHERE) -> bool:
    """Whoever installed the app becomes an admin of ``workspace`` (source ``install``), on the
    audit trail; one named there by another source keeps theirs. True when they were not an
    admin there by name."""
    if not add(s, user_id, now, INSTALL, workspace):
        return False
    queries.add_audit(s, at=now, actor_id=user_id, action="admin.add", outcome="ok", team_id=None,
                      item_kind="admin", item_id=None, before=None,
                      after={"user": user_id, "source": INSTALL, "workspace": workspace}, detail=None)
    return True


def rows_of(s: Session, user_id: str) -> list[Admin]:
    """Every admin row of a person, the deployment-wide one first."""
    return list(s.scalars(select(Admin).where(Admin.user_id == user_id).order_by(Admin.workspace)))


def remove(s: Session, user_id: str, workspace: str | None = None) -> list[Admin]:
    """Remove what ``opsbot admins remove`` may undo (``REMOVABLE``) of a person, in
    ``workspace`` or (None) everywhere; returns the rows removed."""
    gone = [a for a in rows_of(s, user_id) if a.source in REMOVABLE
            and (workspace is None or a.workspace == workspace)]
    for a in gone:
        s.delete(a)
    return gone


def named(s: Session) -> list[Admin]:
    return list(s.scalars(select(Admin).order_by(Admin.user_id, Admin.workspace)))


