"""Block Kit builders of the performance reviews: private DMs and modals.
Pure functions of view data and a gettext function."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date

from bot.kernel.i18n import Gettext
from bot.workflows.reviews import rules
from bot.workflows.reviews import views as review_views
from bot.workflows.reviews.incentives import Incentive, Reason
from handlers.ids import Action
from handlers.kit.blocks import Blocks, button, context, remind_later_button, section
from handlers.kit.mrkdwn import clip, escape

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


def _figure(f: review_views.ReviewFigure, _: Gettext) -> str:
    text = f"{figure_label(f.key, _)} {_number(f.actual)}"
    if f.target is not None:
        mark = "✅" if (f.actual or 0) >= f.target else "⬜"
        text += " " + _("(target {target})").format(target=_number(f.target)) + f" {mark}"
    return text


def figures_lines(figures: list[review_views.ReviewFigure], _: Gettext) -> list[str]:
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


def _result_lines(r: review_views.ReviewResult, kind: str, _: Gettext) -> list[str]:
    lines = []
    if kind == rules.MONTHLY and r.scores:
        lines.append(_scores_line(r.scores, _))
    total = _("Total {total}").format(total=r.total) + " · " if r.total else ""
    grade = _("Grade {grade}").format(grade=r.grade)
    lines.append(f"*{total}{grade}*")
    if r.comment:
        lines.append(_("Comment: {comment}").format(comment=escape(r.comment)))
    return lines


def _peers_line(p: review_views.PeerSummary | None, _: Gettext) -> str | None:
    """Only the average and the count, and only from the team's minimum of
    ratings on: never who said what."""
    if p is None or not p.count:
        return None
    if p.average is None:
        return _("Colleagues' attitude rating: not enough ratings to show.")
    return _("Colleagues' attitude rating: {average} on average, from {count} colleague(s).").format(
        average=p.average, count=p.count)


def _period(kind: str, period: str, _: Gettext) -> str:
    return _("the year {year}").format(year=period) if kind == rules.ANNUAL else period


def _day(iso: str, locale: str, _: Gettext) -> str:
    """A date as a reader says it: "Fri 30 Oct", "10月30日周五"."""
    # Translators: a CLDR date pattern (EEE weekday, d day, MMM month), not words to translate.
    return format_date(date.fromisoformat(iso), _("EEE d MMM"), locale=locale.replace("-", "_"))


# -- incentives --------------------------------------------------------------------------


def _reason(r: Reason, _: Gettext) -> str:
    if r.rule == "annual":
        return _("annual grade {grade}").format(grade=r.grade)
    return _("{count} monthly grade(s) {grades} in the year (at least {minimum})").format(
        count=r.months, grades="/".join(r.grades), minimum=r.min_months)


def coefficient_line(inc: Incentive, _: Gettext) -> str:
    if inc.coefficient is not None:
        return _("Bonus coefficient: *{coefficient}*").format(coefficient=inc.coefficient)
    table = " · ".join(f"{g} {c}" for g, c in inc.coefficients.items())
    return _("Bonus coefficient: follows the annual grade ({table})").format(table=table)


def incentive_lines(inc: Incentive, _: Gettext) -> list[str]:
    """The coefficient, and the candidate marks with the rule that matched
    (present only in a supervisor's view)."""
    lines = [coefficient_line(inc, _)]
    if inc.promotion:
        lines.append("⭐ " + _("Promotion priority: {reason}").format(reason=_reason(inc.promotion, _)))
    if inc.training:
        lines.append("📚 " + _("Training recommended: {reason}").format(reason=_reason(inc.training, _)))
    return lines


def candidate_lines(inc: Incentive, _: Gettext) -> list[str]:
    lines = incentive_lines(inc, _)
    if not (inc.promotion or inc.training):
        lines.append(_("No promotion-priority or training mark."))
    return lines


# -- DMs ---------------------------------------------------------------------------------


def review_dm(d: review_views.ReviewDM, _: Gettext) -> dict[str, Any]:
    return _DM[d.type](d, _)


def _selfreview_prompt(d: review_views.ReviewDM, _: Gettext) -> dict[str, Any]:
    late = d.type == "selfreview_late"
    if late:
        text = _("Your self-review for {period} ({team}) was due {due} and is not in yet.").format(
            period=d.period, team=escape(d.team_name), due=d.due)
        why = _("Why you got this: a self-review is due by the team's deadline; I remind you once a working day "
                "until it is in.")
    elif d.prompt_due:
        text = _("This prompt comes late: it was meant for {day}, the month-end day. It is time for your "
                 "self-review of {period} ({team}); it is due {due}.").format(
            day=_day(d.prompt_due, d.locale, _), period=d.period, team=escape(d.team_name), due=d.due)
    else:
        text = _("It is the month-end day: time for your self-review of {period} ({team}). It is due {due}.").format(
            period=d.period, team=escape(d.team_name), due=d.due)
    if not late:
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


def _evaluate_prompt(d: review_views.ReviewDM, _: Gettext) -> dict[str, Any]:
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


def _evaluations_late(d: review_views.ReviewDM, _: Gettext) -> dict[str, Any]:
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


def _result(d: review_views.ReviewDM, _: Gettext) -> dict[str, Any]:
    text = _("Your review for {period} ({team}) is in.").format(period=_period(d.kind, d.period, _),
                                                                team=escape(d.team_name))
    blocks: Blocks = [section(text)]
    if d.result:
        blocks.append(section("\n".join(_result_lines(d.result, d.kind, _))))
    if d.incentive and d.incentive.coefficient:
        blocks.append(section(coefficient_line(d.incentive, _)))
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


def _acknowledged(d: review_views.ReviewDM, _: Gettext) -> dict[str, Any]:
    text = _("{member} acknowledged their review for {period}.").format(
        member=f"<@{d.member.user_id}>", period=_period(d.kind, d.period, _))
    blocks: Blocks = [section(text)]
    if d.incentive:
        blocks.append(section("\n".join(candidate_lines(d.incentive, _))))
    if d.kind == rules.MONTHLY:  # next: the feedback talk (bot/workflows/feedback)
        blocks.append({"type": "actions", "elements": [
            button(_("Schedule feedback talk"), Action.TALK_SCHEDULE, str(d.review_id), "primary")]})
    return {"text": text, "blocks": blocks}


def _objection(d: review_views.ReviewDM, _: Gettext) -> dict[str, Any]:
    text = _("{member} objects to their review for {period}.").format(
        member=f"<@{d.member.user_id}>", period=_period(d.kind, d.period, _))
    blocks: Blocks = [section(text)]
    if d.result:
        blocks.append(section("\n".join(_result_lines(d.result, d.kind, _))))
    if d.incentive:
        blocks.append(section("\n".join(candidate_lines(d.incentive, _))))
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


def _resolved(d: review_views.ReviewDM, _: Gettext) -> dict[str, Any]:
    if d.resolution == "revised":
        text = _("Your objection to the review for {period} was answered: the result was revised.")
    else:
        text = _("Your objection to the review for {period} was answered: the result was confirmed.")
    text = text.format(period=_period(d.kind, d.period, _))
    blocks: Blocks = [section(text)]
    if d.result:
        blocks.append(section("\n".join(_result_lines(d.result, d.kind, _))))
    if d.incentive and d.incentive.coefficient:
        blocks.append(section(coefficient_line(d.incentive, _)))
    if d.resolution_comment:
        blocks.append(section(_("*Your supervisor's answer*\n{comment}").format(comment=escape(d.resolution_comment))))
    blocks.append(context(_("This result is final and recorded with its history.")))
    return {"text": text, "blocks": blocks}


def _annual_ready(d: review_views.ReviewDM, _: Gettext) -> dict[str, Any]:
    text = _("{member}'s year {year} is assembled from the monthly results. Please add the annual comment and "
             "grade.").format(member=f"<@{d.member.user_id}>", year=d.period)
    blocks: Blocks = [section(text)]
    if d.incentive:
        blocks.append(section("\n".join(candidate_lines(d.incentive, _))))
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


def peer_request(d: review_views.PeerRequestDM, _: Gettext) -> dict[str, Any]:
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


def team_reviews_dm(t: review_views.TeamReviews, _: Gettext) -> dict[str, Any]:
    text = team_reviews(t, _)
    return {"text": text, "blocks": [section(text)]}


RENDERERS = {review_views.ReviewDM: review_dm, review_views.PeerRequestDM: peer_request,
             review_views.TeamReviews: team_reviews_dm}
