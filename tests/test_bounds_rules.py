"""The pure rules behind issue 16's items 2 and 3: the accepted span of weeks
and months, digits of any script, and the integer range of the store."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.numbers import INT_MAX, ascii_digits, parse_id, parse_whole, read_whole, typed_id
from bot.domain.periods import (
    accepted_span,
    check_day,
    check_month,
    check_week,
    local_instant,
    month_bounds,
    parse_month,
    parse_week,
    week_bounds,
)
from bot.kernel.errors import InvalidInput

TODAY = date(2026, 11, 30)
CREATED = date(2026, 11, 23)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_accepted_span_runs_from_the_teams_creation_to_the_end_of_next_year():
    span = accepted_span(TODAY, CREATED)
    assert (span.first, span.last) == (CREATED, date(2027, 12, 31))
    assert span.months == ("2026-11", "2027-12") and span.weeks == ("2026-W48", "2027-W52")
    assert accepted_span(TODAY).first == date(2000, 1, 1), "a team of unknown age: from 2000"


@pytest.mark.parametrize("typed", ["٢٠٢٦-١١", "２０２６-１１", "2026-①①", "२०२६-११", " 2026-11 "])
def test_a_month_in_any_scripts_digits_reads_as_that_month(typed):
    assert parse_month(typed) == (2026, 11)


def test_a_week_in_circled_and_arabic_indic_digits_reads_as_that_week():
    assert parse_week("2026-W④⑧") == (2026, 48)
    assert parse_week("٢٠٢٦w٤٨") == (2026, 48)


@pytest.mark.parametrize("typed", ["2026-13", "2026-00", "26-11", "2026/11", "2026-1", "²⁰²⁶-¹¹x", "2026-W54", ""])
def test_what_is_not_a_month_or_week_is_not_read_as_one(typed):
    assert parse_month(typed) is None and parse_week(typed) is None


@pytest.mark.parametrize(("typed", "period"), [((0, 1), "0000-01"), ((1999, 1), "1999-01"), ((2026, 10), "2026-10"),
                                               ((2028, 1), "2028-01"), ((9999, 12), "9999-12")])
def test_a_month_outside_the_span_is_refused_naming_the_span(typed, period):
    with pytest.raises(InvalidInput) as e:
        check_month(typed, accepted_span(TODAY, CREATED))
    assert e.value.params == {"period": period, "first": "2026-11", "last": "2027-12"}


@pytest.mark.parametrize("typed", [(1, 1), (0, 1), (9999, 52), (9999, 53), (2027, 53), (2026, 47), (2028, 1)])
def test_a_week_outside_the_span_or_the_calendar_is_refused_naming_the_span(typed):
    with pytest.raises(InvalidInput) as e:
        check_week(typed, accepted_span(TODAY, CREATED))
    assert (e.value.params["first"], e.value.params["last"]) == ("2026-W48", "2027-W52")


@given(st.integers(0, 9999), st.integers(1, 53), st.dates(date(2000, 1, 1), date(9997, 1, 1)))
def test_every_accepted_week_has_bounds_and_nothing_else_passes(year, week, today):
    span = accepted_span(today, today.replace(day=1))
    try:
        monday = check_week((year, week), span)
    except InvalidInput:
        return
    start, end = week_bounds(local_instant(monday, time(12), SHANGHAI), SHANGHAI)
    assert start < end and span.first.year - 1 <= monday.year <= span.last.year


@given(st.integers(0, 9999), st.integers(1, 12), st.dates(date(2000, 1, 1), date(9997, 1, 1)))
def test_every_accepted_month_has_bounds(year, month, today):
    try:
        first = check_month((year, month), accepted_span(today, None))
    except InvalidInput:
        return
    start, end = month_bounds(local_instant(first, time(12), SHANGHAI), SHANGHAI)
    assert start < end


def test_a_day_past_next_year_is_a_field_error():
    with pytest.raises(InvalidInput) as e:
        check_day(date(9999, 12, 31), accepted_span(TODAY, TODAY), "leave_end")
    assert e.value.field == "leave_end" and e.value.params == {"first": "2026-11-30", "last": "2027-12-31"}


def test_digits_of_any_script_become_ascii():
    assert ascii_digits("٢٠٢٦-٠٥ ２０２６ ① ³ ४") == "2026-05 2026 1 3 4"


@pytest.mark.parametrize(("typed", "value"), [("0", 0), ("2147483647", INT_MAX), ("３０００", 3000), ("٣", 3),
                                              ("⑫", 12), ("2147483648", None), ("3000000000", None), ("-1", None),
                                              ("1e9", None), ("1.5", None), ("9" * 5000, None), ("", None)])
def test_a_whole_number_fits_a_32_bit_integer_or_is_not_read(typed, value):
    assert parse_whole(typed) == value


def test_a_number_too_large_for_the_store_names_the_limit():
    with pytest.raises(InvalidInput) as e:
        read_whole("3,000,000,000", field="metric_reads", invalid="x", thousands=True)
    assert e.value.field == "metric_reads" and e.value.params == {"max": "2,147,483,647"}
    with pytest.raises(InvalidInput) as e:
        read_whole("three", field="metric_reads", invalid="not a number")
    assert e.value.msgid == "not a number"


@pytest.mark.parametrize("raw", ["99999999999", 2**31, 0, -1, "0", "-1", "1e9", 1.0, True, None, [], {}, "12abc"])
def test_a_forged_id_is_not_an_id(raw):
    assert parse_id(raw) is None


def test_an_id_typed_too_large_is_refused_clearly():
    assert parse_id("#42") == 42 and parse_id(INT_MAX) == INT_MAX and typed_id("١٢") == 12
    with pytest.raises(InvalidInput) as e:
        typed_id("99999999999")
    assert e.value.params["id"] == "99999999999"
