"""Block Kit builders for activities: pure functions from view data and a
gettext function."""

from __future__ import annotations

from typing import Any

from bot.kernel.i18n import Gettext
from bot.workflows.activities import rules
from bot.workflows.activities import views as activity_views
from handlers.ids import Action, Block, View
from handlers.kit.blocks import (
    Blocks,
    _input,
    button,
    context,
    header,
    md,
    meta,
    plain,
    remind_later_button,
    section,
)
from handlers.kit.inputs import _text_input
from handlers.kit.labels import STATUS_ICON, status_label
from handlers.kit.mrkdwn import clip, escape, person, slack_date


def figure_label(name: str, _: Gettext) -> str:
    return {"participants": _("Participants"), "engagement": _("Engagement"), "conversion": _("Conversion")}[name]


def _when(start: int, end: int) -> str:
    return f"{slack_date(start)} – {slack_date(end)}"


# -- the activity card -----------------------------------------------------------


def activity_card(c: activity_views.ActivityCardView, _: Gettext) -> dict[str, Any]:
    owner = person(c.owner, c.mention)
    targets = " · ".join(f"{figure_label(k, _)} {rules.format_figure(c.targets.get(k))}" for k in rules.FIGURES)
    fields = [
        md(_("*Owner*\n{name}").format(name=owner)),
        md(_("*Format*\n{format}").format(format=escape(c.format))),
        md(_("*When*\n{when}").format(when=_when(c.starts_at, c.ends_at))),
        md(_("*Expected effect*\n{targets}").format(targets=targets)),
    ]
    if c.participants:
        # Names, not mentions, unless the team turned mentions on: a card pings nobody.
        people = ", ".join(person(p, c.mention) for p in c.participants)
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
            who = person(r.decided_by, c.mention) if r.decided_by else "?"
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
        who = person(c.decided_by, c.mention) if c.decided_by else "?"
        when = slack_date(c.decided_at) if c.decided_at else ""
        line = _("{status} by {who} · {when}").format(status=status_label(c.status, _), who=who, when=when)
        if c.reason:
            line += "\n" + (_("Comment: {text}") if c.status == "changes_requested" else _("Reason: {reason}")).format(
                text=escape(c.reason), reason=escape(c.reason))
        blocks.append(context(f"{STATUS_ICON.get(c.status, '')} {line}"))
    text = _("Activity #{id}: {theme} ({status})").format(id=c.activity_id, theme=escape(c.theme),
                                                         status=status_label(c.status, _))
    return {"text": text, "blocks": blocks}


def activity_notice(d: activity_views.ActivityNoticeDM, _: Gettext) -> dict[str, Any]:
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


def retro_ask(d: activity_views.RetroAskDM, _: Gettext) -> dict[str, Any]:
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


def retro_post(p: activity_views.RetroPost, _: Gettext) -> dict[str, Any]:
    rows = [
        _("• {figure}: {actual} (target {target})").format(
            figure=figure_label(k, _), actual=rules.format_figure(p.actuals.get(k)),
            target=rules.format_figure(p.targets.get(k)))
        for k in rules.FIGURES
    ]
    text = _("Retrospective of activity #{id} “{theme}” by {owner}").format(
        id=p.activity_id, theme=escape(p.theme), owner=person(p.owner, p.mention))
    return {"text": text, "blocks": [
        header(_("Retrospective · activity #{id} · {team}").format(id=p.activity_id, team=p.team_name)),
        section(text + "\n" + _when(p.starts_at, p.ends_at)),
        section("*" + _("Targets vs actuals") + "*\n" + "\n".join(rows)),
        section(_("*What worked*\n{text}").format(text=escape(p.worked))),
        section(_("*What did not*\n{text}").format(text=escape(p.didnt))),
        section(_("*Improvements*\n{text}").format(text=escape(p.improve))),
    ]}


# -- leave -------------------------------------------------------------------------


def _number_input(block: str, label: str, action: str, *, decimal: bool, initial: Any = None,
                  optional: bool = False) -> dict[str, Any]:
    el: dict[str, Any] = {"type": "number_input", "action_id": action, "is_decimal_allowed": decimal,
                          "min_value": "0"}
    if initial is not None:
        el["initial_value"] = rules.format_figure(initial).replace(",", "")
    return _input(block, label, el, optional=optional)


# -- modals --------------------------------------------------------------------------


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
        "private_metadata": meta(metadata),
        "blocks": blocks,
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
        "private_metadata": meta({"activity_id": activity_id}),
        "blocks": blocks,
    }


# -- replies to commands ---------------------------------------------------------------


def activity_help(_: Gettext) -> str:
    return "\n".join([
        _("*/activity* — propose an activity for your supervisor's review."),
        _("`/activity` opens a form: theme, format, start and end, participants, targets and resources."),
        _("After an approved activity ends, I ask you for its retrospective."),
    ])


RENDERERS = {
    activity_views.ActivityCardView: activity_card,
    activity_views.ActivityNoticeDM: activity_notice,
    activity_views.RetroAskDM: retro_ask,
    activity_views.RetroPost: retro_post,
}
