"""Who is an opsbot admin (docs/PRODUCT.md §1): may set teams up in Slack.

Four doors, any of which makes an admin:

- named by the operator and stored in ``admins``: the teams file's
  ``admins`` (source ``file``, kept in step with the file at every start),
  ``OPSBOT_ADMINS`` (source ``env``, in step with the environment at every
  start) and ``opsbot admins add U…`` (source ``cli``, until removed);
- whoever installed the app with "Add to Slack" (source ``install``, until
  ``opsbot admins remove``). Not yet per workspace: an admin is an admin of
  the whole deployment until rows are scoped by workspace (issue 19);
- a workspace owner or admin, as Slack's ``users.info`` reports it
  (``is_owner`` / ``is_admin``), cached on the person's profile.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage import queries
from storage.models import Admin, SlackUser

FILE, ENV, CLI, INSTALL = "file", "env", "cli", "install"
# Sources `opsbot admins remove` may undo: those nothing else keeps in step.
REMOVABLE = (CLI, INSTALL)
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


def is_named(s: Session, user_id: str) -> bool:
    """Named by the operator (file, environment or CLI): Slack's word is not needed."""
    return s.get(Admin, user_id) is not None


def is_admin(s: Session, user_id: str) -> bool:
    if is_named(s, user_id):
        return True
    return bool(s.scalar(select(SlackUser.workspace_admin).where(SlackUser.user_id == user_id)))


def any_admin(s: Session) -> bool:
    """Whether anyone at all can set teams up: a named admin or a workspace admin we know of."""
    return (s.scalar(select(Admin.user_id).limit(1)) is not None
            or s.scalar(select(SlackUser.user_id).where(SlackUser.workspace_admin).limit(1)) is not None)


def sync(s: Session, source: str, user_ids: Iterable[str], now: datetime) -> tuple[list[str], list[str]]:
    """Make the admins of ``source`` exactly ``user_ids``; an admin named by
    another source keeps theirs. Returns (added, removed)."""
    wanted = list(dict.fromkeys(user_ids))
    have = {a.user_id: a for a in s.scalars(select(Admin))}
    added = [u for u in wanted if u not in have]
    for u in added:
        s.add(Admin(user_id=u, source=source, added_at=now))
    removed = [u for u, a in have.items() if a.source == source and u not in wanted]
    if removed:
        s.execute(delete(Admin).where(Admin.user_id.in_(removed)))
    return added, removed


def add(s: Session, user_id: str, now: datetime, source: str = CLI) -> bool:
    """True when ``user_id`` was not an admin by name before."""
    if s.get(Admin, user_id) is not None:
        return False
    s.add(Admin(user_id=user_id, source=source, added_at=now))
    return True


def installed_by(s: Session, user_id: str, now: datetime) -> bool:
    """Whoever installed the app becomes an admin (source ``install``), on the audit trail;
    one named by another source keeps theirs. True when they were not an admin by name."""
    if not add(s, user_id, now, INSTALL):
        return False
    queries.add_audit(s, at=now, actor_id=user_id, action="admin.add", outcome="ok", team_id=None,
                      item_kind="admin", item_id=None, before=None, after={"user": user_id, "source": INSTALL},
                      detail=None)
    return True


def remove(s: Session, user_id: str) -> str | None:
    """Remove a named admin; returns the source they were named by, or None."""
    admin = s.get(Admin, user_id)
    if admin is None:
        return None
    s.delete(admin)
    return admin.source


def named(s: Session) -> list[Admin]:
    return list(s.scalars(select(Admin).order_by(Admin.user_id)))
