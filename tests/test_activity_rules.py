"""Pure rules for activities and leave, with an explicit ``now``."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bot.domain.calendar import WorkingCalendar
from bot.kernel.errors import InvalidInput
from bot.workflows.activities.rules import (
    ActivityDraft,
    parse_figure,
    retro_first_ask_day,
    retro_overdue_day,
    validate_activity,
)
from bot.workflows.leave.rules import (
    LeaveCommandKind,
    LeaveDraft,
    cancellable,
    overlaps,
    parse_leave_command,
    validate_leave,
)
from bot.workflows.topics.rules import weekly_quota
from tests.conftest import SHANGHAI

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
CN = WorkingCalendar("CN")


def draft(**over):
    base = dict(theme="  Livestream   launch ", format="Livestream", starts_at=NOW + timedelta(days=1),
                ends_at=NOW + timedelta(days=1, hours=2), participants=("U01", "U01"), targets={"participants": 5})
    base.update(over)
    return ActivityDraft(**base)


def test_a_proposal_is_tidied_and_its_participants_deduplicated():
    d = validate_activity(draft(), now=NOW)
    assert d.theme == "Livestream launch" and d.participants == ("U01",)
    assert d.targets == {"participants": 5, "engagement": None, "conversion": None}


@pytest.mark.parametrize(("over", "field"), [
    ({"ends_at": NOW + timedelta(hours=20)}, "activity_end"),
    ({"ends_at": NOW + timedelta(days=1)}, "activity_end"),
    ({"starts_at": NOW - timedelta(minutes=1)}, "activity_start"),
    ({"theme": " "}, "activity_theme"),
    ({"theme": "x" * 151}, "activity_theme"),
    ({"format": ""}, "activity_format"),
    ({"starts_at": None}, "activity_start"),
])
def test_a_bad_proposal_is_refused_on_the_field_that_is_wrong(over, field):
    with pytest.raises(InvalidInput) as e:
        validate_activity(draft(**over), now=NOW)
    assert e.value.field == field


def test_a_resubmission_may_keep_a_start_that_has_passed():
    d = draft(starts_at=NOW - timedelta(hours=1))
    assert validate_activity(d, now=NOW, check_start=False).starts_at == d.starts_at


@pytest.mark.parametrize(("raw", "value"), [("200", 200), ("3.5", 3.5), ("1,200", 1200), ("0", 0)])
def test_figures_are_whole_or_decimal_numbers(raw, value):
    assert parse_figure(raw, "f") == value


@pytest.mark.parametrize("raw", ["", "lots", "-1", "nan"])
def test_a_figure_that_is_not_a_number_of_zero_or_more_is_refused(raw):
    with pytest.raises(InvalidInput):
        parse_figure(raw, "f")


def test_the_retrospective_is_due_the_first_working_day_after_the_end():
    holiday_monday = WorkingCalendar("CN", extra_holidays=[date(2026, 11, 30)])
    assert retro_first_ask_day(date(2026, 11, 27), holiday_monday) == date(2026, 12, 1)  # Fri → Tue
    assert retro_first_ask_day(date(2026, 11, 27), CN) == date(2026, 11, 30)  # Fri → Mon
    assert retro_first_ask_day(date(2026, 11, 24), CN) == date(2026, 11, 25)  # Tue → Wed


def test_a_missing_retrospective_turns_overdue_two_working_days_after_the_first_ask():
    assert retro_overdue_day(date(2026, 11, 27), CN) == date(2026, 12, 2)  # asked Mon, overdue Wed
    assert retro_overdue_day(date(2026, 11, 25), CN) == date(2026, 11, 30)  # asked Thu, overdue Mon


TODAY = date(2026, 11, 23)


def test_leave_is_requested_from_today_on_with_a_reason():
    assert validate_leave(LeaveDraft(TODAY, TODAY, " Doctor "), today=TODAY).reason == "Doctor"
    for d, field in ((LeaveDraft(TODAY - timedelta(days=1), TODAY, "x"), "leave_start"),
                     (LeaveDraft(TODAY, TODAY - timedelta(days=1), "x"), "leave_end"),
                     (LeaveDraft(TODAY, TODAY + timedelta(days=100), "x"), "leave_end"),
                     (LeaveDraft(TODAY, TODAY, "  "), "leave_reason"),
                     (LeaveDraft(None, TODAY, "x"), "leave_start")):
        with pytest.raises(InvalidInput) as e:
            validate_leave(d, today=TODAY)
        assert e.value.field == field


def test_two_date_ranges_overlap_when_they_share_a_day():
    d = date(2026, 12, 1)
    assert overlaps(d, d + timedelta(days=2), d + timedelta(days=2), d + timedelta(days=5))
    assert not overlaps(d, d + timedelta(days=2), d + timedelta(days=3), d + timedelta(days=5))


def test_pending_leave_or_approved_leave_not_yet_started_can_be_cancelled():
    assert cancellable("pending", TODAY - timedelta(days=3), TODAY)
    assert cancellable("approved", TODAY + timedelta(days=1), TODAY)
    assert not cancellable("approved", TODAY, TODAY)
    assert not cancellable("rejected", TODAY + timedelta(days=1), TODAY)


def test_leave_subcommands_are_exact_and_anything_else_is_help():
    assert parse_leave_command("").kind == LeaveCommandKind.MODAL
    assert parse_leave_command("list").kind == LeaveCommandKind.LIST
    assert parse_leave_command("cancel #12") == parse_leave_command("cancel 12")
    assert parse_leave_command("cancel 12").leave_id == 12
    assert parse_leave_command("tomorrow please").kind == LeaveCommandKind.HELP


@pytest.mark.parametrize(("away", "quota"), [
    ([], 3),
    ([date(2026, 12, 1)], 3),  # 1 of 5 days away: ceil(3 × 4/5) = 3
    ([date(2026, 11, 30) + timedelta(days=i) for i in range(3)], 2),  # ceil(3 × 2/5) = 2
    ([date(2026, 11, 30) + timedelta(days=i) for i in range(4)], 1),  # ceil(3 × 1/5) = 1
    ([date(2026, 11, 30) + timedelta(days=i) for i in range(5)], 0),  # a full week away
    ([date(2026, 12, 5), date(2026, 12, 6)], 3),  # the weekend does not count
])
def test_the_quota_is_prorated_by_working_days_present_rounding_up(away, quota):
    assert weekly_quota(3, CN, date(2026, 11, 30), away) == quota


def test_participants_must_be_slack_user_ids_not_arbitrary_text():
    with pytest.raises(InvalidInput) as e:
        validate_activity(draft(participants=("<!channel>",)), now=NOW)
    assert e.value.field == "activity_participants"
