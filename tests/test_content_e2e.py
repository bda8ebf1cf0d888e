"""Drafts, review rounds, publications and metrics end to end: signed
requests into the running app, what the Slack stand-in recorded, the database."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from storage.content import Draft, DraftRound, MetricsUpdate, Publication
from storage.db import transaction
from storage.models import AuditEntry, Decision
from storage.topics import Topic
from tests.conftest import ALICE, BOB, CHANNEL, EVE, LEAD, LEAD2, TEAMS, USERS, make_rig
from tests.helpers import all_text, button, buttons, cards, dms

CHECKED = ["accuracy", "professionalism", "interest", "brand_fit"]
LINK = "https://docs.example.com/d/onboarding-v1"


def approved_topic(rig, user: str = ALICE, title: str = "Onboarding video series") -> int:
    rig.command(user, "/topic", title, channel=CHANNEL)
    rig.deliver()
    with transaction(rig.app.db) as s:
        topic_id = s.scalars(select(Topic.id).where(Topic.title == title)).one()
    rig.click(LEAD, "topic_approve", str(topic_id))
    rig.deliver()
    return topic_id


def open_draft_form(rig, user: str = ALICE):
    r = rig.command(user, "/draft", channel=CHANNEL)
    assert r.status == 200, r.body
    return rig.last_view()


def submit_draft(rig, user: str = ALICE, link: str = LINK, checked=CHECKED, topic: int | None = None):
    view = open_draft_form(rig, user)
    values = {"draft_link": link, "draft_checklist": checked}
    if topic is not None:
        values["draft_topic"] = str(topic)
    r = rig.submit(user, view, values)
    rig.deliver()
    return view, r


def draft_cards(rig, draft_id: int = 1):
    return [c for c in cards(rig.slack.calls(), CHANNEL)
            if f"Draft #{draft_id} " in all_text(c.params) and not c.params.get("thread_ts")]


def the_card(rig, draft_id: int = 1):
    found = draft_cards(rig, draft_id)
    assert found, f"no card for draft #{draft_id}"
    return found[-1]


def thread(rig, draft_id: int = 1) -> list[str]:
    ts = draft_cards(rig, draft_id)[0].response["ts"]
    return [c.params["text"] for c in rig.slack.calls("chat.postMessage") if c.params.get("thread_ts") == ts]


def the_draft(rig) -> Draft:
    with transaction(rig.app.db) as s:
        return s.scalars(select(Draft)).one()


def review_rounds(rig) -> list[DraftRound]:
    with transaction(rig.app.db) as s:
        return list(s.scalars(select(DraftRound).order_by(DraftRound.number)))


def request_changes(rig, comment: str, user: str = LEAD):
    card = the_card(rig)
    rig.click(user, "draft_request_changes", button(card.params, "Request changes")["value"], message=card)
    modal = rig.last_view()
    r = rig.submit(user, modal, {"review_comment": comment})
    assert r.status == 200 and r.body == "", r.body
    rig.deliver()


def resubmit(rig, link: str):
    dm = [c for c in dms(rig.slack.calls(), ALICE) if "Resubmit" in buttons(c.params)][-1]
    rig.click(ALICE, "draft_resubmit", button(dm.params, "Resubmit")["value"], message=dm)
    modal = rig.last_view()
    r = rig.submit(ALICE, modal, {"draft_link": link, "draft_checklist": CHECKED})
    assert r.status == 200 and r.body == "", r.body
    rig.deliver()
    return modal


def test_a_draft_goes_three_rounds_and_the_history_lives_in_the_cards_thread(rig):
    approved_topic(rig)
    view, r = submit_draft(rig)
    assert r.status == 200 and r.body == ""
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert labels == ["Approved topic", "Link to the draft", "Self-review"]

    card = the_card(rig)
    assert card.method == "chat.postMessage"
    assert buttons(card.params) == ["Approve", "Request changes"]
    assert "Onboarding video series" in all_text(card.params) and "Round*\n1" in all_text(card.params)

    request_changes(rig, "Tighten the intro; cite the survey.")
    card = the_card(rig)
    assert card.method == "chat.update" and buttons(card.params) == []
    [dm] = [c for c in dms(rig.slack.calls(), ALICE) if "asked for changes" in c.params["text"]]
    assert "Tighten the intro; cite the survey." in all_text(dm.params)
    assert buttons(dm.params) == ["Resubmit"]

    modal = resubmit(rig, "https://docs.example.com/d/onboarding-v2")
    [link_block] = [b for b in modal["blocks"] if b.get("block_id") == "draft_link"]
    assert link_block["element"]["initial_value"] == LINK, "Resubmit starts from the last link"
    assert "round 2" in all_text(modal)
    card = the_card(rig)
    assert "Round*\n2" in all_text(card.params) and buttons(card.params) == ["Approve", "Request changes"]

    request_changes(rig, "Better. Shorter title, please.", user=LEAD2)
    resubmit(rig, "https://docs.example.com/d/onboarding-v3")
    card = the_card(rig)
    assert "Round*\n3" in all_text(card.params)
    rig.click(LEAD, "draft_approve", button(card.params, "Approve")["value"], message=card)
    rig.deliver()

    card = the_card(rig)
    assert buttons(card.params) == [] and "Approved by Lena Lead" in all_text(card.params)
    assert "after 3 round(s)" in all_text(card.params)
    assert len({c.response.get("ts") or c.params.get("ts") for c in draft_cards(rig)}) == 1, "one card, updated"
    history = thread(rig)
    assert len(history) == 6
    assert "Round 1 submitted" in history[0] and "Tighten the intro" in history[1]
    assert "Round 2 submitted" in history[2] and "Shorter title" in history[3]
    assert "Round 3 submitted" in history[4] and "Round 3 approved by Lena Lead" in history[5]
    approved_dm = [c for c in dms(rig.slack.calls(), ALICE) if "was approved" in c.params["text"] and "draft" in c.params["text"]]
    assert approved_dm and "/publish" in approved_dm[-1].params["text"]

    draft = the_draft(rig)
    assert (draft.status, draft.round, draft.approved_by) == ("approved", 3, LEAD)
    rounds = review_rounds(rig)
    assert [(x.number, x.decision, x.decided_by) for x in rounds] == [
        (1, "changes_requested", LEAD), (2, "changes_requested", LEAD2), (3, "approved", LEAD)]
    assert rounds[0].comment == "Tighten the intro; cite the survey." and rounds[2].link.endswith("v3")
    assert all(x.checklist == CHECKED for x in rounds)


def test_only_the_teams_supervisors_decide_and_a_denied_click_changes_nothing(rig):
    approved_topic(rig)
    submit_draft(rig)
    card = the_card(rig)
    before = len(rig.slack.calls())
    for clicker in (BOB, ALICE, EVE):
        rig.click(clicker, "draft_approve", button(card.params, "Approve")["value"], message=card)
        [answer] = rig.slack.responses(rig.last_response_url)
        assert "Only a supervisor of this team can do that." in answer.params["text"]
    rig.click(BOB, "draft_request_changes", button(card.params, "Request changes")["value"], message=card)
    assert [c for c in rig.slack.calls()[before:] if c.method == "views.open"] == [], "no comments form for Bob"
    rig.deliver()
    assert [c.method for c in rig.slack.calls()[before:] if c.method != "response_url"] == []
    assert the_draft(rig).status == "in_review"
    with transaction(rig.app.db) as s:
        denied = s.scalars(select(AuditEntry).where(AuditEntry.outcome == "denied")).all()
        assert s.scalar(select(func.count(Decision.id)).where(Decision.item_kind == "draft")) == 0
    assert sorted(a.actor_id for a in denied) == sorted([BOB, ALICE, EVE, BOB])
    assert all(a.item_kind == "draft" for a in denied)


def test_two_supervisors_at_once_record_one_decision_and_the_loser_is_told(rig):
    approved_topic(rig)
    submit_draft(rig)
    card = the_card(rig)
    value = button(card.params, "Approve")["value"]
    start = threading.Barrier(2)

    def press(user: str) -> None:
        start.wait()
        rig.click(user, "draft_approve", value, message=card)

    threads = [threading.Thread(target=press, args=(u,)) for u in (LEAD, LEAD2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rig.deliver()
    with transaction(rig.app.db) as s:
        assert s.scalar(select(func.count(Decision.id)).where(Decision.item_kind == "draft")) == 1
    # Each loser is told in their own language (Li's Slack is in Chinese).
    losers = [c for c in rig.slack.responses() if "already decided round 1" in c.params.get("text", "")
              or "已对该稿件第 1 轮做出决定" in c.params.get("text", "")]
    assert len(losers) == 1


def test_the_same_draft_form_submitted_twice_creates_one_draft(rig):
    approved_topic(rig)
    view = open_draft_form(rig)
    values = {"draft_link": LINK, "draft_checklist": CHECKED}
    first = rig.submit(ALICE, view, values)
    second = rig.submit(ALICE, view, values)  # a double click, or Slack retrying
    assert (first.status, first.body, second.status, second.body) == (200, "", 200, "")
    rig.deliver()
    with transaction(rig.app.db) as s:
        assert s.scalar(select(func.count(Draft.id))) == 1
        assert s.scalar(select(func.count(DraftRound.id))) == 1
    assert len([c for c in draft_cards(rig) if c.method == "chat.postMessage"]) == 1
    assert len(thread(rig)) == 1


def test_a_double_resubmission_is_one_new_round(rig):
    approved_topic(rig)
    submit_draft(rig)
    request_changes(rig, "More data.")
    dm = [c for c in dms(rig.slack.calls(), ALICE) if "Resubmit" in buttons(c.params)][-1]
    rig.click(ALICE, "draft_resubmit", "1", message=dm)
    modal = rig.last_view()
    values = {"draft_link": "https://docs.example.com/v2", "draft_checklist": CHECKED}
    assert rig.submit(ALICE, modal, values).body == ""
    assert rig.submit(ALICE, modal, values).body == ""
    rig.deliver()
    assert [x.number for x in review_rounds(rig)] == [1, 2]


def test_a_javascript_link_is_a_field_error_and_nothing_typed_is_lost(rig):
    approved_topic(rig)
    view, r = submit_draft(rig, link="javascript:alert(1)")
    assert r.status == 200
    answer = r.json()
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["draft_link"]
    assert "http" in answer["errors"]["draft_link"]
    with transaction(rig.app.db) as s:
        assert s.scalar(select(func.count(Draft.id))) == 0
    # The modal stays open as typed; fixing the link alone is enough.
    r = rig.submit(ALICE, view, {"draft_link": LINK, "draft_checklist": CHECKED})
    assert r.body == ""
    assert the_draft(rig).status == "in_review"


def test_the_self_review_must_be_complete_to_submit(rig):
    approved_topic(rig)
    _view, r = submit_draft(rig, checked=["accuracy", "interest"])
    assert list(r.json()["errors"]) == ["draft_checklist"]
    assert "2 left" in r.json()["errors"]["draft_checklist"]


def test_a_member_without_an_approved_topic_is_told_how_to_get_one(rig):
    r = rig.command(BOB, "/draft", channel=CHANNEL)
    assert r.json()["response_type"] == "ephemeral"
    assert "no approved topic" in r.json()["text"] and "/topic" in r.json()["text"]
    assert rig.opened_views() == []


def test_requesting_changes_needs_a_comment(rig):
    approved_topic(rig)
    submit_draft(rig)
    card = the_card(rig)
    rig.click(LEAD, "draft_request_changes", button(card.params, "Request changes")["value"], message=card)
    r = rig.submit(LEAD, rig.last_view(), {"review_comment": "   "})
    assert list(r.json()["errors"]) == ["review_comment"]
    assert the_draft(rig).status == "in_review"


# -- publication and metrics ---------------------------------------------------------


def approved_draft(rig) -> None:
    approved_topic(rig)
    submit_draft(rig)
    card = the_card(rig)
    rig.click(LEAD, "draft_approve", button(card.params, "Approve")["value"], message=card)
    rig.deliver()


def publish(rig, url: str = "https://mp.example.com/s/abc", platform: str = "WeChat", at: int | None = None):
    rig.command(ALICE, "/publish", channel=CHANNEL)
    view = rig.last_view()
    values = {"pub_platform": platform, "pub_url": url}
    if at is not None:
        values["pub_time"] = at
    r = rig.submit(ALICE, view, values)
    rig.deliver()
    return view, r


def test_publishing_records_platform_url_and_time_and_dms_update_metrics(rig):
    approved_draft(rig)
    view, r = publish(rig)
    assert r.body == ""
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert labels == ["Approved draft", "Platform", "URL", "Publish time"]
    [time_block] = [b for b in view["blocks"] if b.get("block_id") == "pub_time"]
    assert time_block["element"]["initial_date_time"] == int(rig.clock.now().timestamp()), "defaults to now"
    with transaction(rig.app.db) as s:
        pub = s.scalars(select(Publication)).one()
    assert (pub.platform, pub.url, pub.published_at) == ("WeChat", "https://mp.example.com/s/abc", rig.clock.now())
    [dm] = [c for c in dms(rig.slack.calls(), ALICE) if "is recorded" in c.params["text"]]
    assert buttons(dm.params) == ["Update metrics"]
    assert "Published on WeChat" in all_text(the_card(rig).params)
    # Nothing is left to publish, and a second form says so.
    r = rig.command(ALICE, "/publish", channel=CHANNEL)
    assert "no approved draft" in r.json()["text"]


def update_metrics_from_dm(rig, values: dict[str, str]):
    dm = [c for c in dms(rig.slack.calls(), ALICE) if "Update metrics" in buttons(c.params)][-1]
    rig.click(ALICE, "update_metrics", button(dm.params, "Update metrics")["value"], message=dm)
    modal = rig.last_view()
    return modal, rig.submit(ALICE, modal, values)


def test_metrics_are_kept_as_a_history_and_negative_numbers_are_refused(rig):
    approved_draft(rig)
    publish(rig)
    modal, r = update_metrics_from_dm(rig, {"metric_reads": "1200", "metric_likes": "-3", "metric_comments": "4",
                                            "metric_shares": "2"})
    answer = r.json()
    assert answer["response_action"] == "errors" and list(answer["errors"]) == ["metric_likes"]
    with transaction(rig.app.db) as s:
        assert s.scalar(select(func.count(MetricsUpdate.id))) == 0
    r = rig.submit(ALICE, modal, {"metric_reads": "1200", "metric_likes": "30", "metric_comments": "4",
                                  "metric_shares": "2"})
    assert r.json()["response_action"] == "update" and "1,200" in all_text(r.json()["view"])
    rig.submit(ALICE, modal, {"metric_reads": "1200", "metric_likes": "30", "metric_comments": "4",
                              "metric_shares": "2"})  # the same form again: kept once
    rig.clock.advance(timedelta(days=1))
    r = rig.command(ALICE, "/publish", "metrics 1", channel=CHANNEL)
    modal = rig.last_view()
    initial = {b["block_id"]: b["element"].get("initial_value") for b in modal["blocks"] if b["type"] == "input"}
    assert initial == {"metric_reads": "1200", "metric_likes": "30", "metric_comments": "4", "metric_shares": "2"}
    rig.submit(ALICE, modal, {"metric_reads": "5400"})
    with transaction(rig.app.db) as s:
        history = [(m.reads, m.likes, m.at) for m in s.scalars(select(MetricsUpdate).order_by(MetricsUpdate.id))]
    assert [h[:2] for h in history] == [(1200, 30), (5400, 30)]
    assert history[1][2] - history[0][2] == timedelta(days=1)


def test_only_the_author_or_a_supervisor_may_update_metrics(rig):
    approved_draft(rig)
    publish(rig)
    r = rig.command(BOB, "/publish", "metrics 1", channel=CHANNEL)
    assert "Only the author or a supervisor" in r.json()["text"]
    r = rig.command(EVE, "/publish", "metrics 1", channel=CHANNEL)
    assert "no publication #1" in r.json()["text"]
    rig.command(LEAD, "/publish", "metrics 1", channel=CHANNEL)
    assert rig.last_view()["title"]["text"] == "Update metrics"
    with transaction(rig.app.db) as s:
        denied = s.scalars(select(AuditEntry).where(AuditEntry.outcome == "denied")).all()
    # Eve, outside the team, is answered as if there were no such publication; both refusals are audited.
    assert [(a.actor_id, a.action) for a in denied] == [(BOB, "metrics.update"), (EVE, "metrics.update")]


def test_a_publication_link_must_be_http(rig):
    approved_draft(rig)
    _view, r = publish(rig, url="javascript:alert(1)")
    assert list(r.json()["errors"]) == ["pub_url"]


def test_the_card_speaks_the_teams_language_and_the_dm_the_authors(database_url):
    teams = {**TEAMS, "teams": [{**TEAMS["teams"][0], "locale": "zh-CN"}]}
    users = {**USERS, ALICE: {**USERS[ALICE], "locale": "zh-CN"}}
    rig = make_rig(database_url, teams=teams, users=users).start()
    try:
        approved_topic(rig)
        submit_draft(rig)
        card = [c for c in cards(rig.slack.calls(), CHANNEL) if "稿件 #1 " in all_text(c.params)][-1]
        assert buttons(card.params) == ["通过", "需要修改"]
        request_changes_on(rig, card, "请补充数据。")
        [dm] = [c for c in dms(rig.slack.calls(), ALICE) if "重新提交" in buttons(c.params)]
        assert "要求修改你的稿件" in dm.params["text"]
    finally:
        rig.stop()


def request_changes_on(rig, card, comment: str) -> None:
    rig.click(LEAD, "draft_request_changes", button(card.params, "需要修改")["value"], message=card)
    rig.submit(LEAD, rig.last_view(), {"review_comment": comment})
    rig.deliver()


def test_a_click_on_an_older_round_changes_nothing_and_says_where_the_draft_is(rig):
    approved_topic(rig)
    submit_draft(rig)
    first_card = the_card(rig)
    request_changes(rig, "Add sources.")
    resubmit(rig, "https://docs.example.com/d/v2")
    rig.click(LEAD2, "draft_approve", button(first_card.params, "Approve")["value"], message=first_card)
    [answer] = rig.slack.responses(rig.last_response_url)
    assert "已进入第 2 轮" in answer.params["text"], "Li's Slack is in Chinese"
    draft = the_draft(rig)
    assert (draft.status, draft.round) == ("in_review", 2)


def test_the_history_waits_for_its_card_when_slack_refuses_the_card_at_first(rig):
    approved_topic(rig)
    view = open_draft_form(rig)
    rig.slack.fail_next(1)  # the card's chat.postMessage gets a 500
    rig.submit(ALICE, view, {"draft_link": LINK, "draft_checklist": CHECKED})
    rig.deliver()
    assert draft_cards(rig) == []
    for _ in range(3):
        rig.clock.advance(timedelta(seconds=6))
        rig.deliver()
    [card] = draft_cards(rig)
    replies = [c for c in rig.slack.calls("chat.postMessage") if c.params.get("thread_ts")]
    assert [c.params["thread_ts"] for c in replies] == [card.response["ts"]]
    assert "Round 1 submitted" in replies[0].params["text"]


def test_the_same_publication_form_sent_twice_records_one_publication(rig):
    approved_draft(rig)
    rig.command(ALICE, "/publish", channel=CHANNEL)
    view = rig.last_view()
    values = {"pub_platform": "Weibo", "pub_url": "https://weibo.example.com/p/1"}
    assert rig.submit(ALICE, view, values).body == ""
    assert rig.submit(ALICE, view, values).body == ""
    rig.deliver()
    with transaction(rig.app.db) as s:
        assert s.scalar(select(func.count(Publication.id))) == 1
    assert len([c for c in dms(rig.slack.calls(), ALICE) if "is recorded" in c.params["text"]]) == 1
