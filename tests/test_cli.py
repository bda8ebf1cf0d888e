"""The ``opsbot`` command, in process (docs/PRODUCT.md §4): what an operator types
and what they read back."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

import bot.app
from bot.app import JOBS
from bot.cli import main
from bot.devtools.slack_standin import SlackStandIn
from bot.domain.calendar import WorkingCalendar
from bot.kernel.clock import ManualClock
from bot.kernel.replicas import TTL
from storage import migrate
from storage.db import make_engine
from storage.models import AuditEntry, OutboxNotice, ReminderLog, Replica, Team
from tests.conftest import ALICE, BOB, CHANNEL, LEAD, USERS, make_rig
from tests.helpers import stored

CN_TEAM = {"name": "Growth", "channel": "C0GROWTH", "timezone": "Asia/Shanghai", "country": "CN",
           "supervisors": [LEAD], "members": [ALICE, BOB]}
US_TEAM = {"name": "Brand", "channel": "C0BRAND", "timezone": "America/New_York", "country": "US",
           "supervisors": [LEAD], "members": ["U0CARL"]}



@pytest.fixture
def opsbot(tmp_path, monkeypatch, capsys) -> Iterator[Any]:
    """``opsbot.run(*argv)`` runs the command against a fresh SQLite file;
    ``opsbot.teams(*teams)`` writes the teams file it reads."""
    for var in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "OPSBOT_TEAMS_FILE",
                "LOG_LEVEL", "PORT"):
        monkeypatch.delenv(var, raising=False)
    url = f"sqlite:///{tmp_path}/opsbot.sqlite3"
    monkeypatch.setenv("DATABASE_URL", url)

    class Opsbot:
        database_url = url

        @staticmethod
        def teams(*teams: dict[str, Any]) -> None:
            path = tmp_path / f"teams-{time.monotonic_ns()}.yaml"
            path.write_text(yaml.safe_dump({"admins": ["U0ADMIN"], "teams": list(teams)}), encoding="utf-8")
            monkeypatch.setenv("OPSBOT_TEAMS_FILE", str(path))

        @staticmethod
        def run(*argv: str) -> tuple[int, str, str]:
            capsys.readouterr()
            code = main(list(argv))
            out, err = capsys.readouterr()
            return code, out, err

        @staticmethod
        def next_runs(*argv: str) -> dict[tuple[str, str], str]:
            code, out, err = Opsbot.run("jobs", "list", "--json", *argv)
            assert code == 0, err
            return {(r["job"], r["team"]): r["next_run"] for r in json.loads(out)}

    yield Opsbot


def count(url: str, model: Any) -> int:
    with stored(url) as s:
        return s.scalar(select(func.count()).select_from(model))


# -- jobs list ------------------------------------------------------------------


def test_jobs_list_json_gives_each_job_its_next_run_with_the_team_offset(opsbot):
    opsbot.teams(CN_TEAM)
    runs = opsbot.next_runs("--now", "2026-11-23T00:00:00Z")
    assert set(runs) == {(job, "Growth") for job in JOBS}
    for job, at in runs.items():
        assert datetime.fromisoformat(at).utcoffset().total_seconds() == 8 * 3600, (job, at)
    assert runs["quota-reminder", "Growth"] == "2026-11-26T10:00:00+08:00", "Thursday 26 Nov is a working day in China"
    assert runs["weekly-plan", "Growth"] == "2026-11-23T10:00:00+08:00"
    assert runs["quota-summary", "Growth"] == "2026-11-27T18:00:00+08:00"


def test_the_us_quota_reminder_moves_to_wednesday_because_thursday_is_thanksgiving(opsbot):
    opsbot.teams(US_TEAM)
    runs = opsbot.next_runs("--now", "2026-11-23T00:00:00Z")
    assert set(runs) == {(job, "Brand") for job in JOBS}
    for job, at in runs.items():
        assert datetime.fromisoformat(at).utcoffset().total_seconds() == -5 * 3600, (job, at)
    assert runs["quota-reminder", "Brand"] == "2026-11-25T10:00:00-05:00"


def test_jobs_list_shows_every_job_for_every_team(opsbot):
    opsbot.teams(CN_TEAM, US_TEAM)
    runs = opsbot.next_runs("--now", "2026-11-23T00:00:00Z")
    assert set(runs) == {(job, team) for job in JOBS for team in ("Growth", "Brand")}
    assert runs["quota-reminder", "Growth"] == "2026-11-26T10:00:00+08:00"
    assert runs["quota-reminder", "Brand"] == "2026-11-25T10:00:00-05:00"


def test_the_weekly_plan_moves_to_tuesday_when_monday_is_a_team_holiday(opsbot):
    after_this_weeks_plan = "2026-11-23T03:00:00Z"  # Monday 23 Nov, 11:00 in Shanghai
    opsbot.teams(CN_TEAM)
    assert opsbot.next_runs("--now", after_this_weeks_plan)["weekly-plan", "Growth"] == "2026-11-30T10:00:00+08:00"
    opsbot.teams({**CN_TEAM, "calendar": {"holidays": ["2026-11-30"]}})
    assert opsbot.next_runs("--now", after_this_weeks_plan)["weekly-plan", "Growth"] == "2026-12-01T10:00:00+08:00"


def test_the_table_shows_each_next_run_in_the_team_zone_and_in_utc(opsbot):
    opsbot.teams(US_TEAM)
    code, out, _ = opsbot.run("jobs", "list", "--now", "2026-11-23T00:00:00Z")
    assert code == 0
    header, *rows = out.splitlines()
    assert "TEAM ZONE" in header and "UTC" in header
    [reminder] = [r for r in rows if r.startswith("quota-reminder")]
    assert "Brand" in reminder
    assert "Wed 2026-11-25 10:00 EST" in reminder and "Wed 2026-11-25 15:00 UTC" in reminder
    assert {r.split()[0] for r in rows} == set(JOBS)

    opsbot.teams(CN_TEAM)
    _, out, _ = opsbot.run("jobs", "list", "--now", "2026-11-23T00:00:00Z")
    [reminder] = [r for r in out.splitlines() if r.startswith("quota-reminder")]
    assert "Thu 2026-11-26 10:00 CST" in reminder and "Thu 2026-11-26 02:00 UTC" in reminder


def test_a_year_the_chinese_calendar_does_not_cover_is_warned_about_on_stderr(opsbot, monkeypatch):
    if WorkingCalendar("CN").covers(2027):
        pytest.skip("the installed chinesecalendar already covers 2027")
    # The warning is about the coming year as of the wall clock: pin it to November 2026.
    monkeypatch.setattr(bot.app, "SystemClock", lambda: ManualClock(datetime(2026, 11, 23, tzinfo=UTC)))
    opsbot.teams(CN_TEAM)
    code, out, err = opsbot.run("jobs", "list", "--json", "--now", "2026-11-23T00:00:00Z")
    assert code == 0
    json.loads(out)  # stdout stays machine-readable
    assert "2027" in err and "calendar:" in err and "Growth" in err
    assert "2027" not in out

    opsbot.teams(US_TEAM)
    _, _, err = opsbot.run("jobs", "list", "--json", "--now", "2026-11-23T00:00:00Z")
    assert "2027" not in err, "the US calendar covers 2027"


@contextmanager
def system_zone(name: str) -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


def test_a_now_without_an_offset_is_utc_whatever_the_machine_zone(opsbot):
    opsbot.teams(CN_TEAM)
    # 10:00 in Shanghai is 02:00 UTC: a minute before it the reminder is still
    # ahead this week; a minute after, it has gone and the next is a week on.
    with system_zone("America/Los_Angeles"):
        before = opsbot.next_runs("--now", "2026-11-26T01:59:00")["quota-reminder", "Growth"]
        after = opsbot.next_runs("--now", "2026-11-26T02:01:00")["quota-reminder", "Growth"]
    assert before == "2026-11-26T10:00:00+08:00"
    assert after == "2026-12-03T10:00:00+08:00"


@pytest.mark.parametrize("argv", [["jobs", "list"], ["jobs", "run", "quota-reminder"]], ids=["list", "run"])
def test_a_bad_now_is_refused_with_a_message(opsbot, argv):
    opsbot.teams(CN_TEAM)
    code, out, err = opsbot.run(*argv, "--now", "next thursday")
    assert code != 0
    assert "'next thursday'" in err and "ISO-8601" in err
    assert out == ""


# -- jobs run -------------------------------------------------------------------

THU_10_SHANGHAI = "2026-11-26T10:00:00+08:00"


def test_a_dry_run_prints_who_would_get_what_and_sends_nothing(opsbot):
    opsbot.teams(CN_TEAM)
    code, out, _ = opsbot.run("jobs", "run", "quota-reminder", "--now", THU_10_SHANGHAI, "--dry-run")
    assert code == 0
    assert f"Growth: would send to {ALICE}: quota reminder 0/3 for 2026-W48" in out
    assert f"Growth: would send to {BOB}: quota reminder 0/3 for 2026-W48" in out
    assert "2 notice(s) would send" in out
    assert count(opsbot.database_url, OutboxNotice) == 0
    assert count(opsbot.database_url, ReminderLog) == 0, "a dry run claims nothing, so the real run still sends"

    code, out, _ = opsbot.run("jobs", "run", "quota-reminder", "--now", THU_10_SHANGHAI)
    assert code == 0 and "2 notice(s) sent" in out


def test_a_run_without_a_bot_token_leaves_the_notices_in_the_outbox_once(opsbot):
    opsbot.teams(CN_TEAM)
    code, out, err = opsbot.run("jobs", "run", "quota-reminder", "--now", THU_10_SHANGHAI)
    assert code == 0, err
    assert f"sent to {ALICE}" in out and f"sent to {BOB}" in out
    assert "SLACK_BOT_TOKEN is not set" in out and "outbox" in out
    with stored(opsbot.database_url) as s:
        rows = s.scalars(select(OutboxNotice)).all()
        assert sorted((n.recipient, n.status, n.payload.get("type")) for n in rows) == [
            (ALICE, "pending", "quota_reminder"), (BOB, "pending", "quota_reminder")]

    code, out, _ = opsbot.run("jobs", "run", "quota-reminder", "--now", THU_10_SHANGHAI)
    assert code == 0 and "0 notice(s) sent" in out
    assert count(opsbot.database_url, OutboxNotice) == 2, "a second run enqueues nothing twice"

    code, out, _ = opsbot.run("outbox", "--pending")
    assert code == 0
    assert "2 notice(s) pending." in out
    assert ALICE in out and BOB in out and "quota_reminder" in out


def test_a_run_with_a_bot_token_delivers_to_slack_at_once_and_a_dry_run_does_not(opsbot, monkeypatch):
    opsbot.teams(CN_TEAM)
    with SlackStandIn(users=USERS) as slack:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("SLACK_API_URL", slack.api_url)
        code, out, _ = opsbot.run("jobs", "run", "quota-reminder", "--now", THU_10_SHANGHAI, "--dry-run")
        assert code == 0 and "2 notice(s) would send" in out
        assert slack.calls("chat.postMessage") == []

        code, out, err = opsbot.run("jobs", "run", "quota-reminder", "--now", THU_10_SHANGHAI)
        assert code == 0, err
        assert "delivered 2 notice(s)" in out
        assert {c.params["channel"] for c in slack.calls("chat.postMessage")} == {ALICE, BOB}
        assert all("0 of 3 topics" in c.params["text"] for c in slack.calls("chat.postMessage"))
    _, out, _ = opsbot.run("outbox", "--pending")
    assert "0 notice(s) pending." in out


@pytest.mark.parametrize("seen", [timedelta(seconds=2), timedelta(minutes=1)], ids=["running", "gone"])
def test_a_run_leaves_its_notices_to_the_replicas_running_and_delivers_them_itself_when_none_is(
        opsbot, monkeypatch, seen):
    """With `opsbot serve` replicas running, a run by hand does not race them for Slack's
    per-workspace limit: they deliver (bot/kernel/replicas.py). One silent for a minute is gone."""
    opsbot.teams(CN_TEAM)
    assert opsbot.run("db", "upgrade")[0] == 0
    with stored(opsbot.database_url) as s:
        s.add(Replica(id="serve-1", seen_at=datetime.now(UTC) - seen))
        s.commit()
    with SlackStandIn(users=USERS) as slack:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("SLACK_API_URL", slack.api_url)
        code, out, err = opsbot.run("jobs", "run", "quota-reminder", "--now", THU_10_SHANGHAI)
        assert code == 0, err
        posted = {c.params["channel"] for c in slack.calls("chat.postMessage")}
    _, pending, _ = opsbot.run("outbox", "--pending")
    if seen < TTL:
        assert "1 opsbot replica(s) running deliver them" in out and posted == set()
        assert "2 notice(s) pending." in pending
    else:
        assert "delivered 2 notice(s)" in out and posted == {ALICE, BOB}
        assert "0 notice(s) pending." in pending


def test_an_unknown_job_is_refused_with_the_list_of_jobs(opsbot):
    opsbot.teams(CN_TEAM)
    code, out, err = opsbot.run("jobs", "run", "quota-remind")
    assert code != 0
    assert "'quota-remind'" in err
    for name in JOBS:
        assert name in err
    assert out == ""


# -- audit and outbox ---------------------------------------------------------------


def test_audit_and_outbox_show_what_a_proposal_left_behind(opsbot, sqlite_url, monkeypatch):
    rig = make_rig(sqlite_url).start()
    try:
        assert rig.command(ALICE, "/topic", "Hello audit", channel=CHANNEL).status == 200
        monkeypatch.setenv("DATABASE_URL", sqlite_url)

        code, out, _ = opsbot.run("audit", "--item", "topic:1")
        assert code == 0
        [line] = out.splitlines()
        assert ALICE in line and "topic.propose" in line and "topic:1" in line and "Hello audit" in line

        code, out, _ = opsbot.run("audit", "--item", "topic:2")
        assert code == 0 and out == ""

        code, out, _ = opsbot.run("outbox", "--pending")
        assert code == 0
        [card] = [line for line in out.splitlines() if "card" in line]
        assert CHANNEL in card and "pending" in card
        assert out.splitlines()[-1].endswith("notice(s) pending.")

        rig.deliver()
        _, out, _ = opsbot.run("outbox", "--pending")
        assert out.splitlines() == ["0 notice(s) pending."]
        _, out, _ = opsbot.run("outbox")
        [card] = [line for line in out.splitlines() if "card" in line]
        assert "delivered" in card and CHANNEL in card
    finally:
        rig.stop()


@pytest.mark.parametrize("item", ["topic", "topic:", "1", "topic:one", "topic:-1"])
def test_audit_refuses_an_item_that_is_not_kind_colon_id(opsbot, item):
    code, out, err = opsbot.run("audit", "--item", item)
    assert code != 0
    assert "KIND:ID" in err
    assert out == ""


def test_audit_since_leaves_out_what_came_before(opsbot, sqlite_url, monkeypatch):
    rig = make_rig(sqlite_url).start()
    try:
        rig.command(ALICE, "/topic", "Early idea", channel=CHANNEL)
    finally:
        rig.stop()
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    with stored(sqlite_url) as s:
        [at] = s.scalars(select(AuditEntry.at)).all()
    _, out, _ = opsbot.run("audit", "--since", at.isoformat())
    assert "Early idea" in out
    _, out, _ = opsbot.run("audit", "--since", "2027-01-01T00:00:00Z")
    assert out == ""


# -- db upgrade ------------------------------------------------------------------


def test_db_upgrade_can_run_every_time_and_says_the_revision(database_url, opsbot, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    engine = make_engine(database_url)
    try:
        head = migrate.head_revision(engine)
    finally:
        engine.dispose()
    for _ in range(2):
        code, out, err = opsbot.run("db", "upgrade")
        assert code == 0, err
        assert out.strip() == f"database is at revision {head}"


def test_opsbot_outbox_failed_lists_it_and_retry_sends_it_again(opsbot, sqlite_url, monkeypatch):
    import handlers.reports.blocks
    from handlers.kit.charts import progress_chart
    from tests.conftest import LEAD2

    broken = {"on": True}

    def chart(*a: Any, **kw: Any) -> bytes:
        if broken["on"]:
            raise ValueError("Unknown symbol: \\foo")
        return progress_chart(*a, **kw)

    monkeypatch.setattr(handlers.reports.blocks, "progress_chart", chart)
    rig = make_rig(sqlite_url).start()
    try:
        assert rig.command(LEAD, "/opsbot", "report week", channel=CHANNEL).status == 200
        for _ in range(5):
            rig.deliver()
            rig.clock.advance(timedelta(minutes=1))
        with stored(sqlite_url) as s:
            [failed] = s.scalars(select(OutboxNotice).where(OutboxNotice.status == "failed")).all()
            failed_id = failed.id
        monkeypatch.setenv("DATABASE_URL", sqlite_url)

        code, out, _ = opsbot.run("outbox", "--failed")
        assert code == 0
        [line, summary] = out.splitlines()
        assert line.startswith(f"#{failed_id} ") and "file" in line and "report" in line and "team Growth" in line
        assert "attempts 3" in line and "ValueError: Unknown symbol" in line and "failed 2026-11-23T" in line
        assert summary == "1 notice(s) failed. Send one again with `opsbot outbox retry ID`."

        code, _, err = opsbot.run("outbox", "retry", "999")
        assert code == 2 and "there is no notice #999" in err
        with stored(sqlite_url) as s:
            delivered = s.scalars(select(OutboxNotice.id).where(OutboxNotice.status == "delivered")).first()
        code, _, err = opsbot.run("outbox", "retry", str(delivered))
        assert code == 2 and f"notice #{delivered} is delivered, not failed" in err
        code, _, err = opsbot.run("outbox", "retry", "twelve")
        assert code == 2 and "retry takes a notice id" in err

        rig.deliver()
        rig.clock.advance(timedelta(hours=1))
        rig.deliver()
        assert rig.slack.files(CHANNEL) == [], "a failed notice waits for an admin"

        broken["on"] = False
        code, out, _ = opsbot.run("outbox", "retry", str(failed_id))
        assert code == 0 and f"notice #{failed_id} is pending again" in out
        rig.deliver()
        [f] = rig.slack.files(CHANNEL)
        assert "Weekly report · Growth · 2026-W48" in f["initial_comment"]
        with stored(sqlite_url) as s:
            again = s.get_one(OutboxNotice, failed_id)
            assert (again.status, again.attempts) == ("delivered", 1)
            told = [n for n in s.scalars(select(OutboxNotice)) if n.payload.get("type") == "notice_failed"]
        assert sorted(n.recipient for n in told) == [LEAD, LEAD2], "the supervisors were told once, not again"
        _, out, _ = opsbot.run("outbox", "--failed")
        assert out.splitlines() == ["0 notice(s) failed."]
    finally:
        rig.stop()


def test_workspace_purge_with_nothing_uninstalled_purges_nothing_and_refuses_what_it_cannot_do(opsbot):
    opsbot.teams(CN_TEAM)
    code, out, err = opsbot.run("workspace", "purge")
    assert code == 0, err
    assert out.startswith("0 workspace(s) purged. A workspace is purged 30 day(s) after it uninstalled")
    code, _out, err = opsbot.run("workspace", "purge", "--now")
    assert code == 2 and "name at least one" in err
    code, _out, err = opsbot.run("workspace", "purge", "--team-id", "T0NOPE", "--now")
    assert code == 2 and "T0NOPE: not an uninstalled workspace" in err
    assert count(opsbot.database_url, Team) == 1  # the single-workspace team is never touched
