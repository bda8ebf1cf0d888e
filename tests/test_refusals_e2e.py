"""Refusals end to end (docs/PRODUCT.md §1): a supervisor never decides their
own topic or draft, another supervisor does; and every refusal of an action
on someone else's item leaves an audit row, written in one place
(``bot/kernel/refusals.py``), whether the click was answered at once or
decided after its ack by the inbox."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.content import Draft
from storage.db import transaction
from storage.models import AuditEntry, Decision
from storage.topics import Topic
from tests.conftest import ALICE, BOB, CHANNEL, LEAD, LEAD2, TEAMS, make_rig
from tests.helpers import all_text, button, buttons, dms
from tests.test_content_e2e import request_changes, submit_draft
from tests.test_content_e2e import the_card as draft_card
from tests.test_home_e2e import actions, open_home
from tests.test_topics_e2e import propose
from tests.test_topics_e2e import the_card as topic_card

OWN_TOPIC = "Another supervisor decides on your own topic."
OWN_DRAFT = "Another supervisor decides on your own draft."


def refusals(rig) -> list[tuple[str, str, str, int | None, str | None]]:
    with transaction(rig.app.db) as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.outcome == "denied").order_by(AuditEntry.id)).all()
        return [(a.actor_id, a.action, a.item_kind, a.item_id, a.detail) for a in rows]


def decisions(rig) -> int:
    with transaction(rig.app.db) as s:
        return s.scalar(select(func.count(Decision.id)))


def the_topic(rig, topic_id: int = 1) -> Topic:
    with transaction(rig.app.db) as s:
        return s.get_one(Topic, topic_id)


def answer_to(rig) -> str:
    [answer] = rig.slack.responses(rig.last_response_url)
    assert answer.params["response_type"] == "ephemeral"
    return answer.params["text"]


def test_supervisor_cannot_approve_own_topic_another_supervisor_can(rig):
    propose(rig, LEAD, "Lena's own idea: a year-end recap")
    card = topic_card(rig, 1)
    value = button(card.params, "Approve")["value"]

    rig.click(LEAD, "topic_approve", value, message=card)  # decided after the ack, by the inbox
    assert OWN_TOPIC in answer_to(rig)
    rig.click(LEAD, "topic_reject", value, message=card)  # answered at once: no reason form opens
    assert OWN_TOPIC in answer_to(rig)
    assert rig.opened_views() == []
    rig.deliver()

    t = the_topic(rig)
    assert (t.status, t.decided_by) == ("proposed", None) and decisions(rig) == 0
    assert buttons(topic_card(rig, 1).params) == ["Approve", "Reject"], "the card keeps its buttons for another supervisor"
    assert refusals(rig) == [(LEAD, "topic.approve", "topic", 1, "own item"),
                             (LEAD, "topic.reject", "topic", 1, "own item")]

    rig.click(LEAD2, "topic_approve", value, message=card)
    rig.deliver()
    t = the_topic(rig)
    assert (t.status, t.decided_by) == ("approved", LEAD2)
    assert "Approved by Li Second" in all_text(topic_card(rig, 1).params)


def test_a_chinese_supervisor_is_told_in_chinese_that_their_own_topic_waits_for_another(rig):
    propose(rig, LEAD2, "李的选题")
    rig.click(LEAD2, "topic_approve", "1", message=topic_card(rig, 1))
    assert "你自己的选题需由其他主管审核。" in answer_to(rig)
    assert the_topic(rig).status == "proposed"


def test_supervisor_cannot_decide_own_draft_from_the_card_or_home_another_supervisor_can(rig):
    propose(rig, LEAD, "Lena writes the onboarding guide")
    rig.click(LEAD2, "topic_approve", "1", message=topic_card(rig, 1))
    rig.deliver()
    submit_draft(rig, LEAD, topic=1)
    card = draft_card(rig)
    value = button(card.params, "Approve")["value"]

    views = len(rig.opened_views())
    rig.click(LEAD, "draft_approve", value, message=card)
    assert OWN_DRAFT in answer_to(rig)
    rig.click(LEAD, "draft_request_changes", value, message=card)
    assert OWN_DRAFT in answer_to(rig)
    assert len(rig.opened_views()) == views, "no comments form opens for one's own draft"
    rig.click(LEAD, "draft_approve", value, home=True)
    rig.deliver()
    assert any(OWN_DRAFT in c.params["text"] for c in dms(rig.slack.calls(), LEAD)), \
        "Home has no response_url: the answer comes by DM"

    with transaction(rig.app.db) as s:
        draft = s.scalars(select(Draft)).one()
        assert (draft.status, draft.approved_by) == ("in_review", None)
    assert buttons(draft_card(rig).params) == ["Approve", "Request changes"]
    assert [r[:4] for r in refusals(rig)] == [(LEAD, "draft.approve", "draft", 1),
                                              (LEAD, "draft.request_changes", "draft", 1),
                                              (LEAD, "draft.approve", "draft", 1)]
    # Home lists it as waiting on Li, not on Lena, whose own draft it is.
    assert ("draft_approve:1", value) not in actions(open_home(rig, LEAD))
    assert ("draft_approve:1", value) in actions(open_home(rig, LEAD2))

    rig.click(LEAD2, "draft_approve", value, message=card)
    rig.deliver()
    with transaction(rig.app.db) as s:
        assert s.scalars(select(Draft.approved_by)).one() == LEAD2


def test_a_sole_supervisors_own_topic_waits_for_a_second_supervisor(database_url):
    team = {**TEAMS["teams"][0], "supervisors": [LEAD], "members": [ALICE, BOB]}
    rig = make_rig(database_url, teams={"admins": ["U0ADMIN"], "teams": [team]}).start()
    try:
        propose(rig, LEAD, "Only Lena leads here")
        rig.click(LEAD, "topic_approve", "1", message=topic_card(rig, 1))
        assert OWN_TOPIC in answer_to(rig)
        rig.deliver()
        assert the_topic(rig).status == "proposed"
        assert buttons(topic_card(rig, 1).params) == ["Approve", "Reject"]
        assert ("topic_approve:1", "1") not in actions(open_home(rig, LEAD)), "it does not wait on Lena herself"
    finally:
        rig.stop()


def test_a_member_clicking_approve_is_told_why_and_opsbot_audit_shows_the_refusal(database_url, monkeypatch, capsys):
    from bot.cli import main

    rig = make_rig(database_url).start()
    try:
        propose(rig, ALICE, "Spring campaign teaser")
        card = topic_card(rig, 1)
        rig.click(BOB, "topic_approve", "1", message=card)
        assert "Only a supervisor of this team can do that." in answer_to(rig)
        rig.deliver()
        assert the_topic(rig).status == "proposed" and decisions(rig) == 0
        assert buttons(topic_card(rig, 1).params) == ["Approve", "Reject"]
    finally:
        rig.stop()

    for var in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_API_URL", "OPSBOT_TEAMS_FILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    capsys.readouterr()
    assert main(["audit", "--item", "topic:1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    [refused] = [line for line in lines if " denied " in line]
    assert BOB in refused and "topic.approve" in refused and "topic:1" in refused
    assert "(not a supervisor of the team)" in refused


def test_resubmitting_someone_elses_draft_is_refused_and_audited(rig):
    propose(rig, ALICE, "Alice's explainer")
    rig.click(LEAD, "topic_approve", "1", message=topic_card(rig, 1))
    rig.deliver()
    submit_draft(rig, ALICE, topic=1)
    request_changes(rig, "Tighten the intro.")
    before = len(rig.opened_views())

    rig.click(BOB, "draft_resubmit", "1", channel=CHANNEL)
    assert "You have no draft #1." in answer_to(rig)
    assert len(rig.opened_views()) == before, "no form opens on someone else's draft"
    assert refusals(rig) == [(BOB, "draft.resubmit", "draft", 1, "not the author")]


def test_withdrawing_someone_elses_topic_is_answered_like_a_missing_one_and_audited(rig):
    propose(rig, ALICE, "Alice keeps this one")
    reply = rig.command(BOB, "/topic", "withdraw 1", channel=CHANNEL).json()
    assert "You have no topic #1." in reply["text"]
    assert "Only supervisors" in rig.command(BOB, "/topic", "list team", channel=CHANNEL).json()["text"]
    rig.deliver()
    assert the_topic(rig).status == "proposed"
    assert refusals(rig) == [(BOB, "topic.withdraw", "topic", 1, "not the author"),
                             (BOB, "topic.list_team", "topic", None, "not a supervisor of any team")]
