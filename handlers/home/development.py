"""Home's issue-18 sections, pure Block Kit: the viewer's plan for the month
(Agree / Comment while it waits for them), upcoming training sessions, career
goals of the year, and for supervisors the plans not yet agreed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.kernel.i18n import Gettext
from bot.workflows.home import views as home_views
from handlers.ids import Action, item_action_id
from handlers.kit.blocks import Blocks, button, context, line_sections, section
from handlers.kit.mrkdwn import clip, escape, slack_date
from handlers.reviews.blocks import figures_lines

SESSION_LINES = 5
PLAN_LINES = 20


@dataclass
class Buttons:
    """How many more waiting items (decisions, unanswered sessions) may carry their buttons on
    this Home: what Slack's block limit leaves (``handlers/home/blocks.py``)."""

    left: int


def _more(lines: list[str], cap: int, _: Gettext) -> list[str]:
    if len(lines) <= cap:
        return lines
    return [*lines[:cap], _("…and {n} more.").format(n=len(lines) - cap)]


def plan(p: home_views.HomePlan, _: Gettext) -> Blocks:
    """The viewer's own plan: agreed, its targets beside the actuals so far;
    proposed, Agree and Comment (the DM's buttons, under per-item ids)."""
    title = _("*Your plan for {period}*").format(period=p.period)
    if p.status == "agreed":
        lines = figures_lines(p.figures, _) if p.figures else [_("No built-in targets: see the custom indicators "
                                                                  "in your plan message.")]
        return [section(clip("\n".join([title + " — " + _("agreed; so far this month:"), *lines]), 3000))]
    if p.status == "commented":
        return [section(title + " — " + _("you commented on round {round}; your supervisor is revising it.").format(
            round=p.round))]
    return [
        section(title + " — " + _("waiting for your answer (round {round}). Agree, or comment and your supervisor "
                                  "will revise it; the targets are in your plan message.").format(round=p.round)),
        {"type": "actions", "elements": [
            button(_("Agree"), item_action_id(Action.PLAN_AGREE, p.round_id), str(p.round_id), "primary"),
            button(_("Comment"), item_action_id(Action.PLAN_COMMENT, p.round_id), str(p.round_id))]},
    ]


def _unanswered(x: home_views.HomeSession, supervisor: bool) -> bool:
    """A member's session they have not answered (a supervisor sees counts, not answers)."""
    return x.joining is None and not supervisor


def _session_line(x: home_views.HomeSession, supervisor: bool, _: Gettext, *, buttons: bool = False) -> str:
    line = _("• {when} *{topic}* — {place}").format(when=slack_date(x.starts_at), topic=escape(x.topic),
                                                      place=escape(x.place))
    if supervisor:
        line += " — " + _("{n} joining").format(n=x.joins)
    if x.joining:
        return line + " — ✅ " + _("you are joining")
    if _unanswered(x, supervisor):
        if buttons:
            return line + " — " + _("not answered yet")
        return line + " — " + _("not answered yet: Join or Can't make it on its card in the team channel")
    return line


def _answer_buttons(x: home_views.HomeSession, _: Gettext) -> dict[str, Any]:
    """The card's Join / Can't make it, under per-item action ids (unique within Home)."""
    return {"type": "actions", "elements": [
        button(_("Join"), item_action_id(Action.TRAINING_JOIN, x.id), str(x.id), "primary"),
        button(_("Can't make it"), item_action_id(Action.TRAINING_DECLINE, x.id), str(x.id))]}


def sessions(xs: list[home_views.HomeSession], supervisor: bool, budget: Buttons, _: Gettext) -> Blocks:
    """Upcoming sessions; one the member has not answered carries the card's buttons while
    ``budget`` (Home's buttons within Slack's block limit) lasts, else the hint to answer on
    the card."""
    if not xs:
        return []
    blocks: Blocks = []
    lines = [_("*Upcoming training*")]
    for x in xs[:SESSION_LINES]:
        if _unanswered(x, supervisor) and budget.left > 0:
            budget.left -= 1
            if lines:
                blocks.extend(line_sections(lines, ""))
            lines = []
            blocks += [section(_session_line(x, supervisor, _, buttons=True)), _answer_buttons(x, _)]
        else:
            lines.append(_session_line(x, supervisor, _))
    if len(xs) > SESSION_LINES:
        lines.append(_("…and {n} more.").format(n=len(xs) - SESSION_LINES))
    if lines:
        blocks.extend(line_sections(lines, ""))
    return blocks


def goals(n: int, year: int, _: Gettext) -> Blocks:
    if n:
        text = _("Career goals for {year}: {n} — edit them with `/opsbot goals`").format(year=year, n=n)
    else:
        text = _("No career goals for {year} yet — add them with `/opsbot goals`").format(year=year)
    return [context("🎯 " + text)]


def plans_open(lines: list[home_views.HomePlanLine], period: str, _: Gettext) -> Blocks:
    """For supervisors: the members whose plan for the month is not agreed, and whose move it is."""
    if not lines:
        return []
    label = {
        "none": _("no plan yet"),
        "proposed": _("proposed, waiting for their answer"),
        "commented": _("commented, waiting for your revision"),
    }
    rows = [_("• {member} — {status}").format(member=f"<@{x.member.user_id}>", status=label.get(x.status, x.status))
            for x in lines]
    head = _("*Plans not agreed for {period}* ({n}) — `/opsbot targets @member`").format(period=period, n=len(lines))
    return line_sections([head, *_more(rows, PLAN_LINES, _)], "")
