"""An uninstall in "Add to Slack" mode, end to end on both backends (issue 19): two workspaces
installed through OAuth, each with a team; one uninstalls (or revokes the bot's token). From that
instant its installation is gone, its jobs send nothing and its pending notices are dropped, while
the other workspace goes on; its rows are kept for OPSBOT_WORKSPACE_RETENTION_DAYS and then purged
by the daily retention run or `opsbot workspace purge`; a reinstall works; an older event replayed
after the reinstall deletes nothing; a forged event is refused."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.cli import main
from bot.devtools.rig import Reply, Rig
from bot.kernel import notices
from storage.db import transaction
from storage.installations import BOTS, INSTALLATIONS
from storage.models import Admin, Base, Membership, OutboxNotice, SlackUser, Team, WorkspaceUninstall
from storage.workspaces import UNINSTALLED_ERROR
from tests.conftest import ALICE, CHANNEL, LEAD, SHANGHAI, USERS, make_rig
from tests.helpers import dms
from tests.test_oauth_install_e2e import ACME, BOSS, OTHER, install, redirect, rows, start_install

OTHER_BOSS, OTHER_LEAD, OTHER_MEMBER = "U0OTHERBOSS", "U0OTHERLEAD", "U0OTHERMEM"
# An Enterprise Grid user id: the same person in a team of each workspace (Grid shares ids across an org's).
BOTH = "U0GRIDBOTH"
# Workspace owners (Slack's is_admin): one of Acme only, one of the whole Grid org (both workspaces).
ACME_OWNER, OWNER = "U0ACMEOWNER", "U0GRIDOWNER"
OTHER_CHANNEL = "C0OTHERCO"
TEAM = {"timezone": "Asia/Shanghai", "country": "CN", "locale": "en", "weekly_topic_quota": 3,
        "platforms": ["WeChat"]}
TEAMS: dict[str, Any] = {"admins": [], "teams": [
    {**TEAM, "name": "Growth", "channel": CHANNEL, "supervisors": [LEAD], "members": [ALICE]},
    {**TEAM, "name": "Brand", "channel": OTHER_CHANNEL, "supervisors": [OTHER_LEAD], "members": [OTHER_MEMBER]},
]}
PEOPLE = {**USERS, **{u: {"name": u.lower(), "real_name": u, "tz": "Asia/Shanghai", "locale": "en-US"}
                      for u in (OTHER_BOSS, OTHER_LEAD, OTHER_MEMBER, BOTH)},
          **{u: {"name": u.lower(), "real_name": u, "tz": "Asia/Shanghai", "locale": "en-US", "is_admin": True}
             for u in (ACME_OWNER, OWNER)}}
# Quota reminders are due at 10:00 on Thursdays: 26 November and 3 December 2026.
THU_26, THU_3 = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI), datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI)
_events = iter(range(1, 10**6))


@pytest.fixture
def two(database_url: str, monkeypatch) -> Iterator[Rig]:
    """Acme (Growth: Lena and Alice) and Other Co (Brand), each installed through OAuth. PostgreSQL
    sessions in a zone east of UTC: an install time read or compared in the session's zone instead
    of UTC would make an old uninstall look newer than the reinstall."""
    monkeypatch.setenv("PGTZ", "Asia/Shanghai")
    rig = make_rig(database_url, oauth=True, teams=TEAMS, users=PEOPLE).start()
    rig.slack.add_workspace(ACME, "Acme")
    rig.slack.add_workspace(OTHER, "Other Co")
    try:
        install(rig, ACME, BOSS)
        install(rig, OTHER, OTHER_BOSS)
        with transaction(rig.app.db) as s:  # each team lives in its own workspace
            for name, ws in (("Growth", ACME), ("Brand", OTHER)):
                s.execute(update(Team).where(Team.name == name).values(workspace=ws))
        yield rig
    finally:
        rig.stop()


def revoke(rig: Rig, team: str, kind: str = "app_uninstalled", *, event_time: int | None = None,
           tokens: dict[str, list[str]] | None = None, signed: bool = True, enterprise: str | None = None) -> Reply:
    """What Slack sends when ``team`` uninstalls the app (or revokes tokens), signed with the app's secret."""
    event: dict[str, Any] = {"type": kind}
    if kind == "tokens_revoked":
        event["tokens"] = tokens if tokens is not None else {"bot": [f"U{team[1:]}BOT"]}
    body = json.dumps({
        "token": "legacy", "team_id": team, "api_app_id": "A0OPSBOT", "type": "event_callback",
        "event_id": f"Ev{next(_events):08d}", "event_time": event_time if event_time is not None else int(time.time()),
        "authorizations": [{"enterprise_id": enterprise, "team_id": None if enterprise else team,
                            "user_id": f"U{team[1:]}BOT", "is_bot": True, "is_enterprise_install": bool(enterprise)}],
        "event": event,
        **({"enterprise_id": enterprise, "is_enterprise_install": True} if enterprise else {}),
    })
    if signed:
        return rig.post(body, "application/json")
    forged = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64}
    return rig.post(body, "application/json", headers=forged, signed=False)


def reminders_to(rig: Rig, user: str) -> list:
    return [c for c in dms(rig.slack.calls(), user) if "topics this week" in c.params["text"]]


def installed(rig: Rig) -> list[str]:
    return sorted({r["team_id"] for r in rows(rig, INSTALLATIONS)} | {r["team_id"] for r in rows(rig, BOTS)})


def marks(rig: Rig) -> list[tuple[str, str, str]]:
    with transaction(rig.app.db) as s:
        return [(m.team_id, m.reason, "purged" if m.purged_at else "kept")
                for m in s.scalars(select(WorkspaceUninstall).order_by(WorkspaceUninstall.team_id))]


def team_rows(rig: Rig, name: str) -> dict[str, int]:
    """Every row that names the team (teams, and each table with a team_id column), per table."""
    out = {}
    with transaction(rig.app.db) as s:
        team_id = s.scalar(select(Team.id).where(Team.name == name))
        if team_id is None:
            return {}
        for table in Base.metadata.sorted_tables:
            column = table.c.get("id") if table.name == "teams" else table.c.get("team_id")
            if column is None or table.name.startswith("slack_") or table.name == "workspace_uninstalls":
                continue
            n = s.scalar(select(func.count()).select_from(table).where(column == team_id))
            if n:
                out[table.name] = n
    return out


def some_history(rig: Rig) -> None:
    """A topic in each team and the 26 November reminders, all delivered: rows worth purging."""
    assert rig.command(ALICE, "/topic", "An Acme idea", channel=CHANNEL, team=ACME).status == 200
    assert rig.command(OTHER_MEMBER, "/topic", "An Other idea", channel=OTHER_CHANNEL, team=OTHER).status == 200
    rig.app.jobs.run("quota-reminder", now=THU_26)
    rig.deliver()
    assert len(reminders_to(rig, ALICE)) == len(reminders_to(rig, OTHER_MEMBER)) == 1


def test_an_uninstall_stops_that_workspace_at_once_and_not_the_other(two):
    assert rig_answers(two, ACME) and rig_answers(two, OTHER)
    two.app.jobs.run("quota-reminder", now=THU_26)  # both reminders written, not delivered yet
    two.slack.clear()

    assert revoke(two, ACME).status == 200
    assert installed(two) == [OTHER]
    assert marks(two) == [(ACME, "app_uninstalled", "kept")]
    with transaction(two.app.db) as s:  # dropped by the uninstall itself, before any delivery round
        growth = s.scalar(select(Team.id).where(Team.name == "Growth"))
        dropped = s.scalars(select(OutboxNotice).where(OutboxNotice.team_id == growth)).all()
        assert dropped and {(n.status, n.last_error) for n in dropped} == {("failed", UNINSTALLED_ERROR)}
    two.deliver()
    assert reminders_to(two, ALICE) == [], "Acme's pending reminder must not go out after the uninstall"
    assert len(reminders_to(two, OTHER_MEMBER)) == 1
    with transaction(two.app.db) as s:
        # A notice written after the uninstall (a run that started before it) is dropped by the worker.
        notices.enqueue_dm(s, user=ALICE, type="quota_reminder", team_id=growth, now=two.clock.now(), key="late")
        # And a Home tab of someone there (a notice with no team): dropped the same way, not an error.
        notices.enqueue_home(s, user=ALICE, now=two.clock.now())
        notices.enqueue_home(s, user=LEAD, now=two.clock.now(), workspace=ACME)
    two.deliver()
    assert two.slack.calls("chat.postMessage") == reminders_to(two, OTHER_MEMBER)
    assert two.slack.calls("views.publish") == []
    with transaction(two.app.db) as s:
        late = s.scalar(select(OutboxNotice).where(OutboxNotice.key == "late"))
        assert (late.status, late.last_error) == ("failed", UNINSTALLED_ERROR)
        homes = s.scalars(select(OutboxNotice).where(OutboxNotice.kind == notices.HOME).order_by(OutboxNotice.id)).all()
        assert [(n.recipient, n.status, n.last_error) for n in homes] == [
            (ALICE, "failed", UNINSTALLED_ERROR), (LEAD, "failed", UNINSTALLED_ERROR)]

    two.slack.clear()
    reports = two.app.jobs.run("quota-reminder", now=THU_3)
    two.deliver()
    assert [r.team for r in reports] == ["Brand"], "a job runs for no team of the uninstalled workspace"
    assert reminders_to(two, ALICE) == [] and len(reminders_to(two, OTHER_MEMBER)) == 1
    assert {nr.team for nr in two.app.jobs.next_runs(two.clock.now())} == {"Brand"}  # nor is it planned
    assert not rig_answers(two, ACME) and rig_answers(two, OTHER)


def rig_answers(rig: Rig, team: str) -> bool:
    """Whether /topic from ``team`` opens a modal (with that workspace's token)."""
    before = len(rig.slack.calls("views.open"))
    user = ALICE if team == ACME else OTHER_MEMBER
    rig.command(user, "/topic", channel=CHANNEL if team == ACME else OTHER_CHANNEL, team=team)
    return len(rig.slack.calls("views.open")) > before


def test_the_bots_token_revoked_stops_the_workspace_and_a_people_only_revocation_changes_nothing(two):
    assert revoke(two, OTHER, "tokens_revoked", tokens={"oauth": [OTHER_BOSS]}).status == 200
    assert installed(two) == [ACME, OTHER] and marks(two) == []
    assert revoke(two, OTHER, "tokens_revoked").status == 200
    assert installed(two) == [ACME] and marks(two) == [(OTHER, "tokens_revoked", "kept")]
    two.app.jobs.run("quota-reminder", now=THU_26)
    two.deliver()
    assert len(reminders_to(two, ALICE)) == 1 and reminders_to(two, OTHER_MEMBER) == []


def test_the_rows_are_kept_for_the_retention_period_then_purged_and_the_other_workspace_keeps_its(two):
    some_history(two)
    acme, other = team_rows(two, "Growth"), team_rows(two, "Brand")
    assert {"teams", "memberships", "topics", "reminder_log", "outbox"} <= set(acme)
    assert revoke(two, ACME).status == 200
    uninstalled = two.clock.now()
    two.clock.advance(timedelta(days=10))
    assert revoke(two, ACME, "tokens_revoked").status == 200  # a later one: the period still runs from the first
    retention = two.app.scheduler.retention
    assert two.app.settings.opsbot_workspace_retention_days == 30

    retention.run(uninstalled + timedelta(days=29))
    kept = team_rows(two, "Growth")
    assert set(kept) == set(acme) and kept["topics"] == acme["topics"] == 1
    assert marks(two) == [(ACME, "app_uninstalled", "kept")]

    retention.run(uninstalled + timedelta(days=30, minutes=1))
    assert team_rows(two, "Growth") == {}
    assert team_rows(two, "Brand") == other
    assert marks(two) == [(ACME, "app_uninstalled", "purged")]
    with transaction(two.app.db) as s:
        assert s.scalars(select(Team.name)).all() == ["Brand"]
    two.app.jobs.run("quota-reminder", now=THU_3)
    two.deliver()
    assert len(reminders_to(two, OTHER_MEMBER)) == 2


@pytest.fixture
def cli(two: Rig, monkeypatch, capsys):
    """``opsbot workspace purge`` on the rig's database: (exit code, stdout, stderr)."""
    for var in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "OPSBOT_TEAMS_FILE",
                "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "OPSBOT_TOKEN_KEY", "OPSBOT_ADMINS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DATABASE_URL", two.database_url)

    def run(*argv: str, days: int = 30) -> tuple[int, str, str]:
        monkeypatch.setenv("OPSBOT_WORKSPACE_RETENTION_DAYS", str(days))
        capsys.readouterr()
        code = main(["workspace", "purge", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_opsbot_workspace_purge_purges_past_retention_or_one_named_workspace_at_once(two, cli):
    some_history(two)
    acme, other = team_rows(two, "Growth"), team_rows(two, "Brand")
    assert revoke(two, ACME).status == 200

    code, out, _err = cli(days=36500)  # within its retention period
    assert (code, out.splitlines()[-1].split(".")[0]) == (0, "0 workspace(s) purged")
    assert team_rows(two, "Growth") == acme

    code, _out, err = cli("--team-id", OTHER, "--now")
    assert code == 2 and f"{OTHER}: not an uninstalled workspace" in err
    code, _out, err = cli("--now")
    assert code == 2 and "--team-id" in err
    assert team_rows(two, "Brand") == other and team_rows(two, "Growth") == acme

    code, out, err = cli("--team-id", ACME, "--now", days=36500)
    assert code == 0, err
    lines = out.splitlines()
    printed = {line.split(":")[0].strip(): int(line.split(":")[1]) for line in lines[1:-1]}
    assert lines[0] == f"workspace {ACME} (enterprise -): Growth; {sum(printed.values())} row(s) deleted"
    assert {t: printed[t] for t in acme} == acme  # what it says it removed is what the team had
    assert lines[-1] == "1 workspace(s) purged."
    assert team_rows(two, "Growth") == {} and team_rows(two, "Brand") == other
    assert cli(days=0)[1].splitlines()[-1].startswith("0 workspace(s) purged")  # purged once
    assert cli("--team-id", ACME, "--now")[:2] == (0, "0 workspace(s) purged.\n")


def test_a_workspace_past_retention_is_purged_by_the_command_without_naming_it(two, cli):
    assert revoke(two, OTHER).status == 200
    # The rig's clock stands in November 2026, the command's is the machine's: a day's retention is past.
    code, out, err = cli(days=1)
    assert code == 0, err
    assert out.startswith(f"workspace {OTHER} (enterprise -): Brand;")
    assert team_rows(two, "Brand") == {} and team_rows(two, "Growth")


def test_a_reinstall_serves_the_workspace_again_and_an_older_uninstall_replayed_deletes_nothing(two, caplog):
    sent_at = int(time.time())
    assert revoke(two, ACME, event_time=sent_at).status == 200
    assert installed(two) == [OTHER]

    token = install(two, ACME, BOSS)
    assert installed(two) == [ACME, OTHER] and marks(two) == []
    two.slack.clear()
    assert rig_answers(two, ACME)
    assert [c.token for c in two.slack.calls("views.open")] == [token]

    # Slack's delivery of an uninstall from before the reinstall, arriving late (a new event id: not a retry).
    with caplog.at_level("WARNING"):
        assert revoke(two, ACME, event_time=sent_at - 1).status == 200
        assert revoke(two, ACME, "tokens_revoked", event_time=sent_at - 1).status == 200
    assert installed(two) == [ACME, OTHER] and marks(two) == []
    assert caplog.text.count(f"ignored app_uninstalled of team {ACME}") == 1
    assert caplog.text.count(f"ignored tokens_revoked of team {ACME}") == 1
    two.app.jobs.run("quota-reminder", now=THU_26)
    two.deliver()
    assert len(reminders_to(two, ALICE)) == 1 and len(reminders_to(two, OTHER_MEMBER)) == 1


def test_a_forged_uninstall_is_refused_and_changes_nothing(two):
    reply = revoke(two, ACME, signed=False)
    assert reply.status == 401
    assert installed(two) == [ACME, OTHER] and marks(two) == []
    assert rig_answers(two, ACME)


def test_in_single_workspace_mode_an_uninstall_is_only_logged(sqlite_url, caplog):
    rig = make_rig(sqlite_url).start()
    try:
        with caplog.at_level("WARNING"):
            assert revoke(rig, "T0TEAM").status == 200
        assert "SLACK_BOT_TOKEN no longer works" in caplog.text
        assert marks(rig) == []
        rig.app.jobs.run("quota-reminder", now=THU_26)
        rig.deliver()
        assert len(reminders_to(rig, ALICE)) == 1  # its teams are the deployment's: nothing is stopped or purged
    finally:
        rig.stop()


def test_an_org_wide_uninstall_stops_every_team_of_the_org_and_no_other_and_its_purge_takes_the_orgs_admins(
        two, cli):
    grid, org = "T0GRIDWS", "E0GRID"
    two.slack.add_workspace(grid, "Grid workspace", enterprise={"id": org, "name": "Grid"})
    query, cookie = start_install(two)
    code = two.slack.issue_code(grid, "U0GRIDBOSS", enterprise_install=True)
    assert redirect(two, query["state"][0], cookie, code)[0] == 200
    assert any(r["enterprise_id"] == org and r["is_enterprise_install"] for r in rows(two, BOTS))
    with transaction(two.app.db) as s:  # Growth lives in a workspace of the org
        s.execute(update(Team).where(Team.name == "Growth").values(workspace=grid, enterprise_id=org))

    assert revoke(two, grid, enterprise=org).status == 200
    assert [r for r in rows(two, BOTS) if r["enterprise_id"] == org] == []
    assert installed(two) == [ACME, OTHER]  # the two workspace installs are not the org's
    with transaction(two.app.db) as s:
        assert [(m.enterprise_id, m.team_id) for m in s.scalars(select(WorkspaceUninstall))] == [(org, "")]
    two.app.jobs.run("quota-reminder", now=THU_26)
    two.deliver()
    assert reminders_to(two, ALICE) == [] and len(reminders_to(two, OTHER_MEMBER)) == 1

    assert (org, "install") in {(w, src) for u, w, src in people_rows(two)[0] if u == "U0GRIDBOSS"}
    assert cli("--team-id", org, "--now")[0] == 0
    assert people_rows(two) == ({(BOSS, ACME, "install"), (OTHER_BOSS, OTHER, "install")},  # the org's installer goes
                                {OTHER_LEAD, OTHER_MEMBER})  # and the profiles of Growth's people


def people_rows(rig: Rig) -> tuple[set[tuple[str, str, str]], set[str]]:
    """(user, workspace, source) of every admin row, and whose Slack profile is cached."""
    with transaction(rig.app.db) as s:
        return ({(a.user_id, a.workspace, a.source) for a in s.scalars(select(Admin))},
                set(s.scalars(select(SlackUser.user_id))))


def test_the_purge_deletes_the_workspaces_admins_and_the_profiles_of_people_no_other_team_has(two, cli):
    with transaction(two.app.db) as s:  # the same Grid user id in a team of each workspace
        growth, brand = (s.scalar(select(Team.id).where(Team.name == n)) for n in ("Growth", "Brand"))
        s.add_all([Membership(team_id=growth, user_id=BOTH, role="member"),
                   Membership(team_id=brand, user_id=BOTH, role="supervisor")])
    some_history(two)  # the jobs cache the profiles of both teams' people
    for user, team, channel in ((ACME_OWNER, ACME, CHANNEL), (OWNER, ACME, CHANNEL), (OWNER, OTHER, OTHER_CHANNEL)):
        assert two.command(user, "/opsbot", "setup", channel=channel, team=team).status == 200
    # Lena, of Acme's team, is named an admin of the whole deployment (the cli fixture set DATABASE_URL).
    assert main(["admins", "add", LEAD]) == 0
    admins_before, profiles_before = people_rows(two)
    assert admins_before == {(BOSS, ACME, "install"), (ACME_OWNER, ACME, "slack"), (OWNER, ACME, "slack"),
                             (OTHER_BOSS, OTHER, "install"), (OWNER, OTHER, "slack"), (LEAD, "", "cli")}
    assert profiles_before == {ALICE, LEAD, BOTH, OTHER_LEAD, OTHER_MEMBER, ACME_OWNER, OWNER}
    assert revoke(two, ACME).status == 200
    assert people_rows(two) == (admins_before, profiles_before)  # kept through the retention period

    code, out, err = cli("--team-id", ACME, "--now")
    assert code == 0, err
    printed = {line.split(":")[0].strip(): int(line.split(":")[1]) for line in out.splitlines()[1:-1]}
    assert (printed["admins"], printed["slack_users"]) == (3, 2)  # reported with the rest
    admins_after, profiles_after = people_rows(two)
    # Acme's admins go; Other Co's, the org owner's row there, and the deployment's stay.
    assert admins_after == {(OTHER_BOSS, OTHER, "install"), (OWNER, OTHER, "slack"), (LEAD, "", "cli")}
    # Alice and Acme's owner were Acme's only; Lena is a deployment admin, the Grid people are in Other Co too.
    assert profiles_after == {LEAD, BOTH, OTHER_LEAD, OTHER_MEMBER, OWNER}
    with transaction(two.app.db) as s:
        assert s.scalars(select(Membership.user_id).where(Membership.team_id == brand)
                         .order_by(Membership.user_id)).all() == sorted([OTHER_LEAD, OTHER_MEMBER, BOTH])
