"""``/opsbot onboarding`` (routed here from ``handlers/opsbot``), the checklist
modal's Save, and Done on an item (its DM and Home)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.kernel.errors import NotFound
from bot.kernel.i18n import gettext_for
from bot.workflows.onboarding import service as svc
from handlers.deps import Deps
from handlers.ids import Action, Block, View, item_pattern
from handlers.kit.forms import _value, int_value, meta_id, state_values
from handlers.onboarding import blocks as onboarding_blocks


def open_checklist(deps: Deps, client: WebClient, user_id: str, channel_id: str | None, trigger_id: str,
                   workspace: str | None = None) -> None:
    """The checklist modal of the supervisor's team; refused with the reason to anyone else."""
    form = svc.checklist_form(db=deps.db, user_id=user_id, channel_id=channel_id, workspace=workspace)
    client.views_open(trigger_id=trigger_id, view=onboarding_blocks.checklist_modal(form, gettext_for(form.locale)))


def register(app: App, deps: Deps) -> None:
    services = {"db": deps.db, "clock": deps.clock}

    @app.view(View.ONBOARDING)
    def checklist_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        text = _value(state_values(view), Block.ONBOARDING_ITEMS) or ""
        saved = svc.save_checklist(**services, workspace=deps.scope(context), user_id=body["user"]["id"], team_id=meta_id(view, "team_id"),
                                   text=str(text))
        ack(response_action="update", view=onboarding_blocks.checklist_saved(
            team_name=saved.team_name, count=saved.count, _=gettext_for(saved.locale)))

    @app.action(item_pattern(Action.ONBOARDING_DONE))
    def done_clicked(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        ack()
        item_id = int_value(body)
        if item_id is None:
            raise NotFound()
        done = svc.mark_done(**services, workspace=deps.scope(context), user_id=body["user"]["id"], item_id=item_id)
        text = onboarding_blocks.done_text(text=done.text, already=done.already, _=gettext_for(done.locale))
        if body.get("response_url"):
            respond(text=text, response_type="ephemeral", replace_original=False)
