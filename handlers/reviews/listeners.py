"""Listeners of the performance reviews: ``/selfreview``, the review DMs'
buttons, the review modals, and ``/opsbot targets`` / ``/opsbot reviews``.

Review content travels only in DMs and modals; every listener leaves the
authorization to the service, which reads it from the store.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.domain.numbers import typed_id
from bot.kernel.errors import N_, InvalidInput, NotFound
from bot.kernel.i18n import gettext_for
from bot.workflows.feedback.home import open_items_for_review
from bot.workflows.reviews import peers as reviews_peers
from bot.workflows.reviews import plan as reviews_plan
from bot.workflows.reviews import rules
from bot.workflows.reviews import service as svc
from bot.workflows.reviews import targets as reviews_targets
from bot.workflows.reviews import team as reviews_team
from bot.workflows.reviews.figures import TARGET_KEYS
from handlers.deps import Deps
from handlers.ids import Action, Command, View, item_pattern
from handlers.kit import forms
from handlers.kit.blocks import ephemeral
from handlers.reviews import blocks as rr
from handlers.reviews import modals
from handlers.reviews import plan as plan_blocks

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$|^([UW][A-Z0-9]{2,})$")
_REVIEW_ID = re.compile(r"^#?(\d{1,12})$")


def _values(view: dict[str, Any]) -> dict[str, Any]:
    """Block id -> what was entered: text, a selected option's value, or users."""
    values = forms.state_values(view)
    return {block: forms._value(values, block) for block in values}


def _scores(values: dict[str, Any]) -> rules.Scores:
    return rules.parse_scores({d: values.get(rules.FIELD_SCORE[d]) for d in rules.DIMENSIONS})


def parse_member(text: str) -> str | None:
    m = _MENTION.match(text.strip())
    return (m.group(1) or m.group(2)) if m else None


def _services(deps: Deps) -> dict[str, Any]:
    """The keyword arguments every service call takes."""
    return {"db": deps.db, "clock": deps.clock}


def _review_id(body: dict[str, Any]) -> int:
    """A DM button's value: the review (or peer rating) id."""
    rid = forms.int_value(body)
    if rid is None:
        raise NotFound()
    return rid


def _open_selfreview(deps: Deps, client: WebClient, trigger_id: str, user: str, review: int | None = None,
                     period: str | None = None, workspace: str | None = None) -> None:
    c = svc.selfreview_form(**_services(deps), workspace=workspace, user_id=user, review_id=review, period=period)
    items = open_items_for_review(**_services(deps), user_id=user, review_id=c.review_id)
    client.views_open(trigger_id=trigger_id, view=modals.selfreview_modal(c, gettext_for(c.locale), items))


def register(app: App, deps: Deps) -> None:
    """Plugs the performance reviews' listeners into ``app``, in this order (see the helpers below)."""
    _register_self_reviews(app, deps)
    _register_evaluations(app, deps)
    _register_outcomes(app, deps)
    _register_peers(app, deps)
    _register_targets(app, deps)
    _register_plan(app, deps)


def _register_self_reviews(app: App, deps: Deps) -> None:
    """/selfreview, the DM's Write button and the self-review modal."""
    services = _services(deps)

    @app.command(Command.SELFREVIEW)
    def selfreview_command(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        user, text = command["user_id"], (command.get("text") or "").strip()
        ref = _REVIEW_ID.match(text)
        if text and not ref and rules.parse_period(text) is None:
            raise InvalidInput(N_("Use `/selfreview` for this month's self-review, or `/selfreview YYYY-MM`."))
        _open_selfreview(deps, client, command["trigger_id"], user, review=typed_id(ref.group(1)) if ref else None,
                         period=text if text and not ref else None, workspace=deps.scope(context))
        ack()

    @app.action(Action.REVIEW_WRITE)
    def write_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        _open_selfreview(deps, client, body["trigger_id"], body["user"]["id"], review=_review_id(body),
                         workspace=deps.scope(context))

    @app.view(View.SELF_REVIEW)
    def selfreview_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        values = _values(view)
        form = rules.validate_self_review(values.get(rules.FIELD_ACHIEVEMENTS), values.get(rules.FIELD_SHORTCOMINGS),
                                          values.get(rules.FIELD_PLAN),
                                          {d: values.get(rules.FIELD_SCORE[d]) for d in rules.DIMENSIONS})
        svc.submit_self_review(**services, workspace=deps.scope(context), user_id=body["user"]["id"],
                               review_id=forms.meta_id(view, "review_id"), form=form)
        ack()


def _register_evaluations(app: App, deps: Deps) -> None:
    """The manager's Evaluate / Revise buttons and the evaluation modal."""
    services = _services(deps)

    @app.action(Action.REVIEW_EVALUATE)
    def evaluate_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        c = svc.evaluation_form(**services, workspace=deps.scope(context), user_id=body["user"]["id"], review_id=_review_id(body))
        client.views_open(trigger_id=body["trigger_id"], view=modals.evaluation_modal(c, gettext_for(c.locale)))

    @app.action(Action.REVIEW_REVISE)
    def revise_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        c = svc.evaluation_form(**services, workspace=deps.scope(context), user_id=body["user"]["id"], review_id=_review_id(body), revise=True)
        client.views_open(trigger_id=body["trigger_id"],
                          view=modals.evaluation_modal(c, gettext_for(c.locale), revise=True))

    @app.view(View.EVALUATION)
    def evaluation_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        values, meta = _values(view), forms.metadata(view)
        annual = rules.FIELD_GRADE in values
        scores = None if annual else _scores(values)
        comment = rules.check_text(values.get(rules.FIELD_COMMENT), rules.FIELD_COMMENT, required=annual)
        grade = values.get(rules.FIELD_GRADE)
        user, rid = body["user"]["id"], forms.id_of(meta.get("review_id"))
        if meta.get("revise"):
            svc.resolve(**services, workspace=deps.scope(context), user_id=user, review_id=rid, revise=True,
                        resolution_comment=values.get(rules.FIELD_RESOLUTION), scores=scores, comment=comment,
                        grade=grade)
        else:
            svc.evaluate(**services, workspace=deps.scope(context), user_id=user, review_id=rid, scores=scores, comment=comment, grade=grade)
        ack()


def _register_outcomes(app: App, deps: Deps) -> None:
    """The result's Acknowledge / Object buttons, the objection, and its confirmation."""
    services = _services(deps)

    @app.action(Action.REVIEW_ACKNOWLEDGE)
    def acknowledge_clicked(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        ack()
        locale = svc.acknowledge(**services, workspace=deps.scope(context), user_id=body["user"]["id"], review_id=_review_id(body))
        _ = gettext_for(locale)
        respond(text=_("Thank you: the result is acknowledged."), response_type="ephemeral", replace_original=False)

    @app.action(Action.REVIEW_OBJECT)
    def object_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        c = svc.object_form(**services, workspace=deps.scope(context), user_id=body["user"]["id"], review_id=_review_id(body))
        client.views_open(trigger_id=body["trigger_id"], view=modals.objection_modal(c, gettext_for(c.locale)))

    @app.view(View.OBJECTION)
    def objection_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        svc.object_to(**services, workspace=deps.scope(context), user_id=body["user"]["id"], review_id=forms.meta_id(view, "review_id"),
                      reason=_values(view).get(rules.FIELD_REASON))
        ack()

    @app.action(Action.REVIEW_CONFIRM)
    def confirm_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        c = svc.evaluation_form(**services, workspace=deps.scope(context), user_id=body["user"]["id"], review_id=_review_id(body), revise=True)
        client.views_open(trigger_id=body["trigger_id"], view=modals.confirm_modal(c, gettext_for(c.locale)))

    @app.view(View.CONFIRM)
    def confirm_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        svc.resolve(**services, workspace=deps.scope(context), user_id=body["user"]["id"], review_id=forms.meta_id(view, "review_id"),
                    revise=False, resolution_comment=_values(view).get(rules.FIELD_RESOLUTION))
        ack()


def _register_peers(app: App, deps: Deps) -> None:
    """Ask colleagues for ratings, and a colleague's rating modal."""
    services = _services(deps)

    @app.action(Action.REVIEW_ASK_PEERS)
    def ask_peers_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        c = svc.evaluation_form(**services, workspace=deps.scope(context), user_id=body["user"]["id"], review_id=_review_id(body))
        client.views_open(trigger_id=body["trigger_id"], view=modals.peers_modal(c, gettext_for(c.locale)))

    @app.view(View.PEERS)
    def peers_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        reviews_peers.ask_peers(**services, workspace=deps.scope(context), user_id=body["user"]["id"], review_id=forms.meta_id(view, "review_id"),
                      peers=_values(view).get(rules.FIELD_PEERS) or [])
        ack()

    @app.action(Action.PEER_RATE)
    def rate_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        c = reviews_peers.peer_form(**services, workspace=deps.scope(context), user_id=body["user"]["id"], rating_id=_review_id(body))
        client.views_open(trigger_id=body["trigger_id"], view=modals.peer_rating_modal(c, gettext_for(c.locale)))

    @app.view(View.PEER_RATING)
    def rating_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        values = _values(view)
        score = rules.parse_score(values.get(rules.FIELD_PEER_SCORE), rules.FIELD_PEER_SCORE)
        comment = rules.check_text(values.get(rules.FIELD_COMMENT), rules.FIELD_COMMENT, required=False)
        reviews_peers.rate_peer(**services, workspace=deps.scope(context), user_id=body["user"]["id"], rating_id=forms.meta_id(view, "rating_id"),
                      score=score, comment=comment)
        ack()


def _register_targets(app: App, deps: Deps) -> None:
    """The plan (targets) modal, opened by ``/opsbot targets`` (``opsbot_subcommand``) or Revise."""
    services = _services(deps)

    @app.view(View.TARGETS)
    def targets_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        values = _values(view)
        reviews_targets.propose(**services, workspace=deps.scope(context), user_id=body["user"]["id"], member=forms.meta_str(view, "member") or "",
                                period=forms.meta_str(view, "period") or "",
                                values={k: values.get(rules.FIELD_TARGET[k]) for k in TARGET_KEYS},
                                indicators=values.get(rules.FIELD_PLAN_INDICATORS))
        ack()


def _register_plan(app: App, deps: Deps) -> None:
    """Agree, Comment (and its modal) and Revise on the plan DMs."""
    services = {"db": deps.db, "clock": deps.clock}

    @app.action(item_pattern(Action.PLAN_AGREE))
    def agree_clicked(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        ack()
        a = reviews_plan.agree(**services, workspace=deps.scope(context), user_id=body["user"]["id"], round_id=_review_id(body))
        _ = gettext_for(a.locale)
        text = _("You have already agreed to this plan.") if a.already else _("Thank you: the plan is agreed.")
        if body.get("response_url"):  # from Home there is none: Home itself is redrawn
            respond(text=text, response_type="ephemeral", replace_original=False)

    @app.action(item_pattern(Action.PLAN_COMMENT))
    def comment_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        c = reviews_plan.comment_form(db=deps.db, workspace=deps.scope(context), user_id=body["user"]["id"], round_id=_review_id(body))
        client.views_open(trigger_id=body["trigger_id"], view=plan_blocks.comment_modal(c, gettext_for(c.locale)))

    @app.view(View.PLAN_COMMENT)
    def comment_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        text = forms.text(view, rules.FIELD_PLAN_COMMENT)
        reviews_plan.comment(**services, workspace=deps.scope(context), user_id=body["user"]["id"], round_id=forms.meta_id(view, "round_id"), text=text)
        ack()

    @app.action(Action.PLAN_REVISE)
    def revise_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        c = reviews_plan.revise_form(**services, workspace=deps.scope(context), user_id=body["user"]["id"], round_id=_review_id(body))
        client.views_open(trigger_id=body["trigger_id"], view=modals.targets_modal(c, gettext_for(c.locale)))


def opsbot_subcommand(deps: Deps, ack: Ack, command: dict[str, Any], client: WebClient, sub: str,
                      workspace: str | None = None) -> bool:
    """``/opsbot targets @member [YYYY-MM]`` and ``/opsbot reviews [YYYY-MM]``;
    False when ``sub`` is neither."""
    services = {"db": deps.db, "clock": deps.clock, "workspace": workspace}
    words = sub.split()
    if not words or words[0] not in ("targets", "reviews"):
        return False
    user = command["user_id"]
    period = words[-1] if len(words) > 1 and rules.parse_period(words[-1]) else None
    if words[0] == "reviews":
        if len(words) > 2 or (len(words) == 2 and period is None):
            raise InvalidInput(N_("Use `/opsbot reviews` or `/opsbot reviews YYYY-MM`."))
        t = reviews_team.team_reviews(**services, user_id=user, period=period, channel_id=command.get("channel_id"))
        if isinstance(t, str):  # asked in a shared channel: the content goes by DM, never here
            _ = gettext_for(t)
            ack(ephemeral(_("Sent to you by DM: reviews are private.")))
        else:
            ack(ephemeral(rr.team_reviews(t, gettext_for(t.locale))))
        return True
    member = parse_member(words[1]) if len(words) > 1 else None
    if member is None or len(words) > 3 or (len(words) == 3 and period is None):
        raise InvalidInput(N_("Use `/opsbot targets @member` or `/opsbot targets @member YYYY-MM`."))
    c = reviews_targets.targets_form(**services, user_id=user, member=member, period=period)
    client.views_open(trigger_id=command["trigger_id"], view=modals.targets_modal(c, gettext_for(c.locale)))
    ack()
    return True
