"""``/opsbot``: help, and exports; status, reports and settings grow here."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.i18n import gettext_for
from bot.services import exports
from bot.services import topics as svc
from handlers import render
from handlers.deps import Deps
from handlers.ids import Command
from handlers.render_exports import kind_title


def register(app: App, deps: Deps) -> None:
    @app.command(Command.OPSBOT)
    def opsbot_command(ack: Ack, command: dict[str, Any]) -> None:
        user, channel = command["user_id"], command.get("channel_id")
        sub, _sep, rest = (command.get("text") or "").strip().partition(" ")
        if sub == "export":
            queued = exports.request_export(db=deps.db, clock=deps.clock, user_id=user, channel_id=channel, text=rest)
            _ = gettext_for(queued.locale)
            ack(render.ephemeral(_("Preparing {kind} of {team} for {period}; the CSV will arrive in your DMs.").format(
                kind=kind_title(queued.kind, _), team=render.escape(queued.team_name), period=queued.period)))
            return
        _ = gettext_for(svc.user_locale(db=deps.db, user_id=user, channel_id=channel))
        text = render.opsbot_help(_)
        if sub and sub != "help":
            text = _("I don't know `{sub}` yet.").format(sub=render.escape(sub[:50])) + "\n\n" + text
        ack(render.ephemeral(text))
