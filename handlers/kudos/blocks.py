"""Recognition builders: the channel posts, the DMs and the replies. Pure."""

from __future__ import annotations

from typing import Any

from bot.kernel.i18n import Gettext
from bot.workflows.kudos import rules
from bot.workflows.kudos import views as kudos_views
from handlers.kit.blocks import Blocks, context, section
from handlers.kit.mrkdwn import escape


def _quote(text: str) -> str:
    return "\n".join("> " + line for line in escape(text).splitlines() or [""])


def kudos_post(p: kudos_views.KudosPost, _: Gettext) -> dict[str, Any]:
    if p.what == "honour":
        text = _("🏅 Honour of the month {month} in {team}: <@{recipient}>, named by <@{giver}>.").format(
            month=p.month, team=escape(p.team_name), recipient=p.recipient, giver=p.giver)
    else:
        text = _("👏 <@{giver}> recognises <@{recipient}>:").format(giver=p.giver, recipient=p.recipient)
    blocks: Blocks = [section(text), section(_quote(p.reason))]
    if p.what == "kudos":
        blocks.append(context(_("`/kudos @colleague what they did` recognises a colleague.")))
    return {"text": text, "blocks": blocks}


def kudos_dm(d: kudos_views.KudosDM, _: Gettext) -> dict[str, Any]:
    if d.what == "honour":
        text = _("🏅 You are the honour of the month {month} in {team}, named by <@{giver}>. Congratulations!").format(
            month=d.month, team=escape(d.team_name), giver=d.giver)
    else:
        text = _("👏 <@{giver}> recognised you in <#{channel}>:").format(giver=d.giver, channel=d.channel)
    return {"text": text, "blocks": [section(text), section(_quote(d.reason))]}


def kudos_help(_: Gettext) -> str:
    return "\n".join([
        _("*/kudos* — recognise a colleague of your team."),
        _("`/kudos @colleague what they did` posts it in the team channel and tells them by DM. "
          "Say what they did in at least {min} characters; up to {cap} kudos a day by default.").format(
            min=rules.REASON_MIN, cap=rules.DAILY_CAP),
        _("`/kudos honour @member [YYYY-MM] citation` names the team's honour of the month (supervisors, once a "
          "month). Without a month: the previous month during the first {days} days of a month, else this one.").format(
            days=rules.HONOUR_GRACE_DAYS),
        _("Recognition is shown as context in reports and annual reviews; it never changes a score."),
    ])


RENDERERS = {kudos_views.KudosPost: kudos_post, kudos_views.KudosDM: kudos_dm}
