"""Reading Slack payloads: form values, metadata, button values and dates."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, date, datetime
from typing import Any

from bot.domain.numbers import parse_id
from handlers.ids import ITEM_SEPARATOR


def state_values(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What a submitted modal holds, by block id; a block of the wrong shape
    (a forged payload) reads as missing."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    if not isinstance(values, dict):
        return {}
    return {block: el for block, el in values.items() if isinstance(el, dict)}


def element(values: dict[str, Any], block: str) -> dict[str, Any]:
    """The (one) input element of ``block``; ``{}`` when missing or forged."""
    found = next(iter(values.get(block, {}).values()), None)
    return found if isinstance(found, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _option(value: Any) -> str | None:
    return _str(value.get("value")) if isinstance(value, dict) else None


def _value(values: dict[str, Any], block: str) -> Any:
    """What ``block`` holds: a text, a picked option, a date, the ticked options,
    a date-and-time or users; a value of the wrong type reads as nothing."""
    el = element(values, block)
    kind = el.get("type")
    if kind in ("plain_text_input", "number_input"):
        return _str(el.get("value"))
    if kind == "static_select":
        return _option(el.get("selected_option"))
    if kind == "datepicker":
        return _str(el.get("selected_date"))
    if kind == "checkboxes":
        ticked = el.get("selected_options")
        return [v for v in map(_option, ticked) if v is not None] if isinstance(ticked, list) else []
    if kind == "datetimepicker":
        return el.get("selected_date_time")
    if kind == "conversations_select":
        return _str(el.get("selected_conversation"))
    if kind == "multi_users_select":
        users = el.get("selected_users")
        return [u for u in users if isinstance(u, str)] if isinstance(users, list) else []
    return None


def text(view: dict[str, Any], block: str) -> str | None:
    """The text typed in ``block`` of a submitted modal."""
    return _str(_value(state_values(view), block))


def view_id(view: dict[str, Any]) -> str:
    """The id Slack gave a submitted modal; "" when forged as anything but a short text."""
    found = view.get("id")
    return found if isinstance(found, str) and len(found) <= 64 else ""


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    raw = view.get("private_metadata") or "{}"
    try:
        data = json.loads(raw) if isinstance(raw, str) and not unstorable(raw) else None
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def meta_str(view: dict[str, Any], key: str) -> str | None:
    """A text a modal carries in its ``private_metadata`` (a channel, a URL, a
    month); None when missing or forged as anything but a short text."""
    value = metadata(view).get(key)
    return value if isinstance(value, str) and len(value) <= 3000 else None


def action_value(body: dict[str, Any]) -> str:
    """The value of the button pressed; "" when forged as anything but a text."""
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
    return _str(first.get("value")) or ""


def json_value(body: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(action_value(body))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def unstorable(text: str) -> bool:
    """Text holding a character no person types and the store cannot keep:
    NUL and the other control characters (tab and line breaks aside), or half
    of a UTF-16 pair."""
    return any((unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n\r") for c in text)


def unstorable_block(view: dict[str, Any]) -> str | None:
    """The first block of a submitted modal whose text :func:`unstorable` finds."""
    for block in state_values(view):
        value = _value(state_values(view), block)
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and unstorable(t) for t in texts):
            return block
    return None


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
