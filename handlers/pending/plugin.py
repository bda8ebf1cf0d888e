"""What the Slack side of pending plugs into the adapter (``handlers.plugin``)."""

from __future__ import annotations

from handlers.pending import blocks
from handlers.plugin import SlackPlugin

SLACK = SlackPlugin(
    name="pending",
    renderers=blocks.RENDERERS,
)
