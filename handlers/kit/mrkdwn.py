"""Escaping user text for Slack's mrkdwn, and formatting times for readers."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.kernel.views import Mention, Person


def escape(text: str | None) -> str:
    """Slack's three control characters; after this a title like
    ``<!channel>`` is shown as text and pings nobody."""
    if not text:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(user_id: str | Mention) -> str:
    """A real ``<@U…>`` mention, which Slack renders as the person's name (and
    notifies them where the surface does). Only a Slack user id becomes one;
    anything else is shown escaped, as the text it is."""
    m = user_id if isinstance(user_id, Mention) else Mention(user_id)
    return f"<@{m.user_id}>" if m.valid else escape(m.user_id)


def person(p: Person, mention_on: bool) -> str:
    """How a person appears in mrkdwn: a real mention where the team turned
    mentions on (or no name is known), else their name, escaped."""
    if p.shows_as_mention(mention_on):
        return mention(p.user_id)
    return escape(p.name)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_date(epoch: int, fmt: str = "{date_short_pretty} {time}") -> str:
    """A time each reader sees in their own zone; the fallback is UTC."""
    fallback = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{epoch}^{fmt}|{fallback}>"
