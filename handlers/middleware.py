"""Request middleware: drop Events API retries we already handled."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, BoltResponse
from slack_bolt.request import BoltRequest

from bot.kernel import people
from handlers.deps import Deps


def register(app: App, deps: Deps) -> None:
    @app.middleware
    def dedupe_events(req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        body = req.body
        event_id = body.get("event_id") if isinstance(body, dict) and body.get("type") == "event_callback" else None
        if event_id and not people.mark_event(db=deps.db, clock=deps.clock, event_id=event_id):
            # A retry (X-Slack-Retry-Num) of an event we already took: say OK, do nothing.
            return BoltResponse(status=200, body="")
        return next()
