"""Parsing Slack payloads into the core's inputs."""

from __future__ import annotations

import json
from typing import Any

from bot.domain.settings import SettingsInput
from bot.domain.topics import TopicDraft
from handlers.ids import Block
from handlers.render import parse_date


def _value(values: dict[str, Any], block: str) -> Any:
    for element in values.get(block, {}).values():
        kind = element.get("type")
        if kind == "plain_text_input":
            return element.get("value")
        if kind == "static_select":
            opt = element.get("selected_option")
            return opt["value"] if opt else None
        if kind == "datepicker":
            return element.get("selected_date")
        if kind == "checkboxes":
            return [o["value"] for o in element.get("selected_options") or []]
        if kind == "datetimepicker":
            return element.get("selected_date_time")
        if kind == "number_input":
            return element.get("value")
    return None


def topic_form(view: dict[str, Any]) -> tuple[TopicDraft, int | None]:
    values = view["state"]["values"]
    team = _value(values, Block.TEAM)
    draft = TopicDraft(
        title=_value(values, Block.TITLE) or "",
        angle=_value(values, Block.ANGLE),
        platform=_value(values, Block.PLATFORM),
        planned_date=parse_date(_value(values, Block.PUBLISH_DATE)),
    )
    return draft, int(team) if team else None


def reject_reason(view: dict[str, Any]) -> str | None:
    return _value(view["state"]["values"], Block.REASON)


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    raw = view.get("private_metadata") or "{}"
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def action_value(body: dict[str, Any]) -> str:
    return body["actions"][0].get("value", "")


def json_value(body: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(action_value(body))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def int_value(body: dict[str, Any]) -> int | None:
    v = action_value(body)
    return int(v) if v.isdigit() else None


def settings_form(view: dict[str, Any]) -> tuple[int, SettingsInput]:
    values = view["state"]["values"]

    def text(block: str) -> str:
        return _value(values, block) or ""

    team_id = metadata(view).get("team_id")
    return int(team_id) if isinstance(team_id, int) else 0, SettingsInput(
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
    )
