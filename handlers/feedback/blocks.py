"""Block Kit of the feedback talk: its DMs, the schedule and notes modals, the
objection and Not yet modals, its Home section and the self-review's open
items. Pure."""

from __future__ import annotations

import json
from typing import Any

from bot.kernel.i18n import Gettext
from bot.workflows.feedback import rules
from bot.workflows.feedback import views as fv
from handlers.ids import Action, View, item_action_id
from handlers.kit.blocks import Blocks, _input, button, context, line_sections, meta, plain, section
from handlers.kit.inputs import _text_input
from handlers.kit.mrkdwn import clip, escape

HOME_LINES = 10
HOME_BUTTONS = 10


def when(epoch: int, local: str) -> str:
    """The talk's time: Slack's date token (each reader's zone), falling back to the recipient's zone."""
    return f"<!date^{epoch}^{{date_long_pretty}} {{time}}|{local}>"


def item_lines(items: list[fv.ItemLine], _: Gettext) -> list[str]:
    return [_("• {text} — owner <@{owner}>, due {due}").format(text=escape(i.text), owner=i.owner,
                                                               due=i.due.isoformat()) for i in items]


def _plan_blocks(d: fv.TalkDM, _: Gettext) -> Blocks:
    blocks: Blocks = [section(clip("*" + _("Notes") + "*\n" + escape(d.notes or "—"), 3000))]
    lines = item_lines(d.items, _) or [_("No improvement items.")]
    blocks.append(section(clip("*" + _("Improvement plan (version {version})").format(version=d.version) + "*\n"
                               + "\n".join(lines), 3000)))
    return blocks


def _talk_text(d: fv.TalkDM, _: Gettext) -> str:
    member, sup, at = f"<@{d.member.user_id}>", f"<@{d.supervisor.user_id}>", when(d.starts_at, d.local_time)
    other = sup if d.for_member else member
    if d.type == "talk_scheduled":
        msg = (_("Your feedback talk for {period} with {other} is moved to {when}.") if d.version > 1
               else _("Your feedback talk for {period} with {other} is on {when}."))
        return msg.format(period=d.period, other=other, when=at)
    if d.type == "talk_reminder":
        return _("Reminder: your feedback talk for {period} with {other} is on {when}.").format(
            period=d.period, other=other, when=at)
    if d.type == "talk_plan":
        return _("{supervisor} recorded the notes and the improvement plan of your feedback talk for {period}. "
                 "Acknowledge them, or object and they will be revised.").format(supervisor=sup, period=d.period)
    if d.type == "talk_acknowledged":
        return _("{member} acknowledged the notes and improvement plan of their feedback talk for {period}.").format(
            member=member, period=d.period)
    return _("{member} objects to the notes or improvement plan of their feedback talk for {period}:").format(
        member=member, period=d.period)


def talk_dm(d: fv.TalkDM, _: Gettext) -> dict[str, Any]:
    text = _talk_text(d, _)
    blocks: Blocks = [section(text)]
    if d.type in ("talk_scheduled", "talk_reminder"):
        line = _("Local time: {time}").format(time=d.local_time)
        if d.place:
            line += " · " + _("Place: {place}").format(place=escape(d.place))
        blocks.append(context(line))
    if d.type == "talk_objected" and d.objection:
        blocks.append(section(clip("> " + escape(d.objection).replace("\n", "\n> "), 3000)))
    if d.type in ("talk_plan", "talk_objected", "talk_acknowledged"):
        blocks += _plan_blocks(d, _)
    value = json.dumps({"t": d.talk_id, "v": d.version}, separators=(",", ":"))
    if d.type == "talk_plan" and d.open:
        blocks.append({"type": "actions", "elements": [
            button(_("Acknowledge"), Action.TALK_ACKNOWLEDGE, value, "primary"),
            button(_("Object"), Action.TALK_OBJECT, value)]})
    elif d.type == "talk_objected" and d.open:
        blocks.append({"type": "actions", "elements": [
            button(_("Revise plan"), Action.TALK_RECORD, str(d.talk_id), "primary")]})
    elif d.type == "talk_reminder" and not d.for_member and d.open:
        blocks.append({"type": "actions", "elements": [
            button(_("Record notes"), Action.TALK_RECORD, str(d.talk_id), "primary")]})
    who = _("Private to you and your supervisors.") if d.for_member else _(
        "Private to {member} and the team's supervisors.").format(member=f"<@{d.member.user_id}>")
    blocks.append(context(who))
    return {"text": text, "blocks": blocks}


def item_dm(d: fv.ItemDM, _: Gettext) -> dict[str, Any]:
    text = _("Improvement item due {due}: {text}. Is it done?").format(due=d.due.isoformat(), text=escape(d.text))
    blocks: Blocks = [section(text), context(_("From <@{member}>'s improvement plan · {team}").format(
        member=d.member, team=escape(d.team_name)))]
    if d.open:
        blocks.append({"type": "actions", "elements": [
            button(_("Done"), Action.ITEM_DONE, str(d.item_id), "primary"),
            button(_("Not yet"), Action.ITEM_NOT_YET, str(d.item_id))]})
    return {"text": text, "blocks": blocks}


def _modal(callback: str, title: str, submit: str, metadata: dict[str, Any], blocks: Blocks, _: Gettext) -> dict:
    return {"type": "modal", "callback_id": callback, "title": plain(clip(title, 24)), "submit": plain(submit),
            "close": plain(_("Cancel")), "private_metadata": meta(metadata), "blocks": blocks}


def schedule_modal(c: fv.ScheduleContext, _: Gettext) -> dict[str, Any]:
    picker: dict[str, Any] = {"type": "datetimepicker", "action_id": "talk_at"}
    if c.starts_at:
        picker["initial_date_time"] = c.starts_at
    blocks: Blocks = [
        section(_("The feedback talk with <@{member}> about their review for {period} ({team}). You both get the "
                  "time in your own zone, and a reminder on the day.").format(
                      member=c.member, period=c.period, team=escape(c.team_name))),
        _input(rules.FIELD_TALK_AT, _("Date and time"), picker),
        _text_input(rules.FIELD_TALK_PLACE, _("Place or link"), "place", True, max_length=rules.PLACE_MAX,
                    initial=c.place),
    ]
    return _modal(View.TALK_SCHEDULE, _("Feedback talk"), _("Schedule"), {"review_id": c.review_id}, blocks, _)


def _row(c: fv.NotesContext, n: int, item: fv.ItemLine | None, _: Gettext) -> Blocks:
    opts = [{"text": plain(clip(p.name or p.user_id, 75)), "value": p.user_id} for p in c.owners]
    owner = next((o for o in opts if item and o["value"] == item.owner), opts[0])
    due: dict[str, Any] = {"type": "datepicker", "action_id": f"due_{n}"}
    if item:
        due["initial_date"] = item.due.isoformat()
    return [
        _text_input(rules.field_item(n, "text"), _("Item {n}").format(n=n), f"text_{n}", True, max_length=rules.ITEM_MAX,
                    initial=item.text if item else None),
        _input(rules.field_item(n, "owner"), _("Owner of item {n}").format(n=n),
               {"type": "static_select", "action_id": f"owner_{n}", "options": opts, "initial_option": owner}, True),
        _input(rules.field_item(n, "due"), _("Due date of item {n}").format(n=n), due, True),
    ]


def notes_modal(c: fv.NotesContext, _: Gettext) -> dict[str, Any]:
    blocks: Blocks = [section(_("Notes and improvement plan of the feedback talk with <@{member}> for {period} "
                                "({team}). They go to <@{member}> only, who acknowledges or objects.").format(
        member=c.member, period=c.period, team=escape(c.team_name)))]
    if c.objection:
        blocks.append(section(clip(_("*<@{member}> objected:*").format(member=c.member) + "\n> "
                                   + escape(c.objection).replace("\n", "\n> "), 3000)))
    blocks.append(_text_input(rules.FIELD_NOTES, _("Notes"), "notes", multiline=True, max_length=rules.NOTES_MAX,
                              initial=c.notes))
    blocks.append(context(_("Up to {n} items; each needs a text and a due date. Leave a row empty to skip it.")
                          .format(n=rules.MAX_ITEMS)))
    for n in range(1, rules.MAX_ITEMS + 1):
        blocks += _row(c, n, c.items[n - 1] if n <= len(c.items) else None, _)
    return _modal(View.TALK_NOTES, _("Talk notes"), _("Send"), {"talk_id": c.talk_id}, blocks, _)


def objection_modal(talk_id: int, version: int, _: Gettext) -> dict[str, Any]:
    blocks: Blocks = [
        section(_("Your objection goes to your supervisors, who can revise the notes and the plan.")),
        _text_input(rules.FIELD_OBJECTION, _("Reason"), "reason", multiline=True, max_length=rules.COMMENT_MAX),
    ]
    return _modal(View.TALK_OBJECTION, _("Object to the plan"), _("Send"), {"talk_id": talk_id, "version": version},
                  blocks, _)


def not_yet_modal(c: fv.NotYetContext, _: Gettext) -> dict[str, Any]:
    blocks: Blocks = [
        section(_("*{text}* was due {due}. What is left, and when should I ask again?").format(
            text=escape(c.text), due=c.due.isoformat())),
        _text_input(rules.FIELD_FOLLOWUP_COMMENT, _("Comment"), "comment", multiline=True,
                    max_length=rules.COMMENT_MAX),
        _input(rules.FIELD_FOLLOWUP_DUE, _("Ask again on"), {"type": "datepicker", "action_id": "due"}),
    ]
    return _modal(View.ITEM_NOT_YET, _("Not done yet"), _("Save"), {"item_id": c.item_id}, blocks, _)


def _talk_line(t: fv.TalkLine, _: Gettext) -> str:
    at = f"<!date^{t.starts_at}^{{date_short_pretty}} {{time}}|{t.period}>"
    return _("• Feedback talk with <@{member}> for {period}: {when}").format(member=t.member.user_id,
                                                                           period=t.period, when=at)


def home_blocks(h: fv.FeedbackHome, _: Gettext) -> Blocks:
    """Own open items and talk; a supervisor's talks to schedule and record, with their buttons."""
    blocks: Blocks = []
    mine = [_talk_line(t, _) for t in h.my_talks] + item_lines(h.my_items, _)
    if mine:
        blocks += line_sections([_("*Your improvement items and talks*"), *mine[:HOME_LINES]], "")
    if h.team_items:
        lines = [_("• <@{member}>: {text} — owner <@{owner}>, due {due}").format(
            member=i.member, text=escape(i.text), owner=i.owner, due=i.due.isoformat()) for i in h.team_items]
        blocks += line_sections([_("*Open improvement items*"), *lines[:HOME_LINES]], "")
    buttons = [button(clip(_("Schedule talk: {name}").format(name=s.member.name or s.member.user_id), 75),
                      item_action_id(Action.TALK_SCHEDULE, s.review_id), str(s.review_id))
               for s in h.to_schedule]
    buttons += [button(clip(_("Record notes: {name}").format(name=t.member.name or t.member.user_id), 75),
                       item_action_id(Action.TALK_RECORD, t.talk_id), str(t.talk_id)) for t in h.talks if t.recordable]
    lines = [_("• <@{member}>'s review for {period} is evaluated: schedule the feedback talk").format(
        member=s.member.user_id, period=s.period) for s in h.to_schedule]
    lines += [_talk_line(t, _) for t in h.talks]
    if lines:
        blocks += line_sections([_("*Feedback talks*"), *lines[:HOME_LINES]], "")
    if buttons:
        blocks.append({"type": "actions", "elements": buttons[:HOME_BUTTONS]})
    return blocks


def selfreview_blocks(items: list[fv.ItemLine], _: Gettext) -> Blocks:
    """The open items of the member's improvement plans, shown (read only) in their self-review."""
    if not items:
        return []
    return [section(clip("*" + _("Your open improvement items") + "*\n" + "\n".join(item_lines(items, _)), 3000))]


RENDERERS = {fv.TalkDM: talk_dm, fv.ItemDM: item_dm}
