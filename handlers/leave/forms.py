"""The leave form: payload to domain input."""

from __future__ import annotations

from typing import Any

from bot.workflows.leave.rules import LeaveDraft
from handlers.activities.forms import _element, _team, _text
from handlers.ids import Block
from handlers.kit.forms import parse_date


def leave_form(view: dict[str, Any]) -> tuple[LeaveDraft, int | None]:
    values = view["state"]["values"]
    draft = LeaveDraft(
        start=parse_date(_element(values, Block.LEAVE_START).get("selected_date")),
        end=parse_date(_element(values, Block.LEAVE_END).get("selected_date")),
        reason=_text(values, Block.LEAVE_REASON) or "",
    )
    return draft, _team(values)
