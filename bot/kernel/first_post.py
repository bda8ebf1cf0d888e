"""The first post of a card: claimed by one outbox worker before ``chat.postMessage``.

Several workers (threads, replicas) may each hold a notice of the same card
while it has no message yet: two clicks that coalesced into two rows, or a
lease that ran out while Slack was slow. Each one would post, and the channel
would show the card twice. So before the call a worker claims the card's first
post in a row of its own (``card_posts``, one per item), committed in its own
transaction. The worker that loses does not post: its notice waits a moment and
is delivered as ``chat.update`` once the winner has recorded the message's
``ts``.

When the post does not happen — Slack refused it, for now or for good — the
claim is given back at once, so the retry can post. When the worker dies
between its claim and recording the ``ts``, the claim runs out after
:data:`CLAIM_LEASE` and another worker posts: a card that late is the price of
never posting twice in the normal race. (Had the worker died *after* Slack took
the post but before the ``ts`` was stored, that second post would be a
duplicate: no worker can know, since Slack keeps no idempotency key; it needs a
crash at that exact instant.) The lease is far longer than one Web API call
(10 s timeout, one retry), and the claim is taken after the pacer's wait, so a
live worker never outlasts its claim.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel import notices
from storage import queries
from storage.db import transaction
from storage.models import OutboxNotice

CLAIM_LEASE = timedelta(minutes=5)


class PostedElsewhere(notices.NotYet):
    """Another worker holds the card's first post: update once its ts is recorded."""


def _item(s: Session, notice_id: int) -> tuple[str, int]:
    payload = s.get_one(OutboxNotice, notice_id).payload
    return payload.get("item", "topic"), payload["id"]


def claim(db: sessionmaker[Session], loaders: notices.NoticeLoaders, notice_id: int, now: datetime) -> bool:
    """Claim the first post of notice ``notice_id``'s card, committed before
    the caller posts. False when another worker holds it, or has posted
    already (the item has its message): then the caller must not post."""
    with transaction(db) as s:
        item, item_id = _item(s, notice_id)
        model = loaders.card_models.get(item)
        row = s.get(model, item_id) if model is not None else None
        if row is not None and row.card_ts is not None:
            return False  # posted since this notice was loaded
        return queries.claim_card_post(s, item=item, item_id=item_id, notice_id=notice_id, now=now,
                                       until=now + CLAIM_LEASE)


def release(db: sessionmaker[Session], notice_id: int) -> None:
    """The post did not happen: let the next attempt (any worker's) claim it."""
    with transaction(db) as s:
        item, item_id = _item(s, notice_id)
        queries.release_card_post(s, item=item, item_id=item_id, notice_id=notice_id)
