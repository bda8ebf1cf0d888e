"""Modal inputs shared by workflows: text and number inputs, the reason modal."""

from __future__ import annotations

from typing import Any

from bot.kernel.i18n import Gettext
from handlers.ids import Block
from handlers.kit.blocks import (
    _input,
    meta,
    plain,
    section,
)


def _text_input(block: str, label: str, action: str, _opt: bool = False, *, multiline: bool = False,
                max_length: int = 150, initial: str | None = None, placeholder: str | None = None) -> dict[str, Any]:
    el: dict[str, Any] = {"type": "plain_text_input", "action_id": action, "multiline": multiline,
                          "max_length": max_length}
    if initial:
        el["initial_value"] = initial[:max_length]
    if placeholder:
        el["placeholder"] = plain(placeholder)
    return _input(block, label, el, optional=_opt)


def reason_modal(*, callback_id: str, title: str, submit: str, intro: str, label: str, required: bool,
                 metadata: dict[str, Any], _: Gettext) -> dict[str, Any]:
    """Request changes (comment required), reject an activity or a leave (reason)."""
    block = Block.COMMENT if required else Block.REASON
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title),
        "submit": plain(submit),
        "close": plain(_("Cancel")),
        "private_metadata": meta(metadata),
        "blocks": [
            section(intro),
            _text_input(block, label, "reason_input", not required, multiline=True, max_length=2000),
        ],
    }
