"""Listeners for /leave and the leave card's buttons."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.kernel.errors import NotFound
from bot.kernel.i18n import gettext_for
from bot.kernel.people import user_locale
from bot.workflows.leave import service as svc
from bot.workflows.leave.rules import LeaveCommandKind, parse_leave_command
from handlers.activities import forms as forms_activities
from handlers.deps import Deps
from handlers.ids import Action, Command, View, item_pattern
from handlers.kit import blocks, forms, inputs
from handlers.leave import blocks as leave_blocks
from handlers.leave import forms as leave_forms


def open_leave_modal(deps: Deps, client: WebClient, trigger_id: str, user: str, channel: str | None,
                     workspace: str | None = None) -> None:
    """The leave form: from /leave and from Home's Request leave (teams of ``workspace``, when given)."""
    ctx = svc.form_context(db=deps.db, clock=deps.clock, user_id=user, channel_id=channel, workspace=workspace)
    client.views_open(trigger_id=trigger_id, view=leave_blocks.leave_modal(
        teams=ctx.teams, default_team_id=ctx.default_team_id, today=ctx.today,
        metadata={"channel_id": channel}, _=gettext_for(ctx.locale)))


def register(app: App, deps: Deps) -> None:
    services = {"db": deps.db, "clock": deps.clock}

    @app.command(Command.LEAVE)
    def leave_command(ack: Ack, command: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        user, channel = command["user_id"], command.get("channel_id")
        workspace = deps.scope(context)
        cmd = parse_leave_command(command.get("text") or "")
        if cmd.kind == LeaveCommandKind.MODAL:
            open_leave_modal(deps, client, command["trigger_id"], user, channel, workspace)
            ack()
            return
        _ = gettext_for(user_locale(db=deps.db, user_id=user, channel_id=channel, workspace=workspace))
        if cmd.kind == LeaveCommandKind.LIST:
            locale, lines = svc.my_leaves(**services, user_id=user, workspace=workspace)
            ack(blocks.ephemeral(leave_blocks.leave_list(lines, gettext_for(locale))))
        elif cmd.kind == LeaveCommandKind.CANCEL and cmd.leave_id is not None:
            done = svc.cancel_leave(**services, user_id=user, leave_id=cmd.leave_id, workspace=workspace)
            ack(blocks.ephemeral(_("Leave #{id} ({start} – {end}) is cancelled.").format(
                id=done.leave_id, start=done.start.isoformat(), end=done.end.isoformat())))
        else:
            ack(blocks.ephemeral(leave_blocks.leave_help(_)))

    @app.view(View.LEAVE_REQUEST)
    def leave_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
        draft, team_id = leave_forms.leave_form(view)
        svc.request_leave(**services, user_id=body["user"]["id"], draft=draft, team_id=team_id,
                          channel_id=forms.meta_str(view, "channel_id"), workspace=deps.scope(context))
        ack()

    _register_card(app, deps)


def _register_card(app: App, deps: Deps) -> None:
    """The leave card's buttons: Approve, Reject (and its reason modal), Details."""
    services = {"db": deps.db, "clock": deps.clock}

    @app.action(item_pattern(Action.LEAVE_APPROVE))
    def approve_clicked(ack: Ack, body: dict[str, Any], context: dict[str, Any]) -> None:
        ack()
        leave_id = forms.int_value(body)
        if leave_id is None:
            raise NotFound()
        svc.decide_leave(**services, user_id=body["user"]["id"], leave_id=leave_id, approve=True,
                         workspace=deps.scope(context))

    @app.action(item_pattern(Action.LEAVE_REJECT))
    def reject_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        ack()
        leave_id = forms.int_value(body)
        if leave_id is None:
            raise NotFound()
        user = body["user"]["id"]
        workspace = deps.scope(context)
        svc.check_can_decide(**services, user_id=user, leave_id=leave_id, workspace=workspace)
        _ = gettext_for(user_locale(db=deps.db, user_id=user, workspace=workspace))
        client.views_open(trigger_id=body["trigger_id"], view=inputs.reason_modal(
            callback_id=View.LEAVE_REJECT, title=_("Reject leave"), submit=_("Reject"), label=_("Reason"),
            required=False, intro=_("Rejecting leave request #{id}. The requester will see your reason.").format(
                id=leave_id),
            metadata={"leave_id": leave_id}, _=_))

    @app.action(Action.LEAVE_DETAILS)
    def details_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        ack()
        leave_id = forms.int_value(body)
        if leave_id is None:
            raise NotFound()
        d = svc.leave_details(**services, user_id=body["user"]["id"], leave_id=leave_id,
                             workspace=deps.scope(context))
        client.views_open(trigger_id=body["trigger_id"], view=leave_blocks.leave_details_modal(d, gettext_for(d.locale)))

    @app.view(View.LEAVE_REJECT)
    def reject_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
        svc.decide_leave(**services, user_id=body["user"]["id"], leave_id=forms.meta_id(view, "leave_id"),
                         approve=False, reason=forms_activities.comment(view), workspace=deps.scope(context))
        ack()
