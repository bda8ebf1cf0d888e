"""What the content notices show."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.views import Person


@dataclass(frozen=True)
class MetricsLine:
    reads: int
    likes: int
    comments: int
    shares: int
    at: int  # epoch seconds of the reading


@dataclass(frozen=True)
class DraftCardView:
    locale: str
    draft_id: int
    team_name: str
    topic_id: int
    title: str
    author: Person
    round: int
    link: str
    status: str  # in_review | changes_requested | approved
    submitted_at: int
    decided_by: Person | None
    decided_at: int | None
    comment: str | None
    mention: bool = False
    published_platform: str | None = None
    published_url: str | None = None
    published_at: int | None = None


@dataclass(frozen=True)
class DraftThreadPost:
    """One line of a draft's history, posted in its card's thread."""

    locale: str
    thread_ts: str
    draft_id: int
    round: int
    event: str  # submitted | changes_requested | approved
    actor: Person
    link: str
    comment: str | None
    at: int
    mention: bool = False


@dataclass(frozen=True)
class DraftDecidedDM:
    locale: str
    draft_id: int
    title: str
    round: int
    status: str
    decided_by: str
    comment: str | None
    team_name: str


@dataclass(frozen=True)
class PublishedDM:
    locale: str
    publication_id: int
    title: str
    platform: str
    url: str
    published_at: int
    team_name: str


@dataclass(frozen=True)
class MetricsAskDM:
    locale: str
    publication_id: int
    title: str
    platform: str
    url: str
    published_at: int
    days: int
    latest: MetricsLine | None
    job: str
    period: str
    team_id: int
    snoozed: bool = False
