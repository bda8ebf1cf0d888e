"""Issue 16, items 2 and 3: periods are bounded and numbers fit the store.

Signed requests into the running app on SQLite and PostgreSQL: a week, month,
date or number the product cannot hold is refused where it was typed, naming
what is accepted, and nothing is queued or stored. Digits of any script are
read as the number they are.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from storage.content import MetricsUpdate
from storage.db import transaction
from storage.leave import Leave
from storage.reviews import Review, ReviewPlan, ReviewPlanRound
from storage.schema import metadata
from tests.conftest import ALICE, CHANNEL, LEAD, LEAD2, SHANGHAI, make_rig
from tests.helpers import button, buttons, dms
from tests.test_content_e2e import approved_draft, publish

# November 2026's month-end day in China: Monday 30 November. The team is
# created when the rig starts, so its first month is 2026-11 and its first
# week 2026-W48 (the week of Monday 23 November).
MONTH_END_10 = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
GENERIC = "something went wrong"


@pytest.fixture
def rig(database_url):
    r = make_rig(database_url, start=datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)).start()
    try:
        yield r
    finally:
        r.stop()


@pytest.fixture
def month_end_rig(database_url):
    r = make_rig(database_url, start=MONTH_END_10).start()
    try:
        yield r
    finally:
        r.stop()


def store(rig) -> dict[str, int]:
    """How many rows every table holds, but Slack's cached profiles."""
    with transaction(rig.app.db) as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in metadata.sorted_tables
                if t.name not in ("slack_users", "alembic_version")}


def ephemeral(rig, user: str, command: str, text: str) -> str:
    r = rig.command(user, command, text, channel=CHANNEL)
    assert r.status == 200, r.body
    body = r.json()
    assert body["response_type"] == "ephemeral"
    assert GENERIC not in body["text"].lower()
    return body["text"]


# -- item 2: periods are bounded -------------------------------------------------------


def test_export_of_week_9999_W52_is_refused_with_the_accepted_range_and_nothing_is_queued(rig):
    before = store(rig)
    text = ephemeral(rig, LEAD, "/opsbot", "export topics 9999-W52")
    assert "9999-W52 is out of range: give a week from 2026-W48 to 2027-W52." in text
    assert "You typed" in text, "what was typed comes back to copy"
    text = ephemeral(rig, LEAD, "/opsbot", "export leave 1999-01")
    assert "1999-01 is out of range: give a month from 2026-11 to 2027-12." in text
    assert rig.deliver() == 0
    assert store(rig) == before, "no outbox, inbox or audit row"
    assert rig.slack.files() == []


def test_report_for_0001_W01_is_refused_with_the_accepted_range_in_the_supervisors_language(rig):
    ephemeral(rig, LEAD2, "/opsbot", "report week dm")
    rig.deliver()  # the DM makes Slack's profile known: Li reads Chinese
    before = store(rig)
    text = ephemeral(rig, LEAD, "/opsbot", "report 0001-W01")
    assert "0001-W01 is out of range: give a week from 2026-W48 to 2027-W52." in text
    text = ephemeral(rig, LEAD2, "/opsbot", "report 0000-01 dm")
    assert "0000-01 超出范围：请填写 2026-11 至 2027-12 之间的月份。" in text
    text = ephemeral(rig, LEAD, "/opsbot", "report 2026-W53")  # 2026 has 53 weeks: that one is in range
    assert "on its way" in text
    rig.deliver()
    after = store(rig)
    assert after["outbox"] == before["outbox"] + 1 and after["audit_log"] == before["audit_log"] + 1


def test_the_weeks_and_months_the_team_existed_in_are_accepted(rig):
    assert "Preparing" in ephemeral(rig, LEAD, "/opsbot", "export topics 2026-W48")
    assert "Preparing" in ephemeral(rig, LEAD, "/opsbot", "export leave 2027-12")
    assert "out of range" in ephemeral(rig, LEAD, "/opsbot", "export leave 2028-01")
    assert "out of range" in ephemeral(rig, LEAD, "/opsbot", "export topics 2026-W47")
    rig.deliver()
    assert [f["filename"] for f in rig.slack.files(LEAD)] == ["opsbot-Growth-topics-2026-W48.csv",
                                                              "opsbot-Growth-leave-2027-12.csv"]


def test_selfreview_for_month_0000_01_is_refused_with_the_accepted_range_and_nothing_is_stored(month_end_rig):
    rig = month_end_rig
    before = store(rig)
    text = ephemeral(rig, ALICE, "/selfreview", "0000-01")
    assert "0000-01 is out of range: give a month from 2026-11 to 2027-12." in text
    assert "out of range" in ephemeral(rig, ALICE, "/selfreview", "9999-12")
    assert rig.opened_views() == []
    assert store(rig) == before


def test_selfreview_for_a_month_before_the_team_existed_is_refused(month_end_rig):
    rig = month_end_rig
    before = store(rig)
    for month in ("1999-01", "2026-10"):
        text = ephemeral(rig, ALICE, "/selfreview", month)
        assert f"{month} is out of range: give a month from 2026-11 to 2027-12." in text
    assert rig.opened_views() == [] and store(rig) == before
    rig.command(ALICE, "/selfreview", "2026-11", channel=CHANNEL)
    assert rig.last_view()["callback_id"], "the team's own month opens"


def test_arabic_indic_digits_in_a_month_are_read_as_that_month(month_end_rig):
    rig = month_end_rig
    rig.command(ALICE, "/selfreview", "٢٠٢٦-١١", channel=CHANNEL)
    assert rig.opened_views(), "the self-review opens"
    with transaction(rig.app.db) as s:
        assert s.scalars(select(Review.period)).all() == ["2026-11"], "stored as the month it is, in ASCII"
    assert "Preparing" in ephemeral(rig, LEAD, "/opsbot", "export reviews ٢٠٢٦-١١")
    text = ephemeral(rig, LEAD, "/opsbot", "export reviews ١٩٩٩-٠١")
    assert "1999-01 is out of range" in text, "out of range in any script, and named in ASCII"
    rig.deliver()
    assert [f["filename"] for f in rig.slack.files(LEAD)] == ["opsbot-Growth-reviews-2026-11.csv"]


def test_circled_and_full_width_digits_are_read_as_the_number_they_are(month_end_rig):
    rig = month_end_rig
    assert "Preparing" in ephemeral(rig, LEAD, "/opsbot", "export topics 2026-W④⑨")
    r = rig.command(LEAD, "/opsbot", f"targets <@{ALICE}> ２０２６-１２", channel=CHANNEL)
    assert r.status == 200 and r.body == ""
    r = rig.submit(LEAD, rig.last_view(), {"rv_target_reads": "１０,０００", "rv_target_topics_approved": "③"})
    assert r.status == 200 and r.body == "", r.body
    rig.deliver()
    assert [f["filename"] for f in rig.slack.files(LEAD)] == ["opsbot-Growth-topics-2026-W49.csv"]
    with transaction(rig.app.db) as s:
        p, r = s.execute(select(ReviewPlan, ReviewPlanRound).join(ReviewPlanRound)).one()
    assert (p.period, r.targets["reads"], r.targets["topics_approved"]) == ("2026-12", 10000, 3)


def test_targets_and_team_reviews_for_a_month_out_of_range_are_refused(month_end_rig):
    rig = month_end_rig
    before = store(rig)
    text = ephemeral(rig, LEAD, "/opsbot", f"targets <@{ALICE}> 2031-01")
    assert "2031-01 is out of range: give a month from 2026-11 to 2027-12." in text
    assert "out of range" in ephemeral(rig, LEAD, "/opsbot", "reviews 2000-01")
    assert rig.opened_views() == [] and store(rig) == before


def test_a_targets_form_with_a_forged_month_is_refused_in_the_form_and_nothing_is_stored(month_end_rig):
    rig = month_end_rig
    rig.command(LEAD, "/opsbot", f"targets <@{ALICE}> 2026-11", channel=CHANNEL)
    modal = rig.last_view()
    meta = json.loads(modal["private_metadata"])
    before = store(rig)
    for forged in ("0000-01", "٢٠٩٩-٠١"):
        r = rig.submit(LEAD, {**modal, "private_metadata": json.dumps({**meta, "period": forged})},
                       {"rv_target_reads": "100"})
        errors = r.json()["errors"]
        assert "out of range: give a month from 2026-11 to 2027-12." in next(iter(errors.values()))
    assert store(rig) == before


def test_leave_ending_after_next_year_is_a_field_error_and_nothing_is_stored(rig):
    rig.command(ALICE, "/leave", channel=CHANNEL)
    modal = rig.last_view()
    before = store(rig)
    r = rig.submit(ALICE, modal, {"leave_start": "2026-12-01", "leave_end": "9999-12-31", "leave_reason": "Trip"})
    assert r.json()["errors"]["leave_end"] == "Pick a date from 2026-11-23 to 2027-12-31."
    r = rig.submit(ALICE, modal, {"leave_start": "not-a-date", "leave_end": "2026-12-02", "leave_reason": "Trip"})
    assert list(r.json()["errors"]) == ["leave_start"], "a forged date is a field error, not a crash"
    assert store(rig) == before
    r = rig.submit(ALICE, modal, {"leave_start": "2027-12-30", "leave_end": "2027-12-31", "leave_reason": "Trip"})
    assert r.body == ""
    with transaction(rig.app.db) as s:
        assert s.scalars(select(Leave.end_date)).all() == [date(2027, 12, 31)]


# -- item 3: numbers fit the store -------------------------------------------------------


def test_reads_of_3_billion_is_a_field_error_and_nothing_is_stored(rig):
    approved_draft(rig)
    publish(rig)
    dm = [c for c in dms(rig.slack.calls(), ALICE) if "Update metrics" in buttons(c.params)][-1]
    rig.click(ALICE, "update_metrics", button(dm.params, "Update metrics")["value"], message=dm)
    modal = rig.last_view()
    before = store(rig)
    typed = {"metric_reads": "3000000000", "metric_likes": "30", "metric_comments": "4", "metric_shares": "2"}
    r = rig.submit(ALICE, modal, typed)
    assert r.status == 200
    assert r.json() == {"response_action": "errors",
                        "errors": {"metric_reads": "That number is too large: enter at most 2,147,483,647."}}
    r = rig.submit(ALICE, modal, dict(typed, metric_reads="99999999999999999999999"))
    assert list(r.json()["errors"]) == ["metric_reads"]
    assert store(rig) == before
    r = rig.submit(ALICE, modal, dict(typed, metric_reads="２,１４７,４８３,６４７"))  # the largest, full-width
    assert r.json()["response_action"] == "update"
    with transaction(rig.app.db) as s:
        assert s.scalars(select(MetricsUpdate.reads)).all() == [2_147_483_647]


def test_a_target_of_3_billion_is_a_field_error_and_nothing_is_stored(month_end_rig):
    rig = month_end_rig
    rig.command(LEAD, "/opsbot", f"targets <@{ALICE}>", channel=CHANNEL)
    before = store(rig)
    r = rig.submit(LEAD, rig.last_view(), {"rv_target_reads": "3,000,000,000"})
    assert r.json()["errors"] == {"rv_target_reads": "That number is too large: enter at most 2,147,483,647."}
    assert store(rig) == before


def test_a_quota_of_a_superscript_digit_is_read_and_a_huge_one_refused(rig):
    rig.command(LEAD, "/opsbot", "settings", channel=CHANNEL)
    modal = rig.last_view()
    r = rig.submit(LEAD, modal, {"weekly_topic_quota": "99999999999"})
    assert r.json()["errors"] == {"weekly_topic_quota": "The weekly quota is a whole number from 0 to 100."}
    r = rig.submit(LEAD, modal, {"weekly_topic_quota": "²"})
    assert r.json()["response_action"] == "update", r.body


def test_a_forged_button_with_a_huge_id_is_refused_cleanly(month_end_rig):
    rig = month_end_rig
    before = store(rig)
    for action in ("review_write", "review_evaluate", "topic_approve", "topic_reject", "update_metrics"):
        for value in ("99999999999", "2147483648", "-1", "1e9"):
            r = rig.click(ALICE, action, value)
            assert r.status == 200, (action, value, r.body)
            [said] = rig.slack.responses(rig.last_response_url)
            assert GENERIC not in said.params["text"].lower(), (action, value)
    assert store(rig) == before


def test_a_form_with_a_forged_huge_id_in_its_metadata_is_refused_in_the_form(month_end_rig):
    rig = month_end_rig
    rig.app.jobs.run("selfreview-open", now=MONTH_END_10)
    rig.deliver()
    rig.command(ALICE, "/selfreview", channel=CHANNEL)
    modal = rig.last_view()
    rig.clock.advance(timedelta(minutes=1))
    before = store(rig)
    values = {"rv_achievements": "a", "rv_shortcomings": "b", "rv_plan": "c", "rv_score_performance": "80",
              "rv_score_ability": "80", "rv_score_attitude": "80"}
    for forged in (99999999999, "99999999999", 1e300, [], "١"):
        meta = json.dumps({"review_id": forged})
        r = rig.submit(ALICE, {**modal, "private_metadata": meta}, values)
        assert r.status == 200
        if forged == "١":  # Arabic-Indic one: review 1, Alice's own
            assert r.body == ""
            continue
        [error] = r.json()["errors"].values()
        assert GENERIC not in error.lower()
    with transaction(rig.app.db) as s:
        assert s.scalars(select(Review.status)).all() == ["self_review_in"]
    assert store(rig)["reviews"] == before["reviews"]


def test_a_command_with_a_huge_item_number_is_refused_clearly(rig):
    before = store(rig)
    for command, text in (("/topic", "withdraw 99999999999"), ("/leave", "cancel #2147483648"),
                          ("/publish", "metrics 99999999999"), ("/selfreview", "99999999999")):
        said = ephemeral(rig, ALICE, command, text)
        assert "numbers of items go from 1 to 2,147,483,647" in said, (command, said)
    assert store(rig) == before


def test_a_forged_remind_me_later_for_a_week_never_reminded_is_refused_and_nothing_comes_back(rig):
    before = store(rig)
    forged = [{"job": "quota-reminder", "team": 1, "period": "9999-W52"},
              {"job": "metrics-ask", "team": 1, "period": "x"},
              {"job": "review-reminders", "team": 1, "period": "eval:0000-01:x"},
              {"job": "quota-reminder", "team": 99999999999, "period": "2026-W48"},
              {"job": "quota-reminder", "team": 1, "period": "2026-W48" * 10}]
    for value in forged:
        r = rig.click(ALICE, "remind_later", json.dumps(value))
        assert r.status == 200, r.body
        [said] = rig.slack.responses(rig.last_response_url)
        assert "I could not find that item" in said.params["text"], value
    assert store(rig) == before, "no snooze stored"
    rig.clock.advance(timedelta(days=2))
    assert rig.app.jobs.run_snoozes() == 0
