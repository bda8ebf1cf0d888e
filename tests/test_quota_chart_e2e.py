"""The weekly quota summary carries the report's chart, in its thread, once a week."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from PIL import Image

from tests.conftest import ALICE, BOB, CHANNEL, SHANGHAI

FRIDAY_6PM = datetime(2026, 11, 27, 18, 0, tzinfo=SHANGHAI)


def summary_posts(rig):
    return [c for c in rig.slack.calls("chat.postMessage")
            if c.ok and c.params["channel"] == CHANNEL and "quota" in c.params["text"].lower()]


def test_the_weekly_quota_summary_has_its_chart_in_its_thread_once(rig):
    for title in ("A", "B", "C"):
        rig.command(ALICE, "/topic", f"Idea {title}", channel=CHANNEL)
    rig.app.jobs.run("quota-summary", now=FRIDAY_6PM)
    rig.app.jobs.run("quota-summary", now=FRIDAY_6PM + timedelta(hours=1))  # a second run sends nothing
    rig.deliver()

    [post] = summary_posts(rig)
    [chart] = rig.slack.files(CHANNEL)
    assert chart["thread_ts"] == post.response["ts"], "in the summary's thread"
    assert chart["filename"] == "opsbot-Growth-quota-2026-W48.png"
    assert chart["title"] == "Topic quota · Growth · week 2026-W48"
    img = Image.open(io.BytesIO(chart["content"]))
    img.verify()
    assert img.format == "PNG", "the chart the channel sees is an image that decodes"


def test_the_chart_waits_for_its_summary_when_slack_refuses_the_summary_at_first(rig):
    rig.command(ALICE, "/topic", "Idea A", channel=CHANNEL)
    rig.command(BOB, "/topic", "Idea B", channel=CHANNEL)
    rig.deliver()  # the cards, and with them both profiles
    rig.app.jobs.run("quota-summary", now=FRIDAY_6PM)
    rig.slack.fail_next(1)  # the summary's chat.postMessage gets a 500
    rig.deliver()
    assert summary_posts(rig) == [] and rig.slack.files() == [], "the chart waits for the summary"
    for _ in range(3):
        rig.clock.advance(timedelta(seconds=6))
        rig.deliver()
    [post] = summary_posts(rig)
    [chart] = rig.slack.files(CHANNEL)
    assert chart["thread_ts"] == post.response["ts"]


def test_a_dry_run_of_the_summary_shares_no_chart(rig):
    rig.app.jobs.run("quota-summary", now=FRIDAY_6PM, dry_run=True)
    rig.deliver()
    assert summary_posts(rig) == [] and rig.slack.files() == []


def test_a_chart_waiting_for_its_summary_does_not_hold_up_the_summary(rig):
    # Six cards leave the channel at Slack's posting limit, so the worker
    # would reach for the chart (in no hurry) before the summary it follows.
    for i in range(6):
        rig.command(ALICE if i % 2 else BOB, "/topic", f"Idea {i}", channel=CHANNEL)
    rig.deliver()
    rig.app.jobs.run("quota-summary", now=FRIDAY_6PM)
    rig.deliver()
    assert len(summary_posts(rig)) == 1, "the summary goes out in the same round"
    rig.clock.advance(timedelta(seconds=2))
    rig.deliver()
    [post] = summary_posts(rig)
    [chart] = rig.slack.files(CHANNEL)
    assert chart["thread_ts"] == post.response["ts"]


def test_the_quota_chart_of_a_team_with_a_dollar_sign_name_is_shared(database_url):
    from tests.conftest import USERS, make_rig, validate_all

    users = {**USERS, BOB: {**USERS[BOB], "real_name": "Bob $\\foo$"}}
    rig = make_rig(database_url, users=users).start()
    try:
        rig.command(BOB, "/topic", "Idea B", channel=CHANNEL)
        rig.deliver()
        rig.app.jobs.run("quota-summary", now=FRIDAY_6PM)
        rig.deliver()
        [post] = summary_posts(rig)
        [chart] = rig.slack.files(CHANNEL)
        assert chart["thread_ts"] == post.response["ts"]
        assert Image.open(io.BytesIO(chart["content"])).format == "PNG"
        validate_all(rig)
    finally:
        rig.stop()
