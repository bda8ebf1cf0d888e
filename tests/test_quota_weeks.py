"""Quota counting puts each proposal in the week its team lives in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.calendar import WorkingCalendar
from bot.domain.periods import week_bounds, week_id
from bot.kernel.team import TeamView

ZONES = ["Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "America/Santiago",
         "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu", "UTC"]


def team_in(zone: str) -> TeamView:
    return TeamView(id=1, name="T", channel="C1", tz=ZoneInfo(zone), locale="en", quota=3, country=None,
                    calendar=WorkingCalendar(None), platforms=(), mention_in_summaries=False, schedule={})


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    instant=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31)).map(
        lambda d: d.replace(tzinfo=UTC)),
)
def test_a_proposal_counts_in_the_team_week_whose_bounds_contain_it(zone, instant):
    team = team_in(zone)
    start, end = week_bounds(instant, team.tz)
    assert start <= instant < end
    assert team.week(instant) == week_id(start.astimezone(team.tz).date())
    # The last moment of the week and the first of the next count in different weeks.
    assert team.week(end - timedelta(microseconds=1)) == team.week(instant)
    assert team.week(end) != team.week(instant)


def test_sunday_night_in_shanghai_is_monday_morning_nowhere_else_it_matters():
    team = team_in("Asia/Shanghai")
    sunday_late = datetime(2026, 11, 29, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert team.week(sunday_late) == "2026-W48"
    assert team.week(sunday_late + timedelta(minutes=31)) == "2026-W49"
    # The same instant is still Sunday afternoon in UTC: the team's zone decides.
    assert sunday_late.astimezone(UTC).weekday() == 6


def test_the_week_across_the_us_dst_change_still_starts_at_local_midnight():
    team = team_in("America/New_York")
    start, end = week_bounds(datetime(2026, 3, 5, 12, tzinfo=UTC), team.tz)
    assert (end - start) == timedelta(hours=167)
    assert start.astimezone(team.tz).hour == 0 and end.astimezone(team.tz).hour == 0
