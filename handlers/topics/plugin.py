"""What the Slack side of topics plugs into the adapter (``handlers.plugin``)."""

from __future__ import annotations

from handlers.plugin import SlackPlugin
from handlers.topics import blocks, listeners

SLACK = SlackPlugin(
    name="topics",
    register=listeners.register,
    renderers=blocks.RENDERERS,
)
