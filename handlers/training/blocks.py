"""Training builders: the announce modal, the session card, the attendance
modal, the reminder DM, and the career goals modal. Pure."""

from __future__ import annotations

from typing import Any

from bot.kernel.i18n import Gettext
from bot.workflows.training import rules
from bot.workflows.training import views as training_views
from handlers.ids import Action, Block, View
from handlers.kit.blocks import Blocks, _input, button, context, header, meta, plain, section
from handlers.kit.mrkdwn import clip, escape, slack_date


def _text(action: str, max_length: int, *, multiline: bool = False, initial: str | None = None) -> dict[str, Any]:
    el: dict[str, Any] = {"type": "plain_text_input", "action_id": action, "max_length": max_length}
    if multiline:
        el["multiline"] = True
    if initial:
        el["initial_value"] = initial[:max_length]
    return el


def announce_modal(f: training_views.AnnounceForm, _: Gettext) -> dict[str, Any]:
    blocks: Blocks = [
        section(_("A training session for *{team}*: a card goes to the team channel, where members answer "
                  "*Join* or *Can't make it*.").format(team=escape(f.team_name))),
        _input(Block.TRAINING_TOPIC, _("Topic"), _text("topic_input", rules.MAX_TOPIC)),
        _input(Block.TRAINING_START, _("Starts at"), {"type": "datetimepicker", "action_id": "start_pick"}),
        _input(Block.TRAINING_PLACE, _("Place or link"), _text("place_input", rules.MAX_PLACE)),
        _input(Block.TRAINING_DESCRIPTION, _("Description"),
               _text("description_input", rules.MAX_DESCRIPTION, multiline=True), optional=True),
    ]
    return {"type": "modal", "callback_id": View.TRAINING, "title": plain(_("Training session")),
            "submit": plain(_("Announce")), "close": plain(_("Cancel")),
            "private_metadata": meta({"team_id": f.team_id}), "blocks": blocks}


def announced(*, team_name: str, channel: str, _: Gettext) -> dict[str, Any]:
    return {"type": "modal", "title": plain(_("Training session")), "close": plain(_("Close")), "blocks": [
        section(_("Announced to *{team}* in <#{channel}>.").format(team=escape(team_name), channel=channel))]}


def _when(epoch: int) -> str:
    return slack_date(epoch, "{date_long_pretty} {time}")


def training_card(c: training_views.TrainingCard, _: Gettext) -> dict[str, Any]:
    sid = str(c.session_id)
    text = _("Training: {topic} · {when}").format(topic=escape(c.topic), when=_when(c.starts_at))
    blocks: Blocks = [
        header(clip(_("Training · {team}").format(team=c.team_name), 150)),
        section(_("*{topic}*\n🕒 {when}\n📍 {place}").format(topic=escape(c.topic), when=_when(c.starts_at),
                                                             place=escape(c.place))),
    ]
    if c.description:
        blocks.append(section(escape(c.description)))
    blocks.append(context(_("Announced by <@{user}> · ✅ {yes} joining · ❌ {no} can't make it").format(
        user=c.announced_by, yes=c.joining, no=c.not_joining)))
    if c.attended is not None:
        blocks.append(context("📋 " + _("Attendance recorded: {n} attended").format(n=c.attended)))
    blocks.append({"type": "actions", "block_id": "training_actions", "elements": [
        button(_("Join"), Action.TRAINING_JOIN, sid, "primary"),
        button(_("Can't make it"), Action.TRAINING_DECLINE, sid),
        button(_("Record attendance"), Action.TRAINING_ATTENDANCE, sid),
    ]})
    return {"text": text, "blocks": blocks}


def answer_text(*, topic: str, joining: bool, _: Gettext) -> str:
    if joining:
        return _("You are in for {topic}. You will get a reminder on the day.").format(topic=escape(topic))
    return _("Noted: you can't make it to {topic}.").format(topic=escape(topic))


def attendance_modal(f: training_views.AttendanceForm, _: Gettext) -> dict[str, Any]:
    el: dict[str, Any] = {"type": "multi_users_select", "action_id": "attendees_pick"}
    if f.prefilled:
        el["initial_users"] = f.prefilled[:100]
    blocks: Blocks = [
        section(_("Who attended *{topic}* ({when})? Prefilled with those who joined.").format(
            topic=escape(f.topic), when=_when(f.starts_at))),
        _input(Block.TRAINING_ATTENDEES, _("Attended"), el, optional=True),
    ]
    return {"type": "modal", "callback_id": View.TRAINING_ATTENDANCE, "title": plain(_("Attendance")),
            "submit": plain(_("Save")), "close": plain(_("Cancel")),
            "private_metadata": meta({"session_id": f.session_id}), "blocks": blocks}


def attendance_saved(*, count: int, _: Gettext) -> dict[str, Any]:
    return {"type": "modal", "title": plain(_("Attendance")), "close": plain(_("Close")), "blocks": [
        section(_("Attendance recorded: {n} attended. It shows in their self-review of the month.").format(n=count))]}


def reminder_dm(d: training_views.TrainingReminderDM, _: Gettext) -> dict[str, Any]:
    text = _("Today: training session {topic} at {when}").format(topic=escape(d.topic), when=_when(d.starts_at))
    return {"text": text, "blocks": [
        section("📚 " + text + "\n📍 " + escape(d.place)),
        context(_("Team: {team}. You answered Join on its card.").format(team=escape(d.team_name))),
    ]}


def goals_modal(f: training_views.GoalsForm, _: Gettext) -> dict[str, Any]:
    intro = _("Career development plan of {member} for {year} ({team}): private to them and the team's "
              "supervisors; shown in the annual review.").format(member=f"<@{f.member}>", year=f.year,
                                                                 team=escape(f.team_name))
    blocks: Blocks = [section(intro)]
    view: dict[str, Any] = {"type": "modal", "title": plain(_("Career goals")), "close": plain(_("Close")),
                            "blocks": blocks}
    if f.read_only:  # a supervisor reads it; no callback: nothing can be submitted
        lines = [f"{n}. {escape(g)}" for n, g in enumerate(f.goals, start=1)]
        blocks.append(section("\n".join(lines) if lines else _("No goals recorded for the year.")))
        return view
    el = _text("goals_input", 2000, multiline=True, initial=escape("\n".join(f.goals)))
    blocks.append({"type": "input", "block_id": Block.GOALS_TEXT, "label": plain(_("Goals")), "element": el,
                   "optional": True, "hint": plain(_("One goal a line, at most {n}; each up to {max} characters.")
                                                   .format(n=rules.MAX_GOALS, max=rules.MAX_GOAL))})
    view.update({"callback_id": View.GOALS, "submit": plain(_("Save")), "close": plain(_("Cancel")),
                 "private_metadata": meta({"team_id": f.team_id})})
    return view


def goals_saved(*, count: int, _: Gettext) -> dict[str, Any]:
    return {"type": "modal", "title": plain(_("Career goals")), "close": plain(_("Close")), "blocks": [
        section(_("Saved: {n} goal(s) for the year.").format(n=count))]}


RENDERERS = {training_views.TrainingCard: training_card, training_views.TrainingReminderDM: reminder_dm}
