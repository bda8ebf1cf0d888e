"""Escaping user text for Slack's mrkdwn, and formatting times for readers."""

from __future__ import annotations

from datetime import UTC, datetime


def escape(text: str | None) -> str:
    """Slack's three control characters; after this a title like
    ``<!channel>`` is shown as text and pings nobody."""
    if not text:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_date(epoch: int, fmt: str = "{date_short_pretty} {time}") -> str:
    """A time each reader sees in their own zone; the fallback is UTC."""
    fallback = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{epoch}^{fmt}|{fallback}>"
