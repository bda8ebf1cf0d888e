"""The settings form: payload to domain input."""

from __future__ import annotations

from typing import Any

from bot.workflows.team_settings.rules import SettingsInput
from handlers.ids import Block
from handlers.kit.forms import _value, id_of, metadata, state_values


def settings_form(view: dict[str, Any]) -> tuple[int, SettingsInput]:
    values = state_values(view)

    def text(block: str) -> str:
        return _value(values, block) or ""

    team_id = metadata(view).get("team_id")
    return id_of(team_id), SettingsInput(
        weekly_topic_quota=text(Block.QUOTA),
        weekly_plan=text(Block.WEEKLY_PLAN),
        quota_reminder=text(Block.QUOTA_REMINDER),
        quota_summary=text(Block.QUOTA_SUMMARY),
        daily=text(Block.DAILY),
        timezone=text(Block.TIMEZONE),
        country=text(Block.COUNTRY),
        locale=text(Block.LOCALE),
        mention_in_summaries=text(Block.MENTIONS) == "on",
        platforms=text(Block.PLATFORMS),
        recognition_daily_cap=text(Block.RECOGNITION_CAP),
        recognition_leaderboard=text(Block.RECOGNITION_LEADERBOARD) == "on",
    )
