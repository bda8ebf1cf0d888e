"""What the onboarding notices, modal and Home lines show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ChecklistForm:
    """The checklist modal as it opens."""

    locale: str
    team_id: int
    team_name: str
    text: str
    file_managed: bool


@dataclass(frozen=True)
class OnboardingItemDM:
    """One item, DMed on its day, with Done."""

    locale: str
    item_id: int
    team_name: str
    day: int
    text: str
    due: date
    done: bool


@dataclass(frozen=True)
class OpenItem:
    """An item of the viewer's own onboarding whose day has come, not done yet."""

    item_id: int
    day: int
    text: str
    due: date
    overdue: bool


@dataclass(frozen=True)
class MemberProgress:
    """A new member's onboarding, for the team's supervisors."""

    user_id: str
    done: int
    total: int
    overdue: int
