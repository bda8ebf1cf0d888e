"""Listeners for /topic, the approval card's buttons and the topic modals.

Each listener: parse the payload, make one service call, render the answer.
Domain errors raised by the services are rendered by ``handlers/errors.py``.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.kernel import people
from bot.kernel.errors import NotFound
from bot.kernel.i18n import gettext_for
from bot.workflows.topics import service as svc
from bot.workflows.topics.rules import TopicCommand, TopicCommandKind, TopicDraft, parse_topic_command
from bot.workflows.topics.views import ProposalConfirmation
from handlers.deps import Deps
from handlers.ids import Action, Command, View, item_pattern
from handlers.kit import blocks, forms
from handlers.kit.mrkdwn import escape
from handlers.topics import blocks as topic_blocks
from handlers.topics import forms as topic_forms

# Requests decided after their ack (bot/kernel/inbox.py), by kind.
PROPOSE, APPROVE = "topic.propose", "topic.approve"


def _services(deps: Deps) -> dict[str, Any]:
    """The keyword arguments every service call takes."""
    return {"db": deps.db, "clock": deps.clock}


def _open_propose_modal(deps: Deps, client: WebClient, trigger_id: str, user_id: str, channel_id: str | None,
                        response_url: str | None, workspace: str | None, title: str | None = None) -> None:
    ctx = svc.form_context(db=deps.db, user_id=user_id, channel_id=channel_id, workspace=workspace)
    meta = {"channel_id": channel_id, "response_url": response_url}
    view = topic_blocks.propose_modal(teams=ctx.teams, default_team_id=ctx.default_team_id, metadata=meta,
                                _=gettext_for(ctx.locale), title=title)
    client.views_open(trigger_id=trigger_id, view=view)


def _topic_reply(deps: Deps, cmd: TopicCommand, user: str, channel: str | None, workspace: str | None) -> Any:
    """What the ack answers to a /topic that needs no modal and no deferral, in the request's workspace."""
    services = {**_services(deps), "workspace": workspace}
    _ = gettext_for(people.user_locale(db=deps.db, user_id=user, channel_id=channel, workspace=workspace))
    if cmd.kind == TopicCommandKind.HELP:
        return blocks.ephemeral(topic_blocks.topic_help(_))
    if cmd.kind == TopicCommandKind.LIST:
        return blocks.ephemeral(topic_blocks.topic_lists(svc.my_topics(**services, user_id=user, channel_id=channel), _))
    if cmd.kind == TopicCommandKind.LIST_TEAM:
        listing = svc.team_topics(**services, user_id=user, channel_id=channel)
        return blocks.ephemeral(topic_blocks.topic_lists([listing], _, team=True))
    if cmd.kind == TopicCommandKind.WITHDRAW:
        done = svc.withdraw_topic(**services, user_id=user, topic_id=cmd.topic_id)
        return blocks.ephemeral(_("Topic #{id} “{title}” is withdrawn.").format(id=done.topic_id, title=escape(done.title)))
    # a proposal without a response_url (never from Slack): the ack answers it
    p = svc.propose_topic(**services, user_id=user, channel_id=channel, draft=TopicDraft(title=cmd.title or ""))
    shown = ProposalConfirmation(p.locale, p.topic_id, p.title, p.team_name, p.count, p.quota,
                                 p.chosen_by_default)
    return topic_blocks.proposal_confirmation(shown, gettext_for(p.locale))


def register(app: App, deps: Deps) -> None:
    """Plugs /topic and its cards' listeners into ``app``, in this order (see the helpers below)."""
    _register_proposals(app, deps)
    _register_decisions(app, deps)
    _register_propose_button(app, deps)


def _register_proposals(app: App, deps: Deps) -> None:
    """/topic, its deferred proposal, and the propose modal."""
    services = _services(deps)

    @app.command(Command.TOPIC)
    def topic_command(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        user, channel = command["user_id"], command.get("channel_id")
        workspace = deps.scope(context)
        cmd = parse_topic_command(command.get("text") or "")
        if cmd.kind == TopicCommandKind.MODAL:
            _open_propose_modal(deps, client, command["trigger_id"], user, channel, command.get("response_url"),
                                workspace)
            ack()
            return
        if cmd.kind == TopicCommandKind.PROPOSE and command.get("response_url"):
            # Taken now, decided right after the ack (bot/kernel/inbox.py); the
            # confirmation or the refusal comes back through response_url.
            deps.inbox.put(PROPOSE, {"user": user, "channel": channel, "title": cmd.title or "",
                                     "text": command.get("text") or "", "response_url": command["response_url"],
                                     "workspace": workspace})
            ack()
            return
        ack(_topic_reply(deps, cmd, user, channel, workspace))

    @deps.inbox.handles(PROPOSE)
    def propose_deferred(p: dict[str, Any]) -> None:
        svc.propose_topic(**services, user_id=p["user"], channel_id=p.get("channel"),
                          draft=TopicDraft(title=p["title"]), response_url=p["response_url"],
                          workspace=p.get("workspace"))

    @app.view(View.TOPIC_PROPOSE)
    def topic_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        draft, team_id = topic_forms.topic_form(view)
        svc.propose_topic(**services, user_id=body["user"]["id"], draft=draft, team_id=team_id,
                          channel_id=forms.meta_str(view, "channel_id"),
                          response_url=forms.meta_str(view, "response_url"), workspace=deps.scope(context))
        ack()


def _register_decisions(app: App, deps: Deps) -> None:
    """The approval card's Approve (deferred) and Reject, and the reject modal."""
    services = _services(deps)

    @app.action(item_pattern(Action.TOPIC_APPROVE))
    def approve_clicked(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        topic_id = forms.int_value(body)
        if topic_id is None:
            ack()
            raise NotFound()
        # Taken now, decided right after the ack (bot/kernel/inbox.py): a burst of
        # clicks is acknowledged at the rate requests arrive.
        channel = (body.get("channel") or {}).get("id")
        deps.inbox.put(APPROVE, {"user": body["user"]["id"], "topic_id": topic_id, "channel": channel,
                                 "response_url": body.get("response_url"), "workspace": deps.scope(context)})
        ack()

    @deps.inbox.handles(APPROVE)
    def approve_deferred(p: dict[str, Any]) -> None:
        svc.decide_topic(**services, user_id=p["user"], topic_id=p["topic_id"], approve=True,
                         workspace=p.get("workspace"))

    @app.action(item_pattern(Action.TOPIC_REJECT))
    def reject_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        topic_id = forms.int_value(body)
        if topic_id is None:
            raise NotFound()
        user = body["user"]["id"]
        workspace = deps.scope(context)
        title = svc.check_can_decide(**services, user_id=user, topic_id=topic_id, workspace=workspace)
        _ = gettext_for(people.user_locale(db=deps.db, user_id=user, workspace=workspace))
        client.views_open(trigger_id=body["trigger_id"],
                          view=topic_blocks.reject_modal(topic_id=topic_id, title=title, metadata={}, _=_))

    @app.view(View.TOPIC_REJECT)
    def reject_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        topic_id = forms.meta_id(view, "topic_id")
        svc.decide_topic(**services, user_id=body["user"]["id"], topic_id=topic_id, approve=False,
                         reason=topic_forms.reject_reason(view), workspace=deps.scope(context))
        ack()


def _register_propose_button(app: App, deps: Deps) -> None:
    """Propose a topic, the button on Home and on the quota reminder: opens the propose modal."""

    @app.action(Action.PROPOSE_TOPIC)
    def propose_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        channel = (body.get("channel") or {}).get("id")
        _open_propose_modal(deps, client, body["trigger_id"], body["user"]["id"], channel, body.get("response_url"),
                            deps.scope(context))
