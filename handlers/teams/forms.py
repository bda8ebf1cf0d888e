"""The setup and edit modal: payload to domain input."""

from __future__ import annotations

from typing import Any

from bot.workflows.teams.rules import TeamInput
from handlers.ids import Block
from handlers.kit.forms import _value, meta_id, state_values


def team_form(view: dict[str, Any]) -> tuple[int, TeamInput]:
    """(the team's id, 0 for a new team; what was picked and typed)."""
    values = state_values(view)

    def text(block: str) -> str:
        found = _value(values, block)
        return found if isinstance(found, str) else ""

    def users(block: str) -> tuple[str, ...]:
        found = _value(values, block)
        return tuple(found) if isinstance(found, list) else ()

    return meta_id(view, "team_id"), TeamInput(
        name=text(Block.TEAM_NAME),
        channel=text(Block.TEAM_CHANNEL),
        supervisors=users(Block.TEAM_SUPERVISORS),
        members=users(Block.TEAM_MEMBERS),
        timezone=text(Block.TIMEZONE),
        country=text(Block.COUNTRY),
        locale=text(Block.LOCALE),
        weekly_topic_quota=text(Block.QUOTA),
        platforms=text(Block.PLATFORMS),
    )
