"""What the Slack side of recognition plugs into the adapter (``handlers.plugin``)."""

from __future__ import annotations

from handlers.kudos import blocks, listeners
from handlers.plugin import SlackPlugin

SLACK = SlackPlugin(
    name="kudos",
    register=listeners.register,
    renderers=blocks.RENDERERS,
)
