"""A team as the rules see it: its zone, calendar, quota and schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.calendar import WorkingCalendar
from bot.domain.periods import is_zone, local_date, week_id, week_start
from bot.domain.schedule import DailySpec, WeeklySpec, parse_daily, parse_weekly
from storage.models import SlackUser, Team

DEFAULT_SCHEDULE = {
    "weekly_plan": "MON 10:00",
    "quota_reminder": "THU 10:00",
    "quota_summary": "FRI 18:00",
    "daily": "10:00",
}


@dataclass(frozen=True)
class TeamView:
    id: int
    name: str
    channel: str
    tz: ZoneInfo
    locale: str
    quota: int
    country: str | None
    calendar: WorkingCalendar
    platforms: tuple[str, ...]
    mention_in_summaries: bool
    schedule: dict[str, str]
    # When the team first existed (its row was created): nothing due before
    # that is the team's to catch up (docs/PRODUCT.md §5).
    created_at: datetime | None = None
    # The Slack workspace the team lives in (its notices go out with that workspace's token), and
    # its Enterprise Grid org; "" and None in the single-workspace mode.
    workspace: str = ""
    enterprise_id: str | None = None

    def existed_on(self, day: date) -> bool:
        """Whether the team existed on ``day`` (its own date): a run due on
        an earlier day was never the team's, so no catch-up replays it."""
        return self.created_at is None or day >= self.today(self.created_at)

    def weekly(self, key: str) -> WeeklySpec:
        return parse_weekly(self.schedule.get(key, DEFAULT_SCHEDULE[key]))

    def daily(self) -> DailySpec:
        return parse_daily(self.schedule.get("daily", DEFAULT_SCHEDULE["daily"]))

    def today(self, now: datetime) -> date:
        return local_date(now, self.tz)

    def monday(self, now: datetime) -> date:
        return week_start(self.today(now))

    def week(self, now: datetime) -> str:
        return week_id(self.monday(now))


def team_view(team: Team) -> TeamView:
    cal = team.calendar or {}
    return TeamView(
        id=team.id,
        name=team.name,
        channel=team.channel,
        tz=ZoneInfo(team.timezone),
        locale=team.locale,
        quota=team.weekly_topic_quota,
        country=team.country,
        calendar=WorkingCalendar(
            team.country,
            extra_holidays=[date.fromisoformat(d) for d in cal.get("holidays", [])],
            extra_workdays=[date.fromisoformat(d) for d in cal.get("workdays", [])],
        ),
        platforms=tuple(team.platforms or ()),
        mention_in_summaries=team.mention_in_summaries,
        schedule={**DEFAULT_SCHEDULE, **(team.schedule or {})},
        created_at=team.created_at,
        workspace=team.workspace or "",
        enterprise_id=team.enterprise_id,
    )


def zone_of(profile: SlackUser | None, team: TeamView) -> ZoneInfo:
    """The zone a person's day is reckoned in: their Slack profile's, else the team's."""
    if profile and is_zone(profile.tz):
        return ZoneInfo(profile.tz)
    return team.tz
