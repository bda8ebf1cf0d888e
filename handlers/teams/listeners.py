"""Teams set up in Slack: ``/opsbot setup`` (routed here from
``handlers/opsbot``), Home's New team and Edit, the modal's Archive.

Whether someone is a workspace owner or admin is Slack's word: when the store
does not know them as an admin, ``users.info`` is asked before the modal
opens, so a new workspace admin can set up the first team at once. In OAuth
mode every one of these acts in the request's workspace only: its teams, its
admins (bot/workflows/teams/service.py).

The bot must be able to post in the team's channel before anything is
stored: a public channel it is not in, it joins (``channels:join``); a
private one it cannot see until invited, so the modal says how to invite it.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.kernel import people
from bot.kernel.errors import N_, InvalidInput
from bot.kernel.i18n import gettext_for
from bot.workflows.teams import service
from bot.workflows.teams.service import TeamForm, TeamSaved
from handlers.deps import Deps
from handlers.gateway import NETWORK_ERRORS
from handlers.ids import Action, Block, View, item_pattern
from handlers.kit.forms import int_value, view_id
from handlers.profiles import refresh_profile
from handlers.teams.blocks import team_modal, team_saved
from handlers.teams.forms import team_form

log = logging.getLogger(__name__)

CANNOT_SEE = N_("opsbot is not in that private channel, so it cannot post there. Type /invite @opsbot in the "
                "channel, then press the button again.")
CANNOT_JOIN = N_("opsbot could not join that channel. Type /invite @opsbot in the channel, then press the button "
                 "again.")
ARCHIVED = N_("That channel is archived; pick another.")
UNREACHABLE = N_("Slack could not tell whether opsbot is in that channel. Try again in a moment.")


def learn_admin(deps: Deps, client: WebClient, user_id: str, context: BoltContext) -> None:
    """Ask Slack whether ``user_id`` is a workspace owner or admin, unless the
    operator named them an admin (or they installed the app there); remember
    the answer, in OAuth mode as the request's workspace's word only (``client``
    carries its token). A workspace admin is asked every time, so one demoted in
    Slack loses setup at once, not when their cached profile next refreshes. If
    Slack does not answer, the store's word stands."""
    workspace = deps.workspace(context)
    if not people.is_named_admin(db=deps.db, user_id=user_id, workspace=workspace,
                                 enterprise_id=deps.enterprise(context)):
        refresh_profile(deps, client, user_id, workspace)


def _where(deps: Deps, context: BoltContext) -> dict[str, Any]:
    """The request's workspace, as the service takes it."""
    return {"workspace": deps.workspace(context), "enterprise_id": deps.enterprise(context)}


def channel_check(client: WebClient) -> service.ChannelCheck:
    def check(channel: str) -> None:
        try:
            info = client.conversations_info(channel=channel)["channel"]
        except SlackApiError as e:
            error = (e.response.data or {}).get("error") if e.response is not None else None
            raise InvalidInput(CANNOT_SEE if error == "channel_not_found" else UNREACHABLE,
                               field=Block.TEAM_CHANNEL) from None
        except NETWORK_ERRORS:
            raise InvalidInput(UNREACHABLE, field=Block.TEAM_CHANNEL) from None
        if info.get("is_archived"):
            raise InvalidInput(ARCHIVED, field=Block.TEAM_CHANNEL)
        if info.get("is_member"):
            return
        if info.get("is_private"):
            raise InvalidInput(CANNOT_SEE, field=Block.TEAM_CHANNEL)
        try:
            client.conversations_join(channel=channel)
        except (SlackApiError, *NETWORK_ERRORS):
            raise InvalidInput(CANNOT_JOIN, field=Block.TEAM_CHANNEL) from None

    return check


def _open(client: WebClient, trigger_id: str, form: TeamForm) -> None:
    client.views_open(trigger_id=trigger_id, view=team_modal(form, gettext_for(form.locale)))


def open_setup(deps: Deps, client: WebClient, user_id: str, trigger_id: str, context: BoltContext) -> None:
    """``/opsbot setup`` and Home's New team: refused with the reason to a non-admin."""
    learn_admin(deps, client, user_id, context)
    _open(client, trigger_id, service.setup_form(db=deps.db, user_id=user_id, **_where(deps, context)))


def _saved(saved: TeamSaved) -> dict[str, Any]:
    return team_saved(name=saved.team_name, channel=saved.channel, created=saved.created, archived=saved.archived,
                      added=len(saved.added), removed=len(saved.removed), _=gettext_for(saved.locale))


def register(app: App, deps: Deps) -> None:
    @app.action(Action.TEAM_NEW)
    def new_team_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        open_setup(deps, client, body["user"]["id"], body["trigger_id"], context)

    @app.action(item_pattern(Action.TEAM_EDIT))
    def edit_team_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        user = body["user"]["id"]
        learn_admin(deps, client, user, context)
        _open(client, body["trigger_id"], service.edit_form(db=deps.db, user_id=user, team_id=int_value(body) or 0,
                                                           **_where(deps, context)))

    @app.action(Action.TEAM_ARCHIVE)
    def archive_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        user = body["user"]["id"]
        learn_admin(deps, client, user, context)
        saved = service.archive_team(db=deps.db, clock=deps.clock, user_id=user, team_id=int_value(body) or 0,
                                     **_where(deps, context))
        view = body.get("view") if isinstance(body.get("view"), dict) else {}
        if view_id(view):
            client.views_update(view_id=view_id(view), view=_saved(saved))

    @app.view(View.TEAM_SETUP)
    def team_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                       context: BoltContext) -> None:
        user = body["user"]["id"]
        team_id, raw = team_form(view)
        learn_admin(deps, client, user, context)
        if team_id:
            saved = service.update_team(db=deps.db, clock=deps.clock, user_id=user, team_id=team_id, raw=raw,
                                        check_channel=channel_check(client), **_where(deps, context))
        else:
            saved = service.create_team(db=deps.db, clock=deps.clock, user_id=user, raw=raw,
                                        check_channel=channel_check(client), **_where(deps, context))
        ack(response_action="update", view=_saved(saved))
