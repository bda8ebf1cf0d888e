"""The feedback talk's modals: payload to input."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.workflows.feedback import rules
from handlers.kit.forms import _value, parse_date, parse_instant, state_values


def schedule_form(view: dict[str, Any]) -> tuple[datetime | None, str | None]:
    values = state_values(view)
    return parse_instant(_value(values, rules.FIELD_TALK_AT)), _value(values, rules.FIELD_TALK_PLACE)


def notes_form(view: dict[str, Any]) -> tuple[str | None, list[rules.ItemRow]]:
    values = state_values(view)
    rows = [rules.ItemRow(text=_value(values, rules.field_item(n, "text")),
                          owner=_value(values, rules.field_item(n, "owner")),
                          due=parse_date(_value(values, rules.field_item(n, "due"))))
            for n in range(1, rules.MAX_ITEMS + 1)]
    return _value(values, rules.FIELD_NOTES), rows


def not_yet_form(view: dict[str, Any]) -> tuple[str | None, Any]:
    values = state_values(view)
    return _value(values, rules.FIELD_FOLLOWUP_COMMENT), parse_date(_value(values, rules.FIELD_FOLLOWUP_DUE))
