"""Block Kit builders: pure functions from view data (``bot/views.py``) and a
gettext function to Slack payloads. No database, no Web API here."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from bot import views as v
from bot.i18n import Gettext, gettext_for
from handlers.ids import Action, Block, View
from handlers.mrkdwn import clip, escape, slack_date

Blocks = list[dict[str, Any]]
SECTION_LIMIT = 3000


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def md(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": md(clip(text, SECTION_LIMIT)), **extra}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [md(clip(text, SECTION_LIMIT))]}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": plain(clip(text, 150))}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    b: dict[str, Any] = {"type": "button", "text": plain(text), "action_id": action_id, "value": value}
    if style:
        b["style"] = style
    return b


def line_sections(lines: list[str], empty: str) -> Blocks:
    """Lines packed into as few sections as Slack's 3000-character limit allows."""
    if not lines:
        return [section(empty)]
    out, chunk = [], ""
    for line in lines:
        if chunk and len(chunk) + 1 + len(line) > SECTION_LIMIT:
            out.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    out.append(section(chunk))
    return out


def status_label(status: str, _: Gettext) -> str:
    return {
        "proposed": _("Waiting for a decision"),
        "approved": _("Approved"),
        "rejected": _("Rejected"),
        "withdrawn": _("Withdrawn"),
        "changes_requested": _("Changes requested"),
        "pending": _("Waiting for a decision"),
        "cancelled": _("Cancelled"),
    }.get(status, status)


STATUS_ICON = {"proposed": "⏳", "approved": "✅", "rejected": "❌", "withdrawn": "↩️", "changes_requested": "✏️",
               "pending": "⏳", "cancelled": "↩️"}


def progress_text(count: int, quota: int, _: Gettext) -> str:
    return _("{count} / {quota} this week").format(count=count, quota=quota)


def remind_later_button(job: str, team_id: int, period: str, _: Gettext) -> dict[str, Any]:
    value = json.dumps({"job": job, "team": team_id, "period": period}, separators=(",", ":"))
    return button(_("Remind me later"), Action.REMIND_LATER, value)


# -- the topic card ------------------------------------------------------------


def topic_card(c: v.TopicCardView, _: Gettext) -> dict[str, Any]:
    author = escape(c.author.label(c.mention))
    fields = [
        md(_("*Author*\n{name}").format(name=author)),
        md(_("*Quota*\n{progress}").format(progress=progress_text(c.count, c.quota, _))),
    ]
    if c.platform:
        fields.append(md(_("*Platform*\n{platform}").format(platform=escape(c.platform))))
    if c.planned_date:
        fields.append(md(_("*Planned publish date*\n{date}").format(date=c.planned_date.isoformat())))
    body = f"*{escape(c.title)}*"
    if c.angle:
        body += "\n" + escape(c.angle)
    blocks: Blocks = [
        header(_("Topic #{id} · {team}").format(id=c.topic_id, team=c.team_name)),
        section(body),
        {"type": "section", "fields": fields},
    ]
    if c.status == "proposed":
        blocks.append(context(f"{STATUS_ICON['proposed']} " + _("Waiting for a supervisor's decision")))
        blocks.append({
            "type": "actions",
            "block_id": Block.DECISION_ACTIONS,
            "elements": [
                button(_("Approve"), Action.TOPIC_APPROVE, str(c.topic_id), "primary"),
                button(_("Reject"), Action.TOPIC_REJECT, str(c.topic_id), "danger"),
            ],
        })
    elif c.status == "withdrawn":
        blocks.append(context(f"{STATUS_ICON['withdrawn']} " + _("Withdrawn by the author")))
    else:
        who = escape(c.decided_by.label(c.mention)) if c.decided_by else "?"
        when = slack_date(c.decided_at) if c.decided_at else ""
        line = _("{status} by {who} · {when}").format(status=status_label(c.status, _), who=who, when=when)
        if c.reason:
            line += "\n" + _("Reason: {reason}").format(reason=escape(c.reason))
        blocks.append(context(f"{STATUS_ICON.get(c.status, '')} {line}"))
    text = _("Topic #{id}: {title} ({status})").format(
        id=c.topic_id, title=escape(c.title), status=status_label(c.status, _)
    )
    return {"text": text, "blocks": blocks}


# -- DMs -----------------------------------------------------------------------


def topic_decided(d: v.TopicDecidedDM, _: Gettext) -> dict[str, Any]:
    if d.status == "approved":
        text = _("Your topic #{id} “{title}” was approved by <@{who}>. Time to write it!")
    else:
        text = _("Your topic #{id} “{title}” was rejected by <@{who}>.")
    text = text.format(id=d.topic_id, title=escape(d.title), who=d.decided_by)
    blocks = [section(text)]
    if d.reason:
        blocks.append(context(_("Reason: {reason}").format(reason=escape(d.reason))))
    blocks.append(context(_("Team: {team}").format(team=escape(d.team_name))))
    return {"text": text, "blocks": blocks}


def quota_reminder(d: v.QuotaReminderDM, _: Gettext) -> dict[str, Any]:
    text = _("You have proposed {count} of {quota} topics this week for {team}.").format(
        count=d.count, quota=d.quota, team=escape(d.team_name)
    )
    why = _("Why you got this: each member proposes {quota} topics a week, and the week's summary is posted {when}.").format(
        quota=d.quota, when=slack_date(d.due)
    )
    blocks = [
        section(("🔁 " if d.snoozed else "") + text),
        context(why),
        {
            "type": "actions",
            "elements": [
                button(_("Propose a topic"), Action.PROPOSE_TOPIC, str(d.team_id), "primary"),
                remind_later_button(d.job, d.team_id, d.period, _),
            ],
        },
    ]
    return {"text": text, "blocks": blocks}


def kind_label(kind: str, _: Gettext) -> str:
    """The word for an item's kind, as it leads a line in a list."""
    return {
        "topic": _("Topic"),
        "draft": _("Draft"),
        "activity": _("Activity"),
        "leave": _("Leave request"),
        "retro": _("Overdue retrospective"),
    }.get(kind, kind)


def _nudge_lines(items: list[v.PendingItem], line: str, cap: int, _: Gettext) -> list[str]:
    """One translated ``line`` per item, at most ``cap``, then how many more."""
    out = [line.format(kind=kind_label(i.kind, _), id=i.topic_id, title=escape(i.title),
                       author=f"<@{i.author.user_id}>", hours=i.waiting_hours) for i in items[:cap]]
    if len(items) > cap:
        out.append(_("…and {n} more.").format(n=len(items) - cap))
    return out


def pending_nudge(d: v.PendingNudgeDM, _: Gettext) -> dict[str, Any]:
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


def not_in_channel(d: v.NotInChannelDM, _: Gettext) -> dict[str, Any]:
    text = _(
        "I could not post {team}'s cards to <#{channel}> because I am not a member of that channel. "
        "Please invite me there (type `/invite @opsbot` in the channel); waiting posts will follow."
    ).format(team=escape(d.team_name), channel=d.channel)
    return {"text": text, "blocks": [section(text)]}


def member_deactivated(d: v.DeactivatedMemberDM, _: Gettext) -> dict[str, Any]:
    text = _(
        "{member} has left the Slack workspace, so I no longer send them reminders for {team}. "
        "Their items stay; remove them from the teams file when you are ready."
    ).format(member=escape(d.member.name or d.member.user_id), team=escape(d.team_name))
    return {"text": text, "blocks": [section(text)]}


# -- channel posts -------------------------------------------------------------


def quota_summary(p: v.QuotaSummaryPost, _: Gettext) -> dict[str, Any]:
    met = sum(r.met for r in p.rows)
    title = _("Weekly topic quota · {team} · {week}").format(team=p.team_name, week=p.week)
    lines = [
        f"{'✅' if r.met else '⬜'} {escape(r.person.label(p.mention))} — {progress_text(r.count, r.quota, _)}"
        for r in p.rows
    ]
    text = _("{met} of {total} members met this week's topic quota.").format(met=met, total=len(p.rows))
    return {"text": text, "blocks": [header(title), section(text), *line_sections(lines, _("No members."))]}


def stage_label(stage: str, round: int, _: Gettext) -> str:
    """How far an approved topic has got (bot.domain.content.Stage)."""
    if stage == "in_review":
        return _("in review (round {round})").format(round=round)
    return {
        "planned": _("planned"),
        "drafting": _("drafting"),
        "approved": _("approved"),
        "published": _("published"),
    }.get(stage, stage)


def weekly_plan(p: v.WeeklyPlanPost, _: Gettext) -> dict[str, Any]:
    def lines(items: list[v.TopicLine]) -> list[str]:
        return [f"• #{t.id} *{escape(t.title)}* — {escape(t.author.label(p.mention))}"
                + (f" · _{stage_label(t.stage, t.round, _)}_" if t.stage else "") for t in items]

    title = _("Content plan · {team} · {week}").format(team=p.team_name, week=p.week)
    text = _("This week's content plan: {n} approved topic(s), {m} carried over.").format(
        n=len(p.this_week), m=len(p.carried_over)
    )
    return {
        "text": text,
        "blocks": [
            header(title),
            section("*" + _("Approved this week") + "*"),
            *line_sections(lines(p.this_week), _("Nothing approved yet.")),
            section("*" + _("Carried over from last week (approved, not yet published)") + "*"),
            *line_sections(lines(p.carried_over), _("Nothing carried over.")),
        ],
    }


def proposal_confirmation(c: v.ProposalConfirmation, _: Gettext) -> dict[str, Any]:
    text = _("Topic #{id} “{title}” was sent to {team} for approval. You have {progress}.").format(
        id=c.topic_id, title=escape(c.title), team=escape(c.team_name), progress=progress_text(c.count, c.quota, _)
    )
    if c.chosen_by_default:
        text += " " + _("(You are in several teams; this went to {team}, your first. Use the form to pick another.)").format(
            team=escape(c.team_name)
        )
    return {"text": text, "response_type": "ephemeral", "replace_original": False}


# -- modals --------------------------------------------------------------------


def _input(block_id: str, label: str, element: dict[str, Any], optional: bool = False) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": plain(label), "element": element, "optional": optional}


def _options(values: list[str] | tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"text": plain(clip(x, 75)), "value": x[:150]} for x in values]


def propose_modal(
    *, teams: list[tuple[int, str, tuple[str, ...]]], default_team_id: int, metadata: dict[str, Any], _: Gettext,
    title: str | None = None,
) -> dict[str, Any]:
    default = next(t for t in teams if t[0] == default_team_id)
    blocks: Blocks = []
    if len(teams) > 1:
        opts = [{"text": plain(clip(name, 75)), "value": str(tid)} for tid, name, _p in teams]
        blocks.append(_input(Block.TEAM, _("Team"), {
            "type": "static_select", "action_id": "team_select", "options": opts,
            "initial_option": next(o for o in opts if o["value"] == str(default_team_id)),
        }))
    title_el: dict[str, Any] = {"type": "plain_text_input", "action_id": "title_input", "max_length": 150}
    if title:
        title_el["initial_value"] = title[:150]
    blocks.append(_input(Block.TITLE, _("Title"), title_el))
    blocks.append(_input(Block.ANGLE, _("Angle"), {
        "type": "plain_text_input", "action_id": "angle_input", "multiline": True, "max_length": 3000,
    }, optional=True))
    platforms = sorted({p for _t, _n, ps in teams for p in ps}, key=lambda p: (p not in default[2], p))
    if platforms:
        blocks.append(_input(Block.PLATFORM, _("Platform"), {
            "type": "static_select", "action_id": "platform_select", "options": _options(platforms[:100]),
        }, optional=True))
    blocks.append(_input(Block.PUBLISH_DATE, _("Planned publish date"), {
        "type": "datepicker", "action_id": "date_pick",
    }, optional=True))
    return {
        "type": "modal",
        "callback_id": View.TOPIC_PROPOSE,
        "title": plain(_("Propose a topic")),
        "submit": plain(_("Submit")),
        "close": plain(_("Cancel")),
        "private_metadata": json.dumps(metadata, separators=(",", ":")),
        "blocks": blocks,
    }


def reject_modal(*, topic_id: int, title: str, metadata: dict[str, Any], _: Gettext) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": View.TOPIC_REJECT,
        "title": plain(_("Reject topic")),
        "submit": plain(_("Reject")),
        "close": plain(_("Cancel")),
        "private_metadata": json.dumps({"topic_id": topic_id, **metadata}, separators=(",", ":")),
        "blocks": [
            section(_("Rejecting #{id} *{title}*. The author will see your reason.").format(id=topic_id, title=escape(title))),
            _input(Block.REASON, _("Reason"), {
                "type": "plain_text_input", "action_id": "reason_input", "multiline": True, "max_length": 2000,
            }, optional=True),
        ],
    }


# -- replies to commands -------------------------------------------------------


def ephemeral(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": text}


def answer(a: v.Answer, _: Gettext) -> dict[str, Any]:
    # replace_original: False keeps the card a clicked button sits on.
    return {"response_type": "ephemeral", "text": a.text, "replace_original": False}


def topic_help(_: Gettext) -> str:
    return "\n".join([
        _("*/topic* — propose content topics and follow your weekly quota."),
        _("`/topic <title>` proposes a topic at once."),
        _("`/topic` opens a form with title, angle, platform and planned publish date."),
        _("`/topic list` shows your topics this week."),
        _("`/topic list team` shows the team's topics this week (supervisors)."),
        _("`/topic withdraw <id>` withdraws one of your undecided topics."),
        _("`/topic help` shows this help."),
    ])


def topic_lists(lists: list[Any], _: Gettext, *, team: bool = False) -> str:
    out = []
    for tl in lists:
        head = _("*{team}*, week {week}").format(team=escape(tl.team_name), week=tl.week)
        if tl.count is not None:
            head += " — " + progress_text(tl.count, tl.quota, _)
        out.append(head)
        if not tl.lines:
            out.append(_("No topics this week."))
        for x in tl.lines:
            who = f" — {escape(x.author.label(False))}" if team else ""
            out.append(f"{STATUS_ICON.get(x.status, '')} #{x.id} {escape(x.title)}{who} · {status_label(x.status, _)}")
    return clip("\n".join(out), 3000)


# -- dispatch by view type -------------------------------------------------------

RENDERERS: dict[type, Callable[[Any, Gettext], dict[str, Any]]] = {
    v.TopicCardView: topic_card,
    v.TopicDecidedDM: topic_decided,
    v.QuotaReminderDM: quota_reminder,
    v.PendingNudgeDM: pending_nudge,
    v.NotInChannelDM: not_in_channel,
    v.DeactivatedMemberDM: member_deactivated,
    v.QuotaSummaryPost: quota_summary,
    v.WeeklyPlanPost: weekly_plan,
    v.ProposalConfirmation: proposal_confirmation,
    v.Answer: answer,
}


from handlers.render_exports import export_file  # noqa: E402
from handlers.render_reports import report_file  # noqa: E402

RENDERERS[v.ExportFile] = export_file
RENDERERS[v.ReportView] = report_file


def render(view: Any) -> dict[str, Any]:
    return RENDERERS[type(view)](view, gettext_for(view.locale))


def parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


from handlers import render_content  # noqa: E402  (its builders use the helpers above)

RENDERERS.update(render_content.RENDERERS)
# Performance reviews: their builders live in handlers/render_reviews.py.
from handlers.render_reviews import RENDERERS as _REVIEW_RENDERERS  # noqa: E402

RENDERERS.update(_REVIEW_RENDERERS)
# Activities and leave (docs/PRODUCT.md §2.3, §2.4).
from handlers import render_activities  # noqa: E402

RENDERERS.update(render_activities.RENDERERS)
# The weekly quota summary's chart (handlers/render_reports.py).
from handlers import render_reports  # noqa: E402

RENDERERS.update(render_reports.RENDERERS)
# App Home (docs/PRODUCT.md §3): its builders live in handlers/render_home.py.
from handlers import render_home  # noqa: E402

RENDERERS.update(render_home.RENDERERS)
