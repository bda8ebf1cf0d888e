"""The leave form: payload to domain input."""

from __future__ import annotations

from typing import Any

from bot.workflows.leave.rules import LeaveDraft
from handlers.activities.forms import _team, _text
from handlers.ids import Block
from handlers.kit.forms import _value, parse_date, state_values


def leave_form(view: dict[str, Any]) -> tuple[LeaveDraft, int | None]:
    values = state_values(view)
    draft = LeaveDraft(
        start=parse_date(_value(values, Block.LEAVE_START)),
        end=parse_date(_value(values, Block.LEAVE_END)),
        reason=_text(values, Block.LEAVE_REASON) or "",
    )
    return draft, _team(values)
