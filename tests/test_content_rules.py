"""Content rules as pure functions: links, the checklist, metrics, stages,
when the metrics ask is due, and what /publish text means."""

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.calendar import WorkingCalendar
from bot.kernel.errors import InvalidInput
from bot.workflows.content.rules import (
    CHECKLIST,
    FIELD_LINK,
    Metrics,
    PublishCommandKind,
    Stage,
    ask_day,
    metrics_ask_due,
    parse_metrics,
    parse_publish_command,
    stage_of,
    validate_checklist,
    validate_link,
    validate_publish_time,
)

CN = WorkingCalendar("CN")


@pytest.mark.parametrize("link", ["https://docs.example.com/d/1", "http://intra.example.cn/a?b=c&d=e",
                                  "  HTTPS://Example.com/x  "])
def test_http_and_https_links_are_accepted(link):
    assert validate_link(link, field=FIELD_LINK) == link.strip()


@pytest.mark.parametrize("link", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,hi", "file:///etc/passwd",
                                  "docs.example.com/d/1", "https://", "", None, "https://a.com/x y", "ftp://a.com/x"])
def test_anything_but_an_http_link_is_a_field_error(link):
    with pytest.raises(InvalidInput) as e:
        validate_link(link, field=FIELD_LINK)
    assert e.value.field == FIELD_LINK


def test_the_checklist_must_be_complete():
    assert validate_checklist(list(reversed(CHECKLIST))) == list(CHECKLIST)
    with pytest.raises(InvalidInput) as e:
        validate_checklist(["accuracy", "interest", "brand_fit"])
    assert e.value.field == "draft_checklist" and e.value.params["missing"] == 1


def test_metrics_are_whole_non_negative_numbers():
    assert parse_metrics({"reads": "1,200", "likes": "0", "comments": " 7 ", "shares": "3"}) == Metrics(1200, 0, 7, 3)
    for bad in ("-1", "1.5", "", "lots", None, "9" * 14):
        with pytest.raises(InvalidInput) as e:
            parse_metrics({"reads": "1", "likes": "1", "comments": bad, "shares": "1"})
        assert e.value.field == "metric_comments"


def test_a_publish_time_in_the_future_is_refused():
    now = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    assert validate_publish_time(None, now=now) == now
    assert validate_publish_time(now - timedelta(days=2), now=now) == now - timedelta(days=2)
    with pytest.raises(InvalidInput):
        validate_publish_time(now + timedelta(hours=1), now=now)


def test_stages_of_an_approved_topic():
    assert stage_of(None, False) == Stage.PLANNED
    assert stage_of("changes_requested", False) == Stage.DRAFTING
    assert stage_of("in_review", False) == Stage.IN_REVIEW
    assert stage_of("approved", False) == Stage.APPROVED
    assert stage_of("approved", True) == Stage.PUBLISHED


def test_ask_days_move_to_the_first_working_day_on_or_after():
    friday = date(2026, 11, 27)
    assert ask_day(friday, 1, CN) == date(2026, 11, 30)  # Saturday -> Monday
    assert ask_day(friday, 7, CN) == date(2026, 12, 4)  # a Friday
    # National Day: published 30 Sep 2026, day 1 (1 Oct) is a holiday; asked on the first working day after.
    assert ask_day(date(2026, 9, 30), 1, CN) == CN.first_working_day_on_or_after(date(2026, 10, 1))
    assert ask_day(date(2026, 9, 30), 1, CN) > date(2026, 10, 7)


def test_which_ask_is_due_on_a_day():
    monday = date(2026, 11, 23)
    assert metrics_ask_due(monday, monday, CN) is None
    assert metrics_ask_due(monday, date(2026, 11, 24), CN) == 1
    assert metrics_ask_due(monday, date(2026, 11, 27), CN) == 1  # missed: still asked, until day 7
    assert metrics_ask_due(monday, date(2026, 11, 30), CN) == 7
    assert metrics_ask_due(monday, date(2026, 12, 6), CN) == 7
    assert metrics_ask_due(monday, date(2026, 12, 7), CN) is None


def test_publish_command_forms():
    assert parse_publish_command("").kind == PublishCommandKind.MODAL
    assert parse_publish_command("metrics 12") == parse_publish_command(" metrics  #12 ")
    assert parse_publish_command("metrics 12").publication_id == 12
    assert parse_publish_command("metrics twelve").kind == PublishCommandKind.HELP
    assert parse_publish_command("help").kind == PublishCommandKind.HELP
