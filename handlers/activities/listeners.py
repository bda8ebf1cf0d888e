"""Listeners for /activity, the activity card's buttons, Resubmit, and the
retrospective. Each: parse the payload, one service call, render."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.kernel.errors import NotFound
from bot.kernel.i18n import Gettext, gettext_for
from bot.kernel.people import user_locale
from bot.workflows.activities import service as svc
from handlers.activities import blocks as ra
from handlers.activities import forms as forms_activities
from handlers.deps import Deps
from handlers.ids import Action, Command, View, item_pattern
from handlers.kit import blocks, forms, inputs
from handlers.kit.mrkdwn import escape


def _services(deps: Deps) -> dict[str, Any]:
    """The keyword arguments every service call takes."""
    return {"db": deps.db, "clock": deps.clock}


def _activity_id(body: dict[str, Any]) -> int:
    """A card button's value: the activity id."""
    activity_id = forms.int_value(body)
    if activity_id is None:
        raise NotFound()
    return activity_id


def _open_form(deps: Deps, client: WebClient, trigger_id: str, user: str, channel: str | None,
               activity_id: int | None = None, workspace: str | None = None) -> None:
    ctx = svc.form_context(db=deps.db, user_id=user, channel_id=channel, activity_id=activity_id, workspace=workspace)
    meta = {"channel_id": channel, "activity_id": ctx.activity_id, "round": ctx.round}
    client.views_open(trigger_id=trigger_id, view=ra.activity_modal(
        teams=ctx.teams, default_team_id=ctx.default_team_id, metadata=meta, _=gettext_for(ctx.locale),
        draft=ctx.draft, comment=ctx.comment, round_=ctx.round))


def _reason_modal(decision: str, activity_id: int, item: str, _: Gettext) -> dict[str, Any]:
    if decision == svc.CHANGES:
        return inputs.reason_modal(callback_id=View.ACTIVITY_CHANGES, title=_("Request changes"),
                                   submit=_("Send"), label=_("What should change"), required=True,
                                   intro=_("Asking for changes to {item}. The owner sees your comment and "
                                           "resubmits.").format(item=item),
                                   metadata={"activity_id": activity_id}, _=_)
    return inputs.reason_modal(callback_id=View.ACTIVITY_REJECT, title=_("Reject activity"), submit=_("Reject"),
                               label=_("Reason"), required=False,
                               intro=_("Rejecting {item}. The owner will see your reason.").format(item=item),
                               metadata={"activity_id": activity_id}, _=_)


def _open_reason(deps: Deps, body: dict[str, Any], client: WebClient, decision: str, workspace: str | None) -> None:
    activity_id = _activity_id(body)
    user = body["user"]["id"]
    theme = svc.check_can_decide(**_services(deps), user_id=user, activity_id=activity_id, action=decision,
                                 workspace=workspace)
    _ = gettext_for(user_locale(db=deps.db, user_id=user, workspace=workspace))
    item = _("#{id} *{theme}*").format(id=activity_id, theme=escape(theme))
    client.views_open(trigger_id=body["trigger_id"], view=_reason_modal(decision, activity_id, item, _))


def register(app: App, deps: Deps) -> None:
    """Plugs /activity and the activity card's listeners into ``app``, in this order (see the helpers below)."""
    _register_proposals(app, deps)
    _register_decisions(app, deps)
    _register_follow_ups(app, deps)


def _register_proposals(app: App, deps: Deps) -> None:
    """/activity and its form, for a new activity or a resubmitted one."""
    services = _services(deps)

    @app.command(Command.ACTIVITY)
    def activity_command(ack: Ack, command: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        user, channel = command["user_id"], command.get("channel_id")
        if (command.get("text") or "").strip():
            _ = gettext_for(user_locale(db=deps.db, user_id=user, channel_id=channel, workspace=deps.scope(context)))
            ack(blocks.ephemeral(ra.activity_help(_)))
            return
        _open_form(deps, client, command["trigger_id"], user, channel, workspace=deps.scope(context))
        ack()

    @app.view(View.ACTIVITY_PROPOSE)
    def activity_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
        draft, team_id = forms_activities.activity_form(view)
        meta = forms.metadata(view)
        user = body["user"]["id"]
        if meta.get("activity_id"):
            svc.resubmit_activity(**services, user_id=user, activity_id=forms.id_of(meta.get("activity_id")),
                                  round_=forms.id_of(meta.get("round")), draft=draft, workspace=deps.scope(context))
        else:
            svc.propose_activity(**services, user_id=user, draft=draft, team_id=team_id,
                                 channel_id=forms.meta_str(view, "channel_id"), workspace=deps.scope(context))
        ack()


def _register_decisions(app: App, deps: Deps) -> None:
    """The approval card's Approve / Request changes / Reject and their modals."""
    services = _services(deps)

    @app.action(item_pattern(Action.ACTIVITY_APPROVE))
    def approve_clicked(ack: Ack, body: dict[str, Any], context: dict[str, Any]) -> None:
        ack()
        activity_id = _activity_id(body)
        svc.decide_activity(**services, user_id=body["user"]["id"], activity_id=activity_id, decision=svc.APPROVE,
                            workspace=deps.scope(context))

    @app.action(item_pattern(Action.ACTIVITY_CHANGES))
    def changes_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        ack()
        _open_reason(deps, body, client, svc.CHANGES, deps.scope(context))

    @app.action(item_pattern(Action.ACTIVITY_REJECT))
    def reject_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        ack()
        _open_reason(deps, body, client, svc.REJECT, deps.scope(context))

    @app.view(View.ACTIVITY_CHANGES)
    def changes_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
        svc.decide_activity(**services, user_id=body["user"]["id"],
                            activity_id=forms.meta_id(view, "activity_id"), decision=svc.CHANGES,
                            comment=forms_activities.comment(view), workspace=deps.scope(context))
        ack()

    @app.view(View.ACTIVITY_REJECT)
    def reject_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
        svc.decide_activity(**services, user_id=body["user"]["id"],
                            activity_id=forms.meta_id(view, "activity_id"), decision=svc.REJECT,
                            comment=forms_activities.comment(view), workspace=deps.scope(context))
        ack()


def _register_follow_ups(app: App, deps: Deps) -> None:
    """Resubmit after a change request, and the retrospective."""
    services = _services(deps)

    @app.action(Action.ACTIVITY_RESUBMIT)
    def resubmit_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        ack()
        activity_id = _activity_id(body)
        _open_form(deps, client, body["trigger_id"], body["user"]["id"], None, activity_id, deps.scope(context))

    @app.action(Action.WRITE_RETRO)
    def write_retro_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        ack()
        activity_id = _activity_id(body)
        ctx = svc.retro_form(**services, user_id=body["user"]["id"], activity_id=activity_id,
                             workspace=deps.scope(context))
        client.views_open(trigger_id=body["trigger_id"], view=ra.retro_modal(
            activity_id=ctx.activity_id, theme=ctx.theme, targets=ctx.targets, _=gettext_for(ctx.locale)))

    @app.view(View.ACTIVITY_RETRO)
    def retro_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
        svc.submit_retro(**services, user_id=body["user"]["id"],
                         activity_id=forms.meta_id(view, "activity_id"),
                         retro=forms_activities.retro_form(view), workspace=deps.scope(context))
        ack()
