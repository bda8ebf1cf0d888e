"""A short DM telling a person why their click did nothing, where Slack gives
no other way to answer (a button on App Home has no response_url)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot import notices
from bot.clock import Clock
from storage.db import transaction

ANSWER = "click_answer"


def tell(*, db: sessionmaker[Session], clock: Clock, user_id: str, text: str) -> None:
    with transaction(db) as s:
        notices.enqueue_dm(s, user=user_id, type=ANSWER, team_id=None, now=clock.now(), text=text[:2900])
