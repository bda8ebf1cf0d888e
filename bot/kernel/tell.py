"""A short DM telling a person why their click did nothing, where Slack gives
no other way to answer (a button on App Home has no response_url)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel import notices
from bot.kernel.clock import Clock
from storage.db import transaction

ANSWER = "click_answer"


def tell(*, db: sessionmaker[Session], clock: Clock, user_id: str, text: str) -> None:
    with transaction(db) as s:
        notices.enqueue_dm(s, user=user_id, type=ANSWER, team_id=None, now=clock.now(), text=text[:2900])


def answer(*, db: sessionmaker[Session], clock: Clock, user_id: str, url: str | None, text: str, locale: str) -> None:
    """Reply to a request decided after its ack (``bot/kernel/inbox.py``): through
    its response_url where Slack gave one, else by DM."""
    if not url:
        tell(db=db, clock=clock, user_id=user_id, text=text)
        return
    with transaction(db) as s:
        notices.enqueue_response(s, url=url, type="answer", now=clock.now(), locale=locale, text=text[:2900])
