"""What the Slack side of the teams workflow plugs into the adapter (``handlers.plugin``)."""

from __future__ import annotations

from handlers.plugin import SlackPlugin
from handlers.teams import blocks, listeners

SLACK = SlackPlugin(
    name="teams",
    register=listeners.register,
    renderers=blocks.RENDERERS,
)
