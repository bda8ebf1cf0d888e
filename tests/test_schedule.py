"""When weekly and daily jobs are due: holidays, shifts, recipients' zones, DST."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.calendar import WorkingCalendar
from bot.domain.periods import local_date, local_instant, week_start
from bot.domain.schedule import (
    DailySpec,
    Shift,
    WeeklySpec,
    daily_due,
    next_daily_run,
    next_weekly_run,
    parse_daily,
    parse_weekly,
    weekly_due_date,
)

US = WorkingCalendar("US")
CN = WorkingCalendar("CN")
PLAIN = WorkingCalendar()
NEW_YORK = ZoneInfo("America/New_York")
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")

THURSDAY_10 = WeeklySpec(3, time(10, 0))
MONDAY_10 = WeeklySpec(0, time(10, 0))


# --- parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MON 10:00", WeeklySpec(0, time(10, 0))),
        ("thu 17:30", WeeklySpec(3, time(17, 30))),
        ("Sun 00:00", WeeklySpec(6, time(0, 0))),
        ("  fri   9:05 ", WeeklySpec(4, time(9, 5))),
        ("SAT 23:59", WeeklySpec(5, time(23, 59))),
    ],
)
def test_parse_weekly_accepts_day_and_24h_time(text, expected):
    assert parse_weekly(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("MONDAY 10:00", "day"),
        ("XYZ 10:00", "day"),
        ("MON 24:00", "00-23"),
        ("MON 10:60", "00-59"),
        ("MON 10am", "HH:MM"),
        ("MON", "MON 10:00"),
        ("", "MON 10:00"),
        ("10:00 MON", "day"),
        ("MON 10:00 extra", "MON 10:00"),
        ("MON ١٠:٠٠", "HH:MM"),
    ],
)
def test_parse_weekly_rejects_bad_input_with_a_clear_message(text, message):
    with pytest.raises(ValueError, match=message):
        parse_weekly(text)


def test_parse_daily():
    assert parse_daily("10:00") == DailySpec(time(10, 0))
    assert parse_daily(" 07:45 ") == DailySpec(time(7, 45))


@pytest.mark.parametrize("text", ["25:00", "10", "10:5", "MON 10:00", "", "ten"])
def test_parse_daily_rejects_bad_input(text):
    with pytest.raises(ValueError, match="HH:MM|00-23"):
        parse_daily(text)


def test_specs_render_back_to_their_text():
    assert str(parse_weekly("thu 9:05")) == "THU 09:05"
    assert str(parse_daily("7:45")) == "07:45"


def test_spec_validation():
    with pytest.raises(ValueError):
        WeeklySpec(7, time(10, 0))
    with pytest.raises(ValueError):
        DailySpec(time(10, 0, tzinfo=UTC))


# --- weekly_due_date ----------------------------------------------------------------------------


def test_thursday_reminder_moves_to_wednesday_on_thanksgiving():
    assert weekly_due_date(THURSDAY_10, date(2026, 11, 23), US, Shift.EARLIER) == date(2026, 11, 25)


def test_reminder_on_a_working_day_does_not_move():
    assert weekly_due_date(THURSDAY_10, date(2026, 11, 16), US, Shift.EARLIER) == date(2026, 11, 19)


def test_weekly_plan_on_a_holiday_monday_moves_to_tuesday():
    # Labor Day, Monday 2026-09-07.
    assert weekly_due_date(MONDAY_10, date(2026, 9, 7), US, Shift.LATER) == date(2026, 9, 8)


def test_cn_national_day_moves_thursday_reminder_to_wednesday():
    assert weekly_due_date(THURSDAY_10, date(2026, 9, 28), CN, Shift.EARLIER) == date(2026, 9, 30)


def test_earlier_reminder_with_nothing_before_moves_to_the_first_working_day_after():
    # Week of 2026-10-05 in China: Mon-Wed are National Day, Thu 8 is the first working day.
    assert weekly_due_date(WeeklySpec(1, time(10, 0)), date(2026, 10, 5), CN, Shift.EARLIER) == date(
        2026, 10, 8
    )


def test_later_post_with_nothing_after_moves_to_the_last_working_day_before():
    assert weekly_due_date(WeeklySpec(6, time(10, 0)), date(2026, 6, 1), PLAIN, Shift.LATER) == date(
        2026, 6, 5
    )


def test_make_up_saturday_keeps_a_saturday_job():
    assert weekly_due_date(WeeklySpec(5, time(10, 0)), date(2026, 10, 5), CN, Shift.EARLIER) == date(
        2026, 10, 10
    )


def test_week_without_working_days_has_no_due_date():
    for shift in Shift:
        assert weekly_due_date(THURSDAY_10, date(2026, 2, 16), CN, shift) is None


def test_weekly_due_date_requires_a_monday():
    with pytest.raises(ValueError, match="Monday"):
        weekly_due_date(THURSDAY_10, date(2026, 11, 24), US, Shift.EARLIER)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 6),
    st.sampled_from(list(Shift)),
    st.sampled_from(["CN", "US", "DE", None]),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 12, 31)),
)
def test_due_date_is_a_working_day_in_the_same_week(weekday, shift, country, d):
    cal = WorkingCalendar(country)
    monday = week_start(d)
    due = weekly_due_date(WeeklySpec(weekday, time(10, 0)), monday, cal, shift)
    if due is None:
        assert cal.working_days(monday, monday + timedelta(days=6)) == []
    else:
        assert week_start(due) == monday
        assert cal.is_working_day(due)
        nominal = monday + timedelta(days=weekday)
        between = cal.working_days(min(due, nominal), max(due, nominal))
        assert between == [due]  # no working day is skipped over
        if shift is Shift.EARLIER and due > nominal:
            assert cal.working_days(monday, nominal) == []
        if shift is Shift.LATER and due < nominal:
            assert cal.working_days(nominal, monday + timedelta(days=6)) == []


# --- daily --------------------------------------------------------------------------------------


def test_daily_jobs_run_on_working_days_only():
    assert daily_due(date(2026, 11, 25), US)
    assert not daily_due(date(2026, 11, 26), US)
    assert not daily_due(date(2026, 11, 28), US)
    assert daily_due(date(2026, 10, 10), CN)  # make-up Saturday


def test_next_daily_run_skips_a_holiday():
    after = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)  # Wed 11:00 New York
    assert next_daily_run(DailySpec(time(10, 0)), US, [NEW_YORK], after) == datetime(
        2026, 11, 27, 15, 0, tzinfo=UTC
    )


def test_next_daily_run_skips_the_weekend_but_not_a_make_up_day():
    after = datetime(2026, 10, 9, 3, 0, tzinfo=UTC)  # Fri 11:00 Shanghai
    assert next_daily_run(DailySpec(time(10, 0)), CN, [SHANGHAI], after) == datetime(
        2026, 10, 10, 2, 0, tzinfo=UTC
    )


def test_next_daily_run_is_strictly_after():
    at = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # Mon 10:00 Berlin
    assert next_daily_run(DailySpec(time(10, 0)), PLAIN, [BERLIN], at) == at + timedelta(days=1)
    assert next_daily_run(DailySpec(time(10, 0)), PLAIN, [BERLIN], at - timedelta(microseconds=1)) == at


def test_next_daily_run_in_a_recipient_zone_behind_the_team():
    # Team in Shanghai, recipient in New York: after Shanghai's 10:00, the next run is
    # 10:00 New York time the same (team) date.
    after = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # Mon 10:00 Shanghai
    assert next_daily_run(DailySpec(time(10, 0)), CN, [SHANGHAI, NEW_YORK], after) == datetime(
        2026, 6, 1, 14, 0, tzinfo=UTC
    )


def test_next_daily_run_none_when_no_working_day_ahead():
    start = date(2026, 6, 1)
    closed = WorkingCalendar(None, extra_holidays=[start + timedelta(days=i) for i in range(-2, 40)])
    assert next_daily_run(DailySpec(time(10, 0)), closed, [BERLIN], datetime(2026, 6, 1, tzinfo=UTC)) is None


# --- next_weekly_run ----------------------------------------------------------------------------


def test_reminder_goes_out_at_ten_in_the_recipients_zone_on_the_teams_due_date():
    # Team in Shanghai (CN calendar), recipient in New York; Thursday 2026-11-26 is a CN working day.
    after = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # exactly 10:00 Shanghai: already past
    run = next_weekly_run(THURSDAY_10, CN, Shift.EARLIER, [SHANGHAI, NEW_YORK], after)
    assert run == datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    local = run.astimezone(NEW_YORK)
    assert (local.date(), local.hour, local.minute) == (date(2026, 11, 26), 10, 0)


def test_team_zone_fires_first_when_it_is_ahead():
    after = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
    run = next_weekly_run(THURSDAY_10, CN, Shift.EARLIER, [SHANGHAI, NEW_YORK], after)
    assert run == datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # 10:00 Shanghai


def test_recipient_uses_the_teams_due_date_not_their_own_holidays():
    # A US team on Thanksgiving week: due Wednesday 25th; a Shanghai recipient gets it at
    # 10:00 Shanghai on the 25th, which is before New York's 10:00 on the 25th.
    after = datetime(2026, 11, 23, tzinfo=UTC)
    run = next_weekly_run(THURSDAY_10, US, Shift.EARLIER, [NEW_YORK, SHANGHAI], after)
    assert run == datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    after_that = next_weekly_run(THURSDAY_10, US, Shift.EARLIER, [NEW_YORK, SHANGHAI], run)
    assert after_that == datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def test_next_weekly_run_across_spring_forward():
    spec = MONDAY_10
    first = next_weekly_run(spec, PLAIN, Shift.LATER, [NEW_YORK], datetime(2026, 3, 1, tzinfo=UTC))
    assert first == datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 EST
    second = next_weekly_run(spec, PLAIN, Shift.LATER, [NEW_YORK], first)
    assert second == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)  # 10:00 EDT
    assert second - first == timedelta(hours=167)


def test_next_weekly_run_across_autumn_change_in_berlin():
    first = next_weekly_run(THURSDAY_10, PLAIN, Shift.EARLIER, [BERLIN], datetime(2026, 10, 22, tzinfo=UTC))
    assert first == datetime(2026, 10, 22, 8, 0, tzinfo=UTC)  # 10:00 CEST
    second = next_weekly_run(THURSDAY_10, PLAIN, Shift.EARLIER, [BERLIN], first)
    assert second == datetime(2026, 10, 29, 9, 0, tzinfo=UTC)  # 10:00 CET


def test_weekly_run_in_a_dst_gap_moves_forward():
    spec = WeeklySpec(6, time(2, 30))  # Sunday 02:30, not in New York on 2026-03-08
    cal = WorkingCalendar(None, extra_workdays=[date(2026, 3, 8)])
    run = next_weekly_run(spec, cal, Shift.EARLIER, [NEW_YORK], datetime(2026, 3, 7, tzinfo=UTC))
    assert run == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT


def test_next_weekly_run_skips_a_week_without_working_days():
    after = datetime(2026, 2, 13, 3, 0, tzinfo=UTC)  # Fri 11:00 Shanghai, after the week's reminder
    run = next_weekly_run(THURSDAY_10, CN, Shift.EARLIER, [SHANGHAI], after)
    # Week of 16 Feb has no working days; week of 23 Feb runs on Thursday 26th.
    assert run == datetime(2026, 2, 26, 2, 0, tzinfo=UTC)


def test_next_weekly_run_needs_a_zone_and_an_aware_instant():
    with pytest.raises(ValueError):
        next_weekly_run(THURSDAY_10, PLAIN, Shift.EARLIER, [], datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="aware"):
        next_weekly_run(THURSDAY_10, PLAIN, Shift.EARLIER, [BERLIN], datetime(2026, 1, 1))


ZONES = st.sampled_from(
    ["Asia/Shanghai", "America/New_York", "Europe/Berlin", "Pacific/Kiritimati", "Pacific/Pago_Pago"]
).map(ZoneInfo)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 6),
    st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    st.sampled_from(list(Shift)),
    st.lists(ZONES, min_size=1, max_size=3),
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)),
)
def test_next_weekly_run_is_the_earliest_due_instant_after(weekday, at, shift, zones, after):
    spec = WeeklySpec(weekday, at)
    run = next_weekly_run(spec, PLAIN, shift, zones, after)
    assert run is not None and run > after
    assert run.utcoffset() == timedelta(0)
    # It is the configured wall time, in one of the zones, on one of the team's due dates.
    team_monday = week_start(local_date(after, zones[0]))
    due_dates = [weekly_due_date(spec, team_monday + timedelta(weeks=k), PLAIN, shift) for k in range(-1, 3)]
    assert run in {local_instant(d, at, z) for d in due_dates if d is not None for z in zones}
    # Nothing in between: running again from just before it gives the same instant.
    assert next_weekly_run(spec, PLAIN, shift, zones, run - timedelta(microseconds=1)) == run
    assert next_weekly_run(spec, PLAIN, shift, zones, run) > run
    assert run - after <= timedelta(weeks=1, days=2)
