"""Builders for the kernel's own notices: answers, not-in-channel, deactivated member, a failed notice. Pure."""

from __future__ import annotations

from typing import Any

from bot.kernel import views as v
from bot.kernel.i18n import Gettext
from handlers.kit.blocks import section
from handlers.kit.mrkdwn import escape


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


def failed_what(kind: str, what: str, item_id: int | None, _: Gettext) -> str:
    """What a notice was, in words: "the card of topic #12", "a report"."""
    if kind == "card":
        card = {"topic": _("the card of topic #{id}"), "draft": _("the card of draft #{id}"),
                "activity": _("the card of activity #{id}"), "leave": _("the card of leave request #{id}")}
        return card.get(what, _("the card of {item} #{id}")).format(item=what, id=item_id or "?")
    known = {
        "report": _("a report (its chart and summary)"),
        "quota_chart": _("the chart of the weekly quota summary"),
        "quota_summary": _("the weekly quota summary"),
        "weekly_plan": _("the weekly plan post"),
        "export": _("a CSV export"),
        "draft_thread": _("a post in a draft's review thread"),
        "activity_retro": _("an activity's retrospective post"),
    }
    if what in known:
        return known[what]
    if kind == "dm":
        return _("a direct message ({type})").format(type=what)
    return _("a message ({kind}, {type})").format(kind=kind, type=what)


def notice_failed(d: v.NoticeFailedDM, _: Gettext) -> dict[str, Any]:
    what = escape(failed_what(d.kind, d.what, d.item_id, _))
    text = _(
        "⚠️ I could not make {what} for {team}, so it was not sent, and I will not try again on my own. "
        "An admin can see why with `opsbot outbox --failed` and send it again with `opsbot outbox retry {id}`."
    ).format(what=what, team=escape(d.team_name), id=d.notice_id)
    return {"text": text, "blocks": [section(text)]}


def answer(a: v.Answer, _: Gettext) -> dict[str, Any]:
    # replace_original: False keeps the card a clicked button sits on.
    return {"response_type": "ephemeral", "text": a.text, "replace_original": False}


def click_answer(d: v.ClickAnswerDM, _: Gettext) -> dict[str, Any]:
    return {"text": d.text, "blocks": [section(d.text)]}


RENDERERS = {
    v.NotInChannelDM: not_in_channel,
    v.DeactivatedMemberDM: member_deactivated,
    v.Answer: answer,
    v.ClickAnswerDM: click_answer,
    v.NoticeFailedDM: notice_failed,
}
