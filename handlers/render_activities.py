"""Block Kit builders for activities and leave: pure functions from view
data (``bot/views.py``) and a gettext function to Slack payloads."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot import views as v
from bot.domain import activities as rules
from bot.domain import leave as leave_rules
from bot.i18n import Gettext
from handlers.ids import Action, Block, View
from handlers.mrkdwn import clip, escape, slack_date
from handlers.render import (
    STATUS_ICON,
    Blocks,
    _input,
    button,
    context,
    header,
    md,
    plain,
    remind_later_button,
    section,
    status_label,
)


def figure_label(name: str, _: Gettext) -> str:
    return {"participants": _("Participants"), "engagement": _("Engagement"), "conversion": _("Conversion")}[name]


def _when(start: int, end: int) -> str:
    return f"{slack_date(start)} – {slack_date(end)}"


def _days(start: date, end: date, workdays: int, _: Gettext) -> str:
    span = start.isoformat() if start == end else f"{start.isoformat()} – {end.isoformat()}"
    return _("{span} ({n} working day(s))").format(span=span, n=workdays)


def _meta(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))


# -- the activity card -----------------------------------------------------------


def activity_card(c: v.ActivityCardView, _: Gettext) -> dict[str, Any]:
    owner = escape(c.owner.label(c.mention))
    targets = " · ".join(f"{figure_label(k, _)} {rules.format_figure(c.targets.get(k))}" for k in rules.FIGURES)
    fields = [
        md(_("*Owner*\n{name}").format(name=owner)),
        md(_("*Format*\n{format}").format(format=escape(c.format))),
        md(_("*When*\n{when}").format(when=_when(c.starts_at, c.ends_at))),
        md(_("*Expected effect*\n{targets}").format(targets=targets)),
    ]
    if c.participants:
        # Names, not mentions, unless the team turned mentions on: a card pings nobody.
        people = ", ".join(escape(p.label(c.mention)) for p in c.participants)
        if c.more_participants > 0:
            people += " " + _("and {n} more").format(n=c.more_participants)
        fields.append(md(_("*Participants*\n{people}").format(people=people)))
    blocks: Blocks = [
        header(_("Activity #{id} · {team}").format(id=c.activity_id, team=c.team_name)),
        section(f"*{escape(c.theme)}*"),
        {"type": "section", "fields": fields},
    ]
    if c.resources:
        blocks.append(section(_("*Resources needed*\n{text}").format(text=escape(c.resources))))
    for r in c.earlier_rounds[-5:]:
        if r.comment:
            who = escape(r.decided_by.label(c.mention)) if r.decided_by else "?"
            blocks.append(context(_("Round {n}: changes requested by {who}: {comment}").format(
                n=r.round, who=who, comment=escape(r.comment))))
    if c.status == rules.ActivityStatus.PROPOSED:
        wait = _("Waiting for a supervisor's decision")
        if c.round > 1:
            wait += " · " + _("round {n}").format(n=c.round)
        blocks.append(context(f"{STATUS_ICON['proposed']} {wait}"))
        blocks.append({
            "type": "actions",
            "block_id": Block.DECISION_ACTIONS,
            "elements": [
                button(_("Approve"), Action.ACTIVITY_APPROVE, str(c.activity_id), "primary"),
                button(_("Request changes"), Action.ACTIVITY_CHANGES, str(c.activity_id)),
                button(_("Reject"), Action.ACTIVITY_REJECT, str(c.activity_id), "danger"),
            ],
        })
    else:
        who = escape(c.decided_by.label(c.mention)) if c.decided_by else "?"
        when = slack_date(c.decided_at) if c.decided_at else ""
        line = _("{status} by {who} · {when}").format(status=status_label(c.status, _), who=who, when=when)
        if c.reason:
            line += "\n" + (_("Comment: {text}") if c.status == "changes_requested" else _("Reason: {reason}")).format(
                text=escape(c.reason), reason=escape(c.reason))
        blocks.append(context(f"{STATUS_ICON.get(c.status, '')} {line}"))
    text = _("Activity #{id}: {theme} ({status})").format(id=c.activity_id, theme=escape(c.theme),
                                                         status=status_label(c.status, _))
    return {"text": text, "blocks": blocks}


def activity_notice(d: v.ActivityNoticeDM, _: Gettext) -> dict[str, Any]:
    theme = escape(d.theme)
    actions: list[dict[str, Any]] = []
    if d.what == "sent":
        text = _("Your activity #{id} “{theme}” was sent to {team} for review (round {n}). "
                 "The card is in <#{channel}>.").format(id=d.activity_id, theme=theme, team=escape(d.team_name),
                                                        n=d.round, channel=d.channel)
    elif d.status == "approved":
        text = _("Your activity #{id} “{theme}” was approved by <@{who}>. After it ends I will ask you for the "
                 "retrospective.").format(id=d.activity_id, theme=theme, who=d.decided_by)
    elif d.status == "changes_requested":
        text = _("<@{who}> asked for changes to your activity #{id} “{theme}”.").format(
            id=d.activity_id, theme=theme, who=d.decided_by)
        actions.append(button(_("Resubmit"), Action.ACTIVITY_RESUBMIT, str(d.activity_id), "primary"))
    else:
        text = _("Your activity #{id} “{theme}” was rejected by <@{who}>.").format(
            id=d.activity_id, theme=theme, who=d.decided_by)
    blocks: Blocks = [section(text)]
    if d.what == "decided" and d.comment:
        label = _("Comment: {text}") if d.status == "changes_requested" else _("Reason: {reason}")
        blocks.append(section(label.format(text=escape(d.comment), reason=escape(d.comment))))
    if actions:
        blocks.append({"type": "actions", "elements": actions})
    blocks.append(context(_("Team: {team}").format(team=escape(d.team_name))))
    return {"text": text, "blocks": blocks}


def retro_ask(d: v.RetroAskDM, _: Gettext) -> dict[str, Any]:
    theme = escape(d.theme)
    if d.done:
        text = _("The retrospective for activity #{id} “{theme}” is in. Thank you!").format(id=d.activity_id,
                                                                                             theme=theme)
        return {"text": text, "blocks": [section(text)]}
    if d.reminder:
        text = _("Reminder: the retrospective for your activity #{id} “{theme}” is still missing.")
    else:
        text = _("Your activity #{id} “{theme}” has ended. Time for the retrospective!")
    text = text.format(id=d.activity_id, theme=theme)
    why = _("Why you got this: every approved activity gets a retrospective once it ends ({when}); "
            "I remind you each working day until it is in.").format(when=slack_date(d.ended_at))
    return {"text": text, "blocks": [
        section(("🔁 " if d.snoozed else "") + text),
        context(why),
        {"type": "actions", "elements": [
            button(_("Write retrospective"), Action.WRITE_RETRO, str(d.activity_id), "primary"),
            remind_later_button(d.job, d.team_id, d.period, _),
        ]},
    ]}


def retro_post(p: v.RetroPost, _: Gettext) -> dict[str, Any]:
    rows = [
        _("• {figure}: {actual} (target {target})").format(
            figure=figure_label(k, _), actual=rules.format_figure(p.actuals.get(k)),
            target=rules.format_figure(p.targets.get(k)))
        for k in rules.FIGURES
    ]
    text = _("Retrospective of activity #{id} “{theme}” by {owner}").format(
        id=p.activity_id, theme=escape(p.theme), owner=escape(p.owner.label(p.mention)))
    return {"text": text, "blocks": [
        header(_("Retrospective · activity #{id} · {team}").format(id=p.activity_id, team=p.team_name)),
        section(text + "\n" + _when(p.starts_at, p.ends_at)),
        section("*" + _("Targets vs actuals") + "*\n" + "\n".join(rows)),
        section(_("*What worked*\n{text}").format(text=escape(p.worked))),
        section(_("*What did not*\n{text}").format(text=escape(p.didnt))),
        section(_("*Improvements*\n{text}").format(text=escape(p.improve))),
    ]}


# -- leave -------------------------------------------------------------------------


def leave_card(c: v.LeaveCardView, _: Gettext) -> dict[str, Any]:
    who = escape(c.person.label(c.mention))
    blocks: Blocks = [
        header(_("Leave request #{id} · {team}").format(id=c.leave_id, team=c.team_name)),
        section(_("*{who}* asks for leave: {days}").format(who=who, days=_days(c.start, c.end, c.workdays, _))),
        section(_("Reason: {reason}").format(reason=escape(c.reason))),
    ]
    if c.status == leave_rules.LeaveStatus.PENDING:
        blocks.append(context(f"{STATUS_ICON['proposed']} " + _("Waiting for a supervisor's decision")))
        blocks.append({"type": "actions", "block_id": Block.DECISION_ACTIONS, "elements": [
            button(_("Approve"), Action.LEAVE_APPROVE, str(c.leave_id), "primary"),
            button(_("Reject"), Action.LEAVE_REJECT, str(c.leave_id), "danger"),
        ]})
    elif c.status == leave_rules.LeaveStatus.CANCELLED:
        blocks.append(context("↩️ " + _("Cancelled by the requester")))
    else:
        by = escape(c.decided_by.label(c.mention)) if c.decided_by else "?"
        when = slack_date(c.decided_at) if c.decided_at else ""
        line = _("{status} by {who} · {when}").format(status=status_label(c.status, _), who=by, when=when)
        if c.decision_reason:
            line += "\n" + _("Reason: {reason}").format(reason=escape(c.decision_reason))
        blocks.append(context(f"{STATUS_ICON.get(c.status, '')} {line}"))
    text = _("Leave request #{id}: {who}, {days} ({status})").format(
        id=c.leave_id, who=who, days=_days(c.start, c.end, c.workdays, _), status=status_label(c.status, _))
    return {"text": text, "blocks": blocks}


def leave_notice(d: v.LeaveNoticeDM, _: Gettext) -> dict[str, Any]:
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


# -- modals --------------------------------------------------------------------------


def _text_input(block: str, label: str, action: str, _opt: bool = False, *, multiline: bool = False,
                max_length: int = 150, initial: str | None = None, placeholder: str | None = None) -> dict[str, Any]:
    el: dict[str, Any] = {"type": "plain_text_input", "action_id": action, "multiline": multiline,
                          "max_length": max_length}
    if initial:
        el["initial_value"] = initial[:max_length]
    if placeholder:
        el["placeholder"] = plain(placeholder)
    return _input(block, label, el, optional=_opt)


def _number_input(block: str, label: str, action: str, *, decimal: bool, initial: Any = None,
                  optional: bool = False) -> dict[str, Any]:
    el: dict[str, Any] = {"type": "number_input", "action_id": action, "is_decimal_allowed": decimal,
                          "min_value": "0"}
    if initial is not None:
        el["initial_value"] = rules.format_figure(initial).replace(",", "")
    return _input(block, label, el, optional=optional)


def activity_modal(*, teams: list[tuple[int, str]], default_team_id: int, metadata: dict[str, Any], _: Gettext,
                   draft: rules.ActivityDraft | None = None, comment: str | None = None,
                   round_: int | None = None) -> dict[str, Any]:
    blocks: Blocks = []
    if comment:
        blocks.append(section(_("*Requested changes (round {n})*\n{comment}").format(n=round_ or 1,
                                                                                      comment=escape(comment))))
    if len(teams) > 1 and draft is None:
        opts = [{"text": plain(clip(name, 75)), "value": str(tid)} for tid, name in teams]
        blocks.append(_input(Block.TEAM, _("Team"), {
            "type": "static_select", "action_id": "team_select", "options": opts,
            "initial_option": next(o for o in opts if o["value"] == str(default_team_id)),
        }))
    blocks.append(_text_input(Block.ACT_THEME, _("Theme"), "theme_input", initial=draft.theme if draft else None))
    blocks.append(_text_input(Block.ACT_FORMAT, _("Format"), "format_input", initial=draft.format if draft else None,
                              placeholder=_("e.g. livestream, offline meetup, online challenge")))
    for block, label, action, value in (
        (Block.ACT_START, _("Start"), "start_pick", draft.starts_at if draft else None),
        (Block.ACT_END, _("End"), "end_pick", draft.ends_at if draft else None),
    ):
        el: dict[str, Any] = {"type": "datetimepicker", "action_id": action}
        if value is not None:
            el["initial_date_time"] = int(value.timestamp())
        blocks.append(_input(block, label, el))
    people: dict[str, Any] = {"type": "multi_users_select", "action_id": "participants_pick",
                              "max_selected_items": rules.PARTICIPANTS_MAX}
    if draft and draft.participants:
        people["initial_users"] = list(draft.participants)
    blocks.append(_input(Block.ACT_PARTICIPANTS, _("Participants"), people, optional=True))
    targets = draft.targets if draft else {}
    blocks.append(section("*" + _("Expected effect (targets)") + "*"))
    for k, block in (("participants", Block.TARGET_PARTICIPANTS), ("engagement", Block.TARGET_ENGAGEMENT),
                     ("conversion", Block.TARGET_CONVERSION)):
        blocks.append(_number_input(block, _("Target: {figure}").format(figure=figure_label(k, _)), f"target_{k}",
                                    decimal=k != "participants", initial=targets.get(k)))
    blocks.append(_text_input(Block.ACT_RESOURCES, _("Resources needed"), "resources_input", True, multiline=True,
                              max_length=rules.TEXT_MAX, initial=draft.resources if draft else None))
    return {
        "type": "modal",
        "callback_id": View.ACTIVITY_PROPOSE,
        "title": plain(_("Propose an activity") if draft is None else _("Resubmit activity")),
        "submit": plain(_("Submit") if draft is None else _("Resubmit")),
        "close": plain(_("Cancel")),
        "private_metadata": _meta(metadata),
        "blocks": blocks,
    }


def reason_modal(*, callback_id: str, title: str, submit: str, intro: str, label: str, required: bool,
                 metadata: dict[str, Any], _: Gettext) -> dict[str, Any]:
    """Request changes (comment required), reject an activity or a leave (reason)."""
    block = Block.COMMENT if required else Block.REASON
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title),
        "submit": plain(submit),
        "close": plain(_("Cancel")),
        "private_metadata": _meta(metadata),
        "blocks": [
            section(intro),
            _text_input(block, label, "reason_input", not required, multiline=True, max_length=2000),
        ],
    }


def retro_modal(*, activity_id: int, theme: str, targets: dict[str, Any], _: Gettext) -> dict[str, Any]:
    blocks: Blocks = [section(_("Retrospective of activity #{id} *{theme}*. Each target is shown beside the "
                                "actual figure.").format(id=activity_id, theme=escape(theme)))]
    for k, block in (("participants", Block.ACTUAL_PARTICIPANTS), ("engagement", Block.ACTUAL_ENGAGEMENT),
                     ("conversion", Block.ACTUAL_CONVERSION)):
        label = _("Actual {figure} (target {target})").format(figure=figure_label(k, _).lower(),
                                                               target=rules.format_figure(targets.get(k)))
        blocks.append(_number_input(block, label, f"actual_{k}", decimal=k != "participants"))
    blocks.append(_text_input(Block.RETRO_WORKED, _("What worked"), "worked_input", multiline=True,
                              max_length=rules.TEXT_MAX))
    blocks.append(_text_input(Block.RETRO_DIDNT, _("What did not"), "didnt_input", multiline=True,
                              max_length=rules.TEXT_MAX))
    blocks.append(_text_input(Block.RETRO_IMPROVE, _("Improvements"), "improve_input", multiline=True,
                              max_length=rules.TEXT_MAX))
    return {
        "type": "modal",
        "callback_id": View.ACTIVITY_RETRO,
        "title": plain(_("Retrospective")),
        "submit": plain(_("Submit")),
        "close": plain(_("Cancel")),
        "private_metadata": _meta({"activity_id": activity_id}),
        "blocks": blocks,
    }


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
        "private_metadata": _meta(metadata),
        "blocks": blocks,
    }


# -- replies to commands ---------------------------------------------------------------


def activity_help(_: Gettext) -> str:
    return "\n".join([
        _("*/activity* — propose an activity for your supervisor's review."),
        _("`/activity` opens a form: theme, format, start and end, participants, targets and resources."),
        _("After an approved activity ends, I ask you for its retrospective."),
    ])


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


RENDERERS = {
    v.ActivityCardView: activity_card,
    v.ActivityNoticeDM: activity_notice,
    v.RetroAskDM: retro_ask,
    v.RetroPost: retro_post,
    v.LeaveCardView: leave_card,
    v.LeaveNoticeDM: leave_notice,
}
