"""Installed workspaces going and coming back (issue 19, OAuth mode): an uninstall stops a
workspace's jobs and deliveries at once, its data is kept ``OPSBOT_WORKSPACE_RETENTION_DAYS`` and
then purged (by the daily retention run or ``opsbot workspace purge``), and a reinstall serves its
teams again (``storage/workspaces.py`` holds the rows and the order they go in).

Events arrive out of order: an ``app_uninstalled`` or ``tokens_revoked`` whose ``event_time`` is
before the workspace's current installation was saved is about an older installation, and is
ignored (logged), so a fresh install is never deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel.clock import Clock
from storage import workspaces as rows
from storage.db import transaction
from storage.models import WorkspaceUninstall

log = logging.getLogger(__name__)

APP_UNINSTALLED, TOKENS_REVOKED = rows.APP_UNINSTALLED, rows.TOKENS_REVOKED


@dataclass(frozen=True)
class Revocation:
    """What Slack said, as the listener parsed it."""

    reason: str  # app_uninstalled | tokens_revoked
    enterprise_id: str | None
    team_id: str | None  # None for an org-wide install
    event_time: int  # Slack's, in epoch seconds


def uninstalled(*, db: sessionmaker[Session], clock: Clock, client_id: str, event: Revocation) -> bool:
    """Record the uninstall and stop the workspace; False when the event is older than its
    installation (ignored)."""
    at = datetime.fromtimestamp(event.event_time, UTC)
    with transaction(db) as s:
        done = rows.record_uninstall(s, client_id=client_id, enterprise_id=event.enterprise_id,
                                     team_id=event.team_id, event_at=at, now=clock.now(), reason=event.reason)
    if done is None:
        log.warning("ignored %s of team %s (enterprise %s) from %s: the workspace was installed again after it",
                    event.reason, event.team_id, event.enterprise_id, at.isoformat())
        return False
    log.info("%s: team %s (enterprise %s) uninstalled; %s installation(s) and %s bot row(s) deleted, %s team(s) "
             "stopped, %s pending notice(s) failed", event.reason, event.team_id, event.enterprise_id,
             done.installations, done.bots, done.teams, done.notices_failed)
    return True


def reinstalled(*, db: sessionmaker[Session], enterprise_id: str | None, team_id: str | None) -> None:
    """A new install of a workspace clears its uninstall: its teams, if not purged, work again."""
    with transaction(db) as s:
        if rows.clear_uninstall(s, enterprise_id=enterprise_id, team_id=team_id):
            log.info("team %s (enterprise %s) installed again: its teams are served again", team_id, enterprise_id)


class NotUninstalled(LookupError):
    """``opsbot workspace purge --team-id T``: T is not an uninstalled workspace."""


def purge(*, db: sessionmaker[Session], clock: Clock, days: int, team_ids: Sequence[str] = (),
          at_once: bool = False, now: datetime | None = None) -> list[rows.Purged]:
    """Purge the workspaces uninstalled more than ``days`` ago (all of them, or those of
    ``team_ids``: Slack team ids, or enterprise ids for org-wide installs); ``at_once``: the named
    ones whatever their age. One transaction per workspace."""
    now = now or clock.now()
    before = now - timedelta(days=days)
    with transaction(db) as s:
        every = [(m.enterprise_id, m.team_id, m.uninstalled_at, m.purged_at) for m in rows.marks(s, purged=True)]
    if team_ids:
        wanted = set(team_ids)
        unknown = wanted - {t for _e, t, _at, _p in every} - {e for e, t, _at, _p in every if not t}
        if unknown:
            raise NotUninstalled(", ".join(sorted(unknown)))
        every = [m for m in every if m[1] in wanted or (not m[1] and m[0] in wanted)]
    pending = [(e, t, at) for e, t, at, purged_at in every if purged_at is None]
    out = []
    for enterprise_id, team_id, at in pending:
        if at > before and not at_once:
            continue
        with transaction(db) as s:
            mark = s.get(WorkspaceUninstall, (enterprise_id, team_id))
            if mark is None or mark.purged_at is not None:  # reinstalled, or purged by another replica meanwhile
                continue
            done = rows.purge(s, mark, now)
        log.info("purged workspace %s (enterprise %s), uninstalled %s: %s row(s) of team(s) %s", team_id or "-",
                 enterprise_id or "-", at.isoformat(), done.total, ", ".join(done.teams) or "-")
        out.append(done)
    return out
