"""Listeners of the feedback talk: Schedule / Record notes (Home, the reminder,
an objection, ``/opsbot talk @member``), the schedule and notes modals, the
member's Acknowledge / Object, and an item's Done / Not yet. Authorization is
the services'; they read it from the store."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.kernel.errors import N_, InvalidInput, NotFound
from bot.kernel.i18n import gettext_for
from bot.workflows.feedback import answers, service
from bot.workflows.reviews.rules import parse_period
from handlers.deps import Deps
from handlers.feedback import blocks as fb
from handlers.feedback import forms as fb_forms
from handlers.ids import Action, View, item_pattern
from handlers.kit import forms

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$|^([UW][A-Z0-9]{2,})$")


def _id(body: dict[str, Any]) -> int:
    item = forms.int_value(body)
    if item is None:
        raise NotFound()
    return item


def _talk_value(body: dict[str, Any]) -> tuple[int, int | None]:
    """An Acknowledge / Object button's talk and plan version."""
    data = forms.json_value(body)
    talk, version = forms.id_of(data.get("t")), data.get("v")
    if not talk:
        raise NotFound()
    return talk, version if isinstance(version, int) and not isinstance(version, bool) else None


def _reply(respond: Respond, text: str) -> None:
    respond(text=text, response_type="ephemeral", replace_original=False)


def open_schedule(deps: Deps, client: WebClient, trigger_id: str, user: str, review_id: int,
                  workspace: str | None = None) -> None:
    c = service.schedule_form(db=deps.db, clock=deps.clock, user_id=user, review_id=review_id, workspace=workspace)
    client.views_open(trigger_id=trigger_id, view=fb.schedule_modal(c, gettext_for(c.locale)))


def subcommand(deps: Deps, client: WebClient, command: dict[str, Any], sub: str, rest: str,
               workspace: str | None = None) -> bool:
    """``/opsbot talk @member [YYYY-MM]``: the schedule modal; False for any other subcommand."""
    if sub != "talk":
        return False
    words = rest.split()
    m = _MENTION.match(words[0]) if words else None
    if m is None or len(words) > 2 or (len(words) == 2 and parse_period(words[1]) is None):
        raise InvalidInput(N_("Use `/opsbot talk @member` or `/opsbot talk @member YYYY-MM`."))
    user = command["user_id"]
    review_id = service.review_to_talk(db=deps.db, clock=deps.clock, user_id=user, member=m.group(1) or m.group(2),
                                       period=words[1] if len(words) == 2 else None, workspace=workspace)
    open_schedule(deps, client, command["trigger_id"], user, review_id, workspace)
    return True


def register(app: App, deps: Deps) -> None:
    services = {"db": deps.db, "clock": deps.clock}

    @app.action(item_pattern(Action.TALK_SCHEDULE))
    def schedule_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        open_schedule(deps, client, body["trigger_id"], body["user"]["id"], _id(body), deps.scope(context))

    @app.view(View.TALK_SCHEDULE)
    def schedule_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        at, place = fb_forms.schedule_form(view)
        service.schedule(**services, workspace=deps.scope(context), user_id=body["user"]["id"], review_id=forms.meta_id(view, "review_id"),
                         starts_at=at, place=place)
        ack()

    @app.action(item_pattern(Action.TALK_RECORD))
    def record_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        c = service.notes_form(**services, workspace=deps.scope(context), user_id=body["user"]["id"], talk_id=_id(body))
        client.views_open(trigger_id=body["trigger_id"], view=fb.notes_modal(c, gettext_for(c.locale)))

    @app.view(View.TALK_NOTES)
    def notes_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        notes, rows = fb_forms.notes_form(view)
        service.record(**services, workspace=deps.scope(context), user_id=body["user"]["id"], talk_id=forms.meta_id(view, "talk_id"), notes=notes,
                       items=rows)
        ack()

    _register_answers(app, deps)


def _register_answers(app: App, deps: Deps) -> None:
    """The member's Acknowledge / Object, and an item's Done / Not yet."""
    services = {"db": deps.db, "clock": deps.clock}

    @app.action(Action.TALK_ACKNOWLEDGE)
    def acknowledge_clicked(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        ack()
        talk, version = _talk_value(body)
        a = answers.acknowledge(**services, workspace=deps.scope(context), user_id=body["user"]["id"], talk_id=talk, version=version)
        _ = gettext_for(a.locale)
        _reply(respond, _("You have already acknowledged this plan.") if a.already
               else _("Thank you: the notes and the plan are acknowledged."))

    @app.action(Action.TALK_OBJECT)
    def object_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        talk, version = _talk_value(body)
        a = answers.object_form(db=deps.db, workspace=deps.scope(context), user_id=body["user"]["id"], talk_id=talk, version=version)
        client.views_open(trigger_id=body["trigger_id"], view=fb.objection_modal(talk, version or 0,
                                                                                 gettext_for(a.locale)))

    @app.view(View.TALK_OBJECTION)
    def objection_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        version = forms.metadata(view).get("version")
        answers.object_to(**services, workspace=deps.scope(context), user_id=body["user"]["id"], talk_id=forms.meta_id(view, "talk_id"),
                          version=version if isinstance(version, int) and version else None,
                          reason=forms.text(view, "fb_objection"))
        ack()

    @app.action(Action.ITEM_DONE)
    def done_clicked(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        ack()
        locale = answers.item_done(**services, workspace=deps.scope(context), user_id=body["user"]["id"], item_id=_id(body))
        _reply(respond, gettext_for(locale)("Done: the item is closed."))

    @app.action(Action.ITEM_NOT_YET)
    def not_yet_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        c = answers.not_yet_form(**services, workspace=deps.scope(context), user_id=body["user"]["id"], item_id=_id(body))
        client.views_open(trigger_id=body["trigger_id"], view=fb.not_yet_modal(c, gettext_for(c.locale)))

    @app.view(View.ITEM_NOT_YET)
    def not_yet_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        comment, due = fb_forms.not_yet_form(view)
        answers.not_yet(**services, workspace=deps.scope(context), user_id=body["user"]["id"], item_id=forms.meta_id(view, "item_id"),
                        comment=comment, due=due)
        ack()
