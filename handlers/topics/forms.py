"""Topic forms: payload to domain input."""

from __future__ import annotations

from typing import Any

from bot.workflows.topics.rules import TopicDraft
from handlers.ids import Block
from handlers.kit.forms import _value, id_of, parse_date, state_values, text


def topic_form(view: dict[str, Any]) -> tuple[TopicDraft, int | None]:
    values = state_values(view)
    team = _value(values, Block.TEAM)
    draft = TopicDraft(
        title=_value(values, Block.TITLE) or "",
        angle=_value(values, Block.ANGLE),
        platform=_value(values, Block.PLATFORM),
        planned_date=parse_date(_value(values, Block.PUBLISH_DATE)),
    )
    return draft, id_of(team) if team else None


def reject_reason(view: dict[str, Any]) -> str | None:
    return text(view, Block.REASON)
