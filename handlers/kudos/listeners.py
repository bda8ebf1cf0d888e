"""Listeners for /kudos: a colleague's kudos, a supervisor's honour of the month, the help."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.kernel.i18n import gettext_for
from bot.kernel.people import user_locale
from bot.workflows.kudos import rules
from bot.workflows.kudos import service as svc
from handlers.deps import Deps
from handlers.ids import Command
from handlers.kit import blocks
from handlers.kudos import blocks as kudos_blocks
from handlers.profiles import refresh_profile

log = logging.getLogger(__name__)


def know_zone(deps: Deps, client: WebClient, user_id: str) -> None:
    """The daily cap is counted in the giver's own day, and answers come in their language:
    learn their profile from Slack when the store has no fresh one (if Slack does not
    answer, the team's zone and language)."""
    if svc.zone_unknown(db=deps.db, clock=deps.clock, user_id=user_id):
        refresh_profile(deps, client, user_id)


def register(app: App, deps: Deps) -> None:
    services = {"db": deps.db, "clock": deps.clock}

    @app.command(Command.KUDOS)
    def kudos_command(ack: Ack, command: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        user, channel = command["user_id"], command.get("channel_id")
        cmd = rules.parse_kudos(command.get("text") or "")
        if cmd.kind == "help":
            locale = user_locale(db=deps.db, user_id=user, channel_id=channel, workspace=deps.scope(context))
            ack(blocks.ephemeral(kudos_blocks.kudos_help(gettext_for(locale))))
        elif cmd.kind == "honour":
            know_zone(deps, client, user)
            h = svc.honour(**services, user_id=user, recipient=cmd.recipient, citation=cmd.reason, month=cmd.month,
                           channel_id=channel, workspace=deps.scope(context))
            _ = gettext_for(h.locale)
            ack(blocks.ephemeral(_("<@{user}> is the honour of the month {month} in {team}; it is posted in the "
                                   "team channel.").format(user=h.recipient, month=h.month, team=h.team_name)))
        else:
            know_zone(deps, client, user)
            k = svc.give_kudos(**services, user_id=user, recipient=cmd.recipient, reason=cmd.reason,
                               channel_id=channel, workspace=deps.scope(context))
            _ = gettext_for(k.locale)
            ack(blocks.ephemeral(_("Thank you: your kudos to <@{user}> is posted in the channel of {team}, and they "
                                   "hear it by DM. Kudos left today: {left}.").format(
                user=k.recipient, team=k.team_name, left=k.left_today)))
