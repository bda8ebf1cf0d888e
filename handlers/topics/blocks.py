"""Topic builders: the card, DMs, channel posts, modals and replies. Pure."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.kernel.i18n import Gettext
from bot.workflows.topics import views as topic_views
from handlers.ids import Action, Block, View
from handlers.kit.blocks import (
    Blocks,
    _input,
    _options,
    button,
    context,
    header,
    line_sections,
    md,
    plain,
    remind_later_button,
    section,
)
from handlers.kit.charts import MAX_BARS, Bar, progress_chart
from handlers.kit.labels import STATUS_ICON, progress_text, stage_label, status_label
from handlers.kit.mrkdwn import clip, escape, person, slack_date


def topic_card(c: topic_views.TopicCardView, _: Gettext) -> dict[str, Any]:
    author = person(c.author, c.mention)
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
        who = person(c.decided_by, c.mention) if c.decided_by else "?"
        when = slack_date(c.decided_at) if c.decided_at else ""
        line = _("{status} by {who} · {when}").format(status=status_label(c.status, _), who=who, when=when)
        if c.reason:
            line += "\n" + _("Reason: {reason}").format(reason=escape(c.reason))
        blocks.append(context(f"{STATUS_ICON.get(c.status, '')} {line}"))
    text = _("Topic #{id}: {title} ({status})").format(
        id=c.topic_id, title=escape(c.title), status=status_label(c.status, _)
    )
    return {"text": text, "blocks": blocks}


def topic_decided(d: topic_views.TopicDecidedDM, _: Gettext) -> dict[str, Any]:
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


def quota_reminder(d: topic_views.QuotaReminderDM, _: Gettext) -> dict[str, Any]:
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


def quota_summary(p: topic_views.QuotaSummaryPost, _: Gettext) -> dict[str, Any]:
    met = sum(r.met for r in p.rows)
    title = _("Weekly topic quota · {team} · {week}").format(team=p.team_name, week=p.week)
    lines = [
        f"{'✅' if r.met else '⬜'} {person(r.person, p.mention)} — {progress_text(r.count, r.quota, _)}"
        for r in p.rows
    ]
    text = _("{met} of {total} members met this week's topic quota.").format(met=met, total=len(p.rows))
    return {"text": text, "blocks": [header(title), section(text), *line_sections(lines, _("No members."))]}


def weekly_plan(p: topic_views.WeeklyPlanPost, _: Gettext) -> dict[str, Any]:
    def lines(items: list[topic_views.TopicLine]) -> list[str]:
        return [f"• #{t.id} *{escape(t.title)}* — {person(t.author, p.mention)}"
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


def proposal_confirmation(c: topic_views.ProposalConfirmation, _: Gettext) -> dict[str, Any]:
    text = _("Topic #{id} “{title}” was sent to {team} for approval. You have {progress}.").format(
        id=c.topic_id, title=escape(c.title), team=escape(c.team_name), progress=progress_text(c.count, c.quota, _)
    )
    if c.chosen_by_default:
        text += " " + _("(You are in several teams; this went to {team}, your first. Use the form to pick another.)").format(
            team=escape(c.team_name)
        )
    return {"text": text, "response_type": "ephemeral", "replace_original": False}


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
            who = f" — {person(x.author, False)}" if team else ""
            out.append(f"{STATUS_ICON.get(x.status, '')} #{x.id} {escape(x.title)}{who} · {status_label(x.status, _)}")
    return clip("\n".join(out), 3000)


def quota_chart_file(c: topic_views.QuotaChartFile, _: Gettext) -> dict[str, Any]:
    """The weekly quota summary's chart: the report's chart for one week, in the summary's thread."""
    title = _("Topic quota · {team} · week {week}").format(team=c.team_name, week=c.week)
    png = progress_chart(
        [Bar(x.person.name or x.person.user_id, x.count, x.quota) for x in c.rows],
        title=title, value_label=_("proposed"), target_label=_("quota"),
    )
    safe_team = re.sub(r"[^\w-]+", "-", c.team_name).strip("-") or "team"
    out: dict[str, Any] = {
        "filename": f"opsbot-{safe_team}-quota-{c.week}.png",
        "title": title,
        "content": png,
        "alt_txt": _("Topics proposed per member against the quota"),
    }
    if len(c.rows) > MAX_BARS:
        out["initial_comment"] = _("The chart shows the first {n} members.").format(n=MAX_BARS)
    if c.thread_ts:
        out["thread_ts"] = c.thread_ts
    return out


RENDERERS = {
    topic_views.TopicCardView: topic_card,
    topic_views.TopicDecidedDM: topic_decided,
    topic_views.QuotaReminderDM: quota_reminder,
    topic_views.QuotaSummaryPost: quota_summary,
    topic_views.WeeklyPlanPost: weekly_plan,
    topic_views.ProposalConfirmation: proposal_confirmation,
    topic_views.QuotaChartFile: quota_chart_file,
}
