"""/opsbot settings carries the recognition settings (issue 18 item 6): the
kudos a person may give a day and the monthly report's most recognised,
validated as field errors that leave what was typed, audited, and used by
the next /kudos and report."""

from __future__ import annotations

from sqlalchemy import select

from storage.db import transaction
from storage.models import AuditEntry
from tests.conftest import ALICE, BOB, CHANNEL, LEAD
from tests.helpers import all_text
from tests.test_kudos_e2e import REASON, kudos
from tests.test_settings_e2e import as_typed, open_settings, team


def test_the_form_shows_the_recognition_settings_and_a_change_applies(rig):
    modal = open_settings(rig)
    typed = as_typed(modal)
    assert (typed["recognition_daily_cap"], typed["recognition_leaderboard"]) == ("3", "off")
    assert "Kudos a person may give a day" in all_text(modal)

    answer = rig.submit(LEAD, modal, {**typed, "recognition_daily_cap": " 1 ", "recognition_leaderboard": "on"}).json()
    assert answer["response_action"] == "update"
    shown = all_text(answer["view"])
    assert "Kudos a person may give a day: 3 → *1*" in shown
    assert "Most recognised in the monthly report: off → *on*" in shown
    assert team(rig).recognition == {"daily_cap": 1, "leaderboard": True}
    with transaction(rig.app.db) as s:
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == "settings.update")).all()
    assert entry.before == {"recognition_daily_cap": 3, "recognition_leaderboard": False}
    assert entry.after == {"recognition_daily_cap": 1, "recognition_leaderboard": True}
    assert open_settings(rig)["blocks"] and as_typed(open_settings(rig))["recognition_daily_cap"] == "1"

    assert "Kudos left today: 0" in kudos(rig, ALICE, f"<@{BOB}> {REASON}").json()["text"]
    assert "You have given your 1 kudos for today" in kudos(rig, ALICE, f"<@{LEAD}> {REASON}").json()["text"]
    rig.command(LEAD, "/opsbot", "report month", channel=CHANNEL)
    rig.deliver()
    [f] = rig.slack.files(CHANNEL)
    assert "Most recognised: Bob (1)." in f["initial_comment"]


def test_a_bad_daily_cap_is_a_field_error_that_keeps_what_was_typed(rig):
    modal = open_settings(rig)
    for bad in ("0", "51", "three", ""):
        answer = rig.submit(LEAD, modal, {**as_typed(modal), "recognition_daily_cap": bad,
                                          "weekly_topic_quota": "5"}).json()
        assert answer["response_action"] == "errors", (bad, answer)
        assert set(answer["errors"]) == {"recognition_daily_cap"}
        assert "whole number from 1 to 50" in answer["errors"]["recognition_daily_cap"]
        assert "view" not in answer, "the modal stays as typed"
    t = team(rig)
    assert (t.recognition, t.weekly_topic_quota) == ({"daily_cap": 3, "leaderboard": False}, 3), "nothing stored"
