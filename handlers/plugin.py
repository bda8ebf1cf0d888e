"""How a workflow's Slack side plugs into the adapter: its listeners and its builders.

Each ``handlers/<name>/plugin.py`` exports ``SLACK``; ``bot/app.py`` hands them
to :func:`handlers.register` and merges their builders into one
:class:`handlers.render.Renderer`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from slack_bolt import App

from handlers.deps import Deps
from handlers.render import Builder


@dataclass(frozen=True)
class SlackPlugin:
    name: str
    register: Callable[[App, Deps], None] | None = None
    renderers: Mapping[type, Builder] = field(default_factory=dict)
