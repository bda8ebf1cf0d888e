"""What the Slack side of activities plugs into the adapter (``handlers.plugin``)."""

from __future__ import annotations

from handlers.activities import blocks, listeners
from handlers.plugin import SlackPlugin

SLACK = SlackPlugin(
    name="activities",
    register=listeners.register,
    renderers=blocks.RENDERERS,
)
