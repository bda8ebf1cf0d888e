"""What the Slack side of content plugs into the adapter (``handlers.plugin``)."""

from __future__ import annotations

from handlers.content import blocks, listeners
from handlers.plugin import SlackPlugin

SLACK = SlackPlugin(
    name="content",
    register=listeners.register,
    renderers=blocks.RENDERERS,
)
