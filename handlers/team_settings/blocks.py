"""The team settings modal and its confirmation. Pure."""

from __future__ import annotations

import json
from typing import Any

from bot.kernel.i18n import Gettext
from bot.workflows.team_settings.rules import TeamSettings
from handlers.ids import Block, View
from handlers.kit.blocks import context, plain, section
from handlers.kit.mrkdwn import escape


def text_field(block: str, label: str, value: str, hint: str | None = None, *, multiline: bool = False,
          optional: bool = False, max_length: int = 100) -> dict[str, Any]:
    el: dict[str, Any] = {"type": "plain_text_input", "action_id": f"{block}_input", "max_length": max_length,
                          "multiline": multiline}
    if value:
        el["initial_value"] = value[:max_length]
    b: dict[str, Any] = {"type": "input", "block_id": block, "label": plain(label), "element": el,
                         "optional": optional}
    if hint:
        b["hint"] = plain(hint)
    return b


def select_field(block: str, label: str, options: list[tuple[str, str]], value: str) -> dict[str, Any]:
    opts = [{"text": plain(text), "value": v} for v, text in options]
    return {"type": "input", "block_id": block, "label": plain(label), "element": {
        "type": "static_select", "action_id": f"{block}_select", "options": opts,
        "initial_option": next(o for o in opts if o["value"] == value)}}


def setting_label(key: str, _: Gettext) -> str:
    return {
        "weekly_topic_quota": _("Weekly topic quota"),
        "weekly_plan": _("Weekly plan"),
        "quota_reminder": _("Quota reminder"),
        "quota_summary": _("Quota summary"),
        "daily": _("Daily reminders and nudges"),
        "timezone": _("Time zone"),
        "country": _("Country (working calendar)"),
        "locale": _("Channel language"),
        "mention_in_summaries": _("Mentions in summaries"),
        "platforms": _("Platforms"),
        "recognition_daily_cap": _("Kudos a person may give a day"),
        "recognition_leaderboard": _("Most recognised in the monthly report"),
    }.get(key, key)


def settings_modal(*, team_id: int, team_name: str, current: TeamSettings, _: Gettext) -> dict[str, Any]:
    c = current
    weekly_hint = _("A day and a 24-hour time in the team's zone, e.g. THU 10:00.")
    blocks = [
        section(_("Settings of *{team}*. Changes apply from the next run of each job.").format(team=escape(team_name))),
        text_field(Block.QUOTA, setting_label("weekly_topic_quota", _), str(c.weekly_topic_quota),
              _("Topics each member proposes per week (0–100)."), max_length=3),
        text_field(Block.WEEKLY_PLAN, setting_label("weekly_plan", _), c.weekly_plan, weekly_hint, max_length=9),
        text_field(Block.QUOTA_REMINDER, setting_label("quota_reminder", _), c.quota_reminder, weekly_hint, max_length=9),
        text_field(Block.QUOTA_SUMMARY, setting_label("quota_summary", _), c.quota_summary, weekly_hint, max_length=9),
        text_field(Block.DAILY, setting_label("daily", _), c.daily, _("A 24-hour time, e.g. 10:00."), max_length=5),
        text_field(Block.TIMEZONE, setting_label("timezone", _), c.timezone, _("An IANA name, e.g. Asia/Shanghai."),
              max_length=64),
        text_field(Block.COUNTRY, setting_label("country", _), c.country or "",
              _("CN includes the make-up working days (调休). Empty: weekends only."), optional=True, max_length=8),
        select_field(Block.LOCALE, setting_label("locale", _), [("en", "English"), ("zh-CN", "简体中文")], c.locale),
        select_field(Block.MENTIONS, setting_label("mention_in_summaries", _),
                [("off", _("Names only (no notifications)")), ("on", _("Mention people (@name)"))],
                "on" if c.mention_in_summaries else "off"),
        text_field(Block.PLATFORMS, setting_label("platforms", _), "\n".join(c.platforms), _("One per line."),
              multiline=True, max_length=3000),
        text_field(Block.RECOGNITION_CAP, setting_label("recognition_daily_cap", _), str(c.recognition_daily_cap),
                   _("Kudos each person may give a day, in their own day (1–50)."), max_length=3),
        select_field(Block.RECOGNITION_LEADERBOARD, setting_label("recognition_leaderboard", _),
                     [("off", _("Only the count of kudos")), ("on", _("Name the three most recognised"))],
                     "on" if c.recognition_leaderboard else "off"),
        context(_("If opsbot is started with a teams file, the file is applied again at every start and its "
                  "values replace these: change the file too.")),
    ]
    return {
        "type": "modal",
        "callback_id": View.TEAM_SETTINGS,
        "title": plain(_("Team settings")),
        "submit": plain(_("Save")),
        "close": plain(_("Cancel")),
        "private_metadata": json.dumps({"team_id": team_id}, separators=(",", ":")),
        "blocks": blocks,
    }


def _shown(key: str, value: object, _: Gettext) -> str:
    if key in ("mention_in_summaries", "recognition_leaderboard"):
        return _("on") if value else _("off")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value) if value not in (None, "") else "—"


def settings_saved(*, team_name: str, changed: dict[str, tuple[object, object]], _: Gettext) -> dict[str, Any]:
    if changed:
        lines = [_("Saved the settings of *{team}*:").format(team=escape(team_name))]
        lines += [f"• {setting_label(k, _)}: {escape(_shown(k, b, _))} → *{escape(_shown(k, a, _))}*"
                  for k, (b, a) in changed.items()]
    else:
        lines = [_("Nothing changed in the settings of *{team}*.").format(team=escape(team_name))]
    return {
        "type": "modal",
        "title": plain(_("Team settings")),
        "close": plain(_("Done")),
        "blocks": [section("\n".join(lines))],
    }
