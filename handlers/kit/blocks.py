"""Block Kit primitives: pure functions of text and ids that every builder uses."""

from __future__ import annotations

import json
from typing import Any

from bot.kernel.i18n import Gettext
from handlers.ids import Action
from handlers.kit.mrkdwn import clip

Blocks = list[dict[str, Any]]
SECTION_LIMIT = 3000


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def md(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": md(clip(text, SECTION_LIMIT)), **extra}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [md(clip(text, SECTION_LIMIT))]}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": plain(clip(text, 150))}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    b: dict[str, Any] = {"type": "button", "text": plain(text), "action_id": action_id, "value": value}
    if style:
        b["style"] = style
    return b


def line_sections(lines: list[str], empty: str) -> Blocks:
    """Lines packed into as few sections as Slack's 3000-character limit allows."""
    if not lines:
        return [section(empty)]
    out, chunk = [], ""
    for line in lines:
        if chunk and len(chunk) + 1 + len(line) > SECTION_LIMIT:
            out.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    out.append(section(chunk))
    return out


def remind_later_button(job: str, team_id: int, period: str, _: Gettext) -> dict[str, Any]:
    value = json.dumps({"job": job, "team": team_id, "period": period}, separators=(",", ":"))
    return button(_("Remind me later"), Action.REMIND_LATER, value)





# -- modals --------------------------------------------------------------------


def _input(block_id: str, label: str, element: dict[str, Any], optional: bool = False) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": plain(label), "element": element, "optional": optional}


def _options(values: list[str] | tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"text": plain(clip(x, 75)), "value": x[:150]} for x in values]


# -- replies to commands -------------------------------------------------------


def ephemeral(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": text}


# -- dispatch by view type -------------------------------------------------------


def meta(data: dict[str, Any]) -> str:
    """A modal's ``private_metadata``: compact JSON."""
    return json.dumps(data, separators=(",", ":"))
