"""Issue 19 item 4, end to end on both backends: in OAuth mode a request acts in its own workspace only.
Two workspaces are installed through "Add to Slack", each with a team called Growth; a payload signed
for the other workspace (a command typed there, a button or a form carrying this workspace's item)
changes nothing and gets the answer an unknown item or a non-member gets, while the same request
from its own workspace works. Kudos and the honour of the month, leave, activities, drafts and their review
rounds, publications and metrics."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.activities import Activity, ActivityRound
from storage.content import Draft, DraftRound, MetricsUpdate, Publication
from storage.db import transaction
from storage.kudos import Honour, Kudos
from storage.leave import Leave
from storage.models import AuditEntry, Decision
from storage.topics import Topic
from tests import test_activities_e2e as activities
from tests import test_workspaces_e2e as workspaces
from tests.conftest import SHANGHAI
from tests.helpers import all_text, button, cards
from tests.test_workspaces_e2e import ACME, AMY, CHANNEL_A, LEAD_A, OTHER, both

two = workspaces.two  # the fixture: two workspaces installed through OAuth, not yet set up

REASON = "shipped the November newsletter two days early"
NOT_IN_TEAM = "You are not a member of any opsbot team."
NOT_FOUND = "I could not find that item."


def rows(rig, model) -> list:
    with transaction(rig.app.db) as s:
        return list(s.scalars(select(model).order_by(model.id)))


def opened_views(rig, before: int) -> list:
    return [c for c in rig.slack.calls()[before:] if c.method == "views.open"]


def test_kudos_and_honour_typed_in_another_workspace_reach_no_team_of_this_one(two):
    both(two)
    forged = two.command(AMY, "/kudos", f"<@{LEAD_A}> {REASON}", channel=CHANNEL_A, team=OTHER).json()
    assert NOT_IN_TEAM in forged["text"]
    honour = two.command(LEAD_A, "/kudos", f"honour <@{AMY}> {REASON}", channel=CHANNEL_A, team=OTHER).json()
    assert NOT_IN_TEAM in honour["text"]
    two.deliver()
    assert rows(two, Kudos) == [] and rows(two, Honour) == []

    # From their own workspace the same commands are recorded.
    assert f"<@{LEAD_A}>" in two.command(AMY, "/kudos", f"<@{LEAD_A}> {REASON}", channel=CHANNEL_A,
                                         team=ACME).json()["text"]
    assert f"<@{AMY}>" in two.command(LEAD_A, "/kudos", f"honour <@{AMY}> {REASON}", channel=CHANNEL_A,
                                      team=ACME).json()["text"]
    [k], [h] = rows(two, Kudos), rows(two, Honour)
    assert (k.giver_id, k.recipient_id, h.user_id, h.honoured_by) == (AMY, LEAD_A, AMY, LEAD_A)


def _a_week_ahead(two) -> tuple[str, str]:
    """Monday to Tuesday of next week, in Shanghai: working days ahead."""
    today = two.clock.now().astimezone(SHANGHAI).date()
    monday = today + timedelta(days=7 - today.weekday())
    return monday.isoformat(), (monday + timedelta(days=1)).isoformat()


def test_leave_forms_buttons_and_commands_from_another_workspace_change_nothing(two):
    both(two)
    start, end = _a_week_ahead(two)
    values = {"leave_start": start, "leave_end": end, "leave_reason": "Family trip"}
    before = len(two.slack.calls())
    two.command(AMY, "/leave", "", channel=CHANNEL_A, team=OTHER)  # no team of Acme's offered there
    two.click(AMY, "home_request_leave", "0", home=True, team=OTHER)  # nor from a Home there
    assert opened_views(two, before) == []
    two.click(AMY, "home_request_leave", "0", home=True, team=ACME)
    assert len(opened_views(two, before)) == 1
    two.command(AMY, "/leave", "", channel=CHANNEL_A, team=ACME)
    form = two.last_view()
    two.submit(AMY, form, values, team=OTHER)  # Acme's form, sent from the other workspace
    two.deliver()
    assert rows(two, Leave) == []
    two.submit(AMY, form, values, team=ACME)
    two.deliver()
    [lv] = rows(two, Leave)
    value = str(lv.id)

    before = len(two.slack.calls())
    assert two.click(LEAD_A, "leave_approve", value, team=OTHER).status == 200
    [answer] = two.slack.responses(two.last_response_url)
    assert NOT_FOUND in answer.params["text"]
    two.click(LEAD_A, "leave_reject", value, team=OTHER)  # no reason form opens
    two.click(LEAD_A, "leave_details", value, team=OTHER)  # and no details
    assert opened_views(two, before) == []
    cancel = two.command(AMY, "/leave", f"cancel {lv.id}", channel=CHANNEL_A, team=OTHER).json()
    assert f"You have no leave #{lv.id}." in cancel["text"]
    assert NOT_IN_TEAM in two.command(AMY, "/leave", "list", channel=CHANNEL_A, team=OTHER).json()["text"]
    two.deliver()
    [lv] = rows(two, Leave)
    assert (lv.status, lv.decided_by) == ("pending", None)
    assert rows(two, Decision) == []
    with transaction(two.app.db) as s:
        assert s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("leave.%"))).all() == [
            "leave.request"]

    # From its own workspace: the details open, and the same click decides.
    two.click(LEAD_A, "leave_details", value, team=ACME)
    assert len(opened_views(two, before)) == 1
    two.click(LEAD_A, "leave_approve", value, team=ACME)
    two.deliver()
    [lv] = rows(two, Leave)
    assert (lv.status, lv.decided_by) == ("approved", LEAD_A)


CHECKED = ["accuracy", "professionalism", "interest", "brand_fit"]
LINK = "https://docs.example.com/d/spring-launch"


def the_card(two, draft_id: int):
    return [c for c in cards(two.slack.calls(), CHANNEL_A)
            if f"Draft #{draft_id} " in all_text(c.params) and not c.params.get("thread_ts")][-1]


def draft_state(two) -> tuple:
    [d] = rows(two, Draft)
    decided = [x for x in rows(two, Decision) if x.item_kind == "draft"]
    return d.status, d.round, len(rows(two, DraftRound)), len(decided)


def test_drafts_reviews_publications_and_metrics_from_another_workspace_change_nothing(two):
    both(two)
    two.command(AMY, "/topic", "Spring launch", channel=CHANNEL_A, team=ACME)
    two.deliver()
    [topic] = rows(two, Topic)
    two.click(LEAD_A, "topic_approve", str(topic.id), team=ACME)
    two.deliver()

    # /draft typed in the other workspace offers nothing of Acme's; Acme's form sent from there saves nothing.
    before = len(two.slack.calls())
    two.command(AMY, "/draft", channel=CHANNEL_A, team=OTHER)
    two.click(AMY, "home_submit_draft", "0", home=True, team=OTHER)
    assert opened_views(two, before) == []
    two.command(AMY, "/draft", channel=CHANNEL_A, team=ACME)
    form = two.last_view()
    values = {"draft_topic": str(topic.id), "draft_link": LINK, "draft_checklist": CHECKED}
    forged = two.submit(AMY, form, values, team=OTHER).json()
    assert forged["response_action"] == "errors"
    assert rows(two, Draft) == []
    two.submit(AMY, form, values, team=ACME)
    two.deliver()
    [draft] = rows(two, Draft)

    # The review card's buttons and the comments form, from the other workspace.
    card = the_card(two, draft.id)
    before = len(two.slack.calls())
    two.click(LEAD_A, "draft_approve", button(card.params, "Approve")["value"], message=card, team=OTHER)
    [answer] = two.slack.responses(two.last_response_url)
    assert NOT_FOUND in answer.params["text"]
    two.click(LEAD_A, "draft_request_changes", button(card.params, "Request changes")["value"], message=card,
              team=OTHER)
    assert opened_views(two, before) == []
    two.click(LEAD_A, "draft_request_changes", button(card.params, "Request changes")["value"], message=card,
              team=ACME)
    comments = two.last_view()
    two.submit(LEAD_A, comments, {"review_comment": "A sharper headline"}, team=OTHER)
    two.deliver()
    assert draft_state(two) == ("in_review", 1, 1, 0)
    two.submit(LEAD_A, comments, {"review_comment": "A sharper headline"}, team=ACME)
    two.deliver()
    assert draft_state(two) == ("changes_requested", 1, 1, 1)

    # Resubmit, from the other workspace: no form opens, and Acme's form sent from there opens no round.
    before = len(two.slack.calls())
    two.click(AMY, "draft_resubmit", str(draft.id), team=OTHER)
    assert opened_views(two, before) == []
    two.click(AMY, "draft_resubmit", str(draft.id), team=ACME)
    again = two.last_view()
    two.submit(AMY, again, {"draft_link": LINK + "-v2", "draft_checklist": CHECKED}, team=OTHER)
    assert draft_state(two) == ("changes_requested", 1, 1, 1)
    two.submit(AMY, again, {"draft_link": LINK + "-v2", "draft_checklist": CHECKED}, team=ACME)
    two.deliver()
    assert draft_state(two) == ("in_review", 2, 2, 1)
    card = the_card(two, draft.id)
    two.click(LEAD_A, "draft_approve", button(card.params, "Approve")["value"], message=card, team=ACME)
    two.deliver()
    assert draft_state(two) == ("approved", 2, 2, 2)

    # /publish and its form.
    before = len(two.slack.calls())
    two.command(AMY, "/publish", channel=CHANNEL_A, team=OTHER)
    assert opened_views(two, before) == []
    two.command(AMY, "/publish", channel=CHANNEL_A, team=ACME)
    publish_form = two.last_view()
    published = {"pub_draft": str(draft.id), "pub_platform": "WeChat", "pub_url": "https://mp.example.com/s/spring"}
    assert two.submit(AMY, publish_form, published, team=OTHER).json()["response_action"] == "errors"
    assert rows(two, Publication) == []
    two.submit(AMY, publish_form, published, team=ACME)
    two.deliver()
    [pub] = rows(two, Publication)

    # Update metrics: the button and /publish metrics from there open nothing; Acme's form sent from there saves nothing.
    before = len(two.slack.calls())
    two.click(AMY, "update_metrics", str(pub.id), team=OTHER)
    missing = two.command(AMY, "/publish", f"metrics {pub.id}", channel=CHANNEL_A, team=OTHER).json()
    assert f"no publication #{pub.id}" in missing["text"]
    assert opened_views(two, before) == []
    two.click(AMY, "update_metrics", str(pub.id), team=ACME)
    metrics = two.last_view()
    figures = {"metric_reads": "1200", "metric_likes": "30", "metric_comments": "4", "metric_shares": "2"}
    two.submit(AMY, metrics, figures, team=OTHER)
    assert rows(two, MetricsUpdate) == []
    assert two.submit(AMY, metrics, figures, team=ACME).json()["response_action"] == "update"
    [m] = rows(two, MetricsUpdate)
    assert (m.publication_id, m.reads, m.actor_id) == (pub.id, 1200, AMY)


def activity_state(two) -> tuple:
    [a] = rows(two, Activity)
    decided = [x for x in rows(two, Decision) if x.item_kind == "activity"]
    return a.status, a.round, len(rows(two, ActivityRound)), len(decided), a.retro_at is not None


def test_activities_from_another_workspace_change_nothing(two):
    both(two)
    before = len(two.slack.calls())
    two.command(AMY, "/activity", "", channel=CHANNEL_A, team=OTHER)  # no team of Acme's offered there
    assert opened_views(two, before) == []
    two.command(AMY, "/activity", "", channel=CHANNEL_A, team=ACME)
    form = two.last_view()
    values = activities.fill(activity_participants=[AMY])
    two.submit(AMY, form, values, team=OTHER)
    assert rows(two, Activity) == []
    two.submit(AMY, form, values, team=ACME)
    two.deliver()
    [a] = rows(two, Activity)
    value = str(a.id)

    # The card's buttons and the comment form, from the other workspace.
    before = len(two.slack.calls())
    two.click(LEAD_A, "activity_approve", value, team=OTHER)
    [answer] = two.slack.responses(two.last_response_url)
    assert NOT_FOUND in answer.params["text"]
    two.click(LEAD_A, "activity_changes", value, team=OTHER)
    two.click(LEAD_A, "activity_reject", value, team=OTHER)
    assert opened_views(two, before) == []
    two.click(LEAD_A, "activity_changes", value, team=ACME)
    comments = two.last_view()
    two.submit(LEAD_A, comments, {"comment": "Add a second host"}, team=OTHER)
    assert activity_state(two) == ("proposed", 1, 1, 0, False)
    two.submit(LEAD_A, comments, {"comment": "Add a second host"}, team=ACME)
    two.deliver()
    assert activity_state(two) == ("changes_requested", 1, 1, 1, False)

    # Resubmit.
    before = len(two.slack.calls())
    two.click(AMY, "activity_resubmit", value, team=OTHER)
    assert opened_views(two, before) == []
    two.click(AMY, "activity_resubmit", value, team=ACME)
    again = two.last_view()
    two.submit(AMY, again, {"activity_resources": "Studio, 3 hosts"}, team=OTHER)
    assert activity_state(two) == ("changes_requested", 1, 1, 1, False)
    two.submit(AMY, again, {"activity_resources": "Studio, 3 hosts"}, team=ACME)
    two.deliver()
    assert activity_state(two) == ("proposed", 2, 2, 1, False)
    two.click(LEAD_A, "activity_approve", value, team=ACME)
    two.deliver()
    assert activity_state(two) == ("approved", 2, 2, 2, False)

    # The retrospective, once it has ended.
    two.clock.advance(activities.END - two.clock.now() + timedelta(hours=1))
    before = len(two.slack.calls())
    two.click(AMY, "write_retro", value, team=OTHER)
    assert opened_views(two, before) == []
    two.click(AMY, "write_retro", value, team=ACME)
    retro_form = two.last_view()
    retro = {"actual_participants": 240, "actual_engagement": 31, "actual_conversion": 15,
             "retro_worked": "Hosts were great", "retro_didnt": "Late start", "retro_improve": "Rehearse"}
    two.submit(AMY, retro_form, retro, team=OTHER)
    assert activity_state(two) == ("approved", 2, 2, 2, False)
    assert two.submit(AMY, retro_form, retro, team=ACME).body == ""
    assert activity_state(two) == ("approved", 2, 2, 2, True)
