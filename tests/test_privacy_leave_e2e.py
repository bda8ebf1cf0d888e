"""A leave card in the team channel shows the dates, never the personal reason
(issue 16, item 4); the supervisors read the reason in the card's details, in a
modal only they (and the requester) can open."""

from __future__ import annotations

import json

from sqlalchemy import select

from storage.db import transaction
from storage.leave import Leave
from storage.models import AuditEntry
from tests.conftest import ALICE, BOB, CHANNEL, EVE, LEAD, LEAD2
from tests.helpers import all_text, buttons, cards
from tests.test_leave_e2e import request, the_card

REASON = "Chemotherapy appointment"
REJECTION = "Not during the launch, sorry"


def channel_payloads(rig) -> str:
    return " ".join(json.dumps(c.params, ensure_ascii=False) for c in cards(rig.slack.calls(), CHANNEL))


def test_leave_card_in_the_channel_shows_dates_not_the_reason(rig):
    request(rig, ALICE, "2026-11-25", "2026-11-27", reason=REASON)
    card = the_card(rig, 1)
    assert "2026-11-25 – 2026-11-27 (3 working day(s))" in all_text(card.params)
    assert buttons(card.params) == ["Approve", "Reject", "Details"]
    request(rig, BOB, "2026-12-01", "2026-12-01", reason=REASON)
    rig.click(LEAD, "leave_reject", "2", message=the_card(rig, 2))
    rig.submit(LEAD, rig.last_view(), {"reason": REJECTION})
    rig.deliver()
    card = the_card(rig, 2)
    assert "Rejected by Lena Lead" in all_text(card.params) and buttons(card.params) == ["Details"]
    assert REASON not in channel_payloads(rig) and REJECTION not in channel_payloads(rig)
    # The requester still reads the rejection's reason, in a DM.
    [told] = [c for c in rig.slack.calls("chat.postMessage") if c.params.get("channel") == BOB
              and "was rejected" in c.params["text"]]
    assert REJECTION in all_text(told.params)


def test_supervisor_sees_the_leave_reason_in_the_card_details(rig):
    request(rig, ALICE, "2026-11-25", "2026-11-27", reason=REASON)
    card = the_card(rig, 1)
    rig.click(LEAD, "leave_details", "1", message=card)
    details = rig.last_view()
    assert REASON in all_text(details) and "2026-11-25 – 2026-11-27" in all_text(details)
    assert "submit" not in details, "the details only show; nothing to submit"
    rig.click(LEAD2, "leave_details", "1", message=card)
    assert REASON in all_text(rig.last_view()), "every supervisor of the team"
    rig.click(ALICE, "leave_details", "1", message=card)
    assert REASON in all_text(rig.last_view()), "the requester reads her own reason"
    opened = len(rig.opened_views())

    # A teammate and an outsider are told why, see nothing, and change nothing.
    for user in (BOB, EVE):
        updates = len(rig.slack.calls("chat.update"))
        rig.click(user, "leave_details", "1", message=card)
        [answer] = rig.slack.responses(rig.last_response_url)
        assert "Only the team's supervisors see the details" in answer.params["text"]
        assert REASON not in json.dumps(answer.params)
        assert len(rig.opened_views()) == opened
        rig.deliver()
        assert len(rig.slack.calls("chat.update")) == updates, "the card is left as it was"
    with transaction(rig.app.db) as s:
        assert s.scalars(select(Leave.status)).all() == ["pending"]
        denied = s.scalars(select(AuditEntry).where(AuditEntry.action == "leave.details")).all()
    assert [(a.actor_id, a.outcome) for a in denied] == [(BOB, "denied"), (EVE, "denied")]
