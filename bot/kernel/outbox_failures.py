"""notices given up for good: failed after a bounded number of attempts, logged once, the team's supervisors told once.

An error that will repeat (a bug in a loader or a renderer, a chart that
cannot be drawn, Slack refusing a payload) is not retried for ever: after
:data:`MAX_FAILED_ATTEMPTS` such attempts, or at once when Slack refuses for
good, the notice is marked ``failed``. Only Slack's 5xx, 429 and network
errors are retried without bound (``bot/kernel/outbox.py``), as they pass.
``opsbot outbox --failed`` lists failed notices and ``opsbot outbox retry ID``
puts one back in line.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from bot.kernel import notices
from storage import outbox as outbox_rows
from storage import queries
from storage.models import OutboxNotice

log = logging.getLogger(__name__)

# Three tries, 2 s and 4 s apart (the outbox's backoff): enough for a fluke
# to pass, few enough that a notice that cannot be made is given up on
# within seconds, logged once, and its team told.
MAX_FAILED_ATTEMPTS = 3
ERROR_CHARS = 300


def describe(error: Exception | str) -> str:
    """An error as one short line for ``outbox.last_error`` and the log."""
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return " ".join(text.split())[:ERROR_CHARS]


def count_attempt(s: Session, notice_id: int) -> bool:
    """Count one more attempt that ended in an error that will repeat;
    whether the notice has had its last try."""
    return outbox_rows.count_failed_attempt(s, notice_id) >= MAX_FAILED_ATTEMPTS


def give_up(s: Session, notice_id: int, now: datetime, error: str, exc: BaseException | None = None) -> bool:
    """Mark the notice failed, log it once and tell its team's supervisors,
    once each (keyed DMs), in the caller's transaction. False if another
    worker already gave it up or delivered it: it is neither logged nor told
    again."""
    if not outbox_rows.mark_failed(s, notice_id, now, error):
        return False
    notice = s.get_one(OutboxNotice, notice_id, populate_existing=True)
    what = notice.payload.get("type") or notice.payload.get("item") or ""
    log.error("notice %s (%s %s) failed after %s attempt(s), not retried until `opsbot outbox retry %s`: %s",
              notice.id, notice.kind, what, notice.attempts, notice.id, error, exc_info=exc)
    if notice.team_id is not None and notice.payload.get("type") != notices.NOTICE_FAILED:
        # The DM about a failure never causes another one if it fails in turn.
        params = {"notice": notice.id, "kind": notice.kind, "what": what, "item_id": _item_id(notice)}
        supervisors = queries.team_user_ids(s, notice.team_id, "supervisor")
        notices.enqueue_dms(s, [(sup, f"{notices.NOTICE_FAILED}:{notice.id}:{sup}", params) for sup in supervisors],
                            type=notices.NOTICE_FAILED, team_id=notice.team_id, now=now)
    return True


def _item_id(notice: OutboxNotice) -> int | None:
    item_id = notice.payload.get("id") if notice.kind == notices.CARD else None
    return item_id if isinstance(item_id, int) else None
