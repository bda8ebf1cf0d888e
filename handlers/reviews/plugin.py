"""What the Slack side of reviews plugs into the adapter (``handlers.plugin``)."""

from __future__ import annotations

from handlers.plugin import SlackPlugin
from handlers.reviews import blocks, listeners, plan

SLACK = SlackPlugin(
    name="reviews",
    register=listeners.register,
    renderers=blocks.RENDERERS | plan.RENDERERS,
)
