"""``/opsbot training`` and ``/opsbot goals`` (routed here from
``handlers/opsbot``), the announce modal, the session card's Join, Can't make
it and Record attendance, the attendance modal, and the goals modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.kernel.errors import NotFound
from bot.kernel.i18n import gettext_for
from bot.workflows.training import goals as goals_svc
from bot.workflows.training import service as svc
from handlers.deps import Deps
from handlers.ids import Action, Block, View, item_pattern
from handlers.kit.forms import _value, int_value, meta_id, parse_instant, state_values
from handlers.reviews.listeners import parse_member
from handlers.training import blocks as training_blocks


def subcommand(deps: Deps, client: WebClient, command: dict[str, Any], sub: str, rest: str,
               workspace: str | None = None) -> bool:
    """``training`` (supervisors) and ``goals`` (one's own; ``goals @member`` for a supervisor): True when handled."""
    user, channel, trigger = command["user_id"], command.get("channel_id"), command["trigger_id"]
    if sub == "training":
        form = svc.announce_form(db=deps.db, user_id=user, channel_id=channel, workspace=workspace)
        client.views_open(trigger_id=trigger, view=training_blocks.announce_modal(form, gettext_for(form.locale)))
        return True
    if sub == "goals":
        member = parse_member(rest) if rest.strip() else None
        if member is None:
            g = goals_svc.goals_form(db=deps.db, clock=deps.clock, user_id=user, channel_id=channel, workspace=workspace)
        else:
            g = goals_svc.member_goals(db=deps.db, clock=deps.clock, user_id=user, member=member, workspace=workspace)
        client.views_open(trigger_id=trigger, view=training_blocks.goals_modal(g, gettext_for(g.locale)))
        return True
    return False


def _session_id(body: dict[str, Any]) -> int:
    session_id = int_value(body)
    if session_id is None:
        raise NotFound()
    return session_id


def register(app: App, deps: Deps) -> None:
    services = {"db": deps.db, "clock": deps.clock}

    @app.view(View.TRAINING)
    def announce_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        values = state_values(view)
        text = {b: _value(values, b) for b in (Block.TRAINING_TOPIC, Block.TRAINING_PLACE, Block.TRAINING_DESCRIPTION)}
        done = svc.announce(**services, workspace=deps.scope(context), user_id=body["user"]["id"], team_id=meta_id(view, "team_id"),
                            topic=text[Block.TRAINING_TOPIC], starts_at=parse_instant(_value(values, Block.TRAINING_START)),
                            place=text[Block.TRAINING_PLACE], description=text[Block.TRAINING_DESCRIPTION])
        ack(response_action="update", view=training_blocks.announced(
            team_name=done.team_name, channel=done.channel, _=gettext_for(done.locale)))

    def _answer(ack: Ack, body: dict[str, Any], respond: Respond, joining: bool, context: BoltContext) -> None:
        ack()
        done = svc.answer(**services, workspace=deps.scope(context), user_id=body["user"]["id"], session_id=_session_id(body), joining=joining)
        if body.get("response_url"):
            respond(text=training_blocks.answer_text(topic=done.topic, joining=done.joining,
                                                     _=gettext_for(done.locale)),
                    response_type="ephemeral", replace_original=False)

    @app.action(item_pattern(Action.TRAINING_JOIN))
    def join_clicked(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        _answer(ack, body, respond, True, context)

    @app.action(item_pattern(Action.TRAINING_DECLINE))
    def decline_clicked(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        _answer(ack, body, respond, False, context)

    @app.action(Action.TRAINING_ATTENDANCE)
    def attendance_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        f = svc.attendance_form(**services, workspace=deps.scope(context), user_id=body["user"]["id"], session_id=_session_id(body))
        client.views_open(trigger_id=body["trigger_id"], view=training_blocks.attendance_modal(f, gettext_for(f.locale)))

    @app.view(View.TRAINING_ATTENDANCE)
    def attendance_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        people = _value(state_values(view), Block.TRAINING_ATTENDEES) or []
        locale, count = svc.record_attendance(**services, workspace=deps.scope(context), user_id=body["user"]["id"],
                                              session_id=meta_id(view, "session_id"), attendees=list(people))
        ack(response_action="update", view=training_blocks.attendance_saved(count=count, _=gettext_for(locale)))

    @app.view(View.GOALS)
    def goals_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        text = _value(state_values(view), Block.GOALS_TEXT)
        user = body["user"]["id"]
        count = goals_svc.save_goals(**services, workspace=deps.scope(context), user_id=user, team_id=meta_id(view, "team_id"),
                                     text=text if isinstance(text, str) else None)
        form = goals_svc.goals_form(**services, workspace=deps.scope(context), user_id=user, channel_id=None)
        ack(response_action="update", view=training_blocks.goals_saved(count=count, _=gettext_for(form.locale)))
