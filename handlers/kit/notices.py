"""Builders for the kernel's own notices: answers, not-in-channel, deactivated member. Pure."""

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
}
