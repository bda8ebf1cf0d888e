"""What the Slack side of opsbot plugs into the adapter (``handlers.plugin``)."""

from __future__ import annotations

from handlers.opsbot import listeners
from handlers.plugin import SlackPlugin

SLACK = SlackPlugin(
    name="opsbot",
    register=listeners.register,
)
