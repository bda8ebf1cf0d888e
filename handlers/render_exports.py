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
