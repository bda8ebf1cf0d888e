"""Hostile input for the modal fuzz (``tests/test_fuzz_modals.py``): what a
person may type and what a forged request may carry, drawn from one seeded
``random.Random`` so that a failure replays from its seed."""

from __future__ import annotations

import json
import random
from typing import Any

# What a person may paste into a text field.
PIECES = [
    "Plain idea", "  spaced   out  ", "*bold* _it_ ~strike~ `code`", "<!channel>", "<!here> hi", "<!everyone>",
    "<!subteam^S0HOSTILE>", "<@U0HOSTILE>", "<#C0HOSTILE>", "<https://evil.example|click me>", "&amp; &lt; &gt;",
    "\u202e\u202dRTL override", "\u200f\u200emarks", "zero\u200bwidth\u2060joiner\ufeff", "emoji 🎉🔥👩‍💻",
    "astral 𝕏𝔸𝕄 🀄", "中文标题", "العربية", "\u0000NUL", "tab\tnew\nline\rcr", "bell\x07esc\x1b[31m", "del\x7f",
    "c1\x85\x9b", "lone\ud800surrogate", "'; DROP TABLE topics; --", "{{template}} %s %(x)s", "```fence```",
    "١٢٣", "１２３", "-5", "1e400", "NaN", "Infinity", "0x10", "99999999999999999999", "3.5", "100", "0",
]
# What a forged select, button or metadata may carry instead of a row id.
FORGED_IDS: list[Any] = [
    0, -1, 1, 2, 3, 999999, 2**31, 2**63, 10**40, "1", "-1", "01", "1.0", "1e3", " 1 ", "٣", "abc", "", None,
    True, [], [1], {"id": 1}, 1.5, "NaN",
]
FORGED_DATES: list[Any] = [
    "2026-12-07", "0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "26-12-07", "", "yesterday",
    20261207, None, ["2026-12-07"], "2026-12-07T00:00:00", "\u0000", "１９９９-０１-０１",
]
FORGED_INSTANTS: list[Any] = [
    1795000000, 0, -1, 2**63, 10**30, 1.5e18, "1795000000", "now", None, [1], True, float("nan"), 253402300800,
]
FORGED_METADATA: list[Any] = [
    "not json", "[1, 2]", "null", "42", '"a string"', "{", "{}", json.dumps({"x": 1}) * 3,
    json.dumps({"topic_id": 2**70}), json.dumps({"review_id": -5}), json.dumps({"activity_id": "1; drop"}),
    json.dumps({"channel_id": ["C0GROWTH"], "response_url": 5}), json.dumps({"team_id": 99999}),
    json.dumps({"member": {"id": "U0ALICE"}, "period": ["2026-11"]}), json.dumps({"revise": "yes", "review_id": 1}),
    json.dumps({"draft_id": 1, "round": 2**40}), json.dumps({"publication_id": "٢"}), "\u0000", "x" * 3001,
]
WRONG_TYPES: list[Any] = [None, 5, 2.5, True, [], ["a", "b"], {"value": "x"}, {"nested": {"deep": [1]}}]


def hostile_text(r: random.Random) -> str:
    """One to four pieces, sometimes stretched past every Slack limit."""
    text = "".join(r.choice(PIECES) for _ in range(r.randint(1, 4)))
    roll = r.random()
    if roll < 0.12:
        text = (text + " ") * (3001 // max(len(text), 1) + 1)
    elif roll < 0.17:
        text = r.choice(["a", "🎉", "\u202e", "<!channel>"]) * r.choice([151, 2001, 3001, 40000])
    return text


def hostile_value(r: random.Random, element: dict[str, Any]) -> dict[str, Any]:
    """A state entry for ``element`` (as the modal built it) that no honest client would send."""
    kind = element["type"]
    entry: dict[str, Any] = {"type": kind}
    wrong = r.random() < 0.15
    if kind in ("plain_text_input", "number_input"):
        entry["value"] = r.choice(WRONG_TYPES) if wrong else hostile_text(r)
    elif kind == "static_select":
        options = [o["value"] for o in element.get("options", [])]
        value = r.choice(FORGED_IDS + [hostile_text(r)] + options)
        entry["selected_option"] = r.choice(WRONG_TYPES) if wrong else {"text": {"type": "plain_text", "text": "x"},
                                                                         "value": value}
    elif kind == "datepicker":
        entry["selected_date"] = r.choice(FORGED_DATES)
    elif kind == "datetimepicker":
        entry["selected_date_time"] = r.choice(FORGED_INSTANTS)
    elif kind == "checkboxes":
        options = [o["value"] for o in element.get("options", [])]
        ticked = r.sample(options, r.randint(0, len(options))) + r.sample([hostile_text(r), "x", 5], r.randint(0, 1))
        entry["selected_options"] = r.choice(WRONG_TYPES) if wrong else [{"value": v} for v in ticked]
    elif kind == "multi_users_select":
        users = ["U0ALICE", "U0BOB", "U0LEAD", "U0EVE", "U0NOBODY", hostile_text(r), 5, ""]
        entry["selected_users"] = r.choice(WRONG_TYPES) if wrong else r.sample(users, r.randint(0, 4)) * r.randint(1, 30)
    elif kind == "conversations_select":
        channels = ["C0GROWTH", "C0FUZZ", "G0FUZZ", "D0DIRECT", hostile_text(r), ""]
        entry["selected_conversation"] = r.choice(WRONG_TYPES) if wrong else r.choice(channels)
    else:  # an element the fuzz does not know: leave it as the modal had it
        entry.update({k: v for k, v in element.items() if k != "type"})
    return entry


def honest_value(element: dict[str, Any]) -> dict[str, Any]:
    """What the modal holds as opened (its initial value)."""
    kind = element["type"]
    if kind in ("plain_text_input", "number_input"):
        return {"type": kind, "value": element.get("initial_value")}
    if kind == "static_select":
        return {"type": kind, "selected_option": element.get("initial_option")}
    if kind == "datepicker":
        return {"type": kind, "selected_date": element.get("initial_date")}
    if kind == "datetimepicker":
        return {"type": kind, "selected_date_time": element.get("initial_date_time")}
    if kind == "checkboxes":
        return {"type": kind, "selected_options": element.get("initial_options", [])}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": element.get("initial_conversation")}
    return {"type": kind, "selected_users": element.get("initial_users", [])}


def hostile_state(r: random.Random, view: dict[str, Any]) -> tuple[Any, str]:
    """The ``state`` of a submitted ``view``: mostly fields typed with hostile
    values, sometimes blocks missing, extra or of the wrong shape. Returns it
    and the name of what was done, for the counts."""
    inputs = [b for b in view["blocks"] if b.get("type") == "input"]
    roll = r.random()
    if roll < 0.04:
        return r.choice([None, {}, {"values": None}, {"values": []}, {"values": "x"}, []]), "no state"
    values: dict[str, Any] = {}
    how = "hostile fields"
    for block in inputs:
        el = block["element"]
        if r.random() < 0.1:
            how = "missing blocks"
            continue
        entry = hostile_value(r, el) if r.random() < 0.7 else honest_value(el)
        values[block["block_id"]] = {el["action_id"]: entry}
    if roll < 0.12 and values:
        victim = r.choice(list(values))
        values[victim] = r.choice([None, "x", [], {"wrong_action": None}, {"a": "b"}, {"a": {"type": 5}}])
        how = "malformed block"
    elif roll < 0.18:
        values[r.choice(["extra", "title", "zzz", "\u0000", "x" * 300])] = {"a": {"type": "plain_text_input",
                                                                                  "value": hostile_text(r)}}
        how = "extra block"
    return {"values": values}, how


def forged_metadata(r: random.Random, view: dict[str, Any]) -> tuple[str | None, bool]:
    """The view's own ``private_metadata``, or (sometimes) a forged one."""
    if r.random() < 0.25:
        return r.choice(FORGED_METADATA + [None, 5]), True
    return view.get("private_metadata"), False


def hostile_command_text(r: random.Random, command: str) -> str:
    """What follows a slash command: sometimes a real subcommand with a hostile tail."""
    prefixes = {
        "/topic": ["", "list ", "list team", "withdraw ", "withdraw #", "help"],
        "/opsbot": ["", "help", "status", "settings", "export ", "export topics ", "report ", "report week ",
                    "targets ", "targets <@U0ALICE> ", "reviews ", "targets <@U0HOSTILE|x> 2026-12", "setup",
                    "onboarding", "training", "goals ", "goals <@U0ALICE> ", "talk ", "talk <@U0ALICE> ",
                    "talk <@U0ALICE> 2026-11"],
        "/draft": ["", "help "],
        "/publish": ["", "help", "metrics ", "metrics #"],
        "/selfreview": ["", "#", "2026-"],
        "/activity": ["", "help "],
        "/leave": ["", "list", "cancel ", "cancel #", "help"],
        "/kudos": ["", "help", "<@U0BOB> ", "<@U0BOB|bob> ", "<@U0ALICE> ", "<@U0HOSTILE|x> ", "honour ",
                   "honour <@U0ALICE> ", "honour <@U0BOB> 2026-11 "],
    }[command]
    head = r.choice(prefixes)
    tail = r.choice([hostile_text(r), str(r.choice(FORGED_IDS)), "", "1", "2026-11", "2026-W48"])
    return head + tail if r.random() < 0.8 else hostile_text(r)


def forged_button_value(r: random.Random) -> Any:
    """What a forged click carries as its value."""
    choice = r.random()
    if choice < 0.5:
        return str(r.choice(FORGED_IDS))
    if choice < 0.7:
        return json.dumps(r.choice([{"job": "x", "team": 1, "period": "2026-W48"}, {"job": None},
                                    {"job": "selfreview-open", "team": 2**70, "period": "\u0000"}, [1], 5]))
    if choice < 0.85:
        return f"{r.choice(FORGED_IDS)}:{r.choice(FORGED_IDS)}"
    return r.choice([hostile_text(r), None, 5, ["1"]])
