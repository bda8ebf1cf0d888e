"""Block Kit builders of the performance reviews: private DMs and modals.
Pure functions of view data and a gettext function."""

from __future__ import annotations

import json
from typing import Any

from bot import views as v
from bot.domain import reviews as rules
from bot.i18n import Gettext
from handlers.ids import Action, View
from handlers.mrkdwn import clip, escape
from handlers.render import Blocks, button, context, plain, remind_later_button, section

# -- words -------------------------------------------------------------------------


def review_status_label(status: str, _: Gettext) -> str:
    return {
        "not_started": _("Not started"),
        "self_review_in": _("Self-review in"),
        "evaluated": _("Evaluated"),
        "acknowledged": _("Acknowledged"),
        "objected": _("Objected"),
        "final": _("Final"),
    }.get(status, status)


def dimension_label(d: str, _: Gettext) -> str:
    return {"performance": _("Performance"), "ability": _("Ability"), "attitude": _("Attitude")}.get(d, d)


def figure_label(key: str, _: Gettext) -> str:
    return {
        "topics_proposed": _("Topics proposed"),
        "topics_approved": _("Topics approved"),
        "drafts_submitted": _("Drafts submitted"),
        "drafts_approved": _("Drafts approved"),
        "rounds_per_draft": _("Review rounds per draft"),
        "review_hours": _("Hours in review per round"),
        "publications": _("Pieces published"),
        "reads": _("Total reads"),
        "likes": _("Likes"),
        "comments": _("Comments"),
        "shares": _("Shares"),
        "activities": _("Activities"),
    }.get(key, key)


def trend_label(trend: str | None, _: Gettext) -> str:
    return {"up": _("improving"), "down": _("declining"), "flat": _("steady")}.get(trend or "", "—")


def _number(x: int | float | None) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.1f}"
    return f"{x:,}"


# Figures shown together on one line each; a field not named here gets a line of its own.
FIGURE_GROUPS = (
    ("topics", ("topics_proposed", "topics_approved")),
    ("drafts", ("drafts_submitted", "drafts_approved", "rounds_per_draft", "review_hours")),
    ("publications", ("publications", "reads", "likes", "comments", "shares")),
    ("activities", ("activities",)),
)


def _figure(f: v.ReviewFigure, _: Gettext) -> str:
    text = f"{figure_label(f.key, _)} {_number(f.actual)}"
    if f.target is not None:
        mark = "✅" if (f.actual or 0) >= f.target else "⬜"
        text += " " + _("(target {target})").format(target=_number(f.target)) + f" {mark}"
    return text


def figures_lines(figures: list[v.ReviewFigure], _: Gettext) -> list[str]:
    by_key = {f.key: f for f in figures}
    out = []
    for _group, keys in FIGURE_GROUPS:
        present = [by_key.pop(k) for k in keys if k in by_key]
        if present:
            out.append("• " + " · ".join(_figure(f, _) for f in present))
    out += [f"• {_figure(f, _)}" for f in by_key.values()]
    return out


def _scores_line(scores: dict[str, int], _: Gettext) -> str:
    return " · ".join(f"{dimension_label(d, _)} {scores[d]}" for d in rules.DIMENSIONS if d in scores)


def _result_lines(r: v.ReviewResult, kind: str, _: Gettext) -> list[str]:
    lines = []
    if kind == rules.MONTHLY and r.scores:
        lines.append(_scores_line(r.scores, _))
    total = _("Total {total}").format(total=r.total) + " · " if r.total else ""
    grade = _("Grade {grade}").format(grade=r.grade)
    lines.append(f"*{total}{grade}*")
    if r.comment:
        lines.append(_("Comment: {comment}").format(comment=escape(r.comment)))
    return lines


def _peers_line(p: v.PeerSummary | None, _: Gettext) -> str | None:
    """Only the average and the count: never who said what."""
    if p is None or not p.count or p.average is None:
        return None
    return _("Colleagues' attitude rating: {average} on average, from {count} colleague(s).").format(
        average=p.average, count=p.count)


def _period(kind: str, period: str, _: Gettext) -> str:
    return _("the year {year}").format(year=period) if kind == rules.ANNUAL else period


def _meta(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))


# -- DMs ---------------------------------------------------------------------------------


def review_dm(d: v.ReviewDM, _: Gettext) -> dict[str, Any]:
    return _DM[d.type](d, _)


def _selfreview_prompt(d: v.ReviewDM, _: Gettext) -> dict[str, Any]:
    late = d.type == "selfreview_late"
    if late:
        text = _("Your self-review for {period} ({team}) was due {due} and is not in yet.").format(
            period=d.period, team=escape(d.team_name), due=d.due)
        why = _("Why you got this: a self-review is due by the team's deadline; I remind you once a working day "
                "until it is in.")
    else:
        text = _("It is the month-end day: time for your self-review of {period} ({team}). It is due {due}.").format(
            period=d.period, team=escape(d.team_name), due=d.due)
        why = _("Why you got this: every member writes a monthly self-review; only you and your supervisors see it.")
    blocks: Blocks = [section(("🔁 " if d.snoozed else "") + text), context(why)]
    if d.status == "not_started":
        elements = [button(_("Write self-review"), Action.REVIEW_WRITE, str(d.review_id), "primary")]
        if d.job:
            elements.append(remind_later_button(d.job, d.team_id, d.job_period or "", _))
        blocks.append({"type": "actions", "elements": elements})
    else:
        blocks.append(context("✅ " + _("Your self-review is in. You can revise it with /selfreview until your "
                                       "supervisor has evaluated it.")))
    return {"text": text, "blocks": blocks}


def _evaluate_prompt(d: v.ReviewDM, _: Gettext) -> dict[str, Any]:
    who = f"<@{d.member.user_id}>"
    text = _("{member} submitted their self-review for {period}. Your evaluation is due {due}.").format(
        member=who, period=d.period, due=d.due)
    blocks: Blocks = [section(text)]
    if d.self_scores:
        blocks.append(context(_("Self-scores: {scores}").format(scores=_scores_line(d.self_scores, _))))
    if d.status in rules.EVALUABLE:
        blocks.append({"type": "actions", "elements": [
            button(_("Evaluate"), Action.REVIEW_EVALUATE, str(d.review_id), "primary"),
            button(_("Ask colleagues"), Action.REVIEW_ASK_PEERS, str(d.review_id)),
        ]})
    else:
        blocks.append(context(_("Status: {status}").format(status=review_status_label(d.status, _))))
    return {"text": text, "blocks": blocks}


def _evaluations_late(d: v.ReviewDM, _: Gettext) -> dict[str, Any]:
    text = _("{count} evaluation(s) for {period} in {team} were due {due}.").format(
        count=len(d.late), period=d.period, team=escape(d.team_name), due=d.due)
    blocks: Blocks = [section(("🔁 " if d.snoozed else "") + text),
                      context(_("Why you got this: members wait for their result; I remind you once a working day "
                                "while evaluations are late."))]
    if not d.late:
        blocks.append(section(_("All of them are evaluated now. Thank you!")))
    for person, rid in list(zip(d.late, d.late_ids, strict=False))[:20]:
        blocks.append(section(f"• <@{person.user_id}>"))
        blocks.append({"type": "actions", "elements": [button(_("Evaluate"), Action.REVIEW_EVALUATE, str(rid))]})
    if d.job and d.late:
        blocks.append({"type": "actions", "elements": [remind_later_button(d.job, d.team_id, d.job_period or "", _)]})
    return {"text": text, "blocks": blocks}


def _result(d: v.ReviewDM, _: Gettext) -> dict[str, Any]:
    text = _("Your review for {period} ({team}) is in.").format(period=_period(d.kind, d.period, _),
                                                                team=escape(d.team_name))
    blocks: Blocks = [section(text)]
    if d.result:
        blocks.append(section("\n".join(_result_lines(d.result, d.kind, _))))
    peers = _peers_line(d.peers, _)
    if peers:
        blocks.append(context(peers))
    if d.status in rules.ANSWERABLE:
        blocks.append(context(_("Please acknowledge the result, or object with a reason; your supervisor will "
                                "answer.")))
        blocks.append({"type": "actions", "elements": [
            button(_("Acknowledge"), Action.REVIEW_ACKNOWLEDGE, str(d.review_id), "primary"),
            button(_("Object"), Action.REVIEW_OBJECT, str(d.review_id), "danger"),
        ]})
    else:
        blocks.append(context(_("Status: {status}").format(status=review_status_label(d.status, _))))
    return {"text": text, "blocks": blocks}


def _acknowledged(d: v.ReviewDM, _: Gettext) -> dict[str, Any]:
    text = _("{member} acknowledged their review for {period}.").format(
        member=f"<@{d.member.user_id}>", period=_period(d.kind, d.period, _))
    return {"text": text, "blocks": [section(text)]}


def _objection(d: v.ReviewDM, _: Gettext) -> dict[str, Any]:
    text = _("{member} objects to their review for {period}.").format(
        member=f"<@{d.member.user_id}>", period=_period(d.kind, d.period, _))
    blocks: Blocks = [section(text)]
    if d.result:
        blocks.append(section("\n".join(_result_lines(d.result, d.kind, _))))
    blocks.append(section(_("*Reason*\n{reason}").format(reason=escape(d.objection))))
    if d.status in rules.RESOLVABLE:
        blocks.append(context(_("Confirm the result or revise it; either way, tell them why. The outcome is final.")))
        blocks.append({"type": "actions", "elements": [
            button(_("Confirm result"), Action.REVIEW_CONFIRM, str(d.review_id), "primary"),
            button(_("Revise result"), Action.REVIEW_REVISE, str(d.review_id)),
        ]})
    else:
        blocks.append(context(_("Status: {status}").format(status=review_status_label(d.status, _))))
    return {"text": text, "blocks": blocks}


def _resolved(d: v.ReviewDM, _: Gettext) -> dict[str, Any]:
    if d.resolution == "revised":
        text = _("Your objection to the review for {period} was answered: the result was revised.")
    else:
        text = _("Your objection to the review for {period} was answered: the result was confirmed.")
    text = text.format(period=_period(d.kind, d.period, _))
    blocks: Blocks = [section(text)]
    if d.result:
        blocks.append(section("\n".join(_result_lines(d.result, d.kind, _))))
    if d.resolution_comment:
        blocks.append(section(_("*Your supervisor's answer*\n{comment}").format(comment=escape(d.resolution_comment))))
    blocks.append(context(_("This result is final and recorded with its history.")))
    return {"text": text, "blocks": blocks}


def _annual_ready(d: v.ReviewDM, _: Gettext) -> dict[str, Any]:
    text = _("{member}'s year {year} is assembled from the monthly results. Please add the annual comment and "
             "grade.").format(member=f"<@{d.member.user_id}>", year=d.period)
    blocks: Blocks = [section(text)]
    if d.status in rules.EVALUABLE:
        blocks.append({"type": "actions", "elements": [
            button(_("Evaluate"), Action.REVIEW_EVALUATE, str(d.review_id), "primary")]})
    else:
        blocks.append(context(_("Status: {status}").format(status=review_status_label(d.status, _))))
    return {"text": text, "blocks": blocks}


_DM = {
    "selfreview_open": _selfreview_prompt,
    "selfreview_late": _selfreview_prompt,
    "review_evaluate": _evaluate_prompt,
    "evaluation_late": _evaluations_late,
    "review_result": _result,
    "review_acknowledged": _acknowledged,
    "review_objection": _objection,
    "review_resolved": _resolved,
    "annual_ready": _annual_ready,
}


def peer_request(d: v.PeerRequestDM, _: Gettext) -> dict[str, Any]:
    text = _("Your supervisor asks for your view of {member}'s attitude in {period} ({team}): a rating from 0 to "
             "100 and, if you like, a comment.").format(member=f"<@{d.member.user_id}>", period=d.period,
                                                       team=escape(d.team_name))
    blocks: Blocks = [section(text), context(_("Anonymous: {member} sees only the average and how many "
                                               "colleagues rated, never who said what.").format(
                                                   member=f"<@{d.member.user_id}>"))]
    if d.done:
        blocks.append(context("✅ " + _("Thank you, your rating is in.")))
    else:
        blocks.append({"type": "actions", "elements": [
            button(_("Rate"), Action.PEER_RATE, str(d.rating_id), "primary")]})
    return {"text": text, "blocks": blocks}


# -- modals ----------------------------------------------------------------------------------


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


def _modal(callback: str, title: str, submit: str, meta: dict[str, Any], blocks: Blocks, _: Gettext) -> dict:
    return {"type": "modal", "callback_id": callback, "title": plain(clip(title, 24)), "submit": plain(submit),
            "close": plain(_("Cancel")), "private_metadata": _meta(meta), "blocks": blocks[:100]}


def _figures_blocks(figures: list[v.ReviewFigure], _: Gettext) -> Blocks:
    if not figures:
        return []
    return [section("*" + _("The month in figures (targets vs actuals)") + "*\n" + "\n".join(figures_lines(figures, _)))]


def selfreview_modal(c: Any, _: Gettext) -> dict[str, Any]:
    sr = c.self_review
    blocks: Blocks = [
        context(_("{team} · {period} · due {due} · private to you and your supervisors").format(
            team=escape(c.team_name), period=c.period, due=c.due.isoformat() if c.due else "—")),
        *_figures_blocks(c.figures, _),
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
            v.ReviewResult(**c.result), c.kind, _)))))
    blocks.append({"type": "divider"})
    initial = (c.result or {}).get("scores") or {} if revise else {}
    blocks += _score_inputs(initial, c.weights, _)
    blocks.append(_input(rules.FIELD_COMMENT, _("Comments"), _text("comment", (c.result or {}).get("comment")
                                                                    if revise else None, True), optional=True))
    if revise:
        blocks.append(_input(rules.FIELD_RESOLUTION, _("Answer to the objection"), _text("resolution", None, True)))
    title = _("Revise result") if revise else _("Evaluate {period}").format(period=c.period)
    return _modal(View.EVALUATION, title, _("Submit"), {"review_id": c.review_id, "revise": revise}, blocks, _)


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


def targets_modal(c: Any, _: Gettext) -> dict[str, Any]:
    blocks: Blocks = [section(_("Targets of {member} for {period} ({team}). Leave a field empty for no target.").format(
        member=f"<@{c.member}>", period=c.period, team=escape(c.team_name)))]
    for key in ("topics_approved", "publications", "reads", "activities"):
        init = c.current.get(key)
        blocks.append(_input(rules.FIELD_TARGET[key], figure_label(key, _),
                             _text(f"target_{key}", str(init) if init is not None else None, max_length=12),
                             optional=True))
    return _modal(View.TARGETS, _("Targets {period}").format(period=c.period), _("Save"),
                  {"member": c.member, "period": c.period}, blocks, _)


# -- replies ---------------------------------------------------------------------------


def team_reviews(t: Any, _: Gettext) -> str:
    icons = {"not_started": "⬜", "self_review_in": "📝", "evaluated": "📊", "acknowledged": "✅",
             "objected": "⚠️", "final": "🔒"}
    lines = [_("*Reviews of {team} for {period}* — self-reviews due {self_due}, evaluations due {eval_due}").format(
        team=escape(t.team_name), period=t.period, self_due=t.self_due.isoformat(),
        eval_due=t.evaluation_due.isoformat())]
    for r in t.rows:
        late = " · " + _("late") + " ⏰" if r.late else ""
        lines.append(f"{icons.get(r.status, '')} <@{r.member}> — {review_status_label(r.status, _)}{late}")
    if not t.rows:
        lines.append(_("No members."))
    return clip("\n".join(lines), 3000)


RENDERERS = {v.ReviewDM: review_dm, v.PeerRequestDM: peer_request}
