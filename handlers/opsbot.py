"""``/opsbot``: help for now; status, reports and settings grow here."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.i18n import gettext_for
from bot.services import topics as svc
from handlers import render, reviews
from handlers.deps import Deps
from handlers.ids import Command


def register(app: App, deps: Deps) -> None:
    @app.command(Command.OPSBOT)
    def opsbot_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        sub = (command.get("text") or "").strip()
        if reviews.opsbot_subcommand(deps, ack, command, client, sub):
            return
        _ = gettext_for(svc.user_locale(db=deps.db, user_id=command["user_id"], channel_id=command.get("channel_id")))
        text = render.opsbot_help(_)
        if sub and sub != "help":
            text = _("I don't know `{sub}` yet.").format(sub=render.escape(sub[:50])) + "\n\n" + text
        ack(render.ephemeral(text))
