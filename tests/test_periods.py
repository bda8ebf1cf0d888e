"""Weeks, months and wall-clock instants across time zones and DST changes."""

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.periods import (
    local_date,
    local_instant,
    month_bounds,
    week_bounds,
    week_dates,
    week_id,
    week_start,
)

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
SANTIAGO = ZoneInfo("America/Santiago")
HAVANA = ZoneInfo("America/Havana")
ST_JOHNS = ZoneInfo("America/St_Johns")

# Zones whose DST change happens at (or straddles) local midnight, plus odd offsets.
TRICKY_ZONES = [
    "America/Santiago",
    "America/Havana",
    "Asia/Beirut",
    "America/Asuncion",
    "America/Sao_Paulo",
    "America/Campo_Grande",
    "America/Goose_Bay",
    "America/St_Johns",
    "America/Moncton",
    "Africa/Cairo",
    "Africa/Casablanca",
    "Asia/Tehran",
    "Asia/Gaza",
    "Antarctica/Casey",
    "Pacific/Apia",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Chatham",
]
ALL_ZONES = sorted(available_timezones())
ZONE_NAMES = st.one_of(st.sampled_from(TRICKY_ZONES), st.sampled_from(ALL_ZONES))

MIN_INSTANT = datetime(2000, 1, 1, tzinfo=UTC)
MAX_INSTANT = datetime(2040, 12, 31, tzinfo=UTC)
INSTANTS = st.integers(
    min_value=int(MIN_INSTANT.timestamp() * 1_000_000), max_value=int(MAX_INSTANT.timestamp() * 1_000_000)
).map(lambda us: MIN_INSTANT + timedelta(microseconds=us - int(MIN_INSTANT.timestamp() * 1_000_000)))


@cache
def transitions(zone_name: str, year: int) -> tuple[datetime, ...]:
    """UTC instants at which the zone's UTC offset changes during ``year`` (to the second)."""
    tz = ZoneInfo(zone_name)
    found = []
    t = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(hours=6)
    while t < end:
        nxt = t + step
        if t.astimezone(tz).utcoffset() != nxt.astimezone(tz).utcoffset():
            lo, hi = int(t.timestamp()), int(nxt.timestamp())
            before = t.astimezone(tz).utcoffset()
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if datetime.fromtimestamp(mid, UTC).astimezone(tz).utcoffset() == before:
                    lo = mid
                else:
                    hi = mid
            found.append(datetime.fromtimestamp(hi, UTC))
        t = nxt
    return tuple(found)


@st.composite
def instants_near_a_transition(draw):
    """A zone and an instant within two days of one of its DST changes (or anywhere, if none)."""
    name = draw(st.sampled_from(TRICKY_ZONES))
    year = draw(st.integers(2000, 2040))
    changes = transitions(name, year)
    if not changes:
        return name, draw(INSTANTS)
    change = draw(st.sampled_from(changes))
    offset = draw(
        st.one_of(
            st.integers(-5, 5),
            st.integers(-2 * 86_400, 2 * 86_400),
        )
    )
    return name, change + timedelta(seconds=offset)


def assert_within(bounds, instant):
    start, end = bounds
    assert start.tzinfo is not None and start.utcoffset() == timedelta(0)
    assert end.tzinfo is not None and end.utcoffset() == timedelta(0)
    assert start <= instant < end, (start, instant, end)


# --- invariants ---------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(ZONE_NAMES, INSTANTS)
def test_an_instant_lies_within_its_week_and_month(zone_name, instant):
    tz = ZoneInfo(zone_name)
    assert_within(week_bounds(instant, tz), instant)
    assert_within(month_bounds(instant, tz), instant)


@settings(max_examples=300, deadline=None)
@given(instants_near_a_transition())
def test_an_instant_near_a_dst_change_lies_within_its_week_and_month(zone_and_instant):
    zone_name, instant = zone_and_instant
    tz = ZoneInfo(zone_name)
    assert_within(week_bounds(instant, tz), instant)
    assert_within(month_bounds(instant, tz), instant)


@settings(max_examples=300, deadline=None)
@given(ZONE_NAMES, INSTANTS)
def test_week_starts_on_monday_midnight_local_and_lasts_about_seven_days(zone_name, instant):
    tz = ZoneInfo(zone_name)
    start, end = week_bounds(instant, tz)
    assert local_date(start, tz) == week_start(local_date(instant, tz))
    assert local_date(end, tz) == local_date(start, tz) + timedelta(days=7)
    assert timedelta(days=6) < end - start < timedelta(days=8)


@settings(max_examples=300, deadline=None)
@given(ZONE_NAMES, INSTANTS)
def test_consecutive_weeks_meet(zone_name, instant):
    tz = ZoneInfo(zone_name)
    _, end = week_bounds(instant, tz)
    next_start, _ = week_bounds(end, tz)
    assert next_start == end


@pytest.mark.parametrize(
    ("zone", "change"),
    [
        (SANTIAGO, datetime(2026, 9, 6, 4, 0, tzinfo=UTC)),  # Sun 00:00 -> 01:00
        (SANTIAGO, datetime(2026, 4, 5, 3, 0, tzinfo=UTC)),  # Sun 00:00 -> Sat 23:00
        (HAVANA, datetime(2026, 3, 8, 5, 0, tzinfo=UTC)),  # Sun 00:00 -> 01:00
        (ZoneInfo("America/Asuncion"), datetime(2024, 10, 6, 4, 0, tzinfo=UTC)),
        (ZoneInfo("Asia/Beirut"), datetime(2026, 3, 28, 22, 0, tzinfo=UTC)),
        (ST_JOHNS, datetime(2009, 11, 1, 2, 31, tzinfo=UTC)),  # Sun 00:01 -> Sat 23:01 (month end)
        (ZoneInfo("Antarctica/Casey"), datetime(2010, 3, 4, 15, 0, tzinfo=UTC)),  # Fri 02:00 -> Thu 23:00
        (ZoneInfo("Pacific/Apia"), datetime(2011, 12, 30, 10, 0, tzinfo=UTC)),  # Friday skipped
    ],
)
def test_every_minute_around_a_midnight_dst_change_lies_within_its_week_and_month(zone, change):
    for minutes in range(-26 * 60, 26 * 60 + 1):
        for seconds in (0, 1, 59):
            instant = change + timedelta(minutes=minutes, seconds=seconds)
            assert_within(week_bounds(instant, zone), instant)
            assert_within(month_bounds(instant, zone), instant)


# --- concrete weeks -----------------------------------------------------------------------------


def test_us_spring_forward_week_is_167_hours():
    start, end = week_bounds(datetime(2026, 3, 4, 12, 0, tzinfo=UTC), NEW_YORK)
    assert start == datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # Mon 00:00 EST
    assert end == datetime(2026, 3, 9, 4, 0, tzinfo=UTC)  # Mon 00:00 EDT
    assert end - start == timedelta(hours=167)


def test_berlin_autumn_week_is_169_hours():
    start, end = week_bounds(datetime(2026, 10, 21, 12, 0, tzinfo=UTC), BERLIN)
    assert start == datetime(2026, 10, 18, 22, 0, tzinfo=UTC)  # Mon 19 Oct 00:00 CEST
    assert end == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)  # Mon 26 Oct 00:00 CET
    assert end - start == timedelta(hours=169)


def test_a_day_whose_midnight_is_skipped_starts_at_the_change():
    # Santiago, Sunday 2026-09-06: clocks jump from 00:00 to 01:00.
    start = local_instant(date(2026, 9, 6), time(0, 0), SANTIAGO)
    assert start == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)
    assert start.astimezone(SANTIAGO).hour == 1


def test_a_week_whose_monday_midnight_is_skipped_starts_at_the_change():
    # Casablanca, Monday 2009-06-01: clocks jumped from 00:00 to 01:00.
    casablanca = ZoneInfo("Africa/Casablanca")
    start, end = week_bounds(datetime(2009, 6, 1, 0, 0, tzinfo=UTC), casablanca)
    assert start == datetime(2009, 6, 1, 0, 0, tzinfo=UTC)
    assert start.astimezone(casablanca).replace(tzinfo=None) == datetime(2009, 6, 1, 1, 0)
    assert start == local_instant(date(2009, 6, 1), time(0, 0), casablanca)
    assert end - start == timedelta(hours=167)


def test_week_bounds_in_a_plain_zone():
    shanghai = ZoneInfo("Asia/Shanghai")
    start, end = week_bounds(datetime(2026, 11, 22, 16, 30, tzinfo=UTC), shanghai)  # Mon 00:30 CST
    assert start == datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 29, 16, 0, tzinfo=UTC)


def test_month_bounds_cover_december_into_january():
    start, end = month_bounds(datetime(2026, 12, 31, 23, 0, tzinfo=UTC), BERLIN)
    # 2027-01-01 00:00 in Berlin is 2026-12-31 23:00 UTC: that instant is already January.
    assert start == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    assert end == datetime(2027, 1, 31, 23, 0, tzinfo=UTC)


def test_month_bounds_in_new_york_march():
    start, end = month_bounds(datetime(2026, 3, 15, tzinfo=UTC), NEW_YORK)
    assert start == datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
    assert end == datetime(2026, 4, 1, 4, 0, tzinfo=UTC)


def test_month_bounds_overlap_when_a_fold_straddles_midnight():
    # St. John's, 2009-11-01 00:01 NDT -> 2009-10-31 23:01 NST: October comes back for an hour.
    second_october_evening = datetime(2009, 11, 1, 3, 0, tzinfo=UTC)
    assert local_date(second_october_evening, ST_JOHNS) == date(2009, 10, 31)
    oct_start, oct_end = month_bounds(second_october_evening, ST_JOHNS)
    nov_start, _ = month_bounds(datetime(2009, 11, 15, tzinfo=UTC), ST_JOHNS)
    assert nov_start == datetime(2009, 11, 1, 2, 30, tzinfo=UTC)  # the first 00:00
    assert oct_end == datetime(2009, 11, 1, 3, 30, tzinfo=UTC)  # the second 00:00


# --- local_instant ------------------------------------------------------------------------------


def test_wall_time_in_a_dst_gap_moves_forward_by_the_gap():
    instant = local_instant(date(2026, 3, 8), time(2, 30), NEW_YORK)
    assert instant == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    local = instant.astimezone(NEW_YORK)
    assert (local.hour, local.minute) == (3, 30)
    assert local.utcoffset() == timedelta(hours=-4)


def test_ambiguous_wall_time_takes_the_first_occurrence():
    instant = local_instant(date(2026, 11, 1), time(1, 30), NEW_YORK)
    assert instant == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, not EST
    assert instant.astimezone(NEW_YORK).utcoffset() == timedelta(hours=-4)


def test_fold_on_the_time_argument_is_ignored():
    assert local_instant(date(2026, 11, 1), time(1, 30, fold=1), NEW_YORK) == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )


def test_local_instant_returns_utc():
    instant = local_instant(date(2026, 6, 1), time(10, 0), ZoneInfo("Asia/Shanghai"))
    assert instant == datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
    assert instant.tzinfo is UTC


def test_local_instant_rejects_an_aware_time():
    with pytest.raises(ValueError):
        local_instant(date(2026, 6, 1), time(10, 0, tzinfo=UTC), NEW_YORK)


@settings(max_examples=300, deadline=None)
@given(
    ZONE_NAMES,
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    st.times(),
)
def test_existing_wall_times_round_trip(zone_name, d, t):
    tz = ZoneInfo(zone_name)
    instant = local_instant(d, t, tz)
    local = instant.astimezone(tz)
    if local.replace(tzinfo=None) != datetime.combine(d, t):
        # Only a wall time inside a gap may move, and only forward.
        assert local.replace(tzinfo=None) > datetime.combine(d, t)


def test_naive_instants_are_rejected():
    with pytest.raises(ValueError, match="aware"):
        week_bounds(datetime(2026, 1, 1), BERLIN)
    with pytest.raises(ValueError, match="aware"):
        local_date(datetime(2026, 1, 1), BERLIN)


# --- week helpers -------------------------------------------------------------------------------


def test_week_start_is_the_monday():
    assert week_start(date(2026, 11, 29)) == date(2026, 11, 23)
    assert week_start(date(2026, 11, 23)) == date(2026, 11, 23)


def test_week_dates_are_monday_to_sunday():
    assert week_dates(date(2026, 11, 23)) == [date(2026, 11, 23) + timedelta(days=i) for i in range(7)]
    with pytest.raises(ValueError, match="Monday"):
        week_dates(date(2026, 11, 24))


@pytest.mark.parametrize(
    ("monday", "expected"),
    [
        (date(2026, 11, 23), "2026-W48"),
        (date(2024, 12, 30), "2025-W01"),
        (date(2026, 12, 28), "2026-W53"),
        (date(2027, 1, 4), "2027-W01"),
    ],
)
def test_week_id_uses_the_iso_week_year(monday, expected):
    assert week_id(monday) == expected
