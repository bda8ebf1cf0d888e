"""The pending nudge's DM. Pure."""

from __future__ import annotations

from typing import Any

from bot.kernel.i18n import Gettext
from bot.workflows.pending import views as pending_views
from handlers.kit.blocks import context, line_sections, remind_later_button, section
from handlers.kit.labels import kind_label
from handlers.kit.mrkdwn import escape


def _nudge_lines(items: list[pending_views.PendingItem], line: str, cap: int, _: Gettext) -> list[str]:
    """One translated ``line`` per item, at most ``cap``, then how many more."""
    out = [line.format(kind=kind_label(i.kind, _), id=i.topic_id, title=escape(i.title),
                       author=f"<@{i.author.user_id}>", hours=i.waiting_hours) for i in items[:cap]]
    if len(items) > cap:
        out.append(_("…and {n} more.").format(n=len(items) - cap))
    return out


def pending_nudge(d: pending_views.PendingNudgeDM, _: Gettext) -> dict[str, Any]:
    """Decisions waiting on the supervisor, then retrospectives overdue: the
    latter wait on their owner (who is reminded each working day), not on a
    decision, so they are named as such."""
    decisions = [i for i in d.items if i.kind != "retro"]
    retros = [i for i in d.items if i.kind == "retro"]
    if decisions or not retros:
        text = _("{count} item(s) in {team} have waited over 24 hours for your decision.").format(
            count=len(decisions), team=escape(d.team_name))
    else:
        text = _("{count} retrospective(s) in {team} are overdue.").format(count=len(retros), team=escape(d.team_name))
    lines = _nudge_lines(decisions, _("• {kind} #{id} {title} by {author}, waiting {hours} h"), 40, _)
    if retros:
        if decisions:
            lines.append(_("*Retrospectives overdue*"))
        lines += _nudge_lines(retros, _("• {kind} #{id} {title} by {author}, asked {hours} h ago"), 20, _)
    notes = []
    if decisions or not retros:
        notes.append(_("Decide on the cards in <#{channel}>.").format(channel=d.channel))
    if retros:
        notes.append(_("Their owners are reminded each working day until the retrospective is in."))
    blocks = [section(text), *line_sections(lines, _("Nothing is waiting any more.")), context(" ".join(notes)),
              {"type": "actions", "elements": [remind_later_button(d.job, d.team_id, d.period, _)]}]
    return {"text": text, "blocks": blocks}


RENDERERS = {pending_views.PendingNudgeDM: pending_nudge}
