"""Every export kind's name columns (author, owner, member, approved/decided/evaluated by,
giver, recipient) show the person's Slack name even when opsbot holds no profile of them:
the export asks Slack for each person its rows name, once, and then fills the cells.

Each case drives its data in through the app, forgets every cached profile, renames
everyone in Slack and exports as Li (the second supervisor, here reading English), whom no
row names: a person missing from the kind's ``Table.people`` would get a blank cell or the
name from before, never the new one. The plans and topics kinds are in
tests/test_exports_names_e2e.py."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete

from bot.devtools.rig import Rig
from bot.workflows.exports.rules import KINDS
from storage import queries
from storage.db import transaction
from storage.models import SlackUser
from tests.conftest import ALICE, BOB, CHANNEL, LEAD, LEAD2, USERS, make_rig
from tests.helpers import button
from tests.test_activities_e2e import propose as propose_activity
from tests.test_activities_e2e import the_card as activity_card
from tests.test_content_e2e import approved_draft
from tests.test_exports_e2e import export
from tests.test_exports_kinds_e2e import the_csv
from tests.test_exports_names_e2e import looked_up
from tests.test_feedback_e2e import FB_TEAMS, FB_USERS, NOV_30, PLAN, TALK_AT, evaluated, record, schedule
from tests.test_kudos_e2e import REASON, kudos
from tests.test_leave_e2e import approve as approve_leave
from tests.test_leave_e2e import request as request_leave
from tests.test_reviews_e2e import MONTH_END_10, SELF_REVIEW, evaluate, write_self_review
from tests.test_training_e2e import START as TRAINING_AT
from tests.test_training_e2e import announce
from tests.test_training_e2e import click as card_click

# What Slack calls each of them by the time of the export: none of it was ever cached.
SLACK_NAMES = {ALICE: "Alice Wang", BOB: "Bob Brennan", LEAD: "Lena Liu", LEAD2: "Li Er"}
# A name column and the column of the id it names.
ID_OF = {"Author": "Author ID", "Owner": "Owner ID", "Member": "Member ID", "Giver": "Giver ID",
         "Recipient": "Recipient ID"}
EXPORTER = LEAD2


def english(users: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The exporter reads English, so the headings are the ones below."""
    return {**users, EXPORTER: {**users[EXPORTER], "locale": "en-US"}}


def content(rig: Rig) -> None:
    approved_draft(rig)  # Alice's draft, approved by Lena


def activities(rig: Rig) -> None:
    propose_activity(rig)  # Alice's
    card = activity_card(rig, 1)
    rig.click(LEAD, "activity_approve", button(card.params, "Approve")["value"], message=card)
    rig.deliver()


def leave(rig: Rig) -> None:
    request_leave(rig, ALICE, "2026-11-26", "2026-11-30")
    request_leave(rig, BOB, "2026-11-27", "2026-11-27")  # still pending: decided by nobody
    approve_leave(rig, 1, by=LEAD)


def reviews(rig: Rig) -> None:
    rig.clock.set(MONTH_END_10)
    write_self_review(rig)
    evaluate(rig)  # Alice's, by Lena
    rig.command(BOB, "/selfreview", "2026-11")  # written, not evaluated yet
    assert rig.submit(BOB, rig.last_view(), SELF_REVIEW).body == ""
    rig.deliver()


def kudos_given(rig: Rig) -> None:
    kudos(rig, BOB, f"<@{ALICE}> {REASON}")
    kudos(rig, ALICE, f"<@{BOB}> fixed the broken dashboard before the review")


def talks(rig: Rig) -> None:
    evaluated(rig)  # Alice's November, evaluated by Lena
    schedule(rig)
    rig.app.jobs.run("talk-reminder", now=TALK_AT - timedelta(hours=5))  # the day's reminder: Record notes
    rig.deliver()
    record(rig, {**PLAN, "fb_item_2_owner": LEAD})  # the first item is Alice's own


def training(rig: Rig) -> None:
    announce(rig)  # by Lena
    card_click(rig, ALICE, "Join")
    card_click(rig, BOB, "Can't make it")
    rig.clock.set(TRAINING_AT + timedelta(hours=2))
    card_click(rig, LEAD, "Record attendance")
    done = rig.submit(LEAD, rig.last_view(), {"training_attendees": [ALICE, LEAD]})  # Lena attended, not Bob
    assert "Attendance recorded: 2 attended" in done.body
    rig.deliver()


def goals(rig: Rig) -> None:
    for member, text in ((ALICE, "Lead a campaign\nLearn SQL"), (BOB, "Run a livestream")):
        rig.command(member, "/opsbot", "goals", channel=CHANNEL)
        assert rig.submit(member, rig.last_view(), {"career_goals": text}).status == 200
    rig.deliver()


@dataclass(frozen=True)
class Case:
    export: str  # what follows `/opsbot export`
    data: Callable[[Rig], None]
    named: dict[str, list[str | None]]  # name column -> whom each row names there (None: nobody)
    rig: Callable[[str], Rig] = lambda url: make_rig(url, users=english(USERS))  # Monday 23 Nov 2026


CASES = [
    Case("content 2026-W48", content, {"Author": [ALICE], "Approved by": [LEAD]}),
    Case("activities 2026-11", activities, {"Owner": [ALICE], "Decided by": [LEAD]}),
    Case("leave 2026-11", leave, {"Member": [ALICE, BOB], "Decided by": [LEAD, None]}),
    Case("reviews 2026-11", reviews, {"Member": [ALICE, BOB], "Evaluated by": [LEAD, None]},
         rig=lambda url: make_rig(url, start=MONTH_END_10 - timedelta(hours=1), users=english(USERS))),
    Case("kudos 2026-11", kudos_given, {"Giver": [BOB, ALICE], "Recipient": [ALICE, BOB]}),
    Case("talks 2026-11", talks, {"Member": [ALICE, ALICE], "Owner": [ALICE, LEAD]},
         rig=lambda url: make_rig(url, start=NOV_30 - timedelta(hours=1), users=english(FB_USERS),
                                  teams=FB_TEAMS)),
    Case("training 2026-11", training, {"Member": [ALICE, BOB, LEAD]}),
    Case("goals 2026-11", goals, {"Member": [ALICE, ALICE, BOB]}),
]


def forget_every_profile(rig: Rig) -> None:
    with transaction(rig.app.db) as s:
        s.execute(delete(SlackUser))
    with transaction(rig.app.db) as s:
        assert queries.slack_users(s, SLACK_NAMES) == {}


def names_in(rows: list[dict[str, str]], columns) -> dict[str, list[str]]:
    return {c: [r[c] for r in rows] for c in columns}


def test_the_cases_cover_every_kind_but_the_two_tested_elsewhere():
    assert sorted(c.export.split()[0] for c in CASES) == sorted(set(KINDS) - {"plans", "topics"})


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.export.split()[0])
def test_each_name_column_shows_the_slack_name_of_someone_whose_profile_was_never_cached(database_url, case):
    rig = case.rig(database_url).start()
    try:
        case.data(rig)
        rig.deliver()
        forget_every_profile(rig)
        for user, name in SLACK_NAMES.items():
            rig.slack.set_user(user, real_name=name)
        rig.slack.clear()

        export(rig, EXPORTER, case.export)
        f, rows = the_csv(rig, EXPORTER)
        assert f["initial_comment"].endswith(f"{len(rows)} row(s).") and rows, "the export has the rows"
        assert names_in(rows, case.named) == {
            column: [SLACK_NAMES[u] if u else "" for u in who] for column, who in case.named.items()}
        for row in rows:  # wherever the CSV has an id beside a name, the name is that person's
            for name, id_column in ID_OF.items():
                if name in row:
                    assert row[name] == SLACK_NAMES[row[id_column]], (name, row)
        asked = Counter(looked_up(rig))
        everyone = {u for who in case.named.values() for u in who if u} | {EXPORTER}
        assert set(asked) == everyone and set(asked.values()) == {1}, "each person asked for once"

        rig.slack.clear()
        export(rig, EXPORTER, case.export)
        _f, again = the_csv(rig, EXPORTER)
        assert names_in(again, case.named) == names_in(rows, case.named)
        assert looked_up(rig) == [], "the profiles fetched for the first export are not fetched again"
    finally:
        rig.stop()
