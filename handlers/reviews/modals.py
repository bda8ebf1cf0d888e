"""Review modals: self-review, evaluation, annual, objection, peers, targets (the plan). Pure."""

from __future__ import annotations

from typing import Any

from bot.kernel.i18n import Gettext
from bot.workflows.reviews import rules
from bot.workflows.reviews import views as review_views
from handlers.feedback.blocks import selfreview_blocks
from handlers.ids import View
from handlers.kit.blocks import Blocks, context, meta, plain, section
from handlers.kit.mrkdwn import clip, escape, slack_date
from handlers.reviews.blocks import (
    _peers_line,
    _period,
    _result_lines,
    _scores_line,
    candidate_lines,
    dimension_label,
    figure_label,
    figures_lines,
    trend_label,
)
from handlers.reviews.plan import plan_blocks


def _input(block_id: str, label: str, element: dict[str, Any], optional: bool = False,
           hint: str | None = None) -> dict[str, Any]:
    b = {"type": "input", "block_id": block_id, "label": plain(label), "element": element, "optional": optional}
    if hint:
        b["hint"] = plain(hint)
    return b


def _text(action: str, initial: str | None = None, multiline: bool = False, max_length: int = 3000) -> dict:
    el: dict[str, Any] = {"type": "plain_text_input", "action_id": action, "max_length": max_length}
    if multiline:
        el["multiline"] = True
    if initial:
        # What the person typed before, as plain text (escaped like any user text we send).
        el["initial_value"] = escape(initial)[:max_length]
    return el


def _score_inputs(initial: dict[str, int], weights: dict[str, int] | None, _: Gettext) -> Blocks:
    out = []
    for d in rules.DIMENSIONS:
        label = dimension_label(d, _) + " (0–100)"
        hint = _("Weight {weight}%").format(weight=weights[d]) if weights else None
        init = str(initial[d]) if d in initial else None
        out.append(_input(rules.FIELD_SCORE[d], label, _text(f"score_{d}", init, max_length=3), hint=hint))
    return out


def _modal(callback: str, title: str, submit: str, metadata: dict[str, Any], blocks: Blocks, _: Gettext) -> dict:
    return {"type": "modal", "callback_id": callback, "title": plain(clip(title, 24)), "submit": plain(submit),
            "close": plain(_("Cancel")), "private_metadata": meta(metadata), "blocks": blocks[:100]}


def _figures_blocks(figures: list[review_views.ReviewFigure], _: Gettext) -> Blocks:
    if not figures:
        return []
    return [section("*" + _("The month in figures (targets vs actuals)") + "*\n" + "\n".join(figures_lines(figures, _)))]


def _training_blocks(c: Any, _: Gettext) -> Blocks:
    """Training sessions attended in the month: evidence for the ability score."""
    sessions = getattr(c, "training", None)
    if not sessions:
        return []
    lines = [f"• {escape(t.topic)} · {slack_date(t.starts_at, '{date_short_pretty}')}" for t in sessions[:20]]
    return [section("*" + _("Training attended this month (ability evidence)") + "*\n" + "\n".join(lines))]


def _goals_blocks(c: Any, _: Gettext) -> Blocks:
    """The member's career development goals of the year, for the supervisor's annual comment."""
    if getattr(c, "goals", None) is None:
        return []
    lines = [f"{n}. {escape(g)}" for n, g in enumerate(c.goals, start=1)] or [_("No goals recorded for the year.")]
    return [section("*" + _("Career development goals") + "*\n" + "\n".join(lines))]


def selfreview_modal(c: Any, _: Gettext, improvement: list | None = None) -> dict[str, Any]:
    """``improvement``: the open items of the member's improvement plans (``bot/workflows/feedback``)."""
    sr = c.self_review
    blocks: Blocks = [
        context(_("{team} · {period} · due {due} · private to you and your supervisors").format(
            team=escape(c.team_name), period=c.period, due=c.due.isoformat() if c.due else "—")),
        *_figures_blocks(c.figures, _),
        *_training_blocks(c, _),
        *(plan_blocks([], c.plan, _("Your agreed plan's custom indicators"), _) if c.plan else []),
        *selfreview_blocks(improvement or [], _),
        {"type": "divider"},
        _input(rules.FIELD_ACHIEVEMENTS, _("Achievements"), _text("achievements", sr.get("achievements"), True)),
        _input(rules.FIELD_SHORTCOMINGS, _("Shortcomings"), _text("shortcomings", sr.get("shortcomings"), True)),
        _input(rules.FIELD_PLAN, _("Improvement plan"), _text("plan", sr.get("plan"), True)),
        *_score_inputs(sr.get("scores") or {}, None, _),
    ]
    return _modal(View.SELF_REVIEW, _("Self-review {period}").format(period=c.period), _("Submit"),
                  {"review_id": c.review_id}, blocks, _)


def evaluation_modal(c: Any, _: Gettext, *, revise: bool = False) -> dict[str, Any]:
    if c.kind == rules.ANNUAL:
        return annual_modal(c, _, revise=revise)
    sr = c.self_review
    member = f"<@{c.member}>"
    blocks: Blocks = [
        section(_("Evaluating {member} for {period} ({team}). Total = weighted sum; the grade follows the team's "
                  "bands.").format(member=member, period=c.period, team=escape(c.team_name))),
        *_figures_blocks(c.figures, _),
        *_training_blocks(c, _),
        *(plan_blocks([], c.plan, _("The agreed plan's custom indicators"), _) if c.plan else []),
        section(_("*Achievements*\n{text}").format(text=escape(sr.get("achievements")) or "—")),
        section(_("*Shortcomings*\n{text}").format(text=escape(sr.get("shortcomings")) or "—")),
        section(_("*Improvement plan*\n{text}").format(text=escape(sr.get("plan")) or "—")),
    ]
    if sr.get("scores"):
        blocks.append(context(_("Self-scores: {scores}").format(scores=_scores_line(sr["scores"], _))))
    peers = _peers_line(c.peers, _)
    if peers:
        blocks.append(context(peers))
    for comment in (c.peer_comments or [])[:10]:
        blocks.append(context(_("A colleague wrote: {comment}").format(comment=escape(comment))))
    if revise and c.result:
        blocks.append(context(_("Current result: {result}").format(result=" — ".join(_result_lines(
            review_views.ReviewResult(**c.result), c.kind, _)))))
    blocks.append({"type": "divider"})
    initial = (c.result or {}).get("scores") or {} if revise else {}
    blocks += _score_inputs(initial, c.weights, _)
    blocks.append(_input(rules.FIELD_COMMENT, _("Comments"), _text("comment", (c.result or {}).get("comment")
                                                                    if revise else None, True), optional=True))
    if revise:
        blocks.append(_input(rules.FIELD_RESOLUTION, _("Answer to the objection"), _text("resolution", None, True)))
    title = _("Revise result") if revise else _("Evaluate {period}").format(period=c.period)
    return _modal(View.EVALUATION, title, _("Submit"), {"review_id": c.review_id, "revise": revise}, blocks, _)


def _recognition(c: Any, _: Gettext) -> Blocks:
    """Kudos and honours of the year, as context for the supervisor: they never change a score."""
    if not getattr(c, "recognition", None):
        return []
    count, months = c.recognition
    return [context("👏 " + _("Kudos received this year: {n}; honour of the month: {months}.").format(
        n=count, months=", ".join(months) if months else _("none")) + " " + _("(Context only: not part of the score.)"))]


def annual_modal(c: Any, _: Gettext, *, revise: bool = False) -> dict[str, Any]:
    y = c.year
    lines = []
    for m in y.months:
        if m.total is None:
            lines.append(_("• {month}: missing").format(month=f"{y.year}-{m.month:02d}"))
        else:
            lines.append(f"• {y.year}-{m.month:02d}: {m.total:.2f} ({m.grade})")
    summary = _("Average {average} over {count} month(s) · trend {trend} · suggested grade {grade}").format(
        average=f"{y.average:.2f}" if y.average is not None else "—", count=y.counted,
        trend=trend_label(y.trend, _), grade=y.grade or "—")
    grades = [{"text": plain(g), "value": g} for g in rules.ALL_GRADES]
    current = (c.result or {}).get("grade") if revise else y.grade
    select: dict[str, Any] = {"type": "static_select", "action_id": "grade", "options": grades}
    if current in rules.ALL_GRADES:
        select["initial_option"] = next(o for o in grades if o["value"] == current)
    blocks: Blocks = [
        section(_("The year {year} of {member} ({team}), from the monthly results.").format(
            year=y.year, member=f"<@{c.member}>", team=escape(c.team_name))),
        section("\n".join(lines)),
        context(summary),
        *([section("\n".join(candidate_lines(c.incentive, _)))] if c.incentive else []),
        *_recognition(c, _),
        *_goals_blocks(c, _),
        _input(rules.FIELD_GRADE, _("Annual grade"), select),
        _input(rules.FIELD_COMMENT, _("Annual comment"), _text("comment", (c.result or {}).get("comment")
                                                                if revise else None, True)),
    ]
    if revise:
        blocks.append(_input(rules.FIELD_RESOLUTION, _("Answer to the objection"), _text("resolution", None, True)))
    title = _("Revise result") if revise else _("Annual review {year}").format(year=y.year)
    return _modal(View.EVALUATION, title, _("Submit"), {"review_id": c.review_id, "revise": revise}, blocks, _)


def objection_modal(c: Any, _: Gettext) -> dict[str, Any]:
    blocks: Blocks = [
        section(_("You object to your review for {period}. Your supervisor will confirm or revise it and tell you "
                  "why; that outcome is final.").format(period=_period(c.kind, c.period, _))),
        _input(rules.FIELD_REASON, _("Reason"), _text("reason", None, True)),
    ]
    return _modal(View.OBJECTION, _("Object to the result"), _("Object"), {"review_id": c.review_id}, blocks, _)


def confirm_modal(c: Any, _: Gettext) -> dict[str, Any]:
    blocks: Blocks = [
        section(_("You keep the result of {member}'s review for {period}. Tell them why; the outcome is final.").format(
            member=f"<@{c.member}>", period=_period(c.kind, c.period, _))),
        _input(rules.FIELD_RESOLUTION, _("Answer to the objection"), _text("resolution", None, True)),
    ]
    return _modal(View.CONFIRM, _("Confirm result"), _("Confirm"), {"review_id": c.review_id}, blocks, _)


def peers_modal(c: Any, _: Gettext) -> dict[str, Any]:
    blocks: Blocks = [
        section(_("Ask colleagues to rate {member}'s attitude in {period}. {member} will see only the average and "
                  "the count.").format(member=f"<@{c.member}>", period=c.period)),
        _input(rules.FIELD_PEERS, _("Colleagues"), {"type": "multi_users_select", "action_id": "peers",
                                                     "max_selected_items": 10}),
    ]
    return _modal(View.PEERS, _("Ask colleagues"), _("Ask"), {"review_id": c.review_id}, blocks, _)


def peer_rating_modal(c: Any, _: Gettext) -> dict[str, Any]:
    blocks: Blocks = [
        section(_("How was {member}'s attitude in {period}? Your answer is anonymous.").format(
            member=f"<@{c.member}>", period=c.period)),
        _input(rules.FIELD_PEER_SCORE, _("Rating (0–100)"), _text("score", None, max_length=3)),
        _input(rules.FIELD_COMMENT, _("Comment"), _text("comment", None, True), optional=True),
    ]
    return _modal(View.PEER_RATING, _("Rate attitude"), _("Submit"), {"rating_id": c.rating_id}, blocks, _)


def _plan_status(c: Any, _: Gettext) -> str:
    return {
        "proposed": _("Round {round} sent: waiting for {member} to agree or comment."),
        "commented": _("{member} commented on round {round}: saving sends a revised round."),
        "agreed": _("{member} agreed to round {round}: saving sends a new round to agree to."),
    }.get(c.status or "", _("No plan yet: saving sends it to {member} to agree or comment.")).format(
        round=c.round, member=f"<@{c.member}>")


def targets_modal(c: Any, _: Gettext) -> dict[str, Any]:
    """The plan modal: the built-in targets and the custom indicators; the agreed plan beside the actuals."""
    blocks: Blocks = [
        section(_("Plan of {member} for {period} ({team}): targets (leave a field empty for no target) and up to "
                  "{max} custom indicators.").format(member=f"<@{c.member}>", period=c.period,
                                                      team=escape(c.team_name), max=rules.PLAN_MAX_INDICATORS)),
        context(_plan_status(c, _) + " " + _("Private to {member} and the team's supervisors.").format(
            member=f"<@{c.member}>")),
    ]
    if c.figures or c.agreed:
        blocks += plan_blocks(c.figures, c.agreed, _("The agreed plan (targets vs actuals)"), _)
    for key in ("topics_approved", "publications", "reads", "activities"):
        init = c.current.get(key)
        blocks.append(_input(rules.FIELD_TARGET[key], figure_label(key, _),
                             _text(f"target_{key}", str(init) if init is not None else None, max_length=12),
                             optional=True))
    blocks.append(_input(rules.FIELD_PLAN_INDICATORS, _("Custom indicators"),
                         _text("indicators", c.indicators or None, True, max_length=2500), optional=True,
                         hint=_("One a line: name | target | standard, e.g. Newsletter | 4 issues | sent by the 28th")))
    return _modal(View.TARGETS, _("Plan {period}").format(period=c.period), _("Send to member"),
                  {"member": c.member, "period": c.period}, blocks, _)
