"""People shown as real Slack mentions where the team allows them, and only
people: what someone typed (a title, a display name) stays escaped text."""

from __future__ import annotations

from datetime import datetime

from handlers.kit.mrkdwn import mention
from tests.conftest import ALICE, BOB, CHANNEL, LEAD, LEAD2, SHANGHAI, TEAMS, USERS, make_rig
from tests.helpers import all_text, button, cards

FRIDAY_6PM = datetime(2026, 11, 27, 18, 0, tzinfo=SHANGHAI)
NEXT_MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
HOSTILE_TITLE = "<!channel> read this & <@U0BOB>"
ESCAPED_TITLE = "&lt;!channel&gt; read this &amp; &lt;@U0BOB&gt;"


def started(database_url: str, *, mentions: bool, users=None):
    teams = {**TEAMS, "teams": [{**TEAMS["teams"][0], "mention_in_summaries": mentions}]}
    return make_rig(database_url, teams=teams, users=users).start()


def channel_posts(rig, words: str) -> list[str]:
    return [all_text(c.params) for c in rig.slack.calls("chat.postMessage")
            if c.params["channel"] == CHANNEL and words in all_text(c.params)]


def test_with_mentions_on_the_quota_summary_and_weekly_plan_mention_people_and_escape_titles(database_url):
    rig = started(database_url, mentions=True)
    try:
        for title in (HOSTILE_TITLE, "Idea B", "Idea C"):
            assert rig.command(ALICE, "/topic", title, channel=CHANNEL).status == 200
        rig.deliver()
        card = [c for c in cards(rig.slack.calls(), CHANNEL) if "Topic #1 " in all_text(c.params)][-1]
        rig.click(LEAD, "topic_approve", button(card.params, "Approve")["value"], message=card)

        rig.app.jobs.run("quota-summary", now=FRIDAY_6PM)
        rig.app.jobs.run("weekly-plan", now=NEXT_MONDAY_10AM)
        rig.deliver()

        [summary] = channel_posts(rig, "members met")
        assert f"<@{ALICE}> — 3 / 3 this week" in summary and f"<@{BOB}> — 0 / 3 this week" in summary
        assert "&lt;@" not in summary
        [plan] = channel_posts(rig, "Content plan")
        assert f"*{ESCAPED_TITLE}* — <@{ALICE}>" in plan
        assert "<!channel>" not in plan
    finally:
        rig.stop()


def test_with_mentions_off_a_hostile_display_name_is_shown_as_escaped_text(database_url):
    users = {**USERS, BOB: {**USERS[BOB], "real_name": "<!here> Bob & co"}}
    rig = started(database_url, mentions=False, users=users)
    try:
        rig.app.jobs.run("quota-summary", now=FRIDAY_6PM)
        rig.deliver()
        [summary] = channel_posts(rig, "members met")
        assert "⬜ &lt;!here&gt; Bob &amp; co — 0 / 3 this week" in summary
        assert "<!here>" not in summary and "<@" not in summary
    finally:
        rig.stop()


def test_a_click_on_an_already_decided_card_names_the_decider_as_a_mention(rig):
    assert rig.command(ALICE, "/topic", HOSTILE_TITLE, channel=CHANNEL).status == 200
    rig.deliver()
    card = [c for c in cards(rig.slack.calls(), CHANNEL) if "Topic #1 " in all_text(c.params)][-1]
    value = button(card.params, "Approve")["value"]
    assert rig.click(LEAD, "topic_approve", value, message=card).status == 200

    late = rig.click(LEAD2, "topic_approve", value, message=card).json()  # Li reads Slack in Chinese
    assert late["response_type"] == "ephemeral"
    assert late["text"].startswith(f"<@{LEAD}> 已审核过该选题")
    assert "&lt;@" not in late["text"]


def test_only_a_slack_user_id_becomes_a_mention_anything_else_stays_text():
    assert mention("U0LEAD") == "<@U0LEAD>"
    assert mention("W0GRID42") == "<@W0GRID42>"
    assert mention("U0X> <!channel") == "U0X&gt; &lt;!channel"
    assert mention("?") == "?"
    assert mention("u0lower") == "u0lower"
