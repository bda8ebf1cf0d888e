"""Tests for the strict Block Kit validator in tests/support/blockkit.py."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

import pytest

from tests.support import blockkit
from tests.support.blockkit import (
    BlockKitError,
    assert_no_broadcast_mentions,
    validate_blocks,
    validate_call,
    validate_message,
    validate_view,
)


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text}


def button(action_id: str, text: str = "Go", **extra: Any) -> dict:
    return {"type": "button", "action_id": action_id, "text": plain(text), **extra}


def approval_card() -> dict:
    """A realistic chat.postMessage payload: the topic approval card."""
    return {
        "channel": "C0123456789",
        "text": "New topic proposal from <@U0123456>: How we cut deploy time in half",
        "blocks": [
            {"type": "header", "block_id": "header", "text": {**plain("New topic proposal"), "emoji": True}},
            {
                "type": "section",
                "block_id": "title",
                "text": mrkdwn("*How we cut deploy time in half*\n_Proposed by <@U0123456>_"),
                "fields": [
                    mrkdwn("*Platform*\nBlog"),
                    mrkdwn("*Publish date*\n2025-03-14"),
                    mrkdwn("*Team*\nPlatform &amp; Infra"),
                    mrkdwn("*Angle*\nA before/after story with numbers"),
                ],
            },
            {
                "type": "context",
                "elements": [
                    mrkdwn("Quota: 2 of 4 topics used this month"),
                    {"type": "image", "image_url": "https://example.com/avatar.png", "alt_text": "avatar"},
                ],
            },
            {
                "type": "actions",
                "block_id": "decision_actions",
                "elements": [
                    button("topic_approve", "Approve", style="primary", value="topic:42"),
                    button(
                        "topic_reject",
                        "Reject",
                        style="danger",
                        value="topic:42",
                        confirm={
                            "title": plain("Reject this topic?"),
                            "text": mrkdwn("The proposer will be asked to *revise* it."),
                            "confirm": plain("Reject"),
                            "deny": plain("Cancel"),
                            "style": "danger",
                        },
                    ),
                ],
            },
        ],
    }


def propose_modal() -> dict:
    """A realistic views.open view: the topic proposal modal."""
    return {
        "type": "modal",
        "callback_id": "topic_propose",
        "title": plain("Propose a topic"),
        "submit": plain("Submit"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"channel": "C0123456789"}),
        "blocks": [
            {
                "type": "input",
                "block_id": "title",
                "label": plain("Title"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "max_length": 150,
                    "placeholder": plain("What is the piece about?"),
                },
            },
            {
                "type": "input",
                "block_id": "angle",
                "optional": True,
                "label": plain("Angle"),
                "hint": plain("One or two sentences"),
                "element": {"type": "plain_text_input", "action_id": "angle_value", "multiline": True},
            },
            {
                "type": "input",
                "block_id": "platform",
                "label": plain("Platform"),
                "element": {
                    "type": "static_select",
                    "action_id": "platform_value",
                    "placeholder": plain("Pick one"),
                    "options": [
                        {"text": plain("Blog"), "value": "blog"},
                        {"text": plain("Newsletter"), "value": "newsletter"},
                    ],
                    "initial_option": {"text": plain("Blog"), "value": "blog"},
                },
            },
            {
                "type": "input",
                "block_id": "publish_date",
                "label": plain("Publish date"),
                "element": {"type": "datepicker", "action_id": "date_value", "initial_date": "2025-03-14"},
            },
            {
                "type": "input",
                "block_id": "team",
                "label": plain("Team"),
                "element": {"type": "users_select", "action_id": "team_value"},
            },
        ],
    }


def home_view() -> dict:
    return {
        "type": "home",
        "blocks": [
            {"type": "header", "text": plain("Your topics")},
            {"type": "divider"},
            {
                "type": "section",
                "text": mrkdwn("Nothing waiting for you."),
                "accessory": button("propose_topic", "Propose a topic", style="primary"),
            },
        ],
    }


def fails(fn, *args, match: str, **kwargs) -> BlockKitError:
    with pytest.raises(BlockKitError, match=match) as info:
        fn(*args, **kwargs)
    return info.value


# ---------------------------------------------------------------- valid payloads


def test_realistic_approval_card_passes():
    validate_message(approval_card())


def test_realistic_modal_with_inputs_passes():
    validate_view(propose_modal())


def test_home_tab_passes():
    validate_view(home_view())


def test_rich_text_and_other_elements_pass():
    msg = {
        "text": "Summary",
        "blocks": [
            {
                "type": "rich_text",
                "elements": [
                    {
                        "type": "rich_text_section",
                        "elements": [
                            {"type": "text", "text": "Due ", "style": {"bold": True}},
                            {
                                "type": "date",
                                "timestamp": 1700000000,
                                "format": "{date_short}",
                                "fallback": "soon",
                            },
                            {"type": "user", "user_id": "U1"},
                            {"type": "emoji", "name": "tada"},
                        ],
                    },
                    {
                        "type": "rich_text_list",
                        "style": "bullet",
                        "elements": [
                            {"type": "rich_text_section", "elements": [{"type": "text", "text": "one"}]}
                        ],
                    },
                ],
            },
            {
                "type": "image",
                "image_url": "https://example.com/chart.png",
                "alt_text": "chart",
                "title": plain("Chart"),
            },
            {
                "type": "section",
                "text": mrkdwn("More"),
                "accessory": {
                    "type": "overflow",
                    "action_id": "more",
                    "options": [{"text": plain("Snooze"), "value": "snooze"}],
                },
            },
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "checkboxes",
                        "action_id": "cb",
                        "options": [{"text": mrkdwn("*a*"), "value": "a"}],
                    },
                    {"type": "timepicker", "action_id": "tp", "initial_time": "09:30"},
                ],
            },
        ],
    }
    validate_message(msg)


def test_blocks_may_be_a_json_string():
    card = approval_card()
    card["blocks"] = json.dumps(card["blocks"])
    validate_message(card)


def test_delete_original_response_needs_no_text():
    validate_message({"delete_original": True})


def test_block_kit_error_is_an_assertion_error():
    assert issubclass(BlockKitError, AssertionError)
    err = fails(validate_message, {"blocks": []}, match="text")
    assert err.errors == [("text", err.errors[0][1])]


# ---------------------------------------------------------------- messages: one broken rule each


def _set(path: str, value: Any):
    """Mutator that sets card[...] along a dotted/indexed path."""
    keys = [int(k) if k.isdigit() else k for k in re.findall(r"[^.\[\]]+", path)]

    def mutate(card: dict) -> None:
        obj = card
        for k in keys[:-1]:
            obj = obj[k]
        obj[keys[-1]] = value

    return mutate


def _call(fn):
    def mutate(card: dict) -> None:
        fn(card)

    return mutate


MESSAGE_CASES = [
    pytest.param(
        _set("blocks.3.elements.0.text", plain("x" * 76)),
        r"blocks\[3\]\.elements\[0\]\.text: text must be at most 75 characters \(got 76\)",
        id="button-text-76",
    ),
    pytest.param(
        _set("blocks.1.text", mrkdwn("x" * 3001)),
        r"blocks\[1\]\.text: text must be at most 3000 characters \(got 3001\)",
        id="section-text-3001",
    ),
    pytest.param(
        _set("blocks.1.fields", [mrkdwn(f"f{i}") for i in range(11)]),
        r"blocks\[1\]\.fields: must have at most 10 items \(got 11\)",
        id="section-11-fields",
    ),
    pytest.param(
        _set("blocks.1.fields.0", mrkdwn("x" * 2001)),
        r"blocks\[1\]\.fields\[0\]: text must be at most 2000 characters",
        id="section-field-2001",
    ),
    pytest.param(
        _call(lambda c: c["blocks"][1].pop("text") and c["blocks"][1].pop("fields")),
        r"blocks\[1\]: a section block needs text or fields",
        id="section-without-text-or-fields",
    ),
    pytest.param(
        _set("blocks", [{"type": "divider"}] * 51),
        r"blocks: a message can have at most 50 blocks \(got 51\)",
        id="message-51-blocks",
    ),
    pytest.param(
        _set("blocks.3.elements.1.action_id", "topic_approve"),
        r"blocks\[3\]\.elements\[1\]\.action_id: duplicate action_id 'topic_approve'",
        id="duplicate-action-id",
    ),
    pytest.param(
        _set("blocks.2.block_id", "title"),
        r"blocks\[2\]\.block_id: duplicate block_id 'title' \(first used at blocks\[1\]\.block_id\)",
        id="duplicate-block-id",
    ),
    pytest.param(
        _set("blocks.0.block_id", "b" * 256),
        r"blocks\[0\]\.block_id: must be at most 255 characters",
        id="block-id-256",
    ),
    pytest.param(
        _set("blocks.3.elements.0.action_id", "a" * 256),
        r"blocks\[3\]\.elements\[0\]\.action_id: must be at most 255 characters",
        id="action-id-256",
    ),
    pytest.param(
        _set("blocks.2", {"type": "carousel", "elements": []}),
        r"blocks\[2\]\.type: unknown block type 'carousel'",
        id="unknown-block-type",
    ),
    pytest.param(
        _set("blocks.3.elements.0.type", "fancy_button"),
        r"blocks\[3\]\.elements\[0\]\.type: unknown element type 'fancy_button'",
        id="unknown-element-type",
    ),
    pytest.param(
        _set("blocks.1.colour", "red"),
        r"blocks\[1\]\.colour: unknown key 'colour'",
        id="unknown-block-key",
    ),
    pytest.param(
        _set("blocks.3.elements.0.color", "green"),
        r"blocks\[3\]\.elements\[0\]\.color: unknown key 'color'",
        id="unknown-element-key",
    ),
    pytest.param(
        _set("blocks.0.text", mrkdwn("*Proposal*")),
        r"blocks\[0\]\.text: a header's text must be a plain_text text object, not mrkdwn",
        id="mrkdwn-in-header",
    ),
    pytest.param(
        _set("blocks.0.text", plain("x" * 151)),
        r"blocks\[0\]\.text: text must be at most 150 characters",
        id="header-151",
    ),
    pytest.param(
        _set("blocks.3.elements.0.text", mrkdwn("*Approve*")),
        r"blocks\[3\]\.elements\[0\]\.text: a button's text must be a plain_text",
        id="mrkdwn-button-text",
    ),
    pytest.param(
        _set("blocks.3.elements.0.style", "secondary"),
        r"blocks\[3\]\.elements\[0\]\.style: must be 'primary' or 'danger'",
        id="button-style",
    ),
    pytest.param(
        _set("blocks.3.elements.0.value", "v" * 2001),
        r"blocks\[3\]\.elements\[0\]\.value: must be at most 2000 characters",
        id="button-value-2001",
    ),
    pytest.param(
        _set("blocks.3.elements.0.url", "https://example.com/" + "u" * 2981),
        r"blocks\[3\]\.elements\[0\]\.url: must be at most 3000 characters",
        id="button-url-3001",
    ),
    pytest.param(
        _set("blocks.3.elements.1.confirm.title", plain("t" * 101)),
        r"blocks\[3\]\.elements\[1\]\.confirm\.title: text must be at most 100 characters",
        id="confirm-title-101",
    ),
    pytest.param(
        _set("blocks.3.elements.1.confirm.text", mrkdwn("t" * 301)),
        r"blocks\[3\]\.elements\[1\]\.confirm\.text: text must be at most 300 characters",
        id="confirm-text-301",
    ),
    pytest.param(
        _set("blocks.3.elements.1.confirm.deny", plain("d" * 31)),
        r"blocks\[3\]\.elements\[1\]\.confirm\.deny: text must be at most 30 characters",
        id="confirm-deny-31",
    ),
    pytest.param(
        _set("blocks.2.elements", [mrkdwn(str(i)) for i in range(11)]),
        r"blocks\[2\]\.elements: must have at most 10 items \(got 11\)",
        id="context-11-elements",
    ),
    pytest.param(
        _set("blocks.2.elements.0", button("ctx_button")),
        r"blocks\[2\]\.elements\[0\]\.type: element type 'button' is not allowed in a context block",
        id="button-in-context",
    ),
    pytest.param(
        _set("blocks.3.elements", [button(f"b{i}") for i in range(26)]),
        r"blocks\[3\]\.elements: must have at most 25 items \(got 26\)",
        id="actions-26-elements",
    ),
    pytest.param(
        _set("blocks.2.elements.1.alt_text", "a" * 2001),
        r"blocks\[2\]\.elements\[1\]\.alt_text: must be at most 2000 characters",
        id="image-alt-2001",
    ),
    pytest.param(
        _set("blocks.1.text", mrkdwn("")),
        r"blocks\[1\]\.text: text must not be empty",
        id="empty-text-object",
    ),
    pytest.param(
        _set("blocks.1.text", {"type": "markdown", "text": "x"}),
        r"blocks\[1\]\.text: text object type must be 'plain_text' or 'mrkdwn'",
        id="bad-text-type",
    ),
    pytest.param(
        _call(lambda c: c.pop("text")),
        r"^text: is required",
        id="missing-fallback-text",
    ),
    pytest.param(_set("text", "   "), r"^text: must not be empty", id="blank-fallback-text"),
    pytest.param(_set("text", "x" * 40_001), r"^text: must be at most 40000 characters", id="text-40001"),
    pytest.param(
        _set("attachments", [{"color": "#f00", "blocks": [{"type": "header", "text": mrkdwn("x")}]}]),
        r"attachments\[0\]\.blocks\[0\]\.text: a header's text must be a plain_text",
        id="attachment-blocks",
    ),
]


@pytest.mark.parametrize(("mutate", "match"), MESSAGE_CASES)
def test_message_rule_violations(mutate, match):
    card = approval_card()
    mutate(card)
    fails(validate_message, card, match=match)


def test_all_errors_are_reported_together():
    card = approval_card()
    card["blocks"][0]["text"] = mrkdwn("x")
    card["blocks"][3]["elements"][0]["text"] = plain("x" * 76)
    err = fails(validate_message, card, match="header")
    assert [path for path, _ in err.errors] == ["blocks[0].text", "blocks[3].elements[0].text"]


# ---------------------------------------------------------------- input elements


def _modal_with_element(element: dict) -> dict:
    view = propose_modal()
    view["blocks"][0]["element"] = element
    return view


INPUT_CASES = [
    pytest.param(
        {"type": "plain_text_input", "action_id": "v", "max_length": 3001},
        r"blocks\[0\]\.element\.max_length: must be at most 3000",
        id="max-length-3001",
    ),
    pytest.param(
        {"type": "plain_text_input", "action_id": "v", "min_length": 3001},
        r"blocks\[0\]\.element\.min_length: must be at most 3000",
        id="min-length-3001",
    ),
    pytest.param(
        {"type": "plain_text_input", "action_id": "v", "max_length": 5, "initial_value": "toolong"},
        r"blocks\[0\]\.element\.initial_value: must be at most 5 characters \(got 7\)",
        id="initial-value-over-max-length",
    ),
    pytest.param(
        {"type": "plain_text_input", "action_id": "v", "placeholder": plain("p" * 151)},
        r"blocks\[0\]\.element\.placeholder: text must be at most 150 characters",
        id="placeholder-151",
    ),
    pytest.param(
        {"type": "plain_text_input", "action_id": "v", "placeholder": mrkdwn("*p*")},
        r"blocks\[0\]\.element\.placeholder: a placeholder must be a plain_text",
        id="mrkdwn-placeholder",
    ),
    pytest.param(
        {
            "type": "static_select",
            "action_id": "v",
            "options": [{"text": plain(f"o{i}"), "value": f"o{i}"} for i in range(101)],
        },
        r"blocks\[0\]\.element\.options: must have at most 100 items \(got 101\)",
        id="select-101-options",
    ),
    pytest.param(
        {"type": "static_select", "action_id": "v", "options": [{"text": plain("o" * 76), "value": "o"}]},
        r"blocks\[0\]\.element\.options\[0\]\.text: text must be at most 75 characters",
        id="option-text-76",
    ),
    pytest.param(
        {"type": "static_select", "action_id": "v", "options": [{"text": plain("o"), "value": "v" * 151}]},
        r"blocks\[0\]\.element\.options\[0\]\.value: must be at most 150 characters",
        id="option-value-151",
    ),
    pytest.param(
        {"type": "static_select", "action_id": "v", "options": [{"text": mrkdwn("*o*"), "value": "o"}]},
        r"blocks\[0\]\.element\.options\[0\]\.text: an option's text in a select or overflow menu must be a plain_text",
        id="mrkdwn-option-in-select",
    ),
    pytest.param(
        {
            "type": "static_select",
            "action_id": "v",
            "options": [{"text": plain("a"), "value": "a"}],
            "initial_option": {"text": plain("b"), "value": "b"},
        },
        r"blocks\[0\]\.element\.initial_option: must exactly match one of the element's options",
        id="initial-option-not-an-option",
    ),
    pytest.param(
        {"type": "datepicker", "action_id": "v", "initial_date": "14/03/2025"},
        r"blocks\[0\]\.element\.initial_date: must be a date formatted YYYY-MM-DD",
        id="datepicker-format",
    ),
    pytest.param(
        {"type": "datepicker", "action_id": "v", "initial_date": "2025-02-30"},
        r"blocks\[0\]\.element\.initial_date: is not a real calendar date",
        id="datepicker-impossible-date",
    ),
    pytest.param(
        {"type": "button", "action_id": "v", "text": plain("Go")},
        r"blocks\[0\]\.element\.type: element type 'button' is not allowed in an input block",
        id="button-in-input",
    ),
]


@pytest.mark.parametrize(("element", "match"), INPUT_CASES)
def test_input_element_rule_violations(element, match):
    fails(validate_view, _modal_with_element(element), match=match)


def test_input_label_must_be_plain_and_short():
    view = propose_modal()
    view["blocks"][0]["label"] = mrkdwn("*Title*")
    fails(validate_view, view, match=r"blocks\[0\]\.label: an input's label must be a plain_text")
    view["blocks"][0]["label"] = plain("l" * 2001)
    fails(validate_view, view, match=r"blocks\[0\]\.label: text must be at most 2000 characters")
    view["blocks"][0]["label"] = plain("Title")
    view["blocks"][1]["hint"] = plain("h" * 2001)
    fails(validate_view, view, match=r"blocks\[1\]\.hint: text must be at most 2000 characters")


# ---------------------------------------------------------------- views


def test_modal_with_input_needs_submit():
    view = propose_modal()
    del view["submit"]
    fails(validate_view, view, match=r"^submit: is required: the modal has an input block \(blocks\[0\]\)")


def test_modal_without_inputs_needs_no_submit():
    view = propose_modal()
    del view["submit"]
    view["blocks"] = [{"type": "section", "text": mrkdwn("Done!")}]
    validate_view(view)


def test_modal_title_25_chars():
    view = propose_modal()
    view["title"] = plain("t" * 25)
    fails(validate_view, view, match=r"^title: text must be at most 24 characters \(got 25\)")


def test_modal_title_must_be_plain_text():
    view = propose_modal()
    view["title"] = mrkdwn("Propose")
    fails(validate_view, view, match=r"^title: a modal's title must be a plain_text")


def test_modal_submit_and_close_24_chars():
    view = propose_modal()
    view["submit"] = plain("s" * 25)
    view["close"] = plain("c" * 25)
    err = fails(validate_view, view, match=r"^submit: text must be at most 24")
    assert [p for p, _ in err.errors] == ["submit", "close"]


def test_modal_101_blocks():
    view = propose_modal()
    view["blocks"] = [{"type": "divider"}] * 101
    fails(validate_view, view, match=r"^blocks: a modal can have at most 100 blocks \(got 101\)")


def test_modal_100_blocks_is_fine():
    view = propose_modal()
    view["blocks"] = [{"type": "divider"}] * 100
    validate_view(view)


def test_home_101_blocks():
    view = home_view()
    view["blocks"] = [{"type": "divider"}] * 101
    fails(validate_view, view, match=r"^blocks: a home can have at most 100 blocks")


def test_modal_limits_on_callback_id_and_private_metadata():
    view = propose_modal()
    view["callback_id"] = "c" * 256
    fails(validate_view, view, match=r"^callback_id: must be at most 255 characters")
    view = propose_modal()
    view["private_metadata"] = "m" * 3001
    fails(validate_view, view, match=r"^private_metadata: must be at most 3000 characters")


def test_view_type_and_keys():
    fails(validate_view, {"type": "dialog", "blocks": []}, match=r"^type: must be 'modal' or 'home'")
    view = home_view()
    view["submit"] = plain("Save")
    fails(validate_view, view, match=r"^submit: unknown key 'submit'")
    view = propose_modal()
    del view["title"]
    fails(validate_view, view, match=r"^title: is required")


def test_duplicate_action_id_across_blocks_of_a_view():
    view = propose_modal()
    view["blocks"][1]["element"]["action_id"] = "value"
    fails(validate_view, view, match=r"blocks\[1\]\.element\.action_id: duplicate action_id 'value'")


def test_view_may_be_a_json_string():
    validate_view(json.dumps(propose_modal()))


# ---------------------------------------------------------------- broadcast mentions


@pytest.mark.parametrize(
    "mention", ["<!channel>", "<!here>", "<!everyone>", "<!here|here>", "<!subteam^S123>"]
)
def test_broadcast_mention_in_top_level_text(mention):
    card = approval_card()
    card["text"] = f"Heads up {mention} a new topic"
    fails(validate_message, card, match=r"^text: contains an unescaped broadcast/special mention")


def test_broadcast_mention_in_block_text():
    card = approval_card()
    card["blocks"][1]["text"] = mrkdwn("Title: <!channel> please look")
    fails(
        validate_message,
        card,
        match=r"blocks\[1\]\.text\.text: contains an unescaped broadcast/special mention '<!channel>'",
    )


def test_broadcast_mention_in_modal():
    view = propose_modal()
    view["blocks"][0]["label"] = plain("<!here> Title")
    fails(validate_view, view, match=r"blocks\[0\]\.label\.text: contains an unescaped")


def test_broadcast_mentions_allowed_on_request():
    card = approval_card()
    card["text"] = "<!here> standup in 5"
    validate_message(card, allow_mentions=True)


def test_escaped_mentions_and_dates_are_fine():
    card = approval_card()
    card["text"] = "User wrote &lt;!channel&gt; — due <!date^1700000000^{date_short}|Nov 14>"
    validate_message(card)


def test_rich_text_broadcast_element_is_a_mention():
    blocks = [
        {
            "type": "rich_text",
            "elements": [{"type": "rich_text_section", "elements": [{"type": "broadcast", "range": "here"}]}],
        }
    ]
    validate_blocks(blocks, "message")  # structurally fine
    fails(validate_message, {"text": "x", "blocks": blocks}, match="broadcast element")


def test_bare_at_here_only_matters_with_link_names():
    assert_no_broadcast_mentions({"text": "email me @here.com or @channel"})
    fails(assert_no_broadcast_mentions, {"text": "ping @here", "link_names": True}, match="link_names")


# ---------------------------------------------------------------- validate_blocks


def test_validate_blocks_rejects_unknown_surface():
    with pytest.raises(ValueError, match="surface"):
        validate_blocks([], "dialog")


def test_validate_blocks_limits_by_surface():
    fifty_one = [{"type": "divider"}] * 51
    fails(validate_blocks, fifty_one, "message", match="at most 50 blocks")
    validate_blocks(fifty_one, "modal")


# ---------------------------------------------------------------- slack_sdk backstop


def test_slack_sdk_round_trip_must_not_drop_keys(monkeypatch):
    """A key our schema allows but slack_sdk's model silently drops is an error."""

    class Dropping:
        def __init__(self, block):
            self.block = block

        def validate_json(self):
            pass

        def to_dict(self):
            return {k: v for k, v in self.block.items() if k != "block_id"}

    monkeypatch.setattr(blockkit.Block, "parse", classmethod(lambda cls, b: Dropping(b)))
    fails(
        validate_blocks,
        [{"type": "divider", "block_id": "d"}],
        "message",
        match=r"blocks\[0\]\.block_id: silently dropped by slack_sdk parsing",
    )


def test_slack_sdk_unknown_block_is_an_error(monkeypatch):
    monkeypatch.setattr(blockkit.Block, "parse", classmethod(lambda cls, b: None))
    fails(
        validate_blocks,
        [{"type": "divider"}],
        "message",
        match=r"slack_sdk does not know block type 'divider'",
    )


def test_slack_sdk_validation_errors_become_block_kit_errors(monkeypatch):
    from slack_sdk.errors import SlackObjectFormationError

    class Rejecting:
        def validate_json(self):
            raise SlackObjectFormationError("nope")

    monkeypatch.setattr(blockkit.Block, "parse", classmethod(lambda cls, b: Rejecting()))
    err = fails(
        validate_blocks, [{"type": "divider"}], "message", match=r"slack_sdk rejected the block: nope"
    )
    assert isinstance(err, AssertionError)


# ---------------------------------------------------------------- validate_call


def call(method: str, **params: Any) -> SimpleNamespace:
    return SimpleNamespace(method=method, params=params)


@pytest.mark.parametrize("method", ["chat.postMessage", "chat.update", "chat.postEphemeral", "response_url"])
def test_validate_call_checks_messages(method):
    validate_call(call(method, **approval_card()))
    fails(
        validate_call, call(method, channel="C1", blocks=[]), match=rf"^{re.escape(method)} text: is required"
    )


@pytest.mark.parametrize("method", ["views.open", "views.update"])
def test_validate_call_checks_modals_even_as_json_strings(method):
    validate_call(call(method, trigger_id="t", view=propose_modal()))
    validate_call(call(method, trigger_id="t", view=json.dumps(propose_modal())))
    bad = propose_modal()
    bad["title"] = plain("t" * 25)
    fails(
        validate_call,
        call(method, view=json.dumps(bad)),
        match=rf"^{re.escape(method)} title: text must be at most 24",
    )


def test_validate_call_checks_home_and_view_type():
    validate_call(call("views.publish", user_id="U1", view=home_view()))
    fails(validate_call, call("views.publish", user_id="U1", view=propose_modal()), match="needs a home view")
    fails(validate_call, call("views.open", trigger_id="t", view=home_view()), match="needs a modal view")
    fails(validate_call, call("views.open", trigger_id="t"), match=r"view: is required")


def test_validate_call_ignores_other_methods():
    validate_call(call("users.info", user="U1"))
    validate_call(call("auth.test"))
    validate_call(call("reactions.add", text="<!channel>", blocks="not json"))


def test_validate_call_mentions():
    fails(validate_call, call("chat.postMessage", channel="C1", text="<!channel> hi"), match="broadcast")
    validate_call(call("chat.postMessage", channel="C1", text="<!channel> hi"), allow_mentions=True)


def test_validate_call_accepts_raw_json_response_url_body():
    validate_call(SimpleNamespace(method="response_url", params=json.dumps(approval_card())))
    fails(
        validate_call,
        SimpleNamespace(method="response_url", params=json.dumps({"replace_original": True})),
        match=r"^response_url text: is required",
    )
