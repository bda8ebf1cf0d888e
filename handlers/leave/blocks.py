"""Leave builders: the card, DMs, the form and replies. Pure."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.kernel.i18n import Gettext
from bot.workflows.leave import rules as leave_rules
from bot.workflows.leave import views as leave_views
from handlers.ids import Action, Block, View
from handlers.kit.blocks import (
    Blocks,
    _input,
    button,
    context,
    header,
    meta,
    plain,
    section,
)
from handlers.kit.inputs import _text_input
from handlers.kit.labels import STATUS_ICON, status_label
from handlers.kit.mrkdwn import clip, escape, person, slack_date


def _days(start: date, end: date, workdays: int, _: Gettext) -> str:
    span = start.isoformat() if start == end else f"{start.isoformat()} – {end.isoformat()}"
    return _("{span} ({n} working day(s))").format(span=span, n=workdays)


def leave_card(c: leave_views.LeaveCardView, _: Gettext) -> dict[str, Any]:
    who = person(c.person, c.mention)
    blocks: Blocks = [
        header(_("Leave request #{id} · {team}").format(id=c.leave_id, team=c.team_name)),
        section(_("*{who}* asks for leave: {days}").format(who=who, days=_days(c.start, c.end, c.workdays, _))),
    ]
    details = button(_("Details"), Action.LEAVE_DETAILS, str(c.leave_id))
    if c.status == leave_rules.LeaveStatus.PENDING:
        blocks.append(context(f"{STATUS_ICON['proposed']} " + _("Waiting for a supervisor's decision")))
        blocks.append({"type": "actions", "block_id": Block.DECISION_ACTIONS, "elements": [
            button(_("Approve"), Action.LEAVE_APPROVE, str(c.leave_id), "primary"),
            button(_("Reject"), Action.LEAVE_REJECT, str(c.leave_id), "danger"),
            details,
        ]})
        return {"text": _card_text(c, who, _), "blocks": blocks}
    if c.status == leave_rules.LeaveStatus.CANCELLED:
        blocks.append(context("↩️ " + _("Cancelled by the requester")))
    else:
        by = person(c.decided_by, c.mention) if c.decided_by else "?"
        when = slack_date(c.decided_at) if c.decided_at else ""
        line = _("{status} by {who} · {when}").format(status=status_label(c.status, _), who=by, when=when)
        blocks.append(context(f"{STATUS_ICON.get(c.status, '')} {line}"))
    blocks.append({"type": "actions", "elements": [details]})
    return {"text": _card_text(c, who, _), "blocks": blocks}


def _card_text(c: leave_views.LeaveCardView, who: str, _: Gettext) -> str:
    return _("Leave request #{id}: {who}, {days} ({status})").format(
        id=c.leave_id, who=who, days=_days(c.start, c.end, c.workdays, _), status=status_label(c.status, _))


def leave_details_modal(d: leave_views.LeaveDetails, _: Gettext) -> dict[str, Any]:
    """The reason behind a card, for a supervisor (or the requester) only: in a modal, never in the channel."""
    blocks: Blocks = [
        section(_("<@{person}> asks for leave: {days}").format(person=d.person, days=_days(d.start, d.end, d.workdays, _))),
        section(_("Reason: {reason}").format(reason=escape(d.reason))),
        context(_("Status: {status}").format(status=status_label(d.status, _))),
    ]
    if d.decided_by:
        line = _("{status} by {who}").format(status=status_label(d.status, _), who=f"<@{d.decided_by}>")
        if d.decision_reason:
            line += "\n" + _("Reason: {reason}").format(reason=escape(d.decision_reason))
        blocks.append(context(line))
    blocks.append(context(_("Private: only the team's supervisors and the requester see this; the card in the "
                            "channel shows the dates only.")))
    return {
        "type": "modal",  # nothing to submit, so no callback id
        "title": plain(clip(_("Leave #{id}").format(id=d.leave_id), 24)),
        "close": plain(_("Close")),
        "blocks": blocks,
    }
def leave_notice(d: leave_views.LeaveNoticeDM, _: Gettext) -> dict[str, Any]:
    days = _days(d.start, d.end, d.workdays, _)
    if d.what == "sent":
        text = _("Your leave request #{id} for {days} was sent to the supervisors of {team}.")
    elif d.what == "cancelled":
        text = _("<@{person}> cancelled leave #{id} ({days}) that you had approved.")
    elif d.status == "approved":
        text = _("Your leave #{id} for {days} was approved by <@{who}>. No reminders on those days; "
                 "deadlines in them move to your first working day back.")
    else:
        text = _("Your leave request #{id} for {days} was rejected by <@{who}>.")
    text = text.format(id=d.leave_id, days=days, team=escape(d.team_name), person=d.person, who=d.decided_by)
    blocks: Blocks = [section(text)]
    if d.what == "decided" and d.reason:
        blocks.append(context(_("Reason: {reason}").format(reason=escape(d.reason))))
    blocks.append(context(_("Team: {team}").format(team=escape(d.team_name))))
    return {"text": text, "blocks": blocks}


def leave_modal(*, teams: list[tuple[int, str]], default_team_id: int, today: date, metadata: dict[str, Any],
                _: Gettext) -> dict[str, Any]:
    blocks: Blocks = []
    if len(teams) > 1:
        opts = [{"text": plain(clip(name, 75)), "value": str(tid)} for tid, name in teams]
        blocks.append(_input(Block.TEAM, _("Team"), {
            "type": "static_select", "action_id": "team_select", "options": opts,
            "initial_option": next(o for o in opts if o["value"] == str(default_team_id)),
        }))
    blocks.append(_input(Block.LEAVE_START, _("First day"), {"type": "datepicker", "action_id": "start_pick",
                                                             "initial_date": today.isoformat()}))
    blocks.append(_input(Block.LEAVE_END, _("Last day"), {"type": "datepicker", "action_id": "end_pick",
                                                          "initial_date": today.isoformat()}))
    blocks.append(_text_input(Block.LEAVE_REASON, _("Reason"), "reason_input", multiline=True,
                              max_length=leave_rules.REASON_MAX))
    return {
        "type": "modal",
        "callback_id": View.LEAVE_REQUEST,
        "title": plain(_("Request leave")),
        "submit": plain(_("Submit")),
        "close": plain(_("Cancel")),
        "private_metadata": meta(metadata),
        "blocks": blocks,
    }


def leave_help(_: Gettext) -> str:
    return "\n".join([
        _("*/leave* — request leave and see your requests."),
        _("`/leave` opens a form: first day, last day and reason."),
        _("`/leave list` shows your leave from a month ago on."),
        _("`/leave cancel <id>` cancels your pending leave, or approved leave that has not started."),
    ])


def leave_list(lines: list[Any], _: Gettext) -> str:
    if not lines:
        return _("You have no leave from a month ago on. `/leave` requests some.")
    out = [_("*Your leave*")]
    for x in lines:
        icon = {"pending": "⏳", "approved": "✅", "rejected": "❌", "cancelled": "↩️"}.get(x.status, "")
        line = f"{icon} #{x.id} {_days(x.start, x.end, x.workdays, _)} · {status_label(x.status, _)} · {escape(x.team_name)}"
        if x.cancellable:
            line += " · " + _("`/leave cancel {id}` cancels it").format(id=x.id)
        out.append(line)
    return clip("\n".join(out), 3000)


RENDERERS = {leave_views.LeaveCardView: leave_card, leave_views.LeaveNoticeDM: leave_notice}
