"""Reading Slack payloads: form values, metadata, button values and dates."""

from __future__ import annotations

import json
from datetime import date
from typing import Any


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


def parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
