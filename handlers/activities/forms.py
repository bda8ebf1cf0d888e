"""Parsing the activity and retrospective forms into the core's inputs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.workflows.activities import rules
from bot.workflows.activities.rules import ActivityDraft, Retro, parse_figure
from handlers.ids import Block
from handlers.kit.forms import _value, id_of, parse_instant, state_values


def _text(values: dict[str, Any], block: str) -> str | None:
    value = _value(values, block)
    return value if isinstance(value, str) else None


def _instant(values: dict[str, Any], block: str) -> datetime | None:
    return parse_instant(_value(values, block))


def _team(values: dict[str, Any]) -> int | None:
    """The team picked; None when none is, 0 (no team has it) when forged."""
    value = _value(values, Block.TEAM)
    return id_of(value) if value is not None else None


def activity_form(view: dict[str, Any]) -> tuple[ActivityDraft, int | None]:
    values = state_values(view)
    targets = {
        k: parse_figure(_text(values, block), block)
        for k, block in (("participants", Block.TARGET_PARTICIPANTS), ("engagement", Block.TARGET_ENGAGEMENT),
                         ("conversion", Block.TARGET_CONVERSION))
    }
    draft = ActivityDraft(
        theme=_text(values, Block.ACT_THEME) or "",
        format=_text(values, Block.ACT_FORMAT) or "",
        starts_at=_instant(values, Block.ACT_START),
        ends_at=_instant(values, Block.ACT_END),
        participants=tuple(_value(values, Block.ACT_PARTICIPANTS) or ()),
        targets=targets,
        resources=_text(values, Block.ACT_RESOURCES),
    )
    return draft, _team(values)


def retro_form(view: dict[str, Any]) -> Retro:
    values = state_values(view)
    actuals = {k: parse_figure(_text(values, rules.FIELD_ACTUAL[k]), rules.FIELD_ACTUAL[k]) for k in rules.FIGURES}
    return Retro(actuals, _text(values, Block.RETRO_WORKED) or "", _text(values, Block.RETRO_DIDNT) or "",
                 _text(values, Block.RETRO_IMPROVE) or "")


def comment(view: dict[str, Any]) -> str | None:
    values = state_values(view)
    return _text(values, Block.COMMENT) or _text(values, Block.REASON)
