"""The team settings a supervisor may change in Slack (docs/PRODUCT.md §3), and
what makes them valid. Pure: field errors name the modal block they belong to."""

from __future__ import annotations

from dataclasses import dataclass, fields

from bot.domain.calendar import is_valid_country
from bot.domain.numbers import read_whole
from bot.domain.periods import is_zone
from bot.domain.schedule import parse_daily, parse_weekly
from bot.kernel.errors import N_, InvalidInput
from bot.workflows.kudos.rules import CAP_MAX

QUOTA_MAX = 100
PLATFORMS_MAX = 100
PLATFORM_LEN = 75
LOCALES = ("en", "zh-CN")
WEEKLY_KEYS = ("weekly_plan", "quota_reminder", "quota_summary")


@dataclass(frozen=True)
class TeamSettings:
    weekly_topic_quota: int
    weekly_plan: str
    quota_reminder: str
    quota_summary: str
    daily: str
    timezone: str
    country: str | None
    locale: str
    mention_in_summaries: bool
    platforms: tuple[str, ...]
    recognition_daily_cap: int  # kudos a person may give a day (bot/workflows/kudos)
    recognition_leaderboard: bool  # the monthly report names the three most recognised

    def changes(self, other: TeamSettings) -> dict[str, tuple[object, object]]:
        """{field: (before, after)} for every field that differs in ``other``."""
        out = {}
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            if a != b:
                out[f.name] = (list(a) if isinstance(a, tuple) else a, list(b) if isinstance(b, tuple) else b)
        return out


@dataclass(frozen=True)
class SettingsInput:
    """What the modal sends: text, as typed."""

    weekly_topic_quota: str
    weekly_plan: str
    quota_reminder: str
    quota_summary: str
    daily: str
    timezone: str
    country: str
    locale: str
    mention_in_summaries: bool
    platforms: str  # one per line
    recognition_daily_cap: str
    recognition_leaderboard: bool


def _daily_cap(text: str) -> int:
    message = N_("Kudos a day is a whole number from 1 to {max}.")
    cap = read_whole(text, field="recognition_daily_cap", invalid=message, maximum=CAP_MAX, too_large=message)
    if cap < 1:
        raise InvalidInput(message, field="recognition_daily_cap", max=CAP_MAX)
    return cap


def validate_settings(raw: SettingsInput) -> TeamSettings:
    """The typed settings, checked; the first problem becomes a field error."""
    quota_message = N_("The weekly quota is a whole number from 0 to {max}.")
    quota = read_whole(raw.weekly_topic_quota, field="weekly_topic_quota", invalid=quota_message, maximum=QUOTA_MAX,
                       too_large=quota_message)
    weekly = {}
    for key in WEEKLY_KEYS:
        text = " ".join(getattr(raw, key).split()).upper()
        try:
            parse_weekly(text)
        except ValueError:
            raise InvalidInput(N_("Use a day and a 24-hour time, like MON 10:00."), field=key) from None
        weekly[key] = text
    daily = raw.daily.strip()
    try:
        parse_daily(daily)
    except ValueError:
        raise InvalidInput(N_("Use a 24-hour time, like 10:00."), field="daily") from None
    tz = raw.timezone.strip()
    if not is_zone(tz):
        raise InvalidInput(N_("Use an IANA time zone name, like Asia/Shanghai."), field="timezone")
    country = raw.country.strip().upper() or None
    if country is not None and not is_valid_country(country):
        raise InvalidInput(N_("Use a two-letter country code, like CN or US, or leave it empty for weekends only."),
                           field="country")
    if raw.locale not in LOCALES:
        raise InvalidInput(N_("Pick English or Simplified Chinese."), field="locale")
    platforms = tuple(dict.fromkeys(p.strip() for p in raw.platforms.splitlines() if p.strip()))
    if not platforms or len(platforms) > PLATFORMS_MAX or any(len(p) > PLATFORM_LEN for p in platforms):
        raise InvalidInput(N_("List 1 to {max} platforms, one per line, each at most {len} characters."),
                           field="platforms", max=PLATFORMS_MAX, len=PLATFORM_LEN)
    return TeamSettings(
        weekly_topic_quota=quota,
        recognition_daily_cap=_daily_cap(raw.recognition_daily_cap),
        recognition_leaderboard=raw.recognition_leaderboard,
        daily=daily,
        timezone=tz,
        country=country,
        locale=raw.locale,
        mention_in_summaries=raw.mention_in_summaries,
        platforms=platforms,
        **weekly,
    )
