"""What the Slack side of training plugs into the adapter (``handlers.plugin``)."""

from __future__ import annotations

from handlers.plugin import SlackPlugin
from handlers.training import blocks, listeners

SLACK = SlackPlugin(
    name="training",
    register=listeners.register,
    renderers=blocks.RENDERERS,
)
