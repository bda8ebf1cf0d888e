"""/opsbot status (the caller's own summary) and /opsbot help (every command, both languages)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from bot.kernel.i18n import gettext_for
from handlers.ids import Command
from handlers.status.blocks import OPSBOT_SUBCOMMANDS, help_text
from storage.db import transaction
from storage.topics import Topic
from tests.conftest import ALICE, CHANNEL, EVE, LEAD, LEAD2, SHANGHAI
from tests.test_content_e2e import approved_topic, request_changes, submit_draft
from tests.test_leave_e2e import request as request_leave

MONTH_END = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)  # November's month-end day in China


def status(rig, user: str) -> str:
    r = rig.command(user, "/opsbot", "status", channel=CHANNEL)
    assert r.status == 200, r.body
    assert r.json()["response_type"] == "ephemeral"
    return r.json()["text"]


def test_a_member_sees_quota_items_in_progress_and_self_review_due(rig):
    rig.clock.set(MONTH_END)
    approved_topic(rig, title="Onboarding video series")
    submit_draft(rig)
    request_changes(rig, "Shorter intro")
    rig.command(ALICE, "/topic", "Year in review <!channel>", channel=CHANNEL)
    request_leave(rig, ALICE, "2026-12-07", "2026-12-08")
    rig.deliver()

    text = status(rig, ALICE)
    assert text.startswith("*Growth*, week 2026-W49")
    assert "Topic quota: 2 / 3 this week" in text
    with transaction(rig.app.db) as s:
        proposed = s.scalars(select(Topic.id).where(Topic.status == "proposed")).one()
    assert f"Topic #{proposed} Year in review &lt;!channel&gt; · waiting for a decision" in text, "escaped"
    assert "Draft #1 Onboarding video series · changes requested after round 1: resubmit it" in text
    assert "Leave #1 2026-12-07 – 2026-12-08 · Waiting for a decision" in text
    assert "Self-review 2026-11: Not started · due 2026-12-03" in text
    assert "wait for your decision" not in text


def test_a_supervisor_also_sees_how_many_decisions_wait_for_them(rig):
    rig.command(ALICE, "/topic", "Idea A", channel=CHANNEL)
    rig.deliver()
    text = status(rig, LEAD)
    assert "1 item(s) wait for your decision" in text
    assert "Topic quota" not in text and "Self-review" not in text, "a supervisor has no quota or self-review"


def test_someone_in_no_team_is_told_so(rig):
    assert "You are not in any team yet" in status(rig, EVE)


def _profiles_known(rig) -> None:
    """Any job run refreshes the team's Slack profiles (and so everyone's language)."""
    rig.app.jobs.run("pending-nudge")


def test_status_speaks_the_callers_language(rig):
    rig.command(ALICE, "/topic", "Idea A", channel=CHANNEL)
    _profiles_known(rig)
    assert "项等待你的决定" in status(rig, LEAD2)


def _help(rig, user: str) -> str:
    return rig.command(user, "/opsbot", "help", channel=CHANNEL).json()["text"]


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_help_names_every_command_and_every_opsbot_subcommand(locale):
    text = help_text(gettext_for(locale))
    lines = text.splitlines()
    for command in Command:
        assert any(line.startswith(f"`{command}") for line in lines), f"{command} missing from help ({locale})"
    for sub in OPSBOT_SUBCOMMANDS:
        assert any(line.startswith(f"`/opsbot {sub}") for line in lines), f"/opsbot {sub} missing ({locale})"


def test_every_opsbot_subcommand_the_handler_knows_is_in_help():
    """A subcommand added to handlers/opsbot.py or handlers/reviews.py but not to help fails here."""
    import inspect

    from handlers.opsbot import listeners as opsbot
    from handlers.reviews import listeners as reviews
    source = inspect.getsource(opsbot) + inspect.getsource(reviews.opsbot_subcommand)
    known = set(re.findall(r'sub == "(\w+)"', source)) | set(re.findall(r'words\[0\] == "(\w+)"', source))
    known |= {w for t in re.findall(r'words\[0\] not in \(([^)]*)\)', source) for w in re.findall(r'"(\w+)"', t)}
    assert known and known <= set(OPSBOT_SUBCOMMANDS), known - set(OPSBOT_SUBCOMMANDS)


def test_help_answers_in_the_callers_language_and_an_unknown_subcommand_gets_it_too(rig):
    _profiles_known(rig)
    zh = _help(rig, LEAD2)
    assert "`/opsbot status`" in zh and "只有你" in zh
    text = rig.command(ALICE, "/opsbot", "frobnicate", channel=CHANNEL).json()["text"]
    assert "I don't know `frobnicate` yet." in text and "`/opsbot export" in text


def test_figures_asked_for_a_publication_show_until_they_are_in(rig):
    from datetime import timedelta

    from tests.test_content_e2e import approved_draft, publish, update_metrics_from_dm
    approved_draft(rig)
    publish(rig)
    assert "Publication #1" not in status(rig, ALICE), "not asked before a day has passed"
    rig.clock.advance(timedelta(days=1, hours=1))
    assert "Publication #1 Onboarding video series · figures asked: `/publish metrics 1`" in status(rig, ALICE)
    update_metrics_from_dm(rig, {"metric_reads": "10", "metric_likes": "1", "metric_comments": "0",
                                 "metric_shares": "0"})
    assert "Nothing of yours is waiting." in status(rig, ALICE)


def test_an_activity_waiting_and_then_its_retrospective_due_show_in_status(rig):
    from datetime import timedelta

    from tests.helpers import button
    from tests.test_activities_e2e import END
    from tests.test_activities_e2e import propose as propose_activity
    propose_activity(rig)
    assert "Activity #1 Double 12 livestream · waiting for a decision" in status(rig, ALICE)
    card = [c for c in rig.slack.calls("chat.postMessage") if "Activity #1 " in str(c.params)][-1]
    rig.click(LEAD, "activity_approve", button(card.params, "Approve")["value"], message=card)
    rig.deliver()
    assert "Activity #1" not in status(rig, ALICE), "approved and not over yet: nothing to do"
    rig.clock.set(END + timedelta(hours=1))
    assert "Activity #1 Double 12 livestream · retrospective due (ended 2026-11-27)" in status(rig, ALICE)
