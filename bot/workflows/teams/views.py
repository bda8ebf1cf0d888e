"""What the teams workflow shows: the welcome card in a new team's channel,
the intro DM to each person added, and the Teams section of an admin's Home."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.kernel.views import Person


@dataclass(frozen=True)
class Weekly:
    """A weekly job's day (0 = Monday) and wall-clock time."""

    weekday: int
    at: str  # HH:MM


@dataclass(frozen=True)
class TeamWelcome:
    """Posted in the team's channel: what the bot will do there."""

    locale: str
    team_name: str
    supervisors: list[Person]
    members: int
    quota: int
    zone: str
    weekly_plan: Weekly
    quota_reminder: Weekly
    quota_summary: Weekly


@dataclass(frozen=True)
class TeamIntroDM:
    """To each person added to a team, in their language: what will be asked
    of them and when, in their own zone."""

    locale: str
    team_name: str
    channel: str
    member: bool
    supervisor: bool
    supervisors: list[Person]
    quota: int
    zone: str  # the recipient's zone: reminders come at the hour there
    quota_reminder: Weekly
    daily: str  # HH:MM: nudges and review reminders
    review_month: str  # YYYY-MM
    review_opens: date
    selfreview_due: date
    evaluation_due: date


@dataclass(frozen=True)
class TeamLine:
    """One team on an admin's (or supervisor's) Home."""

    id: int
    name: str
    channel: str
    people: int
    file_managed: bool
    editable: bool


@dataclass(frozen=True)
class TeamsSection:
    """The Teams section of Home: for admins every active team and a New team
    button; for a supervisor who is not an admin, their own teams."""

    admin: bool
    teams: list[TeamLine]
    no_admin_yet: bool = False  # nobody can set teams up yet: Home says how an admin is made
