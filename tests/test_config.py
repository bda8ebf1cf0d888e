"""The teams file (docs/PRODUCT.md §4, §7): a bad file stops start-up with one
message that names the file, the team and the field; a good one is applied
at every start, idempotently, and what it no longer lists becomes inactive."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from bot.app import create_app
from bot.cli import main
from bot.kernel.settings import Settings
from bot.kernel.teams_file import DEFAULT_PLATFORMS, ConfigError, load_teams_file, parse_teams
from storage.db import transaction
from storage.models import Membership, Team
from storage.topics import Topic
from tests.conftest import ALICE, BOB, CHANNEL, EVE, LEAD, TEAMS, make_rig
from tests.helpers import stored

GOOD = {"name": "Growth", "channel": "C0GROWTH", "timezone": "Asia/Shanghai", "country": "CN",
        "supervisors": ["U0LEAD"], "members": ["U0ALICE"]}
# The broken team is the second one, so the message has to point at the right team.
BRAND = {"name": "Brand", "channel": "C0BRAND", "timezone": "America/New_York", "country": "US",
         "supervisors": ["U0LEAD"], "members": ["U0BOB"]}


def write(tmp_path: Path, content: Any, name: str = "teams.yaml") -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True),
                    encoding="utf-8")
    return path


def brand_with(**changes: Any) -> dict[str, Any]:
    team = copy.deepcopy(BRAND)
    team.update(changes)
    return {"admins": ["U0ADMIN"], "teams": [GOOD, team]}


# (case, file contents, what the message must say besides the file's name)
BAD_FILES = [
    ("unknown time zone", brand_with(timezone="Mars/Base"), ["team 'Brand'", "field 'timezone'", "Mars/Base"]),
    ("channel by #name", brand_with(channel="#growth"), ["team 'Brand'", "field 'channel'", "#growth"]),
    ("supervisor by name", brand_with(supervisors=["alice"]), ["team 'Brand'", "field 'supervisors", "'alice'"]),
    ("member by name", brand_with(members=["U0BOB", "alice"]), ["team 'Brand'", "field 'members", "'alice'"]),
    ("negative quota", brand_with(weekly_topic_quota=-1), ["team 'Brand'", "field 'weekly_topic_quota'"]),
    ("unknown locale", brand_with(locale="fr"), ["team 'Brand'", "field 'locale'", "'fr'"]),
    ("unknown country", brand_with(country="ZZ"), ["team 'Brand'", "field 'country'", "'ZZ'"]),
    ("bad schedule", brand_with(schedule={"quota_reminder": "THURSDAY 10"}),
     ["team 'Brand'", "field 'schedule.quota_reminder'", "THURSDAY"]),
    ("weights not summing to 100",
     brand_with(reviews={"weights": {"performance": 50, "ability": 20, "attitude": 20}}),
     ["team 'Brand'", "field 'reviews'", "weights", "100"]),
    ("grades not descending", brand_with(reviews={"grades": {"S": 90, "A": 95, "B": 70, "C": 60}}),
     ["team 'Brand'", "field 'reviews'", "grades", "descending"]),
    ("a typo in a key", brand_with(weekly_quota=3), ["team 'Brand'", "field 'weekly_quota'"]),
    ("a duplicate team name", {"teams": [GOOD, {**BRAND, "name": "Growth"}]}, ["team name 'Growth'", "twice"]),
]


@pytest.mark.parametrize(("content", "expected"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_a_bad_teams_file_is_refused_with_one_message_naming_file_team_and_field(tmp_path, content, expected):
    path = write(tmp_path, content)
    with pytest.raises(ConfigError) as err:
        load_teams_file(path)
    message = str(err.value)
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message, "one message on one line"
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"


def test_a_teams_file_that_is_not_yaml_is_refused_naming_the_file_and_the_line(tmp_path):
    path = write(tmp_path, "teams:\n  - name: Growth\n    channel: [C0GROWTH\n")
    with pytest.raises(ConfigError) as err:
        load_teams_file(path)
    message = str(err.value)
    assert message.startswith(f"{path}: not valid YAML"), message
    assert "line 3" in message


def test_a_missing_teams_file_is_refused_naming_it(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the teams file"):
        load_teams_file(tmp_path / "nope.yaml")


@pytest.fixture
def cli_env(tmp_path, monkeypatch) -> str:
    for var in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "LOG_LEVEL", "PORT"):
        monkeypatch.delenv(var, raising=False)
    url = f"sqlite:///{tmp_path}/cli.sqlite3"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.mark.parametrize(("content", "expected"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_opsbot_refuses_to_start_on_a_bad_teams_file_and_says_why(tmp_path, monkeypatch, capsys, cli_env,
                                                                  content, expected):
    path = write(tmp_path, content)
    monkeypatch.setenv("OPSBOT_TEAMS_FILE", str(path))
    assert main(["jobs", "list"]) == 2
    out, err = capsys.readouterr()
    assert out == "", "nothing is listed from a file that was refused"
    [line] = err.strip().splitlines()
    assert line.startswith(f"opsbot: {path}: ")
    for part in expected:
        assert part in line
    with stored(cli_env) as s:
        assert s.scalars(select(Team)).all() == [], "nothing of a refused file is applied"


def test_opsbot_refuses_to_start_on_a_teams_file_that_is_not_yaml(tmp_path, monkeypatch, capsys, cli_env):
    path = write(tmp_path, "teams: [\n")
    monkeypatch.setenv("OPSBOT_TEAMS_FILE", str(path))
    assert main(["jobs", "list"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"opsbot: {path}: not valid YAML")


# -- the documented example -------------------------------------------------

PRODUCT_EXAMPLE = """\
admins: [U0ADMIN]
teams:
  - name: Growth                # unique
    channel: C0GROWTH           # approval cards and summaries go here
    timezone: Asia/Shanghai     # IANA
    country: CN                 # working calendar; CN includes 调休 days
    locale: zh-CN               # en | zh-CN
    weekly_topic_quota: 3
    supervisors: [U0LEAD]
    members: [U0ALICE, U0BOB]
    platforms: [WeChat, Weibo, Xiaohongshu, Website]
    mention_in_summaries: false
    calendar:                   # optional overrides of the country calendar
      holidays: [2027-02-08]    # extra days off
      workdays: [2027-02-20]    # extra working days (e.g. a 调休 Saturday)
    schedule:                   # all optional; defaults shown
      weekly_plan: "MON 10:00"
      quota_reminder: "THU 10:00"
      quota_summary: "FRI 18:00"
      daily: "10:00"            # nudges, asks, review reminders
    reviews:                    # optional
      weights: {performance: 60, ability: 20, attitude: 20}   # sum 100
      grades: {S: 90, A: 80, B: 70, C: 60}                     # descending
      selfreview_due_workday: 3
      evaluation_due_workday: 5
      peer_ratings_min: 3
      incentives:               # bonus coefficient per annual grade; candidate rules
        coefficients: {S: 1.5, A: 1.2, B: 1.0, C: 0.8, D: 0.5}   # every grade, 0..10, 2 decimals
        promotion: {grades: [S], monthly_grades: [S, A], min_months: 6}
        training: {grades: [C, D], monthly_grades: [C, D], min_months: 3}   # min_months: null = annual only
"""


def test_the_documented_example_file_parses_as_written(tmp_path):
    cfg = load_teams_file(write(tmp_path, PRODUCT_EXAMPLE))
    assert cfg.admins == ["U0ADMIN"]
    [t] = cfg.teams
    assert (t.name, t.channel, t.timezone, t.country, t.locale, t.weekly_topic_quota) == (
        "Growth", "C0GROWTH", "Asia/Shanghai", "CN", "zh-CN", 3)
    assert t.supervisors == ["U0LEAD"] and t.members == ["U0ALICE", "U0BOB"]
    assert t.platforms == ["WeChat", "Weibo", "Xiaohongshu", "Website"]
    assert t.mention_in_summaries is False
    assert t.calendar.holidays == [date(2027, 2, 8)] and t.calendar.workdays == [date(2027, 2, 20)]
    assert (t.schedule.weekly_plan, t.schedule.quota_reminder, t.schedule.quota_summary, t.schedule.daily) == (
        "MON 10:00", "THU 10:00", "FRI 18:00", "10:00")
    assert t.reviews.weights == {"performance": 60, "ability": 20, "attitude": 20}
    assert t.reviews.grades == {"S": 90, "A": 80, "B": 70, "C": 60}
    assert (t.reviews.selfreview_due_workday, t.reviews.evaluation_due_workday) == (3, 5)


def test_what_a_team_leaves_out_gets_the_documented_defaults(tmp_path):
    minimal = "teams:\n  - name: Brand\n    channel: C0BRAND\n    supervisors: [U0LEAD]\n"
    [t] = load_teams_file(write(tmp_path, minimal)).teams
    assert (t.timezone, t.country, t.locale, t.weekly_topic_quota, t.members) == ("UTC", None, "en", 3, [])
    assert t.platforms == DEFAULT_PLATFORMS
    assert t.mention_in_summaries is False
    assert (t.calendar.holidays, t.calendar.workdays) == ([], [])
    assert (t.schedule.weekly_plan, t.schedule.quota_reminder, t.schedule.quota_summary, t.schedule.daily) == (
        "MON 10:00", "THU 10:00", "FRI 18:00", "10:00")
    assert t.reviews.weights == {"performance": 60, "ability": 20, "attitude": 20}
    assert t.reviews.grades == {"S": 90, "A": 80, "B": 70, "C": 60}


def test_an_empty_teams_file_means_no_teams(tmp_path):
    assert load_teams_file(write(tmp_path, "")).teams == []


# -- applying the file at start ------------------------------------------------


def _snapshot(db) -> tuple[list[tuple], list[tuple]]:
    with transaction(db) as s:
        teams = [(t.id, t.name, t.channel, t.active, t.updated_at) for t in s.scalars(select(Team).order_by(Team.id))]
        members = [(m.id, m.team_id, m.user_id, m.role, m.active)
                   for m in s.scalars(select(Membership).order_by(Membership.id))]
    return teams, members


def test_starting_twice_with_the_same_file_changes_nothing(database_url, tmp_path):
    path = write(tmp_path, PRODUCT_EXAMPLE)
    settings = Settings(database_url=database_url, slack_signing_secret="s", opsbot_teams_file=path)
    first = create_app(settings)
    try:
        before = _snapshot(first.db)
        assert [row[1:4] for row in before[0]] == [("Growth", "C0GROWTH", True)]
        assert sorted(row[2:] for row in before[1]) == [
            ("U0ALICE", "member", True), ("U0BOB", "member", True), ("U0LEAD", "supervisor", True)]
        report = first.apply_teams(parse_teams(yaml.safe_load(PRODUCT_EXAMPLE)))
        assert (report.created, report.updated, report.deactivated) == ([], [], [])
        assert _snapshot(first.db) == before
    finally:
        first.engine.dispose()
    second = create_app(settings)  # the next start reads the same file again
    try:
        assert _snapshot(second.db) == before
    finally:
        second.engine.dispose()


def test_a_changed_setting_is_applied_at_the_next_start(database_url, tmp_path):
    settings = Settings(database_url=database_url, slack_signing_secret="s",
                        opsbot_teams_file=write(tmp_path, PRODUCT_EXAMPLE))
    create_app(settings).engine.dispose()
    write(tmp_path, PRODUCT_EXAMPLE.replace("weekly_topic_quota: 3", "weekly_topic_quota: 5"))
    app = create_app(settings)
    try:
        with transaction(app.db) as s:
            [team] = s.scalars(select(Team)).all()
            assert team.weekly_topic_quota == 5
    finally:
        app.engine.dispose()


TWO_TEAMS = {
    "admins": ["U0ADMIN"],
    "teams": [
        TEAMS["teams"][0],
        {"name": "Brand", "channel": "C0BRAND", "timezone": "Europe/London", "country": "GB", "locale": "en",
         "supervisors": [LEAD], "members": [EVE]},
    ],
}


def test_a_member_or_team_removed_from_the_file_becomes_inactive_and_keeps_its_topics(database_url):
    rig = make_rig(database_url, teams=TWO_TEAMS).start()
    try:
        assert rig.command(BOB, "/topic", "Bob's idea", channel=CHANNEL).status == 200
        assert rig.command(EVE, "/topic", "Eve's idea", channel="C0BRAND").status == 200
        with transaction(rig.app.db) as s:
            assert s.scalar(select(Topic.title).where(Topic.author_id == EVE)) == "Eve's idea"

        growth = copy.deepcopy(TEAMS["teams"][0])
        growth["members"] = [ALICE]  # Bob leaves Growth; Brand is gone from the file
        report = rig.app.apply_teams(parse_teams({"admins": ["U0ADMIN"], "teams": [growth]}))
        assert report.deactivated == ["Brand"]

        with transaction(rig.app.db) as s:
            active = {t.name: t.active for t in s.scalars(select(Team))}
            assert active == {"Growth": True, "Brand": False}
            roles = {(m.user_id, m.role, m.active) for m in s.scalars(
                select(Membership).join(Team, Team.id == Membership.team_id).where(Team.name == "Growth"))}
            assert (BOB, "member", False) in roles and (ALICE, "member", True) in roles
            brand_members = s.scalars(
                select(Membership).join(Team, Team.id == Membership.team_id).where(Team.name == "Brand")).all()
            assert brand_members and not any(m.active for m in brand_members)
            titles = {t.author_id: t.title for t in s.scalars(select(Topic))}
            assert titles == {BOB: "Bob's idea", EVE: "Eve's idea"}, "their items stay"

        # ... and they get no more reminders.
        reports = rig.app.jobs.run("quota-reminder", now=rig.clock.now(), manual=True, dry_run=True)
        assert [r.team for r in reports] == ["Growth"]
        recipients = {who for r in reports for who, _ in r.sent}
        assert recipients == {ALICE}
        assert {nr.team for nr in rig.app.jobs.next_runs(rig.clock.now())} == {"Growth"}

        # Listing them again brings them back, with their history.
        rig.app.apply_teams(parse_teams(TWO_TEAMS))
        with transaction(rig.app.db) as s:
            assert all(t.active for t in s.scalars(select(Team)))
            assert all(m.active for m in s.scalars(select(Membership)))
            assert s.scalar(select(Topic.title).where(Topic.author_id == EVE)) == "Eve's idea"
    finally:
        rig.stop()
