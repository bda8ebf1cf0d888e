"""What the Slack side of leave plugs into the adapter (``handlers.plugin``)."""

from __future__ import annotations

from handlers.leave import blocks, listeners
from handlers.plugin import SlackPlugin

SLACK = SlackPlugin(
    name="leave",
    register=listeners.register,
    renderers=blocks.RENDERERS,
)
