"""What the Slack stand-in records, and the vocabulary its parts share.

The recorded :class:`Call`, the Slack-style error a Web API method raises,
the stand-in workspace's fixed ids, channel-id helpers, and
:func:`visible_text` for reading recorded payloads. Used by
:mod:`bot.devtools.slack_standin`, which re-exports the public names.

Stdlib only; no test framework imports.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TEAM_ID = "T0TEAM"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"

Handler = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Call:
    """One request the stand-in received, and what it answered."""

    method: str
    params: dict[str, Any]
    token: str | None
    status: int
    ok: bool
    response: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class ApiError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _dm_channel(user_id: str) -> str:
    return "D" + user_id[1:]


def resolve_channel(channel: str) -> str:
    return _dm_channel(channel) if channel.startswith(("U", "W")) else channel


def visible_text(payload: Any) -> str:
    """Every string a reader could see in a recorded payload (no ids or values)."""
    out: list[str] = []

    def walk(x: Any) -> None:
        if isinstance(x, str):
            out.append(x)
        elif isinstance(x, dict):
            for k, v in x.items():
                if k not in ("action_id", "block_id", "value", "callback_id", "private_metadata"):
                    walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(payload)
    return "\n".join(out)
