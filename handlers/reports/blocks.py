"""A report: its chart (PNG) and its summary, shared as one message. Pure."""

from __future__ import annotations

import re
from typing import Any

from bot.kernel.i18n import Gettext
from bot.workflows.reports import views as report_views
from handlers.kit.charts import MAX_BARS, Bar, progress_chart
from handlers.kit.mrkdwn import clip, escape, person

COMMENT_LIMIT = 3500  # what a file's message shows; longer summaries are cut with a note
LIST_LINES = 25


def report_file(r: report_views.ReportView, _: Gettext) -> dict[str, Any]:
    if r.kind == "week":
        title = _("Weekly report · {team} · {period}").format(team=r.team_name, period=r.period)
    else:
        title = _("Monthly report · {team} · {period}").format(team=r.team_name, period=r.period)
    met = sum(1 for x in r.rows if x.proposed >= x.quota)
    total = lambda attr: sum(getattr(x, attr) for x in r.rows)  # noqa: E731
    lines = [
        f"*{escape(title)}*",
        _("*Topic quota*: {met} of {n} members met it.").format(met=met, n=len(r.rows)),
    ]
    for x in r.rows[:LIST_LINES]:
        mark = "✅" if x.proposed >= x.quota else "⬜"
        lines.append(f"{mark} {person(x.person, r.mention)} — "
                     + _("{count} / {quota} proposed, {approved} approved").format(
                         count=x.proposed, quota=x.quota, approved=x.approved))
    if len(r.rows) > LIST_LINES:
        lines.append(_("…and {n} more.").format(n=len(r.rows) - LIST_LINES))
    lines += [
        _("*Content*: {drafts} draft(s) approved, {pubs} publication(s).").format(
            drafts=total("drafts_approved"), pubs=total("publications")),
        _("*Metrics* (latest): {reads} reads, {likes} likes, {comments} comments, {shares} shares.").format(
            reads=total("reads"), likes=total("likes"), comments=total("comments"), shares=total("shares")),
        _("*Activities*: {n} held.").format(n=total("activities")),
        _("*Recognition*: {n} kudos given.").format(n=r.kudos),
        _("*Training*: {held} session(s) held, {came} attendance(s) recorded.").format(
            held=r.training[0], came=r.training[1]),
    ]
    if r.top_kudos:
        lines.append(_("Most recognised: {people}.").format(people=", ".join(
            f"{person(p, r.mention)} ({n})" for p, n in r.top_kudos)))
    if len(r.rows) > MAX_BARS:
        lines.append(_("The chart shows the first {n} members.").format(n=MAX_BARS))
    png = progress_chart(
        [Bar(x.person.name or x.person.user_id, x.proposed, x.quota) for x in r.rows],
        title=title, value_label=_("proposed"), target_label=_("quota"),
    )
    safe_team = re.sub(r"[^\w-]+", "-", r.team_name).strip("-") or "team"
    return {
        "filename": f"opsbot-{safe_team}-report-{r.period}.png",
        "title": title,
        "content": png,
        "initial_comment": clip("\n".join(lines), COMMENT_LIMIT),
        "alt_txt": _("Topics proposed per member against the quota"),
    }


RENDERERS = {report_views.ReportView: report_file}
