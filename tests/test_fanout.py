"""The quota reminder at scale: a fixed number of SQL statements per team
however large the team, profiles from one users.list pass, once-only DMs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import event

from tests.conftest import make_rig
from tests.helpers import dms

SHANGHAI = ZoneInfo("Asia/Shanghai")
THU_10 = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
SMALL = [f"U0SM{i:03d}" for i in range(2)]
LARGE = [f"U0LG{i:03d}" for i in range(30)]
TEAMS = {"teams": [
    {"name": "Small", "channel": "C0SMALL", "timezone": "Asia/Shanghai", "country": "CN", "supervisors": ["U0LEADS"],
     "members": SMALL},
    {"name": "Large", "channel": "C0LARGE", "timezone": "Asia/Shanghai", "country": "CN", "supervisors": ["U0LEADL"],
     "members": LARGE},
]}
USERS = {u: {"name": u.lower(), "tz": "Asia/Shanghai"} for u in [*SMALL, *LARGE, "U0LEADS", "U0LEADL"]}


@contextmanager
def _counting(rig) -> Iterator[list[int]]:
    """The SQL statements the app's engine runs inside the block: ``[n]``."""
    n = [0]

    @event.listens_for(rig.app.engine, "before_cursor_execute")
    def count(*_args):
        n[0] += 1

    try:
        yield n
    finally:
        event.remove(rig.app.engine, "before_cursor_execute", count)


def _statements(rig, team: str) -> int:
    with _counting(rig) as n:
        rig.app.jobs.run("quota-reminder", team=team, now=THU_10)
    return n[0]


def test_the_quota_reminder_costs_the_same_statements_for_a_team_of_2_and_of_30(database_url):
    rig = make_rig(database_url, teams=TEAMS, users=USERS, start=THU_10).start()
    try:
        rig.app.jobs.slack = None  # profiles aside: only the job's own statements
        small, large = _statements(rig, "Small"), _statements(rig, "Large")
        assert small == large, f"a team of 2 took {small} statements, a team of 30 took {large}"
        rig.deliver()
        for m in SMALL + LARGE:
            assert len(dms(rig.slack.calls(), m)) == 1, m
        _statements(rig, "Large")
        rig.deliver()
        assert all(len(dms(rig.slack.calls(), m)) == 1 for m in LARGE), "a second run sends nothing"
    finally:
        rig.stop()


def test_profiles_for_many_people_come_from_users_list_not_one_call_each(database_url):
    rig = make_rig(database_url, teams=TEAMS, users=USERS, start=THU_10).start()
    try:
        rig.app.jobs.run("quota-reminder", now=THU_10)
        assert rig.slack.calls("users.list"), "a page of users.list for everyone"
        assert rig.slack.calls("users.info") == []
        rig.deliver()
        assert rig.slack.calls("users.info") == [], "the DMs find every profile cached"
        assert all(len(dms(rig.slack.calls(), m)) == 1 for m in SMALL + LARGE)
    finally:
        rig.stop()


LEADS_FEW = [f"U0FL{i:03d}" for i in range(2)]
LEADS_MANY = [f"U0ML{i:03d}" for i in range(30)]
DECIDING = {"teams": [
    {"name": "Few", "channel": "C0FEW", "timezone": "Asia/Shanghai", "country": "CN", "supervisors": LEADS_FEW,
     "members": ["U0FEWM"]},
    {"name": "Many", "channel": "C0MANY", "timezone": "Asia/Shanghai", "country": "CN", "supervisors": LEADS_MANY,
     "members": ["U0MANYM"]},
]}
DECIDING_USERS = {u: {"name": u.lower(), "tz": "Asia/Shanghai"}
                  for u in [*LEADS_FEW, *LEADS_MANY, "U0FEWM", "U0MANYM"]}


def test_an_approve_click_costs_the_same_statements_with_2_supervisors_or_30(database_url):
    """Every card change re-publishes the supervisors' Home: on the click's
    request path that must not be a statement per supervisor."""
    rig = make_rig(database_url, teams=DECIDING, users=DECIDING_USERS, start=THU_10).start()
    try:
        counts = {}
        for member, channel, lead in (("U0FEWM", "C0FEW", LEADS_FEW[0]), ("U0MANYM", "C0MANY", LEADS_MANY[0])):
            rig.command(member, "/topic", f"An idea from {member}", channel=channel)
            rig.deliver()
            topic_id = 1 if channel == "C0FEW" else 2
            with _counting(rig) as n:
                assert rig.click(lead, "topic_approve", str(topic_id)).status == 200
            counts[channel] = n[0]
        assert counts["C0FEW"] == counts["C0MANY"], counts
        rig.deliver()
        homes = {c.params["user_id"] for c in rig.slack.calls("views.publish")}
        assert set(LEADS_MANY) <= homes, "every supervisor's Home was re-published"
    finally:
        rig.stop()


def test_a_burst_of_decisions_re_publishes_each_supervisors_home_once(database_url):
    """Five cards decided before the worker's next round: each supervisor's
    Home is re-published once with all five decisions, not once per click."""
    rig = make_rig(database_url, teams=DECIDING, users=DECIDING_USERS, start=THU_10).start()
    try:
        for i in range(5):
            rig.command("U0MANYM", "/topic", f"Idea number {i}", channel="C0MANY")
        rig.deliver()
        before = len(rig.slack.calls())
        for topic_id in range(1, 6):
            assert rig.click(LEADS_MANY[topic_id], "topic_approve", str(topic_id)).status == 200
        rig.deliver()
        calls = rig.slack.calls()[before:]
        publishes = [c.params["user_id"] for c in calls if c.method == "views.publish"]
        for lead in LEADS_MANY:
            assert publishes.count(lead) == 1, (lead, publishes.count(lead))
        assert len([c for c in calls if c.method == "chat.update"]) == 5, "every card was updated"
        last = [c for c in calls if c.method == "views.publish" and c.params["user_id"] == LEADS_MANY[0]][-1]
        assert "Idea number" not in json.dumps(last.params["view"], ensure_ascii=False), \
            "the one publish came after all five decisions: nothing is shown as waiting"
    finally:
        rig.stop()
