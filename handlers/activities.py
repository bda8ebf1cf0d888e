"""Listeners for /activity, the activity card's buttons, Resubmit, and the
retrospective. Each: parse the payload, one service call, render."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.errors import NotFound
from bot.i18n import gettext_for
from bot.services import activities as svc
from bot.services.topics import user_locale
from handlers import forms, forms_activities, render
from handlers import render_activities as ra
from handlers.deps import Deps
from handlers.ids import Action, Command, View
from handlers.mrkdwn import escape


def register(app: App, deps: Deps) -> None:
    services = {"db": deps.db, "clock": deps.clock}

    def open_form(client: WebClient, trigger_id: str, user: str, channel: str | None,
                  activity_id: int | None = None) -> None:
        ctx = svc.form_context(db=deps.db, user_id=user, channel_id=channel, activity_id=activity_id)
        meta = {"channel_id": channel, "activity_id": ctx.activity_id, "round": ctx.round}
        client.views_open(trigger_id=trigger_id, view=ra.activity_modal(
            teams=ctx.teams, default_team_id=ctx.default_team_id, metadata=meta, _=gettext_for(ctx.locale),
            draft=ctx.draft, comment=ctx.comment, round_=ctx.round))

    @app.command(Command.ACTIVITY)
    def activity_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        user, channel = command["user_id"], command.get("channel_id")
        if (command.get("text") or "").strip():
            _ = gettext_for(user_locale(db=deps.db, user_id=user, channel_id=channel))
            ack(render.ephemeral(ra.activity_help(_)))
            return
        open_form(client, command["trigger_id"], user, channel)
        ack()

    @app.view(View.ACTIVITY_PROPOSE)
    def activity_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        draft, team_id = forms_activities.activity_form(view)
        meta = forms.metadata(view)
        user = body["user"]["id"]
        if meta.get("activity_id"):
            svc.resubmit_activity(**services, user_id=user, activity_id=int(meta["activity_id"]),
                                  round_=int(meta.get("round") or 0), draft=draft)
        else:
            svc.propose_activity(**services, user_id=user, draft=draft, team_id=team_id,
                                 channel_id=meta.get("channel_id"))
        ack()

    @app.action(Action.ACTIVITY_APPROVE)
    def approve_clicked(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        activity_id = forms.int_value(body)
        if activity_id is None:
            raise NotFound()
        svc.decide_activity(**services, user_id=body["user"]["id"], activity_id=activity_id, decision=svc.APPROVE)

    def open_reason(body: dict[str, Any], client: WebClient, decision: str) -> None:
        activity_id = forms.int_value(body)
        if activity_id is None:
            raise NotFound()
        user = body["user"]["id"]
        theme = svc.check_can_decide(**services, user_id=user, activity_id=activity_id, action=decision)
        _ = gettext_for(user_locale(db=deps.db, user_id=user))
        item = _("#{id} *{theme}*").format(id=activity_id, theme=escape(theme))
        if decision == svc.CHANGES:
            view = ra.reason_modal(callback_id=View.ACTIVITY_CHANGES, title=_("Request changes"),
                                   submit=_("Send"), label=_("What should change"), required=True,
                                   intro=_("Asking for changes to {item}. The owner sees your comment and "
                                           "resubmits.").format(item=item),
                                   metadata={"activity_id": activity_id}, _=_)
        else:
            view = ra.reason_modal(callback_id=View.ACTIVITY_REJECT, title=_("Reject activity"), submit=_("Reject"),
                                   label=_("Reason"), required=False,
                                   intro=_("Rejecting {item}. The owner will see your reason.").format(item=item),
                                   metadata={"activity_id": activity_id}, _=_)
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(Action.ACTIVITY_CHANGES)
    def changes_clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_reason(body, client, svc.CHANGES)

    @app.action(Action.ACTIVITY_REJECT)
    def reject_clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_reason(body, client, svc.REJECT)

    @app.view(View.ACTIVITY_CHANGES)
    def changes_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        svc.decide_activity(**services, user_id=body["user"]["id"],
                            activity_id=int(forms.metadata(view).get("activity_id", 0)), decision=svc.CHANGES,
                            comment=forms_activities.comment(view))
        ack()

    @app.view(View.ACTIVITY_REJECT)
    def reject_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        svc.decide_activity(**services, user_id=body["user"]["id"],
                            activity_id=int(forms.metadata(view).get("activity_id", 0)), decision=svc.REJECT,
                            comment=forms_activities.comment(view))
        ack()

    @app.action(Action.ACTIVITY_RESUBMIT)
    def resubmit_clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        activity_id = forms.int_value(body)
        if activity_id is None:
            raise NotFound()
        open_form(client, body["trigger_id"], body["user"]["id"], None, activity_id)

    @app.action(Action.WRITE_RETRO)
    def write_retro_clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        activity_id = forms.int_value(body)
        if activity_id is None:
            raise NotFound()
        ctx = svc.retro_form(**services, user_id=body["user"]["id"], activity_id=activity_id)
        client.views_open(trigger_id=body["trigger_id"], view=ra.retro_modal(
            activity_id=ctx.activity_id, theme=ctx.theme, targets=ctx.targets, _=gettext_for(ctx.locale)))

    @app.view(View.ACTIVITY_RETRO)
    def retro_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        svc.submit_retro(**services, user_id=body["user"]["id"],
                         activity_id=int(forms.metadata(view).get("activity_id", 0)),
                         retro=forms_activities.retro_form(view))
        ack()
