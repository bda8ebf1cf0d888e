"""Block Kit of the performance plan: the plan DMs (to the member with Agree /
Comment, to the supervisor with Revise, the mid-month progress) and the comment
modal. Pure. The plan modal itself is the targets modal (``modals.py``)."""

from __future__ import annotations

from typing import Any

from bot.kernel.i18n import Gettext
from bot.workflows.reviews import rules
from bot.workflows.reviews import views as review_views
from bot.workflows.reviews.plan import CommentContext
from handlers.ids import Action, View
from handlers.kit.blocks import Blocks, button, context, meta, plain, section
from handlers.kit.mrkdwn import clip, escape
from handlers.reviews.blocks import figures_lines


def indicator_lines(indicators: list[review_views.PlanIndicator], _: Gettext) -> list[str]:
    return [_("• *{name}*: {target} — standard: {standard}").format(
        name=escape(i.name), target=escape(i.target), standard=escape(i.standard)) for i in indicators]


def plan_blocks(figures: list[review_views.ReviewFigure], indicators: list[review_views.PlanIndicator],
                title: str, _: Gettext) -> Blocks:
    """The built-in targets (with actuals where known) and the custom indicators with their standards."""
    lines = figures_lines(figures, _) if figures else []
    if indicators:
        lines += ["_" + _("Custom indicators") + "_", *indicator_lines(indicators, _)]
    if not lines:
        lines = [_("No targets.")]
    return [section(clip("*" + title + "*\n" + "\n".join(lines), 3000))]


def _targets_only(figures: list[review_views.ReviewFigure]) -> list[review_views.ReviewFigure]:
    return [f for f in figures if f.target is not None]


def plan_dm(d: review_views.PlanDM, _: Gettext) -> dict[str, Any]:
    member, sup = f"<@{d.member.user_id}>", f"<@{d.supervisor.user_id}>"
    title = _("Plan for {period}").format(period=d.period)
    if d.type == "plan_proposed":
        text = _("{supervisor} proposes your performance plan for {period} ({team}), round {round}. Agree, or "
                 "comment and they will revise it.").format(supervisor=sup, period=d.period,
                                                            team=escape(d.team_name), round=d.round)
        figures = _targets_only(d.figures)
    elif d.type == "plan_commented":
        text = _("{member} commented on round {round} of their plan for {period}:").format(
            member=member, round=d.round, period=d.period)
        figures = _targets_only(d.figures)
    elif d.type == "plan_agreed":
        text = _("{member} agreed to their plan for {period} (round {round}).").format(
            member=member, period=d.period, round=d.round)
        figures = _targets_only(d.figures)
    else:
        text = _("Mid-month: how your plan for {period} stands so far ({team}).").format(
            period=d.period, team=escape(d.team_name))
        figures = d.figures
    blocks: Blocks = [section(text)]
    if d.type == "plan_commented" and d.comment:
        blocks.append(section(clip("> " + escape(d.comment).replace("\n", "\n> "), 3000)))
    blocks += plan_blocks(figures, d.indicators, title, _)
    if d.type in ("plan_proposed", "plan_progress"):
        blocks.append(context(_("Private to you and your supervisors.")))
    else:
        blocks.append(context(_("Private to {member} and the team's supervisors.").format(member=member)))
    if d.type == "plan_proposed":
        if d.open:
            blocks.append({"type": "actions", "elements": [
                button(_("Agree"), Action.PLAN_AGREE, str(d.round_id), "primary"),
                button(_("Comment"), Action.PLAN_COMMENT, str(d.round_id))]})
        elif d.agreed:
            blocks.append(context("✅ " + _("You agreed to this plan.")))
    elif d.type == "plan_commented" and d.open:
        blocks.append({"type": "actions", "elements": [button(_("Revise plan"), Action.PLAN_REVISE,
                                                              str(d.round_id), "primary")]})
    return {"text": text, "blocks": blocks}


def comment_modal(c: CommentContext, _: Gettext) -> dict[str, Any]:
    blocks: Blocks = [
        section(_("Your comment on round {round} of your plan for {period} ({team}) goes to your supervisor, who "
                  "can revise the plan.").format(round=c.round, period=c.period, team=escape(c.team_name))),
        {"type": "input", "block_id": rules.FIELD_PLAN_COMMENT, "label": plain(_("Comment")),
         "element": {"type": "plain_text_input", "action_id": "comment", "multiline": True,
                     "max_length": rules.TEXT_MAX}},
    ]
    return {"type": "modal", "callback_id": View.PLAN_COMMENT, "title": plain(clip(_("Comment on the plan"), 24)),
            "submit": plain(_("Send")), "close": plain(_("Cancel")), "private_metadata": meta({"round_id": c.round_id}),
            "blocks": blocks}


RENDERERS = {review_views.PlanDM: plan_dm}
