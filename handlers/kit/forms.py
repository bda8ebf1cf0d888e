"""Reading Slack payloads: form values, metadata, button values and dates."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from bot.domain.numbers import parse_id
from handlers.ids import ITEM_SEPARATOR


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


def id_of(raw: Any) -> int:
    """A row id carried by a payload; 0 (which no row has) for anything forged:
    not a whole number, or past what the store's integer ids hold."""
    return parse_id(raw) or 0


def meta_id(view: dict[str, Any], key: str) -> int:
    """The id a modal carries in its ``private_metadata`` under ``key`` (see :func:`id_of`)."""
    return id_of(metadata(view).get(key))


def names_another_item(body: dict[str, Any], item_id: int) -> bool:
    """Whether the clicked button's per-item action id (``<action>:<id>``, on
    App Home) names anything but ``item_id``, the item its value carries: a
    forged click. A card's plain action id names no item."""
    _base, sep, named = str(body["actions"][0].get("action_id", "")).partition(ITEM_SEPARATOR)
    return bool(sep) and (not named.isascii() or not named.isdigit() or parse_id(named) != item_id)


def int_value(body: dict[str, Any]) -> int | None:
    """A button's value as a row id; None when it is not one (a forged value),
    or when its per-item action id names another item."""
    item_id = parse_id(action_value(body))
    return None if item_id is None or names_another_item(body, item_id) else item_id


def parse_date(value: Any) -> date | None:
    """A datepicker's ``YYYY-MM-DD``; None when missing or not a date (a forged value)."""
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


# Epoch seconds a datetimepicker may carry: years 1970 to 9998, so that a forged
# value reads as no time at all rather than overflowing date arithmetic.
_EPOCH_MAX = int(datetime(9999, 1, 1, tzinfo=UTC).timestamp())


def parse_instant(epoch: Any) -> datetime | None:
    """A datetimepicker's epoch seconds as an aware UTC instant; None when
    missing or out of any sane range."""
    if isinstance(epoch, bool) or not isinstance(epoch, int | float) or not 0 <= epoch < _EPOCH_MAX:
        return None
    return datetime.fromtimestamp(int(epoch), UTC)
