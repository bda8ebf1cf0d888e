"""The topic pipeline end to end: signed HTTP requests into the running app,
Web API calls recorded by the local Slack stand-in, and the database."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import func, select

from storage.db import transaction
from storage.models import AuditEntry, Decision, OutboxNotice
from storage.topics import Topic
from tests.conftest import ALICE, BOB, CHANNEL, EVE, LEAD, LEAD2, make_rig, validate_all
from tests.helpers import all_text, button, buttons, cards, dms


def topics(rig):
    with transaction(rig.app.db) as s:
        return s.scalars(select(Topic).order_by(Topic.id)).all()


def the_card(rig, topic_id: int):
    """The latest state of a topic's card in the channel, as people see it."""
    calls = [c for c in cards(rig.slack.calls(), CHANNEL) if f"Topic #{topic_id} " in all_text(c.params)]
    assert calls, f"no card for topic #{topic_id}"
    return calls[-1]


def propose(rig, user: str, title: str):
    r = rig.command(user, "/topic", title, channel=CHANNEL)
    assert r.status == 200, r.body
    rig.deliver()
    return r


def test_a_proposal_posts_a_card_with_quota_progress_and_decision_buttons(rig):
    reply = propose(rig, ALICE, "Short video series on onboarding")
    answer = reply.json()
    assert answer["response_type"] == "ephemeral"
    assert "Topic #1" in answer["text"] and "1 / 3 this week" in answer["text"] and "Growth" in answer["text"]

    card = the_card(rig, 1)
    assert card.method == "chat.postMessage"
    text = all_text(card.params)
    assert "Short video series on onboarding" in text
    assert "Alice" in text
    assert "1 / 3 this week" in text
    assert buttons(card.params) == ["Approve", "Reject"]
    [t] = topics(rig)
    assert (t.status, t.card_channel, t.card_ts) == ("proposed", CHANNEL, card.response["ts"])


def test_approval_updates_the_card_in_place_removes_buttons_and_dms_the_author(rig):
    propose(rig, ALICE, "Weekly KPI digest")
    card = the_card(rig, 1)
    r = rig.click(LEAD, "topic_approve", button(card.params, "Approve")["value"], message=card)
    assert r.status == 200
    rig.deliver()

    updated = the_card(rig, 1)
    assert updated.method == "chat.update" and updated.params["ts"] == card.response["ts"]
    assert buttons(updated.params) == []
    assert "Approved by Lena Lead" in all_text(updated.params)
    [dm] = dms(rig.slack.calls(), ALICE)
    assert "approved" in dm.params["text"] and "Weekly KPI digest" in dm.params["text"]

    [t] = topics(rig)
    assert (t.status, t.decided_by) == ("approved", LEAD)
    with transaction(rig.app.db) as s:
        decisions = s.scalars(select(Decision)).all()
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "topic.approve")).all()
    assert [(d.decision, d.actor_id) for d in decisions] == [("approved", LEAD)]
    assert audit[0].before["status"] == "proposed" and audit[0].after["status"] == "approved"


def test_rejection_asks_for_a_reason_and_shows_it_on_the_card_and_in_the_dm(rig):
    propose(rig, ALICE, "Celebrity gossip roundup")
    card = the_card(rig, 1)
    rig.click(LEAD, "topic_reject", "1", message=card)
    modal = rig.last_view()
    assert modal["title"]["text"] == "Reject topic"
    labels = [b["label"]["text"] for b in modal["blocks"] if b["type"] == "input"]
    assert labels == ["Reason"]
    r = rig.submit(LEAD, modal, {"reason": "Off-brand for us"})
    assert r.status == 200 and r.body == ""
    rig.deliver()

    updated = the_card(rig, 1)
    assert buttons(updated.params) == []
    assert "Rejected by Lena Lead" in all_text(updated.params)
    assert "Off-brand for us" in all_text(updated.params)
    [dm] = dms(rig.slack.calls(), ALICE)
    assert "rejected" in dm.params["text"] and "Off-brand for us" in all_text(dm.params)
    assert topics(rig)[0].reason == "Off-brand for us"


def test_a_click_by_someone_who_is_not_a_supervisor_changes_nothing_and_says_why(rig):
    propose(rig, ALICE, "Live Q&A with the product team")
    card = the_card(rig, 1)
    before = len(rig.slack.calls())
    for clicker in (BOB, ALICE, EVE):
        r = rig.click(clicker, "topic_approve", "1", message=card)
        assert r.status == 200
        [answer] = rig.slack.responses(rig.last_response_url)
        assert answer.params["response_type"] == "ephemeral"
        assert "Only a supervisor of this team can do that." in answer.params["text"]
    rig.deliver()
    assert [c.method for c in rig.slack.calls()[before:] if c.method != "response_url"] == []
    [t] = topics(rig)
    assert t.status == "proposed" and t.decided_by is None
    with transaction(rig.app.db) as s:
        denied = s.scalars(select(AuditEntry).where(AuditEntry.outcome == "denied")).all()
        assert s.scalar(select(func.count(Decision.id))) == 0
    assert sorted(a.actor_id for a in denied) == sorted([BOB, ALICE, EVE])
    assert all(a.item_kind == "topic" and a.item_id == 1 for a in denied)


def test_a_non_supervisor_cannot_even_open_the_reject_form(rig):
    propose(rig, ALICE, "Customer story: Acme")
    rig.click(BOB, "topic_reject", "1", message=the_card(rig, 1))
    assert rig.opened_views() == []
    [answer] = rig.slack.responses(rig.last_response_url)
    assert "Only a supervisor" in answer.params["text"]


def test_two_supervisors_clicking_at_once_record_exactly_one_decision(rig):
    for i in range(4):
        propose(rig, ALICE, f"Race topic {i}")
    for topic_id in range(1, 5):
        card = the_card(rig, topic_id)
        start = threading.Barrier(2)

        def press(user: str, card=card, topic_id=topic_id, start=start) -> None:
            start.wait()
            assert rig.click(user, "topic_approve", str(topic_id), message=card).status == 200

        threads = [threading.Thread(target=press, args=(LEAD,)), threading.Thread(target=press, args=(LEAD2,))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    rig.deliver()

    with transaction(rig.app.db) as s:
        per_topic = s.execute(select(Decision.item_id, func.count(Decision.id)).group_by(Decision.item_id)).all()
    assert sorted(per_topic) == [(i, 1) for i in range(1, 5)]
    # Each loser is told in their own language (Li's Slack is in Chinese).
    losers = [c for c in rig.slack.responses() if "already decided" in c.params.get("text", "")
              or "已审核过" in c.params.get("text", "")]
    assert len(losers) == 4
    assert all("<@U0LEAD" in c.params["text"] for c in losers)
    # The author hears once per topic, and each card ends without buttons.
    assert len(dms(rig.slack.calls(), ALICE)) == 4
    for topic_id in range(1, 5):
        assert buttons(the_card(rig, topic_id).params) == []


def test_a_title_with_a_channel_mention_is_shown_escaped_and_pings_nobody(rig):
    propose(rig, ALICE, "<!channel> everyone read this & <@U0BOB>")
    card = the_card(rig, 1)
    text = all_text(card.params)
    assert "&lt;!channel&gt; everyone read this &amp; &lt;@U0BOB&gt;" in text
    assert "<!channel>" not in text and "<@U0BOB>" not in text
    assert topics(rig)[0].title == "<!channel> everyone read this & <@U0BOB>"


def test_a_151_character_title_is_refused_with_a_clear_message_and_nothing_is_stored(rig):
    title = "x" * 151
    reply = rig.command(ALICE, "/topic", title, channel=CHANNEL)
    assert reply.status == 200
    answer = reply.json()
    assert answer["response_type"] == "ephemeral"
    assert "1–150 characters" in answer["text"] and "151" in answer["text"]
    assert title in answer["text"], "what the person typed comes back to them"
    rig.deliver()
    assert topics(rig) == []
    assert cards(rig.slack.calls(), CHANNEL) == []
    ok = rig.command(ALICE, "/topic", "x" * 150, channel=CHANNEL)
    assert "Topic #" in ok.json()["text"]


def test_unsigned_or_stale_requests_get_401_and_change_nothing(rig):
    body = "command=%2Ftopic&text=Sneaky&user_id=U0ALICE&channel_id=C0GROWTH&trigger_id=1.2"
    assert rig.post(body, "application/x-www-form-urlencoded", signed=False).status == 401
    stale = int(time.time()) - 10 * 60
    assert rig.post(body, "application/x-www-form-urlencoded", timestamp=stale).status == 401
    forged = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64}
    assert rig.post(body, "application/x-www-form-urlencoded", signed=False, headers=forged).status == 401
    rig.deliver()
    assert topics(rig) == []
    with transaction(rig.app.db) as s:
        assert s.scalar(select(func.count(OutboxNotice.id))) == 0


def test_an_event_retried_by_slack_is_processed_once(rig):
    event = {"type": "app_home_opened", "user": ALICE, "channel": "D0ALICE", "tab": "home"}
    assert rig.event(event, event_id="Ev01").status == 200
    assert rig.event(event, event_id="Ev01", retry_num=1).status == 200
    assert rig.event(event, event_id="Ev01", retry_num=2).status == 200
    rig.deliver()
    [home] = rig.slack.calls("views.publish")
    assert home.params["user_id"] == ALICE
    assert "0 / 3 this week" in all_text(home.params["view"])


def test_home_shows_quota_progress_and_own_topics_with_their_states(rig):
    propose(rig, ALICE, "Topic one")
    propose(rig, ALICE, "Topic two")
    rig.click(LEAD, "topic_approve", "1", message=the_card(rig, 1))
    rig.deliver()
    rig.event({"type": "app_home_opened", "user": ALICE, "tab": "home"}, event_id="Ev02")
    rig.deliver()
    view = rig.slack.calls("views.publish")[-1].params["view"]
    text = all_text(view)
    assert "2 / 3 this week" in text
    assert "Topic one — Approved" in text and "Topic two — Waiting for a decision" in text
    assert "Propose a topic" in buttons(view)


def test_a_slack_outage_ends_with_every_notice_delivered_exactly_once(rig):
    rig.slack.set_outage(500)
    propose(rig, ALICE, "Outage topic A")
    propose(rig, BOB, "Outage topic B")
    assert rig.click(LEAD, "topic_approve", "1").status == 200, "people can keep working while Slack's API is down"
    for _ in range(10):
        rig.clock.advance(timedelta(seconds=3))
        assert rig.deliver() == 0
    with transaction(rig.app.db) as s:
        tried = s.scalars(select(OutboxNotice).where(OutboxNotice.attempts > 0, OutboxNotice.kind != "response")).all()
        # Only the replies to the commands went out: response_url is not the Web API.
        assert s.scalars(select(OutboxNotice.kind).where(OutboxNotice.status == "delivered")).all() == ["response"] * 2
    assert tried and all("500" in (n.last_error or "") for n in tried)
    failed_calls = len([c for c in rig.slack.all_calls() if not c.ok])
    assert failed_calls <= 15, "about one probe per round while Slack is down, not a stampede"

    rig.slack.set_outage(None)
    rig.slack.rate_limit_next(1, retry_after=20)
    rig.clock.advance(timedelta(seconds=5))
    rig.deliver()
    with transaction(rig.app.db) as s:
        [limited] = s.scalars(select(OutboxNotice).where(OutboxNotice.last_error.like("%429%"))).all()
    assert limited.next_attempt_at >= rig.clock.now() + timedelta(seconds=19), "Retry-After was honoured"

    rig.clock.advance(timedelta(seconds=5))
    rig.deliver()
    with transaction(rig.app.db) as s:
        left = s.scalars(select(OutboxNotice).where(OutboxNotice.status != "delivered")).all()
    assert [n.id for n in left] == [limited.id], "within 10 s of recovery all but the rate-limited one went out"
    rig.clock.advance(timedelta(seconds=20))
    rig.deliver()
    with transaction(rig.app.db) as s:
        assert s.scalar(select(func.count(OutboxNotice.id)).where(OutboxNotice.status != "delivered")) == 0

    posts = [c for c in rig.slack.calls("chat.postMessage") if c.params.get("channel") == CHANNEL]
    titles = sorted(t for c in posts for t in ("Outage topic A", "Outage topic B") if t in all_text(c.params))
    assert titles == ["Outage topic A", "Outage topic B"], "each card posted exactly once"
    assert len(dms(rig.slack.calls(), ALICE)) == 1
    card_a = the_card(rig, 1)
    assert buttons(card_a.params) == [] and "Approved" in all_text(card_a.params)


def test_the_not_in_channel_error_tells_the_supervisors_once(database_url):
    rig = make_rig(database_url).start()
    try:
        rig.slack.not_in_channel.add(CHANNEL)
        propose(rig, ALICE, "Topic one")
        propose(rig, ALICE, "Topic two")
        rig.clock.advance(timedelta(hours=1))
        rig.deliver()
        for sup in (LEAD, LEAD2):
            [dm] = dms(rig.slack.calls(), sup)
            assert "invite" in all_text(dm.params).lower() or "邀请" in all_text(dm.params)
        rig.slack.not_in_channel.clear()
        rig.clock.advance(timedelta(hours=1))
        rig.deliver()
        assert len([c for c in rig.slack.calls("chat.postMessage") if c.params.get("channel") == CHANNEL]) == 2
        validate_all(rig)
    finally:
        rig.stop()
