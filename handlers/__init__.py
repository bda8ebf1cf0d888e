"""The Slack adapter: listeners, Block Kit builders, payload parsing, ids."""

from __future__ import annotations

from slack_bolt import App

from handlers import activities, content, errors, home, leave, middleware, opsbot, reminders, reviews, topics
from handlers.deps import Deps


def register(app: App, deps: Deps) -> None:
    """Register every listener once, on one app."""
    middleware.register(app, deps)
    errors.register(app, deps)
    topics.register(app, deps)
    reminders.register(app, deps)
    home.register(app, deps)
    opsbot.register(app, deps)
    content.register(app, deps)
    reviews.register(app, deps)
    activities.register(app, deps)
    leave.register(app, deps)
