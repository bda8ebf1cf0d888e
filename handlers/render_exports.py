"""Files: a CSV export as the upload v2 flow sends it. Pure, like render.py."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from bot import views as v
from bot.i18n import Gettext
from handlers.mrkdwn import escape

BOM = "\ufeff"  # so Excel reads UTF-8 (Chinese text) correctly
# A cell Excel would run as a formula (CSV injection): shown as text instead.
_FORMULA = re.compile(r"^[=+\-@\t\r]")


def column_label(key: str, _: Gettext) -> str:
    return {
        "id": _("ID"),
        "week": _("Week"),
        "title": _("Title"),
        "author_id": _("Author ID"),
        "author": _("Author"),
        "status": _("Status"),
        "platform": _("Platform"),
        "planned_date": _("Planned publish date"),
        "proposed_at": _("Proposed at"),
        "decided_by": _("Decided by"),
        "decided_at": _("Decided at"),
        "reason": _("Reason"),
        "topic_id": _("Topic ID"),
        "rounds": _("Rounds"),
        "hours_in_review": _("Hours in review"),
        "submitted_at": _("Submitted at"),
        "approved_by": _("Approved by"),
        "approved_at": _("Approved at"),
        "url": _("URL"),
        "published_at": _("Published at"),
        "reads": _("Reads"),
        "likes": _("Likes"),
        "comments": _("Comments"),
        "shares": _("Shares"),
        "metrics_at": _("Metrics updated at"),
        "theme": _("Theme"),
        "format": _("Format"),
        "owner_id": _("Owner ID"),
        "owner": _("Owner"),
        "starts_at": _("Starts"),
        "ends_at": _("Ends"),
        "target_participants": _("Target participants"),
        "target_engagement": _("Target engagement"),
        "target_conversion": _("Target conversion"),
        "actual_participants": _("Actual participants"),
        "actual_engagement": _("Actual engagement"),
        "actual_conversion": _("Actual conversion"),
        "retro_at": _("Retrospective at"),
        "user_id": _("Member ID"),
        "user": _("Member"),
        "start_date": _("First day"),
        "end_date": _("Last day"),
        "working_days": _("Working days"),
        "requested_at": _("Requested at"),
        "decision_reason": _("Decision reason"),
        "cancelled_at": _("Cancelled at"),
        "period": _("Period"),
        "kind": _("Kind"),
        "self_performance": _("Self: performance"),
        "self_ability": _("Self: ability"),
        "self_attitude": _("Self: attitude"),
        "self_submitted_at": _("Self-review submitted at"),
        "performance": _("Performance"),
        "ability": _("Ability"),
        "attitude": _("Attitude"),
        "total": _("Total"),
        "grade": _("Grade"),
        "evaluated_by": _("Evaluated by"),
        "evaluated_at": _("Evaluated at"),
        "peer_average": _("Colleagues' average"),
        "peer_count": _("Colleagues' ratings"),
        "objected_at": _("Objected at"),
        "objection_outcome": _("Objection outcome"),
        "resolved_at": _("Resolved at"),
    }.get(key, key)


def _cell(value: Any) -> Any:
    if isinstance(value, str) and _FORMULA.match(value):
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
    }.get(kind, kind)


def export_file(f: v.ExportFile, _: Gettext) -> dict[str, Any]:
    title = _("{kind} · {team} · {period}").format(kind=kind_title(f.kind, _), team=f.team_name, period=f.period)
    safe_team = re.sub(r"[^\w-]+", "-", f.team_name).strip("-") or "team"
    comment = _("Here is the export you asked for: {title}, {n} row(s).").format(title=escape(title), n=len(f.rows))
    return {
        "filename": f"opsbot-{safe_team}-{f.kind}-{f.period}.csv",
        "title": title,
        "content": csv_bytes([column_label(c, _) for c in f.columns], f.rows),
        "initial_comment": comment,
    }
