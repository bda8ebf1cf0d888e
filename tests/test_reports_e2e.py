"""/opsbot report: the team's week or month as a chart and its summary."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from storage.db import transaction
from storage.models import AuditEntry, OutboxNotice
from tests.conftest import ALICE, BOB, CHANNEL, LEAD, LEAD2, USERS, make_rig, validate_all


def report(rig, user: str, text: str, channel: str = CHANNEL):
    r = rig.command(user, "/opsbot", f"report {text}", channel=channel)
    assert r.status == 200, r.body
    rig.deliver()
    return r.json()


def png(f) -> Image.Image:
    img = Image.open(io.BytesIO(f["content"]))
    img.load()
    return img


def test_a_weekly_report_posts_a_chart_and_its_summary_to_the_team_channel(rig):
    for title in ("A", "B", "C"):
        rig.command(ALICE, "/topic", f"Idea {title}", channel=CHANNEL)
    rig.command(BOB, "/topic", "One from Bob", channel=CHANNEL)
    rig.deliver()

    answer = report(rig, LEAD, "week")
    assert answer["response_type"] == "ephemeral"
    assert "2026-W48 report of Growth is on its way in <#C0GROWTH>" in answer["text"]

    [f] = rig.slack.files(CHANNEL)
    assert png(f).format == "PNG", "the chart the channel sees is an image that decodes"
    assert f["filename"] == "opsbot-Growth-report-2026-W48.png"
    summary = f["initial_comment"]
    assert "Weekly report · Growth · 2026-W48" in summary
    assert "1 of 2 members met it" in summary
    assert "✅ Alice — 3 / 3 proposed, 0 approved" in summary
    assert "⬜ Bob — 1 / 3 proposed" in summary
    assert "<@" not in summary, "names, not pings, unless the team turned mentions on"
    with transaction(rig.app.db) as s:
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == "report")).all()
    assert (entry.actor_id, entry.outcome, entry.after) == (LEAD, "ok", {"period": "2026-W48", "to": "channel"})


def test_a_monthly_report_by_dm_in_the_callers_language(rig):
    rig.command(ALICE, "/topic", "选题一", channel=CHANNEL)
    rig.app.jobs.run("pending-nudge")  # any job run learns the team's Slack profiles: Li reads Chinese
    answer = report(rig, LEAD2, "2026-11 Growth dm")
    assert "你的私信" in answer["text"]
    assert rig.slack.files(CHANNEL) == []
    [f] = rig.slack.files(LEAD2)
    assert png(f).format == "PNG"
    assert "月报 · Growth · 2026-11" in f["initial_comment"]
    # November's weeks that start in November: 2, 9, 16, 23 and 30 November, quota 3 each.
    assert "已提交 1 / 15" in f["initial_comment"]


def test_a_member_cannot_post_a_report(rig):
    answer = report(rig, ALICE, "week")
    assert "Only a team's supervisors can post its reports." in answer["text"]
    assert rig.slack.files() == []


def test_an_unknown_team_or_period_is_answered_where_it_was_typed(rig):
    assert "You lead no team called “Brand”" in report(rig, LEAD, "week Brand")["text"]
    assert "Which report?" in report(rig, LEAD, "")["text"]
    assert "did not understand the period" in report(rig, LEAD, "fortnight")["text"]
    assert rig.slack.files() == []


def test_a_report_of_a_team_whose_member_is_named_with_dollar_signs_is_delivered(database_url):
    # `$\foo$` would be TeX to matplotlib: the chart used to fail for good, and the report with it.
    users = {**USERS, BOB: {**USERS[BOB], "real_name": "Bob $\\foo$"}}
    rig = make_rig(database_url, users=users).start()
    try:
        rig.command(BOB, "/topic", "One from Bob", channel=CHANNEL)
        rig.deliver()
        report(rig, LEAD, "week")
        [f] = rig.slack.files(CHANNEL)
        assert png(f).format == "PNG"
        assert "Bob $\\foo$ — 1 / 3 proposed" in f["initial_comment"]
        with transaction(rig.app.db) as s:
            statuses = set(s.scalars(select(OutboxNotice.status)))
        assert statuses == {"delivered"}, "nothing failed or waits to be retried"
        validate_all(rig)
    finally:
        rig.stop()
