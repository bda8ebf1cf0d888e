"""App Home end to end (docs/PRODUCT.md §3): what a member and a supervisor see,
the decisions clickable from Home, the quick buttons, Slack's 100-block
limit with a large team, and both locales."""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import select

from storage.db import transaction
from storage.leave import Leave
from storage.topics import Topic
from tests.conftest import ALICE, BOB, CHANNEL, LEAD, LEAD2, TEAMS, USERS, make_rig
from tests.helpers import all_text, buttons, cards, dms
from tests.test_activities_e2e import propose as propose_activity
from tests.test_content_e2e import approved_topic, submit_draft

GOLDEN = Path(__file__).parent / "golden"


def open_home(rig, user: str) -> dict[str, Any]:
    """Open the Home tab as ``user``; the view Slack was given to show."""
    rig.event({"type": "app_home_opened", "user": user, "tab": "home"}, event_id=f"Ev{user}{len(rig.slack.calls())}")
    rig.deliver()
    return last_home(rig, user)


def last_home(rig, user: str) -> dict[str, Any]:
    published = [c for c in rig.slack.calls("views.publish") if c.ok and c.params["user_id"] == user]
    assert published, f"no Home published for {user}"
    view = published[-1].params["view"]
    return json.loads(view) if isinstance(view, str) else view


def actions(view: dict[str, Any]) -> list[tuple[str, str]]:
    return [(el["action_id"], el["value"]) for b in view["blocks"] if b["type"] == "actions" for el in b["elements"]]


def matches_golden(name: str, view: dict[str, Any]) -> None:
    """Compare with tests/golden/<name>.json; OPSBOT_UPDATE_GOLDEN=1 (or a
    missing file) writes it, to be reviewed by eye."""
    path = GOLDEN / f"{name}.json"
    got = json.dumps(view, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("OPSBOT_UPDATE_GOLDEN") == "1" or not path.exists():
        path.write_text(got, encoding="utf-8")
    want = path.read_text(encoding="utf-8")
    if got != want:
        diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True), f"{path.name} (golden)",
                                            f"{path.name} (now)"))
        raise AssertionError(f"Home differs from {path} (OPSBOT_UPDATE_GOLDEN=1 rewrites it):\n{diff}")


def known_week(rig) -> None:
    """Monday 23 Nov 2026: Alice has a topic approved and its draft in review,
    another topic and an activity waiting; Bob a topic and leave waiting."""
    approved_topic(rig, ALICE, "Onboarding video series")  # topic 1
    submit_draft(rig, ALICE, topic=1)  # draft 1, round 1
    rig.command(ALICE, "/topic", "Customer <stories> & quotes", channel=CHANNEL)  # topic 2 (escaped)
    rig.command(BOB, "/topic", "Pricing FAQ", channel=CHANNEL)  # topic 3
    propose_activity(rig, ALICE)  # activity 1
    rig.command(BOB, "/leave", "", channel=CHANNEL)
    rig.submit(BOB, rig.last_view(), {"leave_start": "2026-11-26", "leave_end": "2026-11-27",
                                      "leave_reason": "Family"})  # leave 1
    rig.deliver()


def test_a_members_home_shows_quota_own_items_their_stage_and_quick_buttons(rig):
    known_week(rig)
    view = open_home(rig, ALICE)
    matches_golden("home_member", view)
    text = all_text(view)
    assert "2 / 3 this week" in text
    assert "Draft #1 Onboarding video series — In review, round 1" in text
    assert "Customer &lt;stories&gt; &amp; quotes" in text, "user text is escaped"
    assert "Self-review for 2026-10" not in text, "October's cycle never opened: nothing is due or late"
    assert buttons(view) == ["Propose a topic", "Submit a draft", "Request leave"]
    assert "Waiting on you" not in text, "a member sees no decisions"


def test_a_supervisors_home_shows_the_decisions_waiting_with_the_cards_buttons(rig):
    known_week(rig)
    view = open_home(rig, LEAD)
    matches_golden("home_supervisor", view)
    text = all_text(view)
    assert "*Waiting on you* (5)" in text
    assert "Behind on quota this week" in text
    # The oldest item of each kind carries its card's buttons, with the card's
    # values (all waited since 09:00 here: by kind, then id).
    assert buttons(view) == ["Propose a topic", "Submit a draft", "Request leave",
                             "Approve", "Request changes", "Reject",  # activity 1
                             "Approve", "Request changes",  # draft 1
                             "Approve", "Reject",  # leave 1
                             "Approve", "Reject"]  # topic 2; topic 3 is listed without buttons
    assert "Growth* — you supervise this team" in text
    values = actions(view)
    assert ("topic_approve", "2") in values and ("draft_approve", "1:1") in values
    assert ("activity_changes", "1") in values and ("leave_reject", "1") in values


def test_a_decision_clicked_on_home_is_recorded_and_home_moves_to_the_next(rig):
    known_week(rig)
    open_home(rig, LEAD)
    assert rig.click(LEAD, "topic_approve", "2", home=True).status == 200
    rig.deliver()
    with transaction(rig.app.db) as s:
        assert s.get(Topic, 2).status == "approved"
    card = [c for c in cards(rig.slack.calls(), CHANNEL) if "Customer" in all_text(c.params)][-1]
    assert "Approved by" in all_text(card.params), "the channel card shows the decision"
    home = last_home(rig, LEAD)
    assert ("topic_approve", "3") in actions(home), "the next topic now has the buttons"
    assert "*Waiting on you* (4)" in all_text(home)

    rig.click(LEAD, "leave_approve", "1", home=True)
    rig.deliver()
    with transaction(rig.app.db) as s:
        assert s.scalars(select(Leave.status)).one() == "approved"

    rig.click(LEAD, "draft_request_changes", "1:1", home=True)
    rig.submit(LEAD, rig.last_view(), {"review_comment": "Add a hook."})
    rig.click(LEAD, "activity_reject", "1", home=True)
    rig.submit(LEAD, rig.last_view(), {"comment": "Budget is spent."})
    rig.deliver()
    text = all_text(last_home(rig, ALICE))
    assert "Draft #1 Onboarding video series — Changes requested, round 1" in text
    assert "Activity #1" not in text, "a rejected activity leaves the owner's Home"


def test_a_member_clicking_a_decision_from_home_changes_nothing(rig):
    known_week(rig)
    assert rig.click(BOB, "topic_approve", "2", home=True).status == 200
    rig.deliver()
    with transaction(rig.app.db) as s:
        assert s.get(Topic, 2).status == "proposed"
    assert any("Only a supervisor" in c.params["text"] for c in dms(rig.slack.calls(), BOB)), \
        "Home has no response_url: the answer comes by DM"


def test_homes_quick_buttons_open_the_draft_and_leave_forms(rig):
    approved_topic(rig, ALICE, "Onboarding video series")
    rig.click(ALICE, "home_submit_draft", "0", home=True)
    assert rig.last_view()["callback_id"] == "draft_submit"
    rig.click(ALICE, "home_request_leave", "0", home=True)
    leave_form = rig.last_view()
    assert leave_form["callback_id"] == "leave_request"
    rig.submit(ALICE, leave_form, {"leave_start": "2026-12-01", "leave_end": "2026-12-01", "leave_reason": "Dentist"})
    rig.deliver()
    assert "Leave #1 2026-12-01 – 2026-12-01 — Waiting for a decision" in all_text(last_home(rig, ALICE))
    assert "Leave request #1" in all_text(last_home(rig, LEAD)), "the supervisors' Home refreshed too"


def test_a_chinese_supervisors_home_is_in_chinese(rig):
    known_week(rig)
    view = open_home(rig, LEAD2)
    text = all_text(view)
    assert "本周" in text and "等你决定" in text
    assert {"通过", "驳回", "需要修改"} <= set(buttons(view))
    assert "Waiting on you" not in text and "Behind on quota" not in text


def test_a_sixty_member_team_all_waiting_stays_within_slacks_block_limit(database_url):
    members = [f"U0M{i:03d}" for i in range(60)]
    teams = {**TEAMS, "teams": [{**TEAMS["teams"][0], "members": members}]}
    users = {**USERS, **{m: {"name": m.lower(), "real_name": f"Member {i}", "tz": "Asia/Shanghai",
                             "locale": "en-US"} for i, m in enumerate(members)}}
    with make_rig(database_url, teams=teams, users=users) as rig:
        for m in members:
            rig.command(m, "/topic", f"Idea from {m}", channel=CHANNEL)
        for m in members[:10]:
            rig.command(m, "/leave", "", channel=CHANNEL)
            rig.submit(m, rig.last_view(), {"leave_start": "2026-12-07", "leave_end": "2026-12-07",
                                            "leave_reason": "Away"})
        rig.deliver()
        view = open_home(rig, LEAD)
        assert len(view["blocks"]) <= 100
        text = all_text(view)
        assert "*Waiting on you* (70)" in text
        assert "…and 55 more waiting — see the team channel." in text
        assert "…and 40 more." in text, "the behind-on-quota list is summarised"
        assert ("topic_approve", "1") in actions(view)
