"""Quota prorating for leave, and weekly quotas against the working calendar."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.calendar import WorkingCalendar
from bot.workflows.topics.rules import QuotaProgress, prorated_quota, weekly_quota

PLAIN = WorkingCalendar()
US = WorkingCalendar("US")
CN = WorkingCalendar("CN")
MONDAY = date(2026, 6, 1)
THANKSGIVING_WEEK = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("days_away", "expected"),
    [(0, 3), (1, 3), (2, 2), (3, 2), (4, 1), (5, 0)],
)
def test_quota_of_three_in_a_five_day_week_is_prorated_up(days_away, expected):
    # ceil(3 * present / 5): 1 away -> ceil(12/5) = 3, 4 away -> ceil(3/5) = 1, 5 away -> 0.
    assert prorated_quota(3, 5, 5 - days_away) == expected


def test_week_without_working_days_prorates_to_zero():
    assert prorated_quota(3, 0, 0) == 0
    assert prorated_quota(3, 0, 3) == 0


def test_present_days_are_clamped_to_the_week():
    assert prorated_quota(3, 5, 9) == 3
    assert prorated_quota(3, 5, -2) == 0


def test_zero_quota_stays_zero():
    assert prorated_quota(0, 5, 5) == 0


def test_negative_quota_is_rejected():
    with pytest.raises(ValueError):
        prorated_quota(-1, 5, 5)


def test_prorating_is_exact_for_huge_numbers():
    # Float division would round this wrongly; integer ceil does not.
    q = 10**18 + 1
    assert prorated_quota(q, 3, 1) == (q + 2) // 3


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 1000), st.integers(1, 7), st.integers(-3, 10))
def test_prorated_quota_never_exceeds_the_quota_and_is_ceiling_of_share(quota, in_week, present):
    result = prorated_quota(quota, in_week, present)
    clamped = min(max(present, 0), in_week)
    assert 0 <= result <= quota
    # result is the smallest integer >= quota * clamped / in_week
    assert result * in_week >= quota * clamped
    assert (result - 1) * in_week < quota * clamped or result == 0


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 1000), st.integers(1, 7), st.integers(0, 7))
def test_prorated_quota_is_monotone_in_days_present(quota, in_week, present):
    assert prorated_quota(quota, in_week, present) <= prorated_quota(quota, in_week, present + 1)


# --- weekly_quota -------------------------------------------------------------------------------


def test_full_week_owes_the_full_quota():
    assert weekly_quota(3, PLAIN, MONDAY) == 3


def test_holiday_week_without_leave_owes_the_full_quota():
    assert len(US.working_days(THANKSGIVING_WEEK, THANKSGIVING_WEEK + timedelta(days=6))) == 4
    assert weekly_quota(3, US, THANKSGIVING_WEEK) == 3


def test_leave_is_prorated_against_the_weeks_working_days():
    # Thanksgiving week: 4 working days; away 2 of them -> ceil(3 * 2 / 4) = 2.
    away = [date(2026, 11, 23), date(2026, 11, 24)]
    assert weekly_quota(3, US, THANKSGIVING_WEEK, away) == 2


def test_leave_on_a_holiday_or_weekend_does_not_count():
    away = [date(2026, 11, 26), date(2026, 11, 28), date(2026, 11, 29)]
    assert weekly_quota(3, US, THANKSGIVING_WEEK, away) == 3


def test_leave_outside_the_week_does_not_count():
    assert weekly_quota(3, PLAIN, MONDAY, [MONDAY - timedelta(days=1), MONDAY + timedelta(days=7)]) == 3


def test_leave_for_the_whole_week_owes_nothing():
    assert weekly_quota(3, PLAIN, MONDAY, [MONDAY + timedelta(days=i) for i in range(5)]) == 0


def test_one_day_of_leave_keeps_quota_three():
    assert weekly_quota(3, PLAIN, MONDAY, [MONDAY]) == 3


def test_four_days_of_leave_leave_quota_one():
    assert weekly_quota(3, PLAIN, MONDAY, [MONDAY + timedelta(days=i) for i in range(4)]) == 1


def test_cn_make_up_saturday_counts_as_a_working_day():
    # Week of 2026-10-05: working days Thu 8, Fri 9 and make-up Sat 10; away Sat -> ceil(3*2/3) = 2.
    assert weekly_quota(3, CN, date(2026, 10, 5), [date(2026, 10, 10)]) == 2


def test_cn_spring_festival_week_owes_nothing():
    assert weekly_quota(3, CN, date(2026, 2, 16)) == 0


def test_weekly_quota_requires_a_monday():
    with pytest.raises(ValueError, match="Monday"):
        weekly_quota(3, PLAIN, date(2026, 6, 2))


# --- QuotaProgress ------------------------------------------------------------------------------


def test_progress_below_quota():
    progress = QuotaProgress(count=1, quota=3)
    assert not progress.met
    assert progress.remaining == 2


def test_progress_at_and_above_quota():
    assert QuotaProgress(count=3, quota=3).met
    assert QuotaProgress(count=5, quota=3).remaining == 0


def test_zero_quota_is_met_immediately():
    assert QuotaProgress(count=0, quota=0).met


def test_progress_is_immutable():
    progress = QuotaProgress(count=1, quota=3)
    with pytest.raises(AttributeError):
        progress.count = 2  # type: ignore[misc]
