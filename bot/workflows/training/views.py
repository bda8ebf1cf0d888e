"""What the training card, modals and DM show, as plain data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AnnounceForm:
    """The announce modal as it opens: the supervisor's team."""

    locale: str
    team_id: int
    team_name: str


@dataclass(frozen=True)
class TrainingCard:
    """The session's card in the team channel: counts, and who recorded attendance."""

    locale: str
    session_id: int
    team_name: str
    topic: str
    starts_at: int  # epoch seconds: each reader sees it in their own zone
    place: str
    description: str | None
    announced_by: str
    joining: int
    not_joining: int
    attended: int | None  # None until attendance is recorded


@dataclass(frozen=True)
class AttendanceForm:
    locale: str
    session_id: int
    topic: str
    starts_at: int
    prefilled: list[str]


@dataclass(frozen=True)
class TrainingReminderDM:
    """The day's reminder to someone who joined."""

    locale: str
    session_id: int
    team_name: str
    topic: str
    starts_at: int
    place: str


@dataclass(frozen=True)
class AttendedSession:
    """A session a member attended: ability evidence in their self-review."""

    topic: str
    starts_at: int


@dataclass(frozen=True)
class GoalsForm:
    """The career development plan modal: the member's own goals of the year,
    or (read only) a member's goals for a supervisor of their team."""

    locale: str
    team_id: int
    team_name: str
    year: int
    member: str
    goals: list[str]
    read_only: bool
