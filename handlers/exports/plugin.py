"""What the Slack side of exports plugs into the adapter (``handlers.plugin``)."""

from __future__ import annotations

from handlers.exports import blocks
from handlers.plugin import SlackPlugin

SLACK = SlackPlugin(
    name="exports",
    renderers=blocks.RENDERERS,
)
