"""``/opsbot``: help, status, settings, exports, reports, and the review
subcommands (``handlers/reviews/listeners.py``)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.kernel import people
from bot.kernel.i18n import gettext_for
from bot.workflows.exports import service as exports
from bot.workflows.reports import service as reports
from bot.workflows.status import service as status
from bot.workflows.team_settings import service as settings
from handlers.deps import Deps
from handlers.exports.blocks import kind_title
from handlers.feedback.listeners import subcommand as talk_subcommand
from handlers.ids import Command, View
from handlers.kit import blocks
from handlers.kit.mrkdwn import escape
from handlers.onboarding.listeners import open_checklist
from handlers.reviews import listeners as reviews
from handlers.status.blocks import help_text, status_text
from handlers.team_settings import forms as settings_forms
from handlers.team_settings.blocks import settings_modal, settings_saved
from handlers.teams.listeners import open_setup
from handlers.training.listeners import subcommand as training_subcommand


def register(app: App, deps: Deps) -> None:
    @app.command(Command.OPSBOT)
    def opsbot_command(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        user, channel = command["user_id"], command.get("channel_id")
        workspace = deps.scope(context)
        text = (command.get("text") or "").strip()
        if reviews.opsbot_subcommand(deps, ack, command, client, text, workspace):
            return
        sub, _sep, rest = text.partition(" ")
        if sub == "setup":
            open_setup(deps, client, user, command["trigger_id"], context)
            ack()
            return
        if sub == "onboarding":
            open_checklist(deps, client, user, channel, command["trigger_id"], workspace)
            ack()
            return
        if training_subcommand(deps, client, command, sub, rest, workspace):
            ack()
            return
        if talk_subcommand(deps, client, command, sub, rest, workspace):
            ack()
            return
        if sub == "settings":
            form = settings.settings_form(db=deps.db, clock=deps.clock, user_id=user, channel_id=channel, workspace=workspace)
            client.views_open(trigger_id=command["trigger_id"], view=settings_modal(
                team_id=form.team_id, team_name=form.team_name, current=form.current, _=gettext_for(form.locale)))
            ack()
            return
        if sub == "export":
            queued = exports.request_export(db=deps.db, clock=deps.clock, user_id=user, channel_id=channel, text=rest, workspace=workspace)
            _ = gettext_for(queued.locale)
            ack(blocks.ephemeral(_("Preparing {kind} of {team} for {period}; the CSV will arrive in your DMs.").format(
                kind=kind_title(queued.kind, _), team=escape(queued.team_name), period=queued.period)))
            return
        if sub == "report":
            queued = reports.request_report(db=deps.db, clock=deps.clock, user_id=user, channel_id=channel, text=rest, workspace=workspace)
            _ = gettext_for(queued.locale)
            where = (_("in <#{channel}>").format(channel=queued.to_channel) if queued.to_channel
                     else _("in your DMs"))
            ack(blocks.ephemeral(_("The {period} report of {team} is on its way {where}.").format(
                period=queued.period, team=escape(queued.team_name), where=where)))
            return
        if sub == "status":
            mine = status.my_status(db=deps.db, clock=deps.clock, user_id=user, workspace=workspace)
            ack(blocks.ephemeral(status_text(mine, gettext_for(mine.locale))))
            return
        _ = gettext_for(people.user_locale(db=deps.db, user_id=user, channel_id=channel, workspace=workspace))
        text = help_text(_)
        if sub and sub != "help":
            text = _("I don't know `{sub}` yet.").format(sub=escape(sub[:50])) + "\n\n" + text
        ack(blocks.ephemeral(text))

    @app.view(View.TEAM_SETTINGS)
    def settings_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        team_id, raw = settings_forms.settings_form(view)
        saved = settings.update_settings(db=deps.db, clock=deps.clock, user_id=body["user"]["id"], team_id=team_id,
                                         raw=raw, workspace=deps.scope(context))
        ack(response_action="update", view=settings_saved(team_name=saved.team_name, changed=saved.changed,
                                                          _=gettext_for(saved.locale)))
