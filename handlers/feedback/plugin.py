"""What the Slack side of the feedback talk plugs into the adapter (``handlers.plugin``)."""

from __future__ import annotations

from handlers.feedback import blocks, listeners
from handlers.plugin import SlackPlugin

SLACK = SlackPlugin(
    name="feedback",
    register=listeners.register,
    renderers=blocks.RENDERERS,
)
