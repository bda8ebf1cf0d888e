"""What the Slack side of reports plugs into the adapter (``handlers.plugin``)."""

from __future__ import annotations

from handlers.plugin import SlackPlugin
from handlers.reports import blocks

SLACK = SlackPlugin(
    name="reports",
    renderers=blocks.RENDERERS,
)
