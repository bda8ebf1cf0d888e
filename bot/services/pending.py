"""What waits on a team's supervisors: the items every workflow adds.

Each workflow registers one source: a function that lists its items of a
team still waiting for a supervisor (undecided since ``older_than`` or
earlier). The pending nudge (``bot/jobs.py``), its snooze, and Home read
them all through :func:`waiting`, so a new workflow appears in each by
adding one line to :data:`SOURCES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from storage import queries, queries_content


@dataclass(frozen=True)
class Waiting:
    kind: str  # topic | draft | activity | leave | retro …: a word render.py can name
    id: int
    title: str
    author_id: str
    since: datetime  # when it started waiting (aware UTC)

    @property
    def ref(self) -> list[str | int]:
        return [self.kind, self.id]


PendingSource = Callable[[Session, int, datetime], list[Waiting]]


def _topics(s: Session, team_id: int, older_than: datetime) -> list[Waiting]:
    return [Waiting("topic", t.id, t.title, t.author_id, t.created_at)
            for t in queries.pending_topics(s, team_id, older_than)]


def _drafts(s: Session, team_id: int, older_than: datetime) -> list[Waiting]:
    return [Waiting("draft", d.id, title, d.author_id, since)
            for d, title, since in queries_content.pending_drafts(s, team_id, older_than)]


SOURCES: list[PendingSource] = [_topics, _drafts]


def waiting(s: Session, team_id: int, older_than: datetime) -> list[Waiting]:
    """Every item of the team waiting since ``older_than`` or earlier, oldest first."""
    out = [w for source in SOURCES for w in source(s, team_id, older_than)]
    return sorted(out, key=lambda w: (w.since, w.kind, w.id))
