"""What the pending nudge shows."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.views import Person


@dataclass(frozen=True)
class PendingItem:
    topic_id: int  # the item's id, whatever its kind
    title: str
    author: Person
    waiting_hours: int
    kind: str = "topic"


@dataclass(frozen=True)
class PendingNudgeDM:
    locale: str
    team_name: str
    channel: str
    items: list[PendingItem]
    job: str
    period: str
    team_id: int
