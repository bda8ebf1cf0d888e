"""What a report shows."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.kernel.views import Person


@dataclass(frozen=True)
class ReportRow:
    person: Person
    proposed: int  # topics proposed in the period's weeks
    quota: int  # the quota owed over those weeks (prorated for leave)
    approved: int
    drafts_approved: int
    publications: int
    reads: int
    likes: int
    comments: int
    shares: int
    activities: int


@dataclass(frozen=True)
class ReportView:
    """A team's week or month: a chart and its summary, in one message."""

    locale: str
    team_name: str
    period: str
    kind: str  # week | month
    rows: list[ReportRow]
    mention: bool
    kudos: int = 0  # kudos given in the period (bot/workflows/kudos)
    training: tuple[int, int] = (0, 0)  # sessions held in the period, attendances recorded at them
    # The most recognised, with their counts: monthly reports of teams that turned the leaderboard on.
    top_kudos: list[tuple[Person, int]] = field(default_factory=list)
