"""What the Slack side of onboarding plugs into the adapter (``handlers.plugin``)."""

from __future__ import annotations

from handlers.onboarding import blocks, listeners
from handlers.plugin import SlackPlugin

SLACK = SlackPlugin(
    name="onboarding",
    register=listeners.register,
    renderers=blocks.RENDERERS,
)
