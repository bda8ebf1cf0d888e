"""Issue 16, item 10: what the modal fuzz (``tests/test_fuzz_modals.py``)
found, one regression each, on SQLite and PostgreSQL. Signed requests into the
running app with what no honest Slack client sends: each is answered where the
person typed, never with a server error or an "on my side" apology, and a
refusal leaves the store as it was."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest
from sqlalchemy import select

from bot.devtools.rig import Reply, Rig
from storage.db import transaction
from storage.topics import Topic
from tests.conftest import ALICE, BOB, CHANNEL, LEAD, make_rig
from tests.helpers import all_text, dms
from tests.support.fuzz_world import fingerprint

APOLOGY = "something went wrong on my side"
CONTROL = "This holds a control character (such as NUL) that cannot be kept; remove it and try again."


@pytest.fixture
def rig(database_url):
    r = make_rig(database_url).start()
    try:
        yield r
    finally:
        r.stop()


def send(rig: Rig, user: str, view: dict[str, Any], state: Any, **over: Any) -> Reply:
    """Submit ``view`` with a raw ``state`` (and any view keys in ``over``), as a forged client could."""
    payload = {"type": "view_submission", "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM"},
               "api_app_id": "A0OPSBOT", "team": {"id": "T0TEAM", "domain": "demo"}, "trigger_id": "1.x",
               "view": {**view, "state": state, **over}}
    return rig.post(urllib.parse.urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")


def text_state(view: dict[str, Any], **typed: Any) -> dict[str, Any]:
    """The state of ``view`` with ``typed`` in its text inputs, by block id."""
    values = {}
    for b in view["blocks"]:
        if b.get("type") == "input" and b["block_id"] in typed:
            values[b["block_id"]] = {b["element"]["action_id"]: {"type": b["element"]["type"],
                                                                 "value": typed[b["block_id"]]}}
    return {"values": values}


def propose_modal(rig: Rig) -> dict[str, Any]:
    assert rig.command(ALICE, "/topic", "", channel=CHANNEL).status == 200
    return rig.last_view()


def field_errors(reply: Reply) -> dict[str, str]:
    assert reply.status == 200, reply.body
    body = reply.json()
    assert body["response_action"] == "errors", body
    assert not any(APOLOGY in e.lower() for e in body["errors"].values()), body
    return body["errors"]


def titles(rig: Rig) -> list[str]:
    with transaction(rig.app.db) as s:
        return list(s.scalars(select(Topic.title).order_by(Topic.id)))


def test_a_title_with_a_nul_byte_is_refused_on_its_field(rig):
    view = propose_modal(rig)
    before = fingerprint(rig)
    errors = field_errors(rig.submit(ALICE, view, {"title": "Launch\x00plan"}))
    assert errors == {"title": CONTROL}
    assert fingerprint(rig) == before and titles(rig) == []
    r = rig.submit(ALICE, view, {"title": "Launch plan \u202eRTL 🎉 <!channel>"})
    assert r.status == 200 and r.body == "", "format marks and emoji are text a person may type"
    assert titles(rig) == ["Launch plan \u202eRTL 🎉 <!channel>"], "stored as typed"


def test_a_topic_command_with_a_nul_byte_is_refused_in_its_reply(rig):
    before = fingerprint(rig)
    r = rig.command(ALICE, "/topic", "Launch\x00plan", channel=CHANNEL)
    assert r.status == 200
    body = r.json()
    assert body["response_type"] == "ephemeral" and CONTROL in body["text"] and "You typed" in body["text"]
    assert fingerprint(rig) == before and titles(rig) == []


def test_half_of_a_utf16_pair_in_a_reason_is_refused_on_its_field(rig):
    rig.command(BOB, "/leave", "", channel=CHANNEL)
    view = rig.last_view()
    state = {"values": {"leave_start": {"leave_start_input": {"type": "datepicker", "selected_date": "2026-12-07"}},
                        "leave_end": {"leave_end_input": {"type": "datepicker", "selected_date": "2026-12-08"}},
                        **text_state(view, leave_reason="Trip \ud83d")["values"]}}
    before = fingerprint(rig)
    assert field_errors(send(rig, BOB, view, state)) == {"leave_reason": CONTROL}
    assert fingerprint(rig) == before


def test_a_form_sent_without_its_fields_is_refused_on_its_first_field(rig):
    view = propose_modal(rig)
    before = fingerprint(rig)
    for state in (None, [], {"values": "x"}, {"values": {"title": ["not", "a", "field"]}}):
        errors = field_errors(send(rig, ALICE, view, state))
        assert list(errors) == ["title"] and "title must be 1–150 characters" in errors["title"]
    assert fingerprint(rig) == before


def test_a_list_where_a_title_goes_reads_as_no_title_and_is_refused_on_the_title_field(rig):
    view = propose_modal(rig)
    before = fingerprint(rig)
    for wrong in (["Launch", "plan"], 42, {"value": "Launch"}, True):
        errors = field_errors(send(rig, ALICE, view, text_state(view, title=wrong)))
        assert "title must be 1–150 characters" in errors["title"]
    assert fingerprint(rig) == before


def test_a_modal_submitted_without_its_blocks_is_answered_not_with_a_server_error(rig):
    view = propose_modal(rig)
    blockless = {k: v for k, v in view.items() if k != "blocks"}
    r = send(rig, ALICE, blockless, None)
    # No field to put the answer on: the modal turns into it, saying what is missing.
    answer = r.json()
    assert r.status == 200 and answer["response_action"] == "update", r.body
    assert answer["view"]["type"] == "modal" and "title" in all_text(answer["view"]).lower(), answer
    assert titles(rig) == []


def test_a_refusal_about_a_block_the_modal_lacks_shows_on_its_first_field(rig):
    rig.command(BOB, "/leave", "", channel=CHANNEL)
    view = rig.last_view()
    # A forged extra "title" block, which the leave form has not, holding a NUL.
    state = {"values": {"title": {"x": {"type": "plain_text_input", "value": "\x00"}}}}
    errors = field_errors(send(rig, BOB, view, state))
    first = next(b["block_id"] for b in view["blocks"] if b.get("type") == "input")
    assert errors == {first: CONTROL}


def test_private_metadata_forged_as_a_number_or_a_list_is_read_as_none_and_the_proposal_lands(rig):
    view = propose_modal(rig)
    for n, meta in enumerate((5, '["C0GROWTH"]', json.dumps({"channel_id": ["C0GROWTH"], "response_url": 5}))):
        r = send(rig, ALICE, view, text_state(view, title=f"Forged metadata {n}"), private_metadata=meta)
        assert r.status == 200 and r.body == "", r.body
    assert titles(rig) == ["Forged metadata 0", "Forged metadata 1", "Forged metadata 2"]


def test_a_button_whose_value_is_not_text_is_answered_as_not_found(rig):
    before = fingerprint(rig)
    for action, value in (("draft_approve", 5), ("topic_approve", ["1"]), ("remind_later", None),
                          ("remind_later", json.dumps({"job": "quota-reminder", "team": 1, "period": "\x00"}))):
        url = rig.slack.new_response_url()
        payload = {"type": "block_actions", "user": {"id": LEAD, "username": "lena", "team_id": "T0TEAM"},
                   "api_app_id": "A0OPSBOT", "team": {"id": "T0TEAM"}, "trigger_id": "1.x", "response_url": url,
                   "container": {"type": "message", "channel_id": CHANNEL}, "channel": {"id": CHANNEL},
                   "actions": [{"type": "button", "action_id": action, "block_id": "b", "value": value}]}
        r = rig.post(urllib.parse.urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
        r = rig._answered(r, url)
        assert r.status == 200
        [said] = rig.slack.responses(url)
        assert "could not find" in said.params["text"] and APOLOGY not in said.params["text"].lower()
    assert fingerprint(rig) == before


def test_a_topic_titled_with_a_broadcast_is_escaped_in_the_draft_forms_picker(rig):
    for title in ("<!here> launch", "<!channel> recap"):
        rig.command(ALICE, "/topic", title, channel=CHANNEL)
        rig.deliver()
    with transaction(rig.app.db) as s:
        ids = list(s.scalars(select(Topic.id).order_by(Topic.id)))
    for topic_id in ids:
        rig.click(LEAD, "topic_approve", str(topic_id))
    rig.deliver()
    rig.command(ALICE, "/draft", channel=CHANNEL)
    picker = next(b for b in rig.last_view()["blocks"] if b.get("block_id") == "draft_topic")
    shown = [o["text"]["text"] for o in picker["element"]["options"]]
    assert sorted(shown) == ["#1 &lt;!here&gt; launch · Growth", "#2 &lt;!channel&gt; recap · Growth"]
    assert not [c for c in dms(rig.slack.calls(), ALICE) if "<!here>" in all_text(c.params)]
