"""The figures reviews and reports read (docs/PRODUCT.md §2.5), for a month of
known content data, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.periods import month_bounds
from bot.kernel.clock import ManualClock
from bot.kernel.teams import apply_teams
from bot.kernel.teams_file import parse_teams
from bot.workflows.content import publishing
from bot.workflows.content import service as svc
from bot.workflows.reviews.figures import MemberFigures, member_figures
from bot.workflows.topics import service as topic_svc
from bot.workflows.topics.rules import TopicDraft
from storage import migrate
from storage.db import make_engine, make_session_factory, transaction
from tests.conftest import ALICE, BOB, LEAD, SHANGHAI, TEAMS

CHECKED = ["accuracy", "professionalism", "interest", "brand_fit"]
# Tuesday 1 December 2026, 09:00 in Shanghai.
DEC_1 = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def db(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    apply_teams(db=factory, clock=ManualClock(DEC_1), config=parse_teams(TEAMS))
    try:
        yield factory
    finally:
        engine.dispose()


class Month:
    """Drives the services through a month, moving the clock."""

    def __init__(self, db: sessionmaker[Session]) -> None:
        self.db, self.clock = db, ManualClock(DEC_1)
        self.views = 0

    def at(self, when: datetime) -> Month:
        self.clock.set(when)
        return self

    def kw(self) -> dict:
        return {"db": self.db, "clock": self.clock}

    def view(self) -> str:
        self.views += 1
        return f"V{self.views}"

    def topic(self, user: str, title: str, approve: bool = True) -> int:
        t = topic_svc.propose_topic(**self.kw(), user_id=user, draft=TopicDraft(title=title), channel_id="C0GROWTH")
        if approve:
            topic_svc.decide_topic(**self.kw(), user_id=LEAD, topic_id=t.topic_id, approve=True)
        return t.topic_id

    def draft(self, user: str, topic_id: int) -> int:
        return svc.submit_draft(**self.kw(), user_id=user, view_id=self.view(), topic_id=topic_id,
                                link="https://docs.example.com/x", checklist=CHECKED).draft_id

    def changes(self, draft_id: int, number: int) -> None:
        svc.decide_draft(**self.kw(), user_id=LEAD, draft_id=draft_id, number=number, approve=False, comment="More.")

    def resubmit(self, user: str, draft_id: int) -> None:
        svc.submit_draft(**self.kw(), user_id=user, view_id=self.view(), draft_id=draft_id,
                         link="https://docs.example.com/y", checklist=CHECKED)

    def approve(self, draft_id: int, number: int) -> None:
        svc.decide_draft(**self.kw(), user_id=LEAD, draft_id=draft_id, number=number, approve=True)

    def publish(self, user: str, draft_id: int) -> int:
        return publishing.publish(**self.kw(), user_id=user, draft_id=draft_id, platform="WeChat",
                           url=f"https://mp.example.com/{draft_id}", published_at=None)

    def metrics(self, user: str, pub: int, reads: int, likes: int, comments: int, shares: int) -> None:
        publishing.update_metrics(**self.kw(), user_id=user, publication_id=pub, view_id=self.view(),
                           raw={"reads": str(reads), "likes": str(likes), "comments": str(comments),
                                "shares": str(shares)})


def test_the_months_figures_per_member_from_known_data(db):
    m = Month(db)
    h = timedelta(hours=1)
    # Late November: a draft submitted and approved before the month does not count in December.
    m.at(DEC_1 - timedelta(days=6))
    old = m.draft(ALICE, m.topic(ALICE, "November piece"))
    m.at(DEC_1 - timedelta(days=5)).approve(old, 1)
    old_pub = m.at(DEC_1 - timedelta(days=4)).publish(ALICE, old)
    m.at(DEC_1 + 2 * h).metrics(ALICE, old_pub, 999, 9, 9, 9)  # figures of a November publication

    # Alice, December: draft A takes three rounds (2 h, 4 h, 6 h in review), draft B one round (3 h).
    a = m.at(DEC_1).draft(ALICE, m.topic(ALICE, "Piece A"))
    m.at(DEC_1 + 2 * h).changes(a, 1)
    m.at(DEC_1 + 3 * h).resubmit(ALICE, a)
    m.at(DEC_1 + 7 * h).changes(a, 2)
    m.at(DEC_1 + 8 * h).resubmit(ALICE, a)
    m.at(DEC_1 + 14 * h).approve(a, 3)
    b = m.at(DEC_1 + 24 * h).draft(ALICE, m.topic(ALICE, "Piece B"))
    m.at(DEC_1 + 27 * h).approve(b, 1)
    pa = m.at(DEC_1 + 48 * h).publish(ALICE, a)
    pb = m.publish(ALICE, b)
    m.at(DEC_1 + 72 * h).metrics(ALICE, pa, 100, 10, 1, 0)
    m.at(DEC_1 + 96 * h).metrics(ALICE, pa, 300, 20, 5, 2)  # the latest reading counts
    m.metrics(LEAD, pb, 50, 5, 0, 1)  # a supervisor may record figures too; they are Alice's
    m.topic(ALICE, "Rejected idea", approve=False)

    # Bob: one draft still in review at the end of the month.
    m.at(DEC_1 + 100 * h).draft(BOB, m.topic(BOB, "Bob's piece"))
    # January: nothing of it counts in December.
    january = m.at(datetime(2027, 1, 4, 10, 0, tzinfo=SHANGHAI)).draft(ALICE, m.topic(ALICE, "January piece"))
    m.approve(january, 1)

    start, end = month_bounds(DEC_1, SHANGHAI)
    with transaction(db) as s:
        figures = member_figures(s, 1, [ALICE, BOB, LEAD], start, end)

    assert figures[ALICE] == MemberFigures(
        topics_proposed=3, topics_approved=2, drafts_submitted=2, drafts_approved=2, rounds_per_draft=2.0,
        review_hours=3.75,  # (2 + 4 + 6 + 3) / 4
        publications=2, reads=350, likes=25, comments=5, shares=3,
    )
    assert figures[BOB] == MemberFigures(topics_proposed=1, topics_approved=1, drafts_submitted=1)
    assert figures[LEAD] == MemberFigures()
