"""What the recognition notices show."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KudosPost:
    """In the team channel: who recognised whom, and for what. ``what`` is kudos | honour."""

    locale: str
    what: str
    team_name: str
    giver: str  # for an honour: the supervisor who named it
    recipient: str
    reason: str
    month: str = ""


@dataclass(frozen=True)
class KudosDM:
    """To the person recognised, in their own language."""

    locale: str
    what: str  # kudos | honour
    team_name: str
    channel: str
    giver: str
    reason: str
    month: str = ""
