"""/topic's other forms and the proposal modal, through signed requests."""

from __future__ import annotations

from sqlalchemy import select

from storage.db import transaction
from storage.topics import Topic
from tests.conftest import ALICE, BOB, CHANNEL, EVE, LEAD, TEAMS, make_rig, validate_all
from tests.helpers import all_text


def stored(rig):
    with transaction(rig.app.db) as s:
        return s.scalars(select(Topic).order_by(Topic.id)).all()


def test_topic_alone_opens_the_form_with_the_fixed_labels(rig):
    r = rig.command(ALICE, "/topic", "", channel=CHANNEL)
    assert r.status == 200
    view = rig.last_view()
    assert view["title"]["text"] == "Propose a topic"
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert labels == ["Title", "Angle", "Platform", "Planned publish date"]


def test_the_form_refuses_bad_input_with_field_errors_and_stores_nothing(rig):
    rig.command(ALICE, "/topic", "", channel=CHANNEL)
    view = rig.last_view()
    r = rig.submit(ALICE, view, {"title": "   ", "angle": "A careful angle I typed"})
    assert r.status == 200
    answer = r.json()
    assert answer["response_action"] == "errors"
    assert "1–150 characters" in answer["errors"]["title"]
    r = rig.submit(ALICE, view, {"title": "Fine title", "publish_date": "2020-01-01"})
    assert "cannot be in the past" in r.json()["errors"]["publish_date"]
    rig.deliver()
    assert stored(rig) == []


def test_a_submitted_form_stores_every_field_and_confirms_to_the_proposer(rig):
    rig.command(ALICE, "/topic", "", channel=CHANNEL)
    url = rig.last_response_url
    r = rig.submit(ALICE, rig.last_view(), {
        "title": "Spring campaign teaser", "angle": "Behind the scenes", "platform": "Weibo",
        "publish_date": "2026-12-01",
    })
    assert r.status == 200 and r.body == ""
    rig.deliver()
    [t] = stored(rig)
    assert (t.title, t.angle, t.platform, t.planned_date.isoformat()) == (
        "Spring campaign teaser", "Behind the scenes", "Weibo", "2026-12-01")
    [confirmation] = rig.slack.responses(url)
    assert "Topic #1" in confirmation.params["text"] and "1 / 3 this week" in confirmation.params["text"]
    card = [c for c in rig.slack.calls("chat.postMessage") if c.params["channel"] == CHANNEL][0]
    assert "Behind the scenes" in all_text(card.params) and "Weibo" in all_text(card.params)


def test_the_same_title_twice_in_a_week_is_a_duplicate_and_nothing_is_stored(rig):
    rig.command(ALICE, "/topic", "Holiday gift guide", channel=CHANNEL)
    again = rig.command(ALICE, "/topic", "holiday   GIFT guide", channel=CHANNEL).json()
    assert "already proposed" in again["text"]
    assert len(stored(rig)) == 1
    # Another author may propose the same title.
    assert "Topic #2" in rig.command(BOB, "/topic", "Holiday gift guide", channel=CHANNEL).json()["text"]


def test_list_shows_my_week_and_list_team_is_for_supervisors(rig):
    rig.command(ALICE, "/topic", "Alice's idea", channel=CHANNEL)
    rig.command(BOB, "/topic", "Bob's idea", channel=CHANNEL)
    mine = rig.command(ALICE, "/topic", "list", channel=CHANNEL).json()["text"]
    assert "Alice's idea" in mine and "Bob's idea" not in mine and "1 / 3 this week" in mine
    team = rig.command(LEAD, "/topic", "list team", channel=CHANNEL).json()["text"]
    assert "Alice's idea" in team and "Bob's idea" in team
    refused = rig.command(BOB, "/topic", "list team", channel=CHANNEL).json()["text"]
    assert "Only supervisors" in refused
    assert [t.title for t in stored(rig)] == ["Alice's idea", "Bob's idea"], "subcommands are not titles"


def test_withdraw_takes_back_an_own_undecided_topic_only(rig):
    rig.command(ALICE, "/topic", "Maybe later", channel=CHANNEL)
    rig.command(BOB, "/topic", "Bob's", channel=CHANNEL)
    rig.deliver()
    assert "You have no topic #2" in rig.command(ALICE, "/topic", "withdraw 2", channel=CHANNEL).json()["text"]
    assert "withdrawn" in rig.command(ALICE, "/topic", "withdraw 1", channel=CHANNEL).json()["text"]
    rig.deliver()
    assert [t.status for t in stored(rig)] == ["withdrawn", "proposed"]
    card = [c for c in rig.slack.calls("chat.update") if c.params["channel"] == CHANNEL][-1]
    assert "Withdrawn by the author" in all_text(card.params)
    # A withdrawn topic does not count and its title may be proposed again.
    again = rig.command(ALICE, "/topic", "Maybe later", channel=CHANNEL).json()["text"]
    assert "1 / 3 this week" in again


def test_other_words_are_titles_and_help_lists_the_forms(rig):
    help_text = rig.command(ALICE, "/topic", "help", channel=CHANNEL).json()["text"]
    for form in ("/topic list", "/topic list team", "/topic withdraw", "/topic help"):
        assert form in help_text
    rig.command(ALICE, "/topic", "list of tools we use", channel=CHANNEL)
    rig.command(ALICE, "/topic", "withdraw from social media?", channel=CHANNEL)
    assert [t.title for t in stored(rig)] == ["list of tools we use", "withdraw from social media?"]


def test_someone_in_no_team_is_told_how_to_join(rig):
    answer = rig.command(EVE, "/topic", "Outsider idea", channel=CHANNEL).json()
    assert "not a member of any opsbot team" in answer["text"]
    assert stored(rig) == []


def test_a_user_in_two_teams_gets_the_team_of_the_channel_or_is_told_which(database_url):
    second = {**TEAMS["teams"][0], "name": "Brand", "channel": "C0BRAND", "members": [ALICE], "locale": "zh-CN"}
    rig = make_rig(database_url, teams={**TEAMS, "teams": [TEAMS["teams"][0], second]}).start()
    try:
        in_brand = rig.command(ALICE, "/topic", "Brand idea", channel="C0BRAND").json()["text"]
        assert "Brand" in in_brand and "first" not in in_brand
        elsewhere = rig.command(ALICE, "/topic", "Somewhere idea", channel="C0RANDOM").json()["text"]
        assert "Growth" in elsewhere and "several teams" in elsewhere
        rig.command(ALICE, "/topic", "", channel="C0RANDOM")
        labels = [b["label"]["text"] for b in rig.last_view()["blocks"] if b["type"] == "input"]
        assert labels[0] == "Team"
        rig.deliver()
        brand_card = [c for c in rig.slack.calls("chat.postMessage") if c.params["channel"] == "C0BRAND"][0]
        assert [el["text"]["text"] for b in brand_card.params["blocks"] if b["type"] == "actions"
                for el in b["elements"]] == ["通过", "驳回"], "channel posts use the team's locale"
        validate_all(rig)
    finally:
        rig.stop()


def test_opsbot_help_answers_in_the_callers_language(rig):
    text = rig.command(ALICE, "/opsbot", "help", channel=CHANNEL).json()["text"]
    assert "/topic" in text and "/opsbot help" in text


def test_healthz_reports_version_database_and_scheduler_role(rig):
    r = rig.get("/healthz")
    assert r.status == 200
    assert r.json()["database"] == "ok" and r.json()["scheduler"] in ("off", "leader", "follower")
    assert r.json()["version"]
