"""What the Slack side of home plugs into the adapter (``handlers.plugin``)."""

from __future__ import annotations

from handlers.home import blocks, listeners
from handlers.plugin import SlackPlugin

SLACK = SlackPlugin(
    name="home",
    register=listeners.register,
    renderers=blocks.RENDERERS,
)
