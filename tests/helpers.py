"""Small readers over what the Slack stand-in recorded: what a person saw."""

from __future__ import annotations

import json
from typing import Any

from bot.devtools.slack_standin import Call, visible_text

# What a reader could see in a recorded payload (shared with the demo).
all_text = visible_text


def buttons(payload: dict[str, Any]) -> list[str]:
    blocks = payload.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return [el["text"]["text"] for b in blocks if b.get("type") == "actions" for el in b["elements"]
            if el.get("type") == "button"]


def button(payload: dict[str, Any], label: str) -> dict[str, Any]:
    blocks = payload.get("blocks") or []
    for b in blocks:
        for el in b.get("elements", []) if b.get("type") == "actions" else []:
            if el.get("type") == "button" and el["text"]["text"] == label:
                return el
    raise AssertionError(f"no button {label!r} in {buttons(payload)}")


def cards(calls: list[Call], channel: str) -> list[Call]:
    return [c for c in calls if c.method in ("chat.postMessage", "chat.update") and c.ok
            and (c.params.get("channel") == channel or c.response.get("channel") == channel)]


def dms(calls: list[Call], user: str) -> list[Call]:
    return [c for c in calls if c.method == "chat.postMessage" and c.ok and c.params.get("channel") == user]
