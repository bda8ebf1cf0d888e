"""Refusals: who may decide on an item, and the audit row every refusal leaves.

A use case that refuses a person (someone else's item, a role they lack, a
supervisor deciding their own item) raises a domain error marked with
:meth:`~bot.kernel.errors.OpsbotError.refused`; nothing it did is stored. The
place that tells the person why (``handlers/errors.py``, for a click answered
at once and for one decided after its ack by ``bot/kernel/inbox.py``) calls
:func:`audit` here: one audit row per refusal, written in one place, whoever
raised it. The row says who, which action, which item, when and why; never the
item's content.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel.clock import Clock
from bot.kernel.errors import NotAuthorized
from storage import queries
from storage.db import transaction

NOT_A_SUPERVISOR = "not a supervisor of the team"
OWN_ITEM = "own item"


def decider_refusal(*, supervises: bool, own: bool, own_msgid: str, action: str, item_kind: str, item_id: int,
                    team_id: int) -> NotAuthorized | None:
    """The rule for every decision on a team's item (a topic, a draft, an
    activity, a leave): a supervisor of its team decides, never on their own
    item: another supervisor does (docs/PRODUCT.md §1). ``own_msgid`` says so in
    the item's words. None when the person may decide."""
    if not supervises:
        error, reason = NotAuthorized(), NOT_A_SUPERVISOR
    elif own:
        error, reason = NotAuthorized(own_msgid), OWN_ITEM
    else:
        return None
    return error.refused(action, reason, item_kind=item_kind, item_id=item_id, team_id=team_id)


def audit(*, db: sessionmaker[Session], clock: Clock, user_id: str | None, error: Exception) -> None:
    """Write the audit row of a refused request, in its own transaction: the
    use case that refused stored nothing. Errors that are not refusals (bad
    input, someone decided first) leave no row here."""
    refusal = getattr(error, "refusal", None)
    if refusal is None or not user_id:
        return
    with transaction(db) as s:
        queries.add_audit(s, at=clock.now(), actor_id=user_id, action=refusal.action, outcome="denied",
                          team_id=refusal.team_id, item_kind=refusal.item_kind, item_id=refusal.item_id,
                          before=None, after=None, detail=refusal.reason)

