"""Teams set up and run from Slack (issue 17), end to end: signed requests
into the running app, the Slack stand-in's recorded calls, the database.

From nothing (no team in any file): a workspace admin sets a team up with
``/opsbot setup``; the team works at once, without a restart."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from storage.db import transaction
from storage.models import AuditEntry, Membership, Team
from storage.topics import Topic
from tests.conftest import ALICE, BOB, CHANNEL, EVE, LEAD, LEAD2, NO_TEAMS_FILE, SHANGHAI, USERS, make_rig
from tests.helpers import all_text, button, buttons, cards, dms

ADMIN = "U0WSADMIN"  # a workspace admin, as Slack reports it: in no file
MEI = "U0MEI"
NEW = "C0LAUNCH"
THU_10 = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
PEOPLE = {
    **USERS,
    ADMIN: {"name": "ada", "real_name": "Ada Admin", "tz": "Asia/Shanghai", "locale": "en-US", "is_admin": True},
    MEI: {"name": "mei", "real_name": "李梅", "tz": "Asia/Shanghai", "locale": "zh-CN"},
}
def fresh(database_url: str, **kw: Any):
    """The app as `opsbot serve` starts with no teams file: no team, no named admin."""
    return make_rig(database_url, teams=NO_TEAMS_FILE, users=PEOPLE, **kw).start()


def open_setup(rig, user: str = ADMIN, channel: str = NEW) -> dict:
    r = rig.command(user, "/opsbot", "setup", channel=channel)
    assert r.status == 200 and r.body == "", r.body
    return rig.last_view()


def filled(**over: Any) -> dict[str, Any]:
    values = {"team_name": "Launch", "team_channel": NEW, "team_supervisors": [LEAD], "team_members": [ALICE, BOB],
              "timezone": "Asia/Shanghai", "country": "CN", "locale": "en", "weekly_topic_quota": "2",
              "platforms": "WeChat\nWebsite"}
    return {**values, **over}


def teams(rig) -> list[Team]:
    with transaction(rig.app.db) as s:
        rows = list(s.scalars(select(Team).order_by(Team.id)))
        s.expunge_all()
        return rows


def active_people(rig, team_id: int, role: str) -> list[str]:
    with transaction(rig.app.db) as s:
        return list(s.scalars(select(Membership.user_id).where(Membership.team_id == team_id, Membership.role == role,
                                                               Membership.active).order_by(Membership.position)))


def audits(rig, action: str) -> list[AuditEntry]:
    with transaction(rig.app.db) as s:
        rows = list(s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))
        s.expunge_all()
        return rows


def set_up(rig, **over: Any) -> Team:
    r = rig.submit(ADMIN, open_setup(rig), filled(**over))
    assert r.json()["response_action"] == "update", r.body
    rig.deliver()
    return teams(rig)[-1]


def field_error(reply) -> tuple[str, str]:
    answer = reply.json()
    assert answer["response_action"] == "errors", answer
    [(field, message)] = answer["errors"].items()
    return field, message


# -- from nothing to a working team, without a restart -----------------------------------


def test_an_admin_sets_up_a_team_and_it_works_at_once(database_url):
    rig = fresh(database_url)
    try:
        rig.app.scheduler.start()
        deadline = time.monotonic() + 10
        while rig.app.scheduler.role != "leader" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert rig.app.scheduler.role == "leader"

        modal = open_setup(rig)
        assert modal["title"]["text"] == "Set up a team" and modal["submit"]["text"] == "Create team"
        # The admin's own zone and language are the defaults; the admin is the first supervisor.
        zone = next(b for b in modal["blocks"] if b.get("block_id") == "timezone")
        assert zone["element"]["initial_value"] == "Asia/Shanghai"
        sups = next(b for b in modal["blocks"] if b.get("block_id") == "team_supervisors")
        assert sups["element"]["initial_users"] == [ADMIN]

        done = rig.submit(ADMIN, modal, filled()).json()
        assert done["response_action"] == "update"
        assert "*Launch* is set up in <#C0LAUNCH>" in all_text(done["view"])
        rig.deliver()

        [team] = teams(rig)
        assert (team.name, team.channel, team.managed_by, team.active) == ("Launch", NEW, "slack", True)
        assert (team.timezone, team.country, team.locale, team.weekly_topic_quota) == ("Asia/Shanghai", "CN", "en", 2)
        assert active_people(rig, team.id, "supervisor") == [LEAD]
        assert active_people(rig, team.id, "member") == [ALICE, BOB]
        [entry] = audits(rig, "team.create")
        assert (entry.actor_id, entry.outcome, entry.item_id) == (ADMIN, "ok", team.id)

        # The scheduler planned the team's jobs at the commit: no restart.
        assert rig.app.scheduler._aps.get_job(f"quota-reminder:{team.id}") is not None

        # The welcome card says what the bot will do in the channel.
        [welcome] = cards(rig.slack.calls(), NEW)
        text = all_text(welcome.params)
        assert "opsbot is set up for Launch" in text and "Thursday at 10:00" in text and "quota of 2" in text
        # One intro DM each, saying what is asked of them and when.
        for user in (LEAD, ALICE, BOB):
            assert len(dms(rig.slack.calls(), user)) == 1, user
        alice = all_text(dms(rig.slack.calls(), ALICE)[0].params)
        assert "as a member" in alice and "Propose 2 topics a week" in alice and "Thursday at 10:00" in alice
        assert "self-review for 2026-11 opens on 2026-11-30" in alice and "due by 2026-12-03" in alice
        bob = all_text(dms(rig.slack.calls(), BOB)[0].params)
        assert "America/New_York" in bob  # his reminders come at 10:00 where he is
        lead = all_text(dms(rig.slack.calls(), LEAD)[0].params)
        assert "as a supervisor" in lead and "Evaluate each member's month for 2026-11 by 2026-12-07" in lead

        # A member proposes in that channel; the card appears there; the supervisor approves.
        rig.slack.clear()
        r = rig.command(ALICE, "/topic", "Launch week recap", channel=NEW)
        assert "Topic #1" in r.json()["text"] and "1 / 2 this week" in r.json()["text"]
        rig.deliver()
        [card] = cards(rig.slack.calls(), NEW)
        assert buttons(card.params) == ["Approve", "Reject"]
        rig.click(LEAD, "topic_approve", button(card.params, "Approve")["value"], message=card)
        rig.deliver()
        with transaction(rig.app.db) as s:
            assert s.scalars(select(Topic.status)).one() == "approved"

        # The quota reminder, run by hand, reaches the members below quota.
        rig.slack.clear()
        rig.app.jobs.run("quota-reminder", now=THU_10, manual=True)
        rig.deliver()
        assert "1 of 2 topics" in all_text(dms(rig.slack.calls(), ALICE)[0].params)
        assert "0 of 2 topics" in all_text(dms(rig.slack.calls(), BOB)[0].params)
    finally:
        rig.stop()


def test_the_intro_dm_speaks_chinese_to_a_zh_cn_member(database_url):
    rig = fresh(database_url)
    try:
        set_up(rig, team_members=[MEI], locale="zh-CN")
        [intro] = dms(rig.slack.calls(), MEI)
        text = all_text(intro.params)
        assert "每周提出 2 个选题" in text and "星期四 10:00" in text, text
        # The welcome card speaks the channel's language.
        [welcome] = cards(rig.slack.calls(), NEW)
        assert "opsbot 已为 Launch 设置好" in all_text(welcome.params)
    finally:
        rig.stop()


# -- field errors: what was typed stays, nothing is stored ------------------------------------


def test_each_bad_field_is_an_error_on_that_field_and_nothing_is_stored(database_url):
    rig = fresh(database_url)
    try:
        set_up(rig)
        before = (len(teams(rig)), len(audits(rig, "team.create")), len(rig.slack.calls("chat.postMessage")))
        cases = [
            (filled(team_name="  launch ", team_channel="C0OTHER"), "team_name", "A team named Launch exists already"),
            (filled(team_name="Beta", team_channel="C0BETA", team_supervisors=[]), "team_supervisors",
             "at least one supervisor"),
            (filled(team_name="Beta"), "team_channel", "the channel of team Launch already"),
            (filled(team_name="Beta", team_channel="C0BETA", timezone="Mars/Olympus_Mons"), "timezone",
             "IANA time zone"),
            # Longer than any file name: once a crash, now just not a zone.
            (filled(team_name="Beta", team_channel="C0BETA", timezone="a" * 5000), "timezone", "IANA time zone"),
        ]
        for values, field, says in cases:
            got_field, message = field_error(rig.submit(ADMIN, open_setup(rig), values))
            assert (got_field, says in message) == (field, True), (values, message)
        rig.deliver()
        assert (len(teams(rig)), len(audits(rig, "team.create")), len(rig.slack.calls("chat.postMessage"))) == before
    finally:
        rig.stop()


def test_a_private_channel_without_the_bot_is_a_field_error_saying_how_to_invite_it(database_url):
    rig = fresh(database_url)
    try:
        rig.slack.private_channels.add("G0SECRET")
        rig.slack.not_in_channel.add("G0SECRET")
        field, message = field_error(rig.submit(ADMIN, open_setup(rig), filled(team_channel="G0SECRET")))
        assert field == "team_channel" and "/invite @opsbot" in message
        assert teams(rig) == [] and not rig.slack.calls("conversations.join")

        rig.slack.not_in_channel.discard("G0SECRET")  # invited: the same form now goes through
        set_up(rig, team_channel="G0SECRET")
        assert [t.channel for t in teams(rig)] == ["G0SECRET"]
    finally:
        rig.stop()


def test_a_public_channel_without_the_bot_is_joined_before_the_team_is_stored(database_url):
    rig = fresh(database_url)
    try:
        rig.slack.not_in_channel.add(NEW)
        team = set_up(rig)
        [join] = rig.slack.calls("conversations.join")
        assert join.params["channel"] == NEW and team.channel == NEW
        assert cards(rig.slack.calls(), NEW), "the welcome card reached the channel the bot joined"
    finally:
        rig.stop()


# -- who may ------------------------------------------------------------------------------------


def test_someone_who_is_no_admin_is_refused_with_the_reason_and_it_is_audited(database_url):
    rig = fresh(database_url)
    try:
        r = rig.command(EVE, "/opsbot", "setup", channel=NEW)
        answer = r.json()
        assert answer["response_type"] == "ephemeral"
        assert "Only an opsbot admin can set up a team" in answer["text"] and "opsbot admins add" in answer["text"]
        assert not rig.slack.calls("views.open") and teams(rig) == []
        [denied] = audits(rig, "team.setup")
        assert (denied.actor_id, denied.outcome) == (EVE, "denied")
    finally:
        rig.stop()


def test_a_workspace_admin_demoted_in_slack_loses_setup_at_once(database_url):
    rig = fresh(database_url)
    try:
        set_up(rig)
        rig.slack.set_user(ADMIN, is_admin=False)
        denied = rig.command(ADMIN, "/opsbot", "setup", channel=NEW).json()
        assert "Only an opsbot admin" in denied["text"], denied
        assert len(teams(rig)) == 1 and audits(rig, "team.setup")[-1].outcome == "denied"
        # Promoted again in Slack: setup opens at once too.
        rig.slack.set_user(ADMIN, is_admin=True)
        assert rig.command(ADMIN, "/opsbot", "setup", channel=NEW).body == ""
    finally:
        rig.stop()


def test_home_tells_someone_how_an_admin_is_made_when_there_is_none(database_url):
    nobody = {u: {k: v for k, v in p.items() if k != "is_admin"} for u, p in PEOPLE.items()}
    rig = make_rig(database_url, teams=NO_TEAMS_FILE, users=nobody).start()
    try:
        rig.event({"type": "app_home_opened", "user": EVE, "tab": "home"}, event_id="Ev1")
        rig.deliver()
        [home] = rig.slack.calls("views.publish")
        assert "No opsbot admin yet" in all_text(home.params["view"])
        assert "opsbot admins add" in all_text(home.params["view"])
    finally:
        rig.stop()


# -- edit, archive, file-managed teams ---------------------------------------------------------


def home_of(rig, user: str) -> dict:
    rig.event({"type": "app_home_opened", "user": user, "tab": "home"}, event_id=f"Ev{time.monotonic_ns()}")
    rig.deliver()
    return [c for c in rig.slack.calls("views.publish") if c.params["user_id"] == user][-1].params["view"]


def test_an_admins_home_lists_the_teams_with_edit_and_new_team(database_url):
    rig = fresh(database_url)
    try:
        team = set_up(rig)
        home = home_of(rig, ADMIN)
        text = all_text(home)
        assert "Teams" in text and "*Launch* · <#C0LAUNCH> · 3 people" in text
        assert "New team" in buttons(home)
        edit = [b["accessory"] for b in home["blocks"] if b.get("accessory", {}).get("text", {}).get("text") == "Edit"]
        assert [e["action_id"] for e in edit] == [f"team_edit:{team.id}"]
    finally:
        rig.stop()


def edit_modal(rig, user: str, team_id: int) -> dict:
    rig.click(user, f"team_edit:{team_id}", str(team_id), home=True)
    return rig.last_view()


def test_a_supervisor_edits_the_people_a_removed_member_gets_nothing_more_and_an_added_one_an_intro(database_url):
    rig = fresh(database_url)
    try:
        team = set_up(rig)
        rig.slack.clear()
        modal = edit_modal(rig, LEAD, team.id)  # the team's supervisor, not an admin
        assert modal["title"]["text"] == "Edit team" and modal["submit"]["text"] == "Save"
        done = rig.submit(LEAD, modal, {"team_members": [ALICE, EVE]}).json()
        assert "Added: 1. Removed: 1." in all_text(done["view"])
        rig.deliver()
        assert active_people(rig, team.id, "member") == [ALICE, EVE]
        assert len(dms(rig.slack.calls(), EVE)) == 1 and "You are now in *Launch*" in all_text(
            dms(rig.slack.calls(), EVE)[0].params)
        [entry] = audits(rig, "team.update")
        assert entry.actor_id == LEAD and entry.before == {"members": [ALICE, BOB]}
        assert entry.after == {"members": [ALICE, EVE]}

        rig.slack.clear()
        rig.app.jobs.run("quota-reminder", now=THU_10, manual=True)
        rig.deliver()
        assert dms(rig.slack.calls(), EVE) and not dms(rig.slack.calls(), BOB)
    finally:
        rig.stop()


def test_someone_outside_the_team_cannot_open_its_edit_modal(database_url):
    rig = fresh(database_url)
    try:
        team = set_up(rig)
        rig.slack.clear()
        rig.click(ALICE, f"team_edit:{team.id}", str(team.id), home=True)
        rig.deliver()
        assert not rig.slack.calls("views.open")
        assert "Only an opsbot admin or a supervisor of this team" in all_text(dms(rig.slack.calls(), ALICE)[0].params)
        assert audits(rig, "team.edit")[0].outcome == "denied"
    finally:
        rig.stop()


def test_an_archived_team_stops_its_people_hear_nothing_more_and_its_items_stay(database_url):
    rig = fresh(database_url)
    try:
        team = set_up(rig)
        rig.command(ALICE, "/topic", "Before the end", channel=NEW)
        rig.deliver()
        modal = edit_modal(rig, ADMIN, team.id)
        archive = button({"blocks": modal["blocks"]}, "Archive team")
        assert archive["confirm"]["confirm"]["text"] == "Archive"
        rig.click(ADMIN, "team_archive", archive["value"], home=True)
        rig.deliver()
        [archived] = teams(rig)
        assert archived.active is False and active_people(rig, team.id, "member") == []
        with transaction(rig.app.db) as s:
            assert s.scalar(select(func.count()).select_from(Topic)) == 1  # its items stay
        assert audits(rig, "team.archive")[0].actor_id == ADMIN

        rig.slack.clear()
        for job in ("quota-reminder", "weekly-plan", "quota-summary", "pending-nudge"):
            rig.app.jobs.run(job, now=THU_10 + timedelta(days=4), manual=True)
        rig.deliver()
        assert not rig.slack.calls("chat.postMessage")
        r = rig.command(ALICE, "/topic", "After the end", channel=NEW)
        assert "not a member of any opsbot team" in r.json()["text"]
    finally:
        rig.stop()


def test_a_team_the_file_manages_refuses_edits_in_slack(database_url):
    rig = make_rig(database_url, users=PEOPLE).start()  # Growth, from the teams file; U0ADMIN a file admin
    try:
        [growth] = teams(rig)
        assert growth.managed_by == "file"
        modal = edit_modal(rig, "U0ADMIN", growth.id)
        assert "managed by the teams file" in all_text(modal) and "submit" not in modal
        # Submitted as it is (it has no button for that: a forged request), it turns into the reason.
        answer = rig.submit("U0ADMIN", modal, {}).json()
        assert answer["response_action"] == "update" and "managed by the teams file" in all_text(answer["view"])
        # A forged submission of it changes nothing, says why, and is audited.
        forged = {**modal, "blocks": open_setup(rig, "U0ADMIN", CHANNEL)["blocks"]}
        field, message = field_error(rig.submit("U0ADMIN", forged, filled(team_name="Growth", team_channel=CHANNEL,
                                                                         team_members=[ALICE])))
        assert "managed by the teams file" in message
        assert active_people(rig, growth.id, "member") == [ALICE, BOB]
        assert active_people(rig, growth.id, "supervisor") == [LEAD, LEAD2]
        assert audits(rig, "team.update")[0].outcome == "denied"
        rig.click("U0ADMIN", "team_archive", str(growth.id), home=True)
        assert teams(rig)[0].active is True
    finally:
        rig.stop()
