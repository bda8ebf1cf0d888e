"""Working-day rules: country data, 调休 make-up days, overrides, coverage."""

from datetime import date, time, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.calendar import MAX_SEARCH_DAYS, WorkingCalendar, is_valid_country
from bot.domain.schedule import Shift, WeeklySpec, weekly_due_date
from bot.workflows.topics.rules import weekly_quota

CN = WorkingCalendar("CN")
US = WorkingCalendar("US")
TEN = time(10, 0)


# --- China: official schedule from chinesecalendar, incl. make-up working weekends ------------


def test_cn_library_knows_the_2026_make_up_weekends_used_below():
    # Guard: the facts these tests rely on come from the installed library.
    make_up = sorted(d for d in chinese_calendar.workdays if d.year == 2026)
    assert date(2026, 2, 14) in make_up and date(2026, 10, 10) in make_up and date(2026, 9, 20) in make_up


@pytest.mark.parametrize(
    "make_up_day",
    [date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 10, 10)],
)
def test_cn_make_up_saturday_is_a_working_day(make_up_day):
    assert make_up_day.weekday() == 5
    assert CN.is_working_day(make_up_day)


def test_cn_make_up_sunday_is_a_working_day():
    assert date(2026, 9, 20).weekday() == 6
    assert CN.is_working_day(date(2026, 9, 20))


def test_cn_ordinary_saturday_is_not_a_working_day():
    assert not CN.is_working_day(date(2026, 10, 17))


@pytest.mark.parametrize(
    "holiday", [date(2026, 10, 1), date(2026, 10, 7), date(2026, 9, 25), date(2026, 2, 17)]
)
def test_cn_public_holiday_is_not_a_working_day(holiday):
    assert not CN.is_working_day(holiday)


def test_cn_national_day_weeks_2026():
    assert CN.working_days(date(2026, 9, 28), date(2026, 10, 4)) == [
        date(2026, 9, 28),
        date(2026, 9, 29),
        date(2026, 9, 30),
    ]
    assert CN.working_days(date(2026, 10, 5), date(2026, 10, 11)) == [
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),
    ]


def test_cn_spring_festival_week_2026_has_no_working_days():
    monday = date(2026, 2, 16)
    assert CN.working_days(monday, monday + timedelta(days=6)) == []


def test_week_without_working_days_owes_no_quota_and_has_no_due_date():
    monday = date(2026, 2, 16)
    assert weekly_quota(3, CN, monday) == 0
    for shift in Shift:
        assert weekly_due_date(WeeklySpec(3, TEN), monday, CN, shift) is None


def test_week_emptied_by_overrides_owes_no_quota():
    monday = date(2026, 6, 1)
    cal = WorkingCalendar(None, extra_holidays=[monday + timedelta(days=i) for i in range(5)])
    assert weekly_quota(5, cal, monday) == 0
    assert weekly_due_date(WeeklySpec(0, TEN), monday, cal, Shift.LATER) is None


# --- other countries via the holidays library ---------------------------------------------------


def test_us_thanksgiving_is_not_a_working_day_but_the_day_before_is():
    assert not US.is_working_day(date(2026, 11, 26))
    assert US.is_working_day(date(2026, 11, 25))


def test_us_observed_independence_day_is_not_a_working_day():
    # 2026-07-04 is a Saturday; the federal holiday is observed on Friday 07-03.
    assert not US.is_working_day(date(2026, 7, 3))


def test_de_easter_monday_and_good_friday_are_not_working_days():
    de = WorkingCalendar("DE")
    assert not de.is_working_day(date(2026, 4, 3))
    assert not de.is_working_day(date(2026, 4, 6))
    assert de.is_working_day(date(2026, 4, 7))


def test_gb_boxing_day_substitute_monday_is_not_a_working_day():
    gb = WorkingCalendar("GB")
    assert not gb.is_working_day(date(2026, 12, 28))  # Boxing Day (Sat 26th) observed
    assert gb.is_working_day(date(2026, 12, 29))


def test_country_code_is_case_insensitive():
    assert WorkingCalendar("us") == US
    assert not WorkingCalendar("us").is_working_day(date(2026, 11, 26))


def test_unknown_country_is_rejected():
    assert not is_valid_country("XX")
    assert not is_valid_country("")
    with pytest.raises(ValueError, match="XX"):
        WorkingCalendar("XX")


@pytest.mark.parametrize("code", ["CN", "US", "DE", "GB", "cn"])
def test_known_countries_are_valid(code):
    assert is_valid_country(code)


def test_no_country_means_monday_to_friday():
    cal = WorkingCalendar()
    assert cal.working_days(date(2026, 12, 21), date(2026, 12, 27)) == [
        date(2026, 12, 21) + timedelta(days=i) for i in range(5)
    ]  # Christmas Day counts: no country, no holidays


# --- overrides ----------------------------------------------------------------------------------


def test_extra_workday_wins_over_a_public_holiday():
    cal = WorkingCalendar("US", extra_workdays=[date(2026, 11, 26)])
    assert cal.is_working_day(date(2026, 11, 26))


def test_extra_holiday_wins_over_a_cn_make_up_day():
    cal = WorkingCalendar("CN", extra_holidays=[date(2026, 10, 10)])
    assert not cal.is_working_day(date(2026, 10, 10))


def test_extra_workday_makes_a_weekend_a_working_day():
    cal = WorkingCalendar(None, extra_workdays=[date(2026, 6, 6)])
    assert cal.is_working_day(date(2026, 6, 6))


def test_a_date_cannot_be_both_an_extra_holiday_and_an_extra_workday():
    with pytest.raises(ValueError, match="2026-06-06"):
        WorkingCalendar(None, extra_holidays=[date(2026, 6, 6)], extra_workdays=[date(2026, 6, 6)])


def test_calendar_is_immutable():
    with pytest.raises(AttributeError):
        CN._country = "US"  # type: ignore[misc]


# --- coverage -----------------------------------------------------------------------------------


def test_cn_covers_2026_but_not_2027():
    assert CN.covers(2026)
    assert CN.coverage_warning(2026) is None
    assert not CN.covers(2027)
    assert not CN.covers(2003)


def test_cn_coverage_matches_what_the_library_accepts():
    for year in (2003, 2004, 2026, 2027):
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
            supported = True
        except NotImplementedError:
            supported = False
        assert CN.covers(year) is supported


def test_cn_2027_coverage_warning_tells_the_operator_what_to_do():
    warning = CN.coverage_warning(2027)
    assert warning is not None
    assert "2027" in warning
    assert "CN" in warning
    assert "chinesecalendar" in warning
    assert "calendar:" in warning
    assert "holidays:" in warning and "workdays:" in warning


@pytest.mark.parametrize("cal", [US, WorkingCalendar("DE"), WorkingCalendar()])
def test_other_calendars_cover_every_year(cal):
    assert cal.covers(2027) and cal.covers(2050)
    assert cal.coverage_warning(2050) is None


def test_cn_fallback_in_2027_is_weekends_plus_overrides():
    plain = WorkingCalendar("CN")
    assert plain.is_working_day(date(2027, 1, 1))  # a Friday; no official data yet
    assert not plain.is_working_day(date(2027, 1, 2))  # a Saturday
    patched = WorkingCalendar("CN", extra_holidays=[date(2027, 1, 1)], extra_workdays=[date(2027, 1, 9)])
    assert not patched.is_working_day(date(2027, 1, 1))
    assert patched.is_working_day(date(2027, 1, 9))  # a Saturday made a working day
    assert patched.is_working_day(date(2027, 1, 4))


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2027, 1, 1), max_value=date(2035, 12, 31)))
def test_uncovered_cn_years_fall_back_to_monday_to_friday(d):
    assert CN.is_working_day(d) is (d.weekday() < 5)


# --- ranges and bounded searches ----------------------------------------------------------------


def test_working_days_is_inclusive_and_empty_when_reversed():
    assert US.working_days(date(2026, 11, 23), date(2026, 11, 27)) == [
        date(2026, 11, 23),
        date(2026, 11, 24),
        date(2026, 11, 25),
        date(2026, 11, 27),
    ]
    assert US.working_days(date(2026, 11, 27), date(2026, 11, 23)) == []


def test_last_working_day_on_or_before_skips_holidays():
    assert CN.last_working_day_on_or_before(date(2026, 10, 4)) == date(2026, 9, 30)
    assert CN.last_working_day_on_or_before(date(2026, 9, 30)) == date(2026, 9, 30)


def test_first_working_day_on_or_after_skips_holidays():
    assert CN.first_working_day_on_or_after(date(2026, 10, 1)) == date(2026, 10, 8)


def test_searches_never_pass_their_bound():
    assert CN.last_working_day_on_or_before(date(2026, 10, 4), floor=date(2026, 10, 1)) is None
    assert CN.first_working_day_on_or_after(date(2026, 10, 1), ceiling=date(2026, 10, 7)) is None
    assert CN.first_working_day_on_or_after(date(2026, 10, 1), ceiling=date(2026, 10, 8)) == date(2026, 10, 8)
    assert CN.last_working_day_on_or_before(date(2026, 10, 1), floor=date(2026, 10, 2)) is None


def test_unbounded_searches_give_up_after_the_search_limit():
    start = date(2026, 3, 1)
    blocked = WorkingCalendar(
        None, extra_holidays=[start + timedelta(days=i) for i in range(MAX_SEARCH_DAYS)]
    )
    assert blocked.first_working_day_on_or_after(start) is None
    reachable = WorkingCalendar(
        None, extra_holidays=[start + timedelta(days=i) for i in range(MAX_SEARCH_DAYS - 1)]
    )
    assert reachable.first_working_day_on_or_after(start) is not None
    end = date(2026, 6, 30)
    blocked_back = WorkingCalendar(
        None, extra_holidays=[end - timedelta(days=i) for i in range(MAX_SEARCH_DAYS)]
    )
    assert blocked_back.last_working_day_on_or_before(end) is None


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["CN", "US", "DE", "GB", None]),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 12, 31)),
)
def test_searches_agree_with_is_working_day(country, d):
    cal = WorkingCalendar(country)
    before = cal.last_working_day_on_or_before(d)
    after = cal.first_working_day_on_or_after(d)
    assert before is not None and after is not None
    assert before <= d <= after
    assert cal.is_working_day(before) and cal.is_working_day(after)
    assert cal.working_days(before + timedelta(days=1), d) == []
    assert cal.working_days(d, after - timedelta(days=1)) == []
