"""Files: a CSV export as the upload v2 flow sends it. Pure."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from bot.kernel.i18n import Gettext
from bot.workflows.exports import views as export_views
from handlers.kit.mrkdwn import escape
from handlers.reviews.blocks import figure_label

BOM = "\ufeff"  # so Excel reads UTF-8 (Chinese text) correctly
# A cell a spreadsheet would run as a formula (CSV injection) is shown as text
# instead, with a leading `'`: one that starts with = + - @, in any width or
# compatibility form (full-width ＝＋－＠, small ﹦﹢﹣﹫: what NFKC folds into
# them), or with a control character (tab, CR, LF, any other C0 or C1), which
# some spreadsheets skip before looking for the formula.
_FORMULA_STARTS = frozenset("=+-@")


# Column -> its heading; each a function of the reader's gettext, so the msgids
# stay literal ``_("...")`` calls for Babel.
_COLUMN_LABELS: dict[str, Callable[[Gettext], str]] = {
    "id": lambda _: _("ID"),
    "week": lambda _: _("Week"),
    "title": lambda _: _("Title"),
    "author_id": lambda _: _("Author ID"),
    "author": lambda _: _("Author"),
    "status": lambda _: _("Status"),
    "platform": lambda _: _("Platform"),
    "planned_date": lambda _: _("Planned publish date"),
    "proposed_at": lambda _: _("Proposed at"),
    "decided_by": lambda _: _("Decided by"),
    "decided_at": lambda _: _("Decided at"),
    "reason": lambda _: _("Reason"),
    "topic_id": lambda _: _("Topic ID"),
    "rounds": lambda _: _("Rounds"),
    "hours_in_review": lambda _: _("Hours in review"),
    "submitted_at": lambda _: _("Submitted at"),
    "approved_by": lambda _: _("Approved by"),
    "approved_at": lambda _: _("Approved at"),
    "url": lambda _: _("URL"),
    "published_at": lambda _: _("Published at"),
    "reads": lambda _: _("Reads"),
    "likes": lambda _: _("Likes"),
    "comments": lambda _: _("Comments"),
    "shares": lambda _: _("Shares"),
    "metrics_at": lambda _: _("Metrics updated at"),
    "theme": lambda _: _("Theme"),
    "format": lambda _: _("Format"),
    "owner_id": lambda _: _("Owner ID"),
    "owner": lambda _: _("Owner"),
    "starts_at": lambda _: _("Starts"),
    "ends_at": lambda _: _("Ends"),
    "target_participants": lambda _: _("Target participants"),
    "target_engagement": lambda _: _("Target engagement"),
    "target_conversion": lambda _: _("Target conversion"),
    "actual_participants": lambda _: _("Actual participants"),
    "actual_engagement": lambda _: _("Actual engagement"),
    "actual_conversion": lambda _: _("Actual conversion"),
    "retro_at": lambda _: _("Retrospective at"),
    "user_id": lambda _: _("Member ID"),
    "user": lambda _: _("Member"),
    "start_date": lambda _: _("First day"),
    "end_date": lambda _: _("Last day"),
    "working_days": lambda _: _("Working days"),
    "requested_at": lambda _: _("Requested at"),
    "decision_reason": lambda _: _("Decision reason"),
    "cancelled_at": lambda _: _("Cancelled at"),
    "period": lambda _: _("Period"),
    "kind": lambda _: _("Kind"),
    "self_performance": lambda _: _("Self: performance"),
    "self_ability": lambda _: _("Self: ability"),
    "self_attitude": lambda _: _("Self: attitude"),
    "self_submitted_at": lambda _: _("Self-review submitted at"),
    "performance": lambda _: _("Performance"),
    "ability": lambda _: _("Ability"),
    "attitude": lambda _: _("Attitude"),
    "total": lambda _: _("Total"),
    "grade": lambda _: _("Grade"),
    "evaluated_by": lambda _: _("Evaluated by"),
    "evaluated_at": lambda _: _("Evaluated at"),
    "peer_average": lambda _: _("Colleagues' average"),
    "peer_count": lambda _: _("Colleagues' ratings"),
    "objected_at": lambda _: _("Objected at"),
    "objection_outcome": lambda _: _("Objection outcome"),
    "resolved_at": lambda _: _("Resolved at"),
    "bonus_coefficient": lambda _: _("Bonus coefficient"),
    "promotion_priority": lambda _: _("Promotion priority"),
    "training_recommended": lambda _: _("Training recommended"),
    "giver_id": lambda _: _("Giver ID"),
    "giver": lambda _: _("Giver"),
    "recipient_id": lambda _: _("Recipient ID"),
    "recipient": lambda _: _("Recipient"),
    "given_at": lambda _: _("Given at"),
    "honour_of_month": lambda _: _("Honour of the month"),
    "agreed_round": lambda _: _("Agreed round"),
    "agreed_at": lambda _: _("Agreed at"),
    "custom_indicators": lambda _: _("Custom indicators"),
    "topic": lambda _: _("Session topic"),
    "place": lambda _: _("Place"),
    "answer": lambda _: _("Answer"),
    "attended": lambda _: _("Attended"),
    "year": lambda _: _("Year"),
    "goal_number": lambda _: _("Goal #"),
    "goal": lambda _: _("Goal"),
    "updated_at": lambda _: _("Updated at"),
    "talk_status": lambda _: _("Talk status"),
    "notes": lambda _: _("Talk notes"),
    "plan_version": lambda _: _("Plan version"),
    "item": lambda _: _("Improvement item"),
    "due_date": lambda _: _("Due date"),
    "item_status": lambda _: _("Item status"),
    "comment": lambda _: _("Latest comment"),
    "closed_at": lambda _: _("Closed at"),
}
# A plan's built-in figures: ``target_<figure>`` and ``actual_<figure>``.
_PLAN_FIGURE = re.compile(r"^(target|actual)_(topics_approved|publications|reads|activities)$")


def column_label(key: str, _: Gettext) -> str:
    """A column's heading in the reader's language; an unknown column keeps its key."""
    label = _COLUMN_LABELS.get(key)
    if label is not None:
        return label(_)
    if m := _PLAN_FIGURE.match(key):
        which = _("Target: {figure}") if m[1] == "target" else _("Actual: {figure}")
        return which.format(figure=figure_label(m[2], _))
    return key


def _runs_as_formula(text: str) -> bool:
    if not text:
        return False
    first = text[0]
    return unicodedata.category(first) == "Cc" or unicodedata.normalize("NFKC", first)[:1] in _FORMULA_STARTS


def _cell(value: Any) -> Any:
    if isinstance(value, str) and _runs_as_formula(value):
        return "'" + value
    return value


def csv_bytes(columns: list[str], rows: list[list[Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for row in rows:
        w.writerow([_cell(c) for c in row])
    return (BOM + buf.getvalue()).encode("utf-8")


def kind_title(kind: str, _: Gettext) -> str:
    return {
        "topics": _("Topics"),
        "content": _("Content"),
        "activities": _("Activities"),
        "leave": _("Leave"),
        "reviews": _("Performance reviews"),
        "kudos": _("Kudos"),
        "plans": _("Performance plans"),
        "talks": _("Feedback talks and improvement plans"),
        "training": _("Training attendance"),
        "goals": _("Career goals"),
    }.get(kind, kind)


def export_file(f: export_views.ExportFile, _: Gettext) -> dict[str, Any]:
    title = _("{kind} · {team} · {period}").format(kind=kind_title(f.kind, _), team=f.team_name, period=f.period)
    safe_team = re.sub(r"[^\w-]+", "-", f.team_name).strip("-") or "team"
    comment = _("Here is the export you asked for: {title}, {n} row(s).").format(title=escape(title), n=len(f.rows))
    return {
        "filename": f"opsbot-{safe_team}-{f.kind}-{f.period}.csv",
        "title": title,
        "content": csv_bytes([column_label(c, _) for c in f.columns], f.rows),
        "initial_comment": comment,
    }


RENDERERS = {export_views.ExportFile: export_file}
