"""The shape every exporter returns, and the cell helpers they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.kernel.team import TeamView
from storage import queries


@dataclass(frozen=True)
class Table:
    columns: list[str]  # column keys; handlers/exports/blocks.py names them in the reader's language
    rows: list[list[Any]]
    # Everyone the rows name: the loader asks for their Slack profiles (notices.People), so a
    # name cell is never blank for someone opsbot had not cached yet.
    people: set[str]


Exporter = Callable[[Session, TeamView, datetime, datetime], Table]


def local(at: datetime | None, tz: ZoneInfo) -> str:
    """An instant in the team's zone, to the minute with its offset; "" for none."""
    return at.astimezone(tz).isoformat(timespec="minutes") if at else ""


def names(s: Session, user_ids: set[str]) -> dict[str, str]:
    """The cached name of each; a Table built with them names ``user_ids`` in its ``people``."""
    return {u: p.name or "" for u, p in queries.slack_users(s, user_ids).items()}


def figure(value: Any) -> Any:
    return "" if value is None else value
