"""What an export file holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ExportFile:
    """A CSV of a team's data for a period, for one supervisor."""

    locale: str
    kind: str  # topics | content | activities | leave | reviews | kudos | plans | training | goals
    team_name: str
    period: str
    columns: list[str]
    rows: list[list[Any]]
