"""Request middleware: drop Events API retries we already handled, and refuse
text the store cannot keep before any listener reads it."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, BoltResponse
from slack_bolt.request import BoltRequest

from bot.kernel import people
from bot.kernel.errors import N_, InvalidInput, NotFound
from handlers.deps import Deps
from handlers.kit import forms

UNSTORABLE = N_("This holds a control character (such as NUL) that cannot be kept; remove it and try again.")


def register(app: App, deps: Deps) -> None:
    @app.middleware
    def dedupe_events(req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        body = req.body
        event_id = body.get("event_id") if isinstance(body, dict) and body.get("type") == "event_callback" else None
        if event_id and not people.mark_event(db=deps.db, clock=deps.clock, event_id=event_id):
            # A retry (X-Slack-Retry-Num) of an event we already took: say OK, do nothing.
            return BoltResponse(status=200, body="")
        return next()

    @app.middleware
    def refuse_unstorable(req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        """A control character or half a UTF-16 pair is refused where it was
        typed (``handlers/errors.py``): on its field, in the command's reply; a
        button never carries one, so such a value is forged."""
        body = req.body if isinstance(req.body, dict) else {}
        kind = body.get("type")
        if kind == "view_submission" and isinstance(body.get("view"), dict):
            block = forms.unstorable_block(body["view"])
            if block is not None:
                raise InvalidInput(UNSTORABLE, field=block)
        elif kind == "block_actions" and forms.unstorable(forms.action_value(body)):
            raise NotFound()
        elif body.get("command") and isinstance(body.get("text"), str) and forms.unstorable(body["text"]):
            raise InvalidInput(UNSTORABLE)
        return next()
