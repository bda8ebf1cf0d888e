"""The review rules as pure functions: the month-end day, the deadlines,
scores and grade bands, the peer rules and the annual roll-up."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.domain.calendar import WorkingCalendar
from bot.domain.schedule import DailySpec, next_month_end_run
from bot.kernel.errors import InvalidInput
from bot.kernel.teams_file import ReviewsConfig, TeamConfig
from bot.workflows.reviews import rules

CN = WorkingCalendar("CN")
BANDS = {"S": 90, "A": 80, "B": 70, "C": 60}
WEIGHTS = {"performance": 60, "ability": 20, "attitude": 20}
SHANGHAI = ZoneInfo("Asia/Shanghai")


# -- the month-end day --------------------------------------------------------------


def test_the_month_end_day_is_the_last_day_when_it_is_a_working_day():
    assert rules.month_end_day(2026, 11, CN) == date(2026, 11, 30)  # a Monday


def test_a_month_ending_on_a_weekend_ends_on_the_friday_before():
    assert rules.month_end_day(2026, 10, CN) == date(2026, 10, 30)  # 31 October 2026 is a Saturday
    assert rules.month_end_day(2026, 5, WorkingCalendar(None)) == date(2026, 5, 29)  # 30–31 May: weekend


def test_a_month_ending_on_a_holiday_ends_on_the_working_day_before():
    # 31 December 2027 is the US federal holiday observed for New Year's Day 2028.
    assert rules.month_end_day(2027, 12, WorkingCalendar("US")) == date(2027, 12, 30)
    team_day_off = WorkingCalendar("CN", extra_holidays=[date(2026, 11, 30)])
    assert rules.month_end_day(2026, 11, team_day_off) == date(2026, 11, 27)


def test_a_make_up_working_saturday_can_be_the_month_end_day():
    # 28 February 2026 is a Saturday, and a 调休 working day in China.
    assert rules.month_end_day(2026, 2, CN) == date(2026, 2, 28)
    assert rules.month_end_day(2026, 2, WorkingCalendar(None)) == date(2026, 2, 27)


def test_the_review_month_switches_on_the_month_end_day():
    assert rules.review_month(date(2026, 11, 27), CN) == (2026, 10)
    assert rules.review_month(date(2026, 11, 30), CN) == (2026, 11)
    assert rules.review_month(date(2026, 12, 2), CN) == (2026, 11)
    assert rules.review_month(date(2027, 1, 5), CN) == (2026, 12)


# -- deadlines ----------------------------------------------------------------------------


def test_deadlines_are_the_third_and_fifth_working_days_of_the_next_month():
    d = rules.deadlines(2026, 11, CN)
    assert (d.self_review, d.evaluation) == (date(2026, 12, 3), date(2026, 12, 7))  # Thu, and Mon after the weekend


def test_deadlines_skip_national_day_and_count_the_make_up_saturday():
    # October 2026: 1–7 off; 8 Thu, 9 Fri, 10 Sat (调休) work; 12, 13 …
    d = rules.deadlines(2026, 9, CN)
    assert (d.self_review, d.evaluation) == (date(2026, 10, 10), date(2026, 10, 13))


def test_deadlines_across_the_new_year_count_a_working_sunday():
    # 1–3 January 2026 are off; Sunday 4 January is a make-up working day.
    d = rules.deadlines(2025, 12, CN)
    assert (d.self_review, d.evaluation) == (date(2026, 1, 6), date(2026, 1, 8))


def test_deadlines_follow_the_teams_configured_working_days():
    d = rules.deadlines(2026, 11, CN, selfreview_workday=1, evaluation_workday=2)
    assert (d.self_review, d.evaluation) == (date(2026, 12, 1), date(2026, 12, 2))


def test_a_workday_past_the_months_working_days_is_its_last_one():
    assert rules.nth_working_day(2026, 10, 30, CN) == date(2026, 10, 30)


# -- scores and grades -------------------------------------------------------------------------


def test_the_total_is_the_weighted_sum_with_two_decimals():
    assert rules.weighted_total(rules.Scores(80, 75, 90), WEIGHTS) == Decimal("81.00")
    assert rules.weighted_total(rules.Scores(91, 88, 89), {"performance": 33, "ability": 33, "attitude": 34}) \
        == Decimal("89.33")


@pytest.mark.parametrize(("total", "grade"), [
    ("100", "S"), ("90", "S"), ("90.00", "S"), ("89.99", "A"), ("80", "A"), ("79.99", "B"), ("70", "B"),
    ("69.99", "C"), ("60", "C"), ("59.99", "D"), ("0", "D"),
])
def test_grade_bands_at_their_edges(total, grade):
    assert rules.grade_for(Decimal(total), BANDS) == grade


def test_a_total_of_89_99_from_real_scores_is_an_a_and_90_is_an_s():
    weights = {"performance": 33, "ability": 33, "attitude": 34}
    below = rules.weighted_total(rules.Scores(91, 90, 89), weights)  # 30.03 + 29.70 + 30.26
    assert below == Decimal("89.99") and rules.grade_for(below, BANDS) == "A"
    at = rules.weighted_total(rules.Scores(90, 90, 90), weights)
    assert at == Decimal("90.00") and rules.grade_for(at, BANDS) == "S"


def test_configured_bands_move_the_grades():
    strict = {"S": 95, "A": 85, "B": 75, "C": 65}
    assert rules.grade_for(Decimal("94.99"), strict) == "A"
    assert rules.grade_for(Decimal("64.99"), strict) == "D"


@pytest.mark.parametrize("raw", ["", " ", "101", "-1", "8.5", "abc", "1000"])
def test_a_score_must_be_a_whole_number_from_0_to_100(raw):
    with pytest.raises(InvalidInput) as e:
        rules.parse_score(raw, "rv_score_ability")
    assert e.value.field == "rv_score_ability"


def test_scores_at_the_limits_are_accepted():
    assert rules.parse_score("0", "f") == 0 and rules.parse_score(" 100 ", "f") == 100


def test_a_self_review_needs_every_text_and_names_the_field_that_is_missing():
    scores = {"performance": "80", "ability": "80", "attitude": "80"}
    with pytest.raises(InvalidInput) as e:
        rules.validate_self_review("Did things", "  ", "Plan", scores)
    assert e.value.field == rules.FIELD_SHORTCOMINGS
    with pytest.raises(InvalidInput) as e:
        rules.validate_self_review("x" * 3001, "s", "p", scores)
    assert e.value.field == rules.FIELD_ACHIEVEMENTS
    ok = rules.validate_self_review(" Did things ", "s", "p", scores)
    assert ok.achievements == "Did things" and ok.scores == rules.Scores(80, 80, 80)


@pytest.mark.parametrize(("weights", "grades"), [
    ({"performance": 60, "ability": 20, "attitude": 30}, None),
    ({"performance": 50, "ability": 50}, None),
    (None, {"S": 90, "A": 90, "B": 70, "C": 60}),
    (None, {"S": 80, "A": 90, "B": 70, "C": 60}),
])
def test_weights_that_do_not_sum_to_100_or_unordered_bands_are_refused(weights, grades):
    raw = {}
    if weights:
        raw["weights"] = weights
    if grades:
        raw["grades"] = grades
    with pytest.raises(ValueError):
        ReviewsConfig.model_validate(raw)
    with pytest.raises(ValueError):
        TeamConfig.model_validate({"name": "G", "channel": "C0G", "supervisors": ["U0LEAD"], "reviews": raw})


# -- peers ----------------------------------------------------------------------------------------


def test_peers_are_colleagues_asked_once_and_never_the_member():
    team = {"U0A", "U0B", "U0C"}
    assert rules.check_peers("U0A", ["U0B", "U0C", "U0B"], colleagues=team, already_asked=set()) == ["U0B", "U0C"]
    for peers, asked in ((["U0A"], set()), (["U0X"], set()), (["U0B"], {"U0B"}), ([], set()), (["U0C"], set())):
        with pytest.raises(InvalidInput) as e:
            rules.check_peers("U0A", peers, colleagues=team, already_asked=asked, asker="U0C")
        assert e.value.field == rules.FIELD_PEERS


# -- the year --------------------------------------------------------------------------------------


def test_the_annual_roll_up_of_twelve_months_with_one_missing():
    results = {m: (Decimal(70 + m), "B") for m in range(1, 13) if m != 6}
    y = rules.year_summary(2026, results, BANDS)
    assert len(y.months) == 12 and y.counted == 11
    assert y.months[5] == rules.MonthResult(6, None, None), "a missing month is missing, not zero"
    # (71 + … + 82 − 76) / 11
    assert y.average == Decimal("76.55")
    assert y.trend == "up" and y.grade == "B"


def test_the_trend_is_flat_or_down_and_needs_two_months():
    flat = rules.year_summary(2026, {1: (Decimal(80), "A"), 12: (Decimal(80), "A")}, BANDS)
    assert flat.trend == "flat"
    down = rules.year_summary(2026, {m: (Decimal(95 - m * 2), "A") for m in range(1, 13)}, BANDS)
    assert down.trend == "down"
    one = rules.year_summary(2026, {3: (Decimal(88), "A")}, BANDS)
    assert (one.trend, one.average, one.grade) == (None, Decimal("88.00"), "A")
    none = rules.year_summary(2026, {}, BANDS)
    assert (none.average, none.trend, none.grade, none.counted) == (None, None, None, 0)


# -- the schedule ------------------------------------------------------------------------------------


def test_a_month_end_job_next_runs_on_the_month_end_day_at_the_hour_in_each_zone():
    spec = DailySpec(datetime(2026, 1, 1, 10, 0).time())
    after = datetime(2026, 11, 24, 12, 0, tzinfo=SHANGHAI)
    assert next_month_end_run(spec, CN, [SHANGHAI], after) == datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
    ny = ZoneInfo("America/New_York")
    after_sh = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
    assert next_month_end_run(spec, CN, [SHANGHAI, ny], after_sh) == datetime(2026, 11, 30, 10, 0, tzinfo=ny)
    # February 2026 ends on a working Saturday.
    feb = datetime(2026, 2, 1, tzinfo=SHANGHAI)
    assert next_month_end_run(spec, CN, [SHANGHAI], feb) == datetime(2026, 2, 28, 10, 0, tzinfo=SHANGHAI)
    assert next_month_end_run(spec, CN, [SHANGHAI], feb, months=(12,)) == datetime(2026, 12, 31, 10, 0,
                                                                                    tzinfo=SHANGHAI)
