"""The name columns of an export: never blank for someone opsbot had not
looked up in Slack yet, and no profile fetched again while the cached one is fresh."""

from __future__ import annotations

import copy
from datetime import timedelta

from storage import queries
from storage.db import transaction
from tests.conftest import ALICE, BOB, CHANNEL, LEAD, TEAMS, USERS, make_rig
from tests.test_exports_e2e import export
from tests.test_exports_kinds_e2e import the_csv

NINA = "U0NINA"  # joins the team in the teams file and never does anything opsbot would name her for


def looked_up(rig) -> list[str]:
    """Whose profile opsbot asked Slack for since the last clear: users.info's user, or "*" for users.list."""
    return sorted([c.params.get("user") for c in rig.slack.calls("users.info")]
                  + ["*" for _ in rig.slack.calls("users.list")])


def test_a_member_whose_profile_was_never_cached_has_their_slack_name_in_the_export(database_url):
    teams = copy.deepcopy(TEAMS)
    teams["teams"][0]["members"].append(NINA)
    users = {**USERS, NINA: {"name": "nina", "real_name": "Nina Newcomer", "tz": "Asia/Shanghai", "locale": "en-US"}}
    rig = make_rig(database_url, teams=teams, users=users).start()
    try:
        with transaction(rig.app.db) as s:
            assert queries.slack_users(s, [NINA, ALICE, BOB]) == {}, "nobody's profile is cached yet"
        rig.slack.clear()

        export(rig, LEAD, "plans 2026-11")  # every member has a row, with or without a plan
        _f, rows = the_csv(rig)
        assert [(r["Member ID"], r["Member"]) for r in rows] == [
            (ALICE, "Alice"), (BOB, "Bob"), (NINA, "Nina Newcomer")]
        assert looked_up(rig) == sorted([ALICE, BOB, LEAD, NINA]), "each person asked for once"

        rig.slack.clear()
        export(rig, LEAD, "training 2026-11")
        export(rig, LEAD, "plans 2026-11")
        _f, rows = the_csv(rig)
        assert [r["Member"] for r in rows] == ["Alice", "Bob", "Nina Newcomer"]
        assert looked_up(rig) == [], "profiles cached by the first export are not fetched again"
    finally:
        rig.stop()


def test_a_name_changed_in_slack_reaches_the_export_once_the_cached_profile_is_stale(rig):
    rig.command(ALICE, "/topic", "Weekly KPI digest", channel=CHANNEL)
    rig.deliver()
    rig.slack.set_user(ALICE, real_name="Alice Wang")
    rig.slack.clear()

    export(rig, LEAD, "topics 2026-W48")
    _f, [row] = the_csv(rig)
    assert row["Author"] == "Alice", "the profile cached an instant ago is used as it is"
    assert ALICE not in looked_up(rig)

    rig.clock.advance(timedelta(hours=13))  # the cached profile is now older than 12 hours
    rig.slack.clear()
    export(rig, LEAD, "topics 2026-W48")
    _f, [row] = the_csv(rig)
    assert row["Author"] == "Alice Wang"
    assert looked_up(rig).count(ALICE) == 1
