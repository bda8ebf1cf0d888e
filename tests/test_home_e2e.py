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

from bot.kernel.i18n import gettext_for
from bot.kernel.views import Person
from bot.workflows.home import views as home_views
from handlers.home.blocks import home
from storage.activities import Activity
from storage.content import Draft
from storage.db import transaction
from storage.leave import Leave
from storage.topics import Topic
from tests.conftest import ALICE, BOB, CHANNEL, LEAD, LEAD2, TEAMS, USERS, make_rig
from tests.helpers import all_text, buttons, cards, dms
from tests.support.blockkit import validate_view
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


def item_buttons(view: dict[str, Any]) -> dict[tuple[str, int], list[tuple[str, str, str]]]:
    """The buttons under each waiting item's line, by (kind, item id): what a
    supervisor can click on Home, read as (label, action id, value). Each
    line names its item, and its buttons name the same item; the kind is
    checked by the callers' expected labels and ids."""
    out: dict[tuple[str, int], list[tuple[str, str, str]]] = {}
    blocks = view["blocks"]
    for above, b in zip(blocks, blocks[1:], strict=False):
        if b["type"] != "actions" or above["type"] != "section":
            continue  # the quick buttons follow the header
        kind, item = b["elements"][0]["action_id"].split("_")[0], b["elements"][0]["action_id"].split(":")[1]
        assert f" #{item} *" in above["text"]["text"], above
        out[kind, int(item)] = [(el["text"]["text"], el["action_id"], el["value"]) for el in b["elements"]]
    return out


def card_buttons(kind: str, item: int, value: str) -> list[tuple[str, str, str]]:
    """The channel card's buttons for an item, as Home shows them: per-item ids, the card's values."""
    labels = {"topic": [("Approve", "approve"), ("Reject", "reject")],
              "draft": [("Approve", "approve"), ("Request changes", "request_changes")],
              "activity": [("Approve", "approve"), ("Request changes", "changes"), ("Reject", "reject")],
              "leave": [("Approve", "approve"), ("Reject", "reject")]}[kind]
    return [(label, f"{kind}_{action}:{item}", value) for label, action in labels]


def busy_week(rig) -> None:
    """The known week, and a second or third of every kind waiting: topics 2,
    3 and 5, drafts 1 and 2, activities 1 and 2, leave requests 1 and 2."""
    known_week(rig)
    approved_topic(rig, BOB, "Pricing page teardown")  # topic 4
    submit_draft(rig, BOB, topic=4)  # draft 2, round 1
    rig.command(ALICE, "/topic", "Case study: Acme", channel=CHANNEL)  # topic 5
    propose_activity(rig, BOB, activity_theme="Spring webinar")  # activity 2
    rig.command(ALICE, "/leave", "", channel=CHANNEL)
    rig.submit(ALICE, rig.last_view(), {"leave_start": "2026-12-03", "leave_end": "2026-12-03",
                                        "leave_reason": "Dentist"})  # leave 2
    rig.deliver()


WAITING = {("topic", 2): "2", ("topic", 3): "3", ("topic", 5): "5", ("draft", 1): "1:1", ("draft", 2): "2:1",
           ("activity", 1): "1", ("activity", 2): "2", ("leave", 1): "1", ("leave", 2): "2"}


def test_a_supervisors_home_shows_the_decisions_waiting_with_the_cards_buttons(rig):
    known_week(rig)
    view = open_home(rig, LEAD)
    matches_golden("home_supervisor", view)
    text = all_text(view)
    assert "*Waiting on you* (5)" in text
    assert "Behind on quota this week" in text
    assert "Growth* — you supervise this team" in text
    # Every waiting item carries its card's buttons and values (all waited
    # since 09:00 here: by kind, then id), under action ids of its own.
    assert buttons(view) == ["Propose a topic", "Submit a draft", "Request leave",
                             "Approve", "Request changes", "Reject",  # activity 1
                             "Approve", "Request changes",  # draft 1
                             "Approve", "Reject",  # leave 1
                             "Approve", "Reject",  # topic 2
                             "Approve", "Reject"]  # topic 3
    values = actions(view)
    assert ("topic_approve:2", "2") in values and ("topic_approve:3", "3") in values
    assert ("draft_approve:1", "1:1") in values
    assert ("activity_changes:1", "1") in values and ("leave_reject:1", "1") in values


def test_every_waiting_item_on_home_has_its_own_buttons(rig):
    busy_week(rig)
    view = open_home(rig, LEAD)
    assert "*Waiting on you* (9)" in all_text(view)
    assert item_buttons(view) == {item: card_buttons(*item, value) for item, value in WAITING.items()}
    ids = [a for a, _v in actions(view)]
    assert len(ids) == len(set(ids)), "action ids are unique within the view"
    chinese = open_home(rig, LEAD2)
    assert {(kind, item) for kind, item in item_buttons(chinese)} == set(WAITING), "in either language"


def test_clicking_a_later_items_buttons_on_home_decides_that_item(rig):
    busy_week(rig)
    home = item_buttons(open_home(rig, LEAD))

    def click(item: tuple[str, int], label: str):
        _label, action_id, value = next(b for b in home[item] if b[0] == label)
        assert rig.click(LEAD, action_id, value, home=True).status == 200

    click(("topic", 5), "Approve")
    click(("leave", 2), "Reject")
    rig.submit(LEAD, rig.last_view(), {"comment": "Release week."})
    click(("draft", 2), "Request changes")
    rig.submit(LEAD, rig.last_view(), {"review_comment": "Add the numbers."})
    click(("activity", 2), "Approve")
    rig.deliver()
    with transaction(rig.app.db) as s:
        assert {t.id: t.status for t in s.scalars(select(Topic))} == {
            1: "approved", 2: "proposed", 3: "proposed", 4: "approved", 5: "approved"}
        assert {lv.id: lv.status for lv in s.scalars(select(Leave))} == {1: "pending", 2: "rejected"}
        assert {d.id: d.status for d in s.scalars(select(Draft))} == {1: "in_review", 2: "changes_requested"}
        assert {a.id: a.status for a in s.scalars(select(Activity))} == {1: "proposed", 2: "approved"}
    assert "Case study: Acme" in all_text([c for c in cards(rig.slack.calls(), CHANNEL)
                                           if "Case study" in all_text(c.params)][-1].params)
    after = last_home(rig, LEAD)
    assert "*Waiting on you* (5)" in all_text(after)
    assert set(item_buttons(after)) == {("topic", 2), ("topic", 3), ("draft", 1), ("activity", 1), ("leave", 1)}


def test_a_decision_clicked_on_home_is_recorded_and_leaves_home(rig):
    known_week(rig)
    open_home(rig, LEAD)
    assert rig.click(LEAD, "topic_approve:2", "2", home=True).status == 200
    rig.deliver()
    with transaction(rig.app.db) as s:
        assert s.get(Topic, 2).status == "approved"
    card = [c for c in cards(rig.slack.calls(), CHANNEL) if "Customer" in all_text(c.params)][-1]
    assert "Approved by" in all_text(card.params), "the channel card shows the decision"
    home = last_home(rig, LEAD)
    assert set(item_buttons(home)) == {("topic", 3), ("draft", 1), ("activity", 1), ("leave", 1)}
    assert "*Waiting on you* (4)" in all_text(home)

    rig.click(LEAD, "leave_approve:1", "1", home=True)
    rig.deliver()
    with transaction(rig.app.db) as s:
        assert s.scalars(select(Leave.status)).one() == "approved"

    rig.click(LEAD, "draft_request_changes:1", "1:1", home=True)
    rig.submit(LEAD, rig.last_view(), {"review_comment": "Add a hook."})
    rig.click(LEAD, "activity_reject:1", "1", home=True)
    rig.submit(LEAD, rig.last_view(), {"comment": "Budget is spent."})
    rig.deliver()
    text = all_text(last_home(rig, ALICE))
    assert "Draft #1 Onboarding video series — Changes requested, round 1" in text
    assert "Activity #1" not in text, "a rejected activity leaves the owner's Home"



def test_a_forged_per_item_button_on_home_changes_nothing_and_says_why(rig):
    busy_week(rig)
    forged = [("topic_approve:999999", "2"), ("topic_approve:abc", "2"), ("topic_approve:3", "2"),
              ("topic_approve:999999", "999999"), ("topic_reject:", "2"), ("leave_approve:2", "1"),
              ("draft_approve:2", "1:1"), ("activity_approve:1", "2"), ("activity_reject:1", "2")]
    forms_before = len(rig.slack.calls("views.open"))
    for action_id, value in forged:
        assert rig.click(LEAD, action_id, value, home=True).status == 200, action_id
    rig.deliver()
    told = [c.params["text"] for c in dms(rig.slack.calls(), LEAD)]
    assert told.count("I could not find that item.") == len(forged), told
    assert len(rig.slack.calls("views.open")) == forms_before, "no form opened for a forged click"
    with transaction(rig.app.db) as s:
        assert [t.id for t in s.scalars(select(Topic).where(Topic.status == "proposed"))] == [2, 3, 5]
        assert {lv.status for lv in s.scalars(select(Leave))} == {"pending"}
        assert {d.status for d in s.scalars(select(Draft))} == {"in_review"}
        assert {a.status for a in s.scalars(select(Activity))} == {"proposed"}


def test_a_member_clicking_a_decision_from_home_changes_nothing(rig):
    known_week(rig)
    for action_id in ("topic_approve:2", "topic_approve"):  # as on Home, and as on the card
        assert rig.click(BOB, action_id, "2", home=True).status == 200
    rig.deliver()
    with transaction(rig.app.db) as s:
        assert s.get(Topic, 2).status == "proposed"
    refusals = [c for c in dms(rig.slack.calls(), BOB) if "Only a supervisor" in c.params["text"]]
    assert len(refusals) == 2, "Home has no response_url: the answer comes by DM"


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
        with_buttons = item_buttons(view)
        assert len(with_buttons) == 15, "every listed item carries its buttons"
        assert with_buttons["leave", 10] == card_buttons("leave", 10, "10")


def test_a_supervisor_of_many_busy_teams_gets_as_many_buttons_as_slacks_block_limit_allows():
    # Six teams, each with twenty items of every kind waiting, long titles and
    # full own lists: the worst Home a supervisor could open. Rendered directly,
    # as the outbox would: within 100 blocks without the last-resort cut, the
    # oldest items of the first teams keep their buttons, the rest are listed.
    long = "A very long title " * 12
    kinds = ("topic", "draft", "activity", "leave", "retro")

    def team(n: int) -> home_views.HomeTeam:
        decisions = [home_views.HomeDecision(kinds[i % 5], 100 * n + i, long, Person(f"U0M{i:03d}", None), 1795395600,
                                             f"{100 * n + i}:1" if kinds[i % 5] == "draft" else str(100 * n + i))
                     for i in range(20)]
        items = [home_views.HomeItem("draft", 100 * n + i, long, "in_review", round=1) for i in range(30)]
        return home_views.HomeTeam(
            team_name=f"Team {n}", count=0, quota=3, topics=[], is_supervisor=True, items=items, decisions=decisions,
            behind=[home_views.HomeBehind(Person(f"U0M{i:03d}", None), 0, 3) for i in range(30)],
            late_reviews=[Person(f"U0M{i:03d}", None) for i in range(30)], review_period="2026-11")

    view = home(home_views.HomeView(locale="en", user_id=LEAD, teams=[team(n) for n in range(1, 7)]),
                gettext_for("en"))
    validate_view(view)
    assert len(view["blocks"]) <= 100
    text = all_text(view)
    assert "More is waiting than Home can show" not in text, "the buttons gave way, not the content"
    assert "…and 5 more waiting — see the team channel." in text and "…and 1 more teams." in text
    with_buttons = item_buttons(view)
    assert ("topic", 100) in with_buttons and ("draft", 101) in with_buttons, "the first team's oldest have buttons"
    assert 0 < len(with_buttons) < 5 * 12, "fewer than every listed item: the rest wait, listed"
    ids = [a for a, _v in actions(view)]
    assert len(ids) == len(set(ids))
