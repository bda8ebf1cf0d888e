"""The Slack adapter: listeners, Block Kit builders, payload parsing, ids."""

from __future__ import annotations

from collections.abc import Iterable

from slack_bolt import App

from handlers import errors, middleware, snooze
from handlers.deps import Deps
from handlers.plugin import SlackPlugin


def register(app: App, deps: Deps, plugins: Iterable[SlackPlugin]) -> None:
    """Register every listener once, on one app: the adapter's own, then each workflow's."""
    middleware.register(app, deps)
    errors.register(app, deps)
    snooze.register(app, deps)
    for plugin in plugins:
        if plugin.register is not None:
            plugin.register(app, deps)
