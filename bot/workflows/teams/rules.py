"""A team as an admin sets it up in Slack (``/opsbot setup``), and what makes
it valid. Pure: each problem names the modal block it belongs to. Whether a
name or a channel is taken is the store's word (``service.py``)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.domain.calendar import is_valid_country
from bot.domain.numbers import read_whole
from bot.domain.periods import is_zone
from bot.kernel.errors import N_, InvalidInput
from bot.workflows.team_settings.rules import LOCALES, PLATFORM_LEN, PLATFORMS_MAX, QUOTA_MAX

NAME_MAX = 80  # the store's column
PEOPLE_MAX = 500  # per role: far above a real team, well within a modal's picker
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}\Z")
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,31}\Z")

# The modal's blocks (handlers/ids.py Block carries the same values).
NAME, CHANNEL, SUPERVISORS, MEMBERS = "team_name", "team_channel", "team_supervisors", "team_members"
TIMEZONE, COUNTRY, LOCALE, QUOTA, PLATFORMS = "timezone", "country", "locale", "weekly_topic_quota", "platforms"


@dataclass(frozen=True)
class TeamInput:
    """What the setup or edit modal sends, as picked and typed."""

    name: str
    channel: str
    supervisors: tuple[str, ...]
    members: tuple[str, ...]
    timezone: str
    country: str
    locale: str
    weekly_topic_quota: str
    platforms: str  # one per line


@dataclass(frozen=True)
class TeamSpec:
    name: str
    channel: str
    supervisors: tuple[str, ...]
    members: tuple[str, ...]
    timezone: str
    country: str | None
    locale: str
    weekly_topic_quota: int
    platforms: tuple[str, ...]


def clean_name(raw: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", raw or "").split())


def validate_team(raw: TeamInput) -> TeamSpec:
    """The team as typed, checked; the first problem becomes a field error."""
    name = clean_name(raw.name)
    if not name or len(name) > NAME_MAX:
        raise InvalidInput(N_("Give the team a name of 1 to {max} characters."), field=NAME, max=NAME_MAX)
    if not CHANNEL_ID.match(raw.channel or ""):
        raise InvalidInput(N_("Pick the channel where the team's cards and summaries go."), field=CHANNEL)
    supervisors = tuple(dict.fromkeys(u for u in raw.supervisors if USER_ID.match(u)))
    if not supervisors:
        raise InvalidInput(N_("Pick at least one supervisor: someone has to approve the team's work."),
                           field=SUPERVISORS)
    members = tuple(dict.fromkeys(u for u in raw.members if USER_ID.match(u)))
    for field, people in ((SUPERVISORS, supervisors), (MEMBERS, members)):
        if len(people) > PEOPLE_MAX:
            raise InvalidInput(N_("Pick at most {max} people here."), field=field, max=PEOPLE_MAX)
    tz = (raw.timezone or "").strip()
    if not is_zone(tz):
        raise InvalidInput(N_("Use an IANA time zone name, like Asia/Shanghai."), field=TIMEZONE)
    country = (raw.country or "").strip().upper() or None
    if country is not None and not is_valid_country(country):
        raise InvalidInput(N_("Use a two-letter country code, like CN or US, or leave it empty for weekends only."),
                           field=COUNTRY)
    if raw.locale not in LOCALES:
        raise InvalidInput(N_("Pick English or Simplified Chinese."), field=LOCALE)
    quota_message = N_("The weekly quota is a whole number from 0 to {max}.")
    quota = read_whole(raw.weekly_topic_quota, field=QUOTA, invalid=quota_message, maximum=QUOTA_MAX,
                       too_large=quota_message)
    platforms = tuple(dict.fromkeys(p.strip() for p in (raw.platforms or "").splitlines() if p.strip()))
    if not platforms or len(platforms) > PLATFORMS_MAX or any(len(p) > PLATFORM_LEN for p in platforms):
        raise InvalidInput(N_("List 1 to {max} platforms, one per line, each at most {len} characters."),
                           field=PLATFORMS, max=PLATFORMS_MAX, len=PLATFORM_LEN)
    return TeamSpec(name, raw.channel, supervisors, members, tz, country, raw.locale, quota, platforms)
