"""What waits on a team's supervisors: the items every workflow adds.

Each workflow registers one source: a function that lists its items of a
team still waiting for a supervisor (undecided since ``older_than`` or
earlier). The pending nudge (``bot/kernel/jobs.py``), its snooze, and Home read
them all through :func:`waiting`, so a new workflow appears in each by
adding one line to :data:`SOURCES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.domain.periods import local_date, local_instant
from bot.kernel.team import team_view
from bot.workflows.activities.rules import retro_first_ask_day, retro_overdue_day
from bot.workflows.leave.away import after_leave
from storage import activities as activity_rows
from storage import content as content_rows
from storage import leave as leave_rows
from storage import topics as topic_rows
from storage.models import Team


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
            for t in topic_rows.pending_topics(s, team_id, older_than)]


def _drafts(s: Session, team_id: int, older_than: datetime) -> list[Waiting]:
    return [Waiting("draft", d.id, title, d.author_id, since)
            for d, title, since in content_rows.pending_drafts(s, team_id, older_than)]


SOURCES: list[PendingSource] = [_topics, _drafts]


def waiting(s: Session, team_id: int, older_than: datetime) -> list[Waiting]:
    """Every item of the team waiting since ``older_than`` or earlier, oldest first."""
    out = [w for source in SOURCES for w in source(s, team_id, older_than)]
    return sorted(out, key=lambda w: (w.since, w.kind, w.id))


# -- activities and leave (docs/PRODUCT.md §2.3, §2.4) ------------------------------

PENDING_LAG = timedelta(hours=24)  # the nudge asks for items waiting since a day ago


def _activities(s: Session, team_id: int, older_than: datetime) -> list[Waiting]:
    return [Waiting("activity", a.id, a.theme, a.owner_id, a.submitted_at)
            for a in activity_rows.pending_activities(s, team_id, older_than)]


def _leaves(s: Session, team_id: int, older_than: datetime) -> list[Waiting]:
    return [Waiting("leave", lv.id, f"{lv.start_date.isoformat()} – {lv.end_date.isoformat()}", lv.user_id,
                    lv.created_at)
            for lv in leave_rows.pending_leaves(s, team_id, older_than)]


def _overdue_retros(s: Session, team_id: int, older_than: datetime) -> list[Waiting]:
    """Retrospectives still missing RETRO_OVERDUE_WORKDAYS working days after
    the first ask (moved past the owner's leave), shown from the daily hour of
    that day on; waiting since the first ask."""
    team = team_view(s.get_one(Team, team_id))
    out = []
    for a in activity_rows.retros_missing(s, team_id, older_than + PENDING_LAG):
        end_day = local_date(a.ends_at, team.tz)
        overdue = after_leave(s, team_id, a.owner_id, retro_overdue_day(end_day, team.calendar), team.calendar)
        if local_instant(overdue, team.daily().at, team.tz) - PENDING_LAG <= older_than:
            asked = local_instant(retro_first_ask_day(end_day, team.calendar), team.daily().at, team.tz)
            out.append(Waiting("retro", a.id, a.theme, a.owner_id, asked))
    return out


SOURCES.extend([_activities, _leaves, _overdue_retros])
