"""The App Home tab: published when opened; its quick buttons open the
same forms as /topic, /draft and /leave."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.kernel import people
from handlers.content.listeners import open_draft_modal
from handlers.deps import Deps
from handlers.ids import Action, Event
from handlers.leave.listeners import open_leave_modal


def register(app: App, deps: Deps) -> None:
    @app.event(Event.APP_HOME_OPENED)
    def home_opened(event: dict[str, Any], context: BoltContext) -> None:
        if event.get("tab", "home") == "home":
            people.open_home(db=deps.db, clock=deps.clock, user_id=event["user"], workspace=deps.workspace(context),
                             enterprise_id=deps.enterprise(context))

    @app.action(Action.SUBMIT_DRAFT)
    def submit_draft_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        open_draft_modal(deps, client, body["trigger_id"], body["user"]["id"], deps.scope(context))

    @app.action(Action.REQUEST_LEAVE)
    def request_leave_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        open_leave_modal(deps, client, body["trigger_id"], body["user"]["id"], None, deps.scope(context))
