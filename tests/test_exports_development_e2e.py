"""/opsbot export kudos|plans|training|goals (issue 18 item 6): known data in,
the CSV a supervisor opens out; a member never exports (plans and goals are
private to the member and the team's supervisors); formula-like text is
defused as in every export."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from storage.db import transaction
from storage.models import AuditEntry
from tests.conftest import ALICE, BOB, CHANNEL, LEAD, LEAD2, SHANGHAI
from tests.test_exports_e2e import export
from tests.test_exports_kinds_e2e import the_csv
from tests.test_home_development_e2e import announce
from tests.test_kudos_e2e import kudos
from tests.test_plan_e2e import agree, propose
from tests.test_plan_e2e import rig as rig  # noqa: F401 - the plan rig: 2 Nov 2026, Bob reads Chinese
from tests.test_training_e2e import click as card_click


def test_kudos_export_has_giver_recipient_reason_local_time_and_the_honour_flag(rig):
    kudos(rig, BOB, f"<@{ALICE}> =HYPERLINK(\"http://evil.example\") wrote the launch post overnight")
    kudos(rig, ALICE, f"<@{BOB}> fixed the broken dashboard before the review")
    kudos(rig, LEAD, f"honour <@{BOB}|bob> 2026-11 kept the dashboard alive all month")
    export(rig, LEAD, "kudos 2026-11")
    f, rows = the_csv(rig)
    assert f["filename"] == "opsbot-Growth-kudos-2026-11.csv" and f["title"] == "Kudos · Growth · 2026-11"
    assert [(r["Giver"], r["Recipient"], r["Honour of the month"]) for r in rows] == [
        ("Bob", "Alice", "no"), ("Alice", "Bob", "yes")]
    assert rows[0]["Reason"].startswith("'="), "a formula is defused"
    assert rows[1]["Given at"].startswith("2026-11-02T09:00") and rows[1]["Given at"].endswith("+08:00")


def test_plans_export_has_status_rounds_and_each_target_against_actual(rig):
    propose(rig, ALICE)
    propose(rig, BOB)
    agree(rig, ALICE)
    export(rig, LEAD, "plans 2026-11")
    f, rows = the_csv(rig)
    assert f["title"] == "Performance plans · Growth · 2026-11"
    by = {r["Member"]: r for r in rows}
    assert (by["Alice"]["Status"], by["Alice"]["Rounds"], by["Alice"]["Agreed round"]) == ("agreed", "1", "1")
    assert (by["Alice"]["Target: Topics approved"], by["Alice"]["Actual: Topics approved"]) == ("3", "0")
    assert by["Alice"]["Target: Total reads"] == "10000" and by["Alice"]["Target: Pieces published"] == ""
    assert by["Alice"]["Custom indicators"].startswith("Newsletter: 4 issues")
    assert (by["Bob"]["Status"], by["Bob"]["Agreed round"]) == ("proposed", "")


def test_plans_export_lists_every_member_with_none_for_a_month_without_a_plan(rig):
    propose(rig, ALICE)
    agree(rig, ALICE)
    export(rig, LEAD, "plans 2026-11")
    f, rows = the_csv(rig)
    assert f["initial_comment"].endswith("2 row(s).")
    assert [(r["Period"], r["Member ID"], r["Status"], r["Rounds"], r["Agreed round"]) for r in rows] == [
        ("2026-11", ALICE, "agreed", "1", "1"), ("2026-11", BOB, "none", "", "")]
    assert rows[0]["Member"] == "Alice"
    bob = rows[1]
    assert bob["ID"] == "", "no plan, no plan id"
    assert {v for k, v in bob.items() if k.startswith(("Target", "Actual", "Custom", "Agreed at"))} == {""}

    # A week across two months: a row per member for each, December's all "none"; a Chinese
    # reader gets the headings in Chinese and the status as the same key as every export's.
    export(rig, LEAD2, "plans 2026-W49")
    _f, rows = the_csv(rig, LEAD2)
    assert [(r["周期"], r["成员 ID"], r["状态"]) for r in rows] == [
        ("2026-11", ALICE, "agreed"), ("2026-11", BOB, "none"), ("2026-12", ALICE, "none"), ("2026-12", BOB, "none")]


def test_training_export_has_each_members_answer_and_attendance(rig):
    announce(rig)
    card_click(rig, ALICE, "Join")
    card_click(rig, BOB, "Can't make it")
    export(rig, LEAD, "training 2026-11")
    _f, rows = the_csv(rig)
    assert [(r["Member"], r["Answer"], r["Attended"]) for r in rows] == [
        ("Alice", "joining", ""), ("Bob", "not_joining", "")], "attendance not recorded yet"
    rig.clock.set(datetime(2026, 11, 5, 17, 0, tzinfo=SHANGHAI))
    card_click(rig, LEAD, "Record attendance")
    rig.submit(LEAD, rig.last_view(), {"training_attendees": [ALICE, LEAD2]})
    rig.deliver()
    export(rig, LEAD, "training 2026-11")
    f, rows = the_csv(rig)
    assert f["title"] == "Training attendance · Growth · 2026-11"
    assert [(r["Member"], r["Session topic"], r["Answer"], r["Attended"]) for r in rows] == [
        ("Alice", "Writing headlines", "joining", "yes"), ("Bob", "Writing headlines", "not_joining", "no"),
        ("Li Second", "Writing headlines", "", "yes")]
    assert rows[0]["Starts"].startswith("2026-11-05T15:00") and rows[0]["Place"] == "Room 3"


def test_goals_export_is_for_supervisors_only(rig):
    rig.command(ALICE, "/opsbot", "goals", channel=CHANNEL)
    rig.submit(ALICE, rig.last_view(), {"career_goals": "Lead a campaign\n@Learn SQL"})
    denied = export(rig, ALICE, "goals 2026-11")
    assert "Only a supervisor of a team can export its data" in denied["text"]
    assert not rig.slack.files(ALICE)
    with transaction(rig.app.db) as s:
        [refusal] = s.scalars(select(AuditEntry).where(AuditEntry.actor_id == ALICE,
                                                       AuditEntry.action == "export")).all()
        assert refusal.outcome == "denied"
    export(rig, LEAD2, "goals 2026-11")
    f, rows = the_csv(rig, LEAD2)
    assert f["title"] == "职业目标 · Growth · 2026-11"
    assert [(r["成员 ID"], r["目标编号"], r["目标"]) for r in rows] == [(ALICE, "1", "Lead a campaign"),
                                                                     (ALICE, "2", "'@Learn SQL")]
