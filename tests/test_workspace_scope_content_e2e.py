"""Issue 19 item 4, end to end on both backends: in OAuth mode a request acts in its own workspace only.
Two workspaces are installed through "Add to Slack", each with a team called Growth; a payload signed
for the other workspace (a command typed there, a button or a form carrying this workspace's item)
changes nothing and gets the answer an unknown item or a non-member gets, while the same request
from its own workspace works. Kudos and the honour of the month, leave."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.db import transaction
from storage.kudos import Honour, Kudos
from storage.leave import Leave
from storage.models import AuditEntry, Decision
from tests import test_workspaces_e2e as workspaces
from tests.conftest import SHANGHAI
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
