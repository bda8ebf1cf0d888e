"""``opsbot teams export|apply`` and ``opsbot admins list|add|remove``
(docs/PRODUCT.md §4), on both backends: what an operator types, what they
read back, and what the store holds afterwards."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from bot.cli import main
from bot.kernel import admins
from bot.kernel.clock import ManualClock
from bot.kernel.teams import apply_teams
from bot.kernel.teams_file import parse_teams
from storage.db import make_engine, make_session_factory
from storage.models import Admin, AuditEntry, Membership, SlackUser, Team
from tests.conftest import ALICE, BOB, EVE, LEAD, LEAD2
from tests.helpers import stored

BRAND = {"name": "品牌组", "channel": "C0BRAND", "timezone": "Asia/Shanghai", "country": "CN", "locale": "zh-CN",
         "weekly_topic_quota": 4, "supervisors": [LEAD2], "members": [BOB, ALICE],
         "platforms": ["微信", "Site: main, v2", "Website"], "mention_in_summaries": True,
         "calendar": {"holidays": ["2027-02-08"], "workdays": ["2027-02-20"]},
         "schedule": {"weekly_plan": "TUE 09:30", "daily": "08:00"},
         "reviews": {"weights": {"performance": 50, "ability": 30, "attitude": 20}, "peer_ratings_min": 4,
                     "incentives": {"coefficients": {"S": 2, "A": 1.25, "B": 1, "C": 0.75, "D": 0},
                                    "training": {"grades": ["D"]}}}}
GROWTH = {"name": "Growth", "channel": "C0GROWTH", "supervisors": [LEAD], "members": [ALICE]}
OLD = {"name": "Old", "channel": "C0OLD", "supervisors": [LEAD], "members": [BOB]}
KEYS = ["name", "channel", "timezone", "country", "locale", "weekly_topic_quota", "supervisors", "members",
        "platforms", "mention_in_summaries", "calendar", "schedule", "reviews", "recognition", "onboarding"]


@pytest.fixture
def opsbot(database_url, tmp_path, monkeypatch, capsys) -> Iterator[Any]:
    """``opsbot.run(*argv)`` runs the command against a fresh database on each
    backend; ``opsbot.file(...)`` writes a teams file and returns its path."""
    for var in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "OPSBOT_TEAMS_FILE",
                "OPSBOT_ADMINS", "LOG_LEVEL", "PORT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)

    class Opsbot:
        url = database_url

        @staticmethod
        def file(*teams: dict[str, Any], admins: list[str] | None = None, text: str | None = None) -> str:
            path = tmp_path / f"teams-{time.monotonic_ns()}.yaml"
            body = text if text is not None else yaml.safe_dump(
                {"admins": ["U0ADMIN"] if admins is None else admins, "teams": list(teams)}, allow_unicode=True)
            path.write_text(body, encoding="utf-8")
            return str(path)

        @staticmethod
        def run(*argv: str) -> tuple[int, str, str]:
            capsys.readouterr()
            code = main(list(argv))
            out, err = capsys.readouterr()
            return code, out, err

        @staticmethod
        def ok(*argv: str) -> str:
            code, out, err = Opsbot.run(*argv)
            assert code == 0, err
            return out

    yield Opsbot


def snapshot(url: str) -> dict[str, Any]:
    """Everything the teams and admins commands may change, timestamps included."""
    with stored(url) as s:
        return {
            "teams": sorted(
                (t.name, t.channel, t.timezone, t.country, t.locale, t.weekly_topic_quota, t.mention_in_summaries,
                 repr(t.platforms), repr(t.schedule), repr(t.calendar), repr(t.reviews), t.active, t.managed_by,
                 t.updated_at.replace(tzinfo=None).isoformat())
                for t in s.scalars(select(Team))),
            "people": sorted((m.team_id, m.user_id, m.role, m.position, m.active) for m in s.scalars(select(Membership))),
            "admins": sorted((a.user_id, a.source) for a in s.scalars(select(Admin))),
        }


def people(url: str, team: str, role: str = "member") -> list[str]:
    with stored(url) as s:
        return list(s.scalars(select(Membership.user_id).join(Team, Team.id == Membership.team_id)
                              .where(Team.name == team, Membership.role == role, Membership.active)
                              .order_by(Membership.position)))


def team_row(url: str, name: str) -> tuple[bool, str]:
    with stored(url) as s:
        t = s.scalar(select(Team).where(Team.name == name))
        return t.active, t.managed_by


def add_slack_team(url: str, name: str = "Made in Slack", channel: str = "C0SLACK") -> None:
    """A team as /opsbot setup makes it (bot/workflows/teams/service.py)."""
    now = datetime(2026, 11, 20, tzinfo=UTC)
    with stored(url) as s:
        team = Team(name=name, channel=channel, timezone="UTC", country=None, locale="en", weekly_topic_quota=3,
                    mention_in_summaries=False, platforms=["WeChat"], schedule={}, calendar={}, reviews={},
                    active=True, managed_by="slack", created_at=now, updated_at=now)
        s.add(team)
        s.flush()
        s.add(Membership(team_id=team.id, user_id=EVE, role="supervisor", position=0, active=True))


# -- teams export ---------------------------------------------------------------


def test_export_then_apply_is_a_no_op_and_the_export_reads_like_the_teams_file(opsbot, monkeypatch):
    opsbot.ok("teams", "apply", opsbot.file(BRAND, GROWTH, OLD))
    opsbot.ok("teams", "apply", opsbot.file(BRAND, GROWTH))  # Old is archived: not exported
    assert opsbot.ok("admins", "add", "U0CLI")
    monkeypatch.setenv("OPSBOT_ADMINS", "U0ENV")

    out = opsbot.ok("teams", "export")

    assert "品牌组" in out and "微信" in out, "unicode comes out readable, not escaped"
    assert "\\u" not in out
    assert "Left out, as OPSBOT_ADMINS names them: U0ENV" in out
    raw = yaml.safe_load(out)
    assert list(raw) == ["admins", "teams"]
    assert raw["admins"] == ["U0ADMIN", "U0CLI"], "file and CLI admins; the environment keeps its own"
    assert [t["name"] for t in raw["teams"]] == ["品牌组", "Growth"]
    brand = raw["teams"][0]
    assert list(brand) == KEYS
    assert brand["members"] == [BOB, ALICE], "in the file's order"
    assert brand["platforms"] == ["微信", "Site: main, v2", "Website"]
    assert brand["schedule"]["weekly_plan"] == "TUE 09:30" and brand["schedule"]["quota_summary"] == "FRI 18:00"
    assert brand["reviews"]["weights"] == {"performance": 50, "ability": 30, "attitude": 20}
    incentives = brand["reviews"]["incentives"]
    assert incentives["coefficients"] == {"S": 2.0, "A": 1.25, "B": 1.0, "C": 0.75, "D": 0.0}
    assert incentives["training"] == {"grades": ["D"], "monthly_grades": [], "min_months": None}
    assert incentives["promotion"]["min_months"] == 6, "the defaults are written out"
    assert str(brand["calendar"]["holidays"][0]) == "2027-02-08"
    parse_teams(raw, "export")  # a file `teams apply` takes

    before = snapshot(opsbot.url)
    engine = make_engine(opsbot.url)
    try:
        report = apply_teams(db=make_session_factory(engine), clock=ManualClock(datetime(2026, 12, 1, tzinfo=UTC)),
                             config=parse_teams(raw), dry_run=True)
    finally:
        engine.dispose()
    assert report.empty, report.lines()
    exported = opsbot.file(text=out)
    assert opsbot.ok("teams", "apply", exported) == "nothing to change\n"
    assert snapshot(opsbot.url) == before


def test_export_of_an_empty_store_is_an_empty_teams_file(opsbot):
    raw = yaml.safe_load(opsbot.ok("teams", "export"))
    assert raw == {"admins": [], "teams": []}


def test_export_names_the_teams_made_in_slack_that_applying_it_would_hand_to_the_file(opsbot):
    opsbot.ok("teams", "apply", opsbot.file(GROWTH))
    add_slack_team(opsbot.url)

    out = opsbot.ok("teams", "export")

    assert "Made in Slack, handed to the file if you apply this: Made in Slack." in out
    assert [t["name"] for t in yaml.safe_load(out)["teams"]] == ["Growth", "Made in Slack"]
    applied = opsbot.ok("teams", "apply", opsbot.file(text=out))
    assert "~ team 'Made in Slack' (taken over from Slack)" in applied
    assert team_row(opsbot.url, "Made in Slack") == (True, "file")


# -- teams apply ----------------------------------------------------------------


def test_a_dry_run_prints_the_diff_and_stores_nothing(opsbot):
    opsbot.ok("teams", "apply", opsbot.file(GROWTH, OLD))
    add_slack_team(opsbot.url)
    before = snapshot(opsbot.url)

    code, out, err = opsbot.run("teams", "apply", opsbot.file({**GROWTH, "members": [ALICE, EVE]},
                                                              admins=["U0OTHER"]), "--dry-run")

    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "~ team 'Growth'",
        f"    + member {EVE}",
        "- team 'Old' (archived; items and history stay)",
        "+ admin U0OTHER",
        "- admin U0ADMIN",
        "dry run: nothing was changed.",
    ]
    assert snapshot(opsbot.url) == before


def test_apply_adds_a_member_archives_a_file_team_it_no_longer_names_and_leaves_slack_teams_alone(opsbot):
    opsbot.ok("teams", "apply", opsbot.file(GROWTH, OLD))
    add_slack_team(opsbot.url)
    slack_before = [row for row in snapshot(opsbot.url)["teams"] if row[0] == "Made in Slack"]

    out = opsbot.ok("teams", "apply", opsbot.file({**GROWTH, "members": [ALICE, EVE]}))

    assert f"    + member {EVE}" in out
    assert "- team 'Old' (archived; items and history stay)" in out
    assert "1 changed, 1 archived" in out
    assert "Made in Slack" not in out
    assert people(opsbot.url, "Growth") == [ALICE, EVE]
    assert team_row(opsbot.url, "Old") == (False, "file")
    assert people(opsbot.url, "Old") == [], "an archived team's people are inactive"
    assert [row for row in snapshot(opsbot.url)["teams"] if row[0] == "Made in Slack"] == slack_before
    assert people(opsbot.url, "Made in Slack", "supervisor") == [EVE]
    assert opsbot.ok("teams", "apply", opsbot.file({**GROWTH, "members": [ALICE, EVE]})) == "nothing to change\n"


@pytest.mark.parametrize(("text", "says"), [
    ("teams: [name: Growth\n", "not valid YAML at line"),
    (yaml.safe_dump({"teams": [{**GROWTH, "channel": "#growth"}]}), "team 'Growth', field 'channel'"),
    (yaml.safe_dump({"teams": [GROWTH], "admins": ["bob"]}), "'bob' is not a Slack user ID"),
], ids=["yaml", "channel", "admin"])
def test_a_bad_file_exits_2_naming_the_problem_and_changes_nothing(opsbot, text, says):
    opsbot.ok("teams", "apply", opsbot.file(GROWTH, OLD))
    before = snapshot(opsbot.url)
    bad = opsbot.file(text=text)

    for dry in ((), ("--dry-run",)):
        code, out, err = opsbot.run("teams", "apply", bad, *dry)
        assert (code, out) == (2, "")
        assert err.startswith(f"opsbot: {bad}") and says in err, err
    assert snapshot(opsbot.url) == before


def test_a_missing_file_exits_2(opsbot):
    code, out, err = opsbot.run("teams", "apply", "/nonexistent/teams.yaml")
    assert (code, out) == (2, "")
    assert "cannot read the teams file" in err


def test_apply_warns_that_opsbot_teams_file_is_applied_again_at_the_next_start(opsbot, monkeypatch):
    monkeypatch.setenv("OPSBOT_TEAMS_FILE", opsbot.file(GROWTH))
    code, out, err = opsbot.run("teams", "apply", opsbot.file(OLD))
    assert code == 0
    assert "+ team 'Old'" in out
    assert "the next start applies that file again" in err
    assert team_row(opsbot.url, "Old") == (True, "file")
    with stored(opsbot.url) as s:
        assert s.scalar(select(Team).where(Team.name == "Growth")) is None, "the command applied FILE alone"


# -- admins ---------------------------------------------------------------------


def admins_stored(url: str) -> list[tuple[str, str]]:
    with stored(url) as s:
        return sorted((a.user_id, a.source) for a in s.scalars(select(Admin)))


def test_admins_add_list_and_remove(opsbot, monkeypatch):
    opsbot.ok("teams", "apply", opsbot.file(GROWTH))
    monkeypatch.setenv("OPSBOT_ADMINS", "U0ENV")

    out = opsbot.ok("admins", "add", "U0NEW")
    assert "U0NEW is now an opsbot admin" in out
    assert admins_stored(opsbot.url) == [("U0ADMIN", "file"), ("U0ENV", "env"), ("U0NEW", "cli")]
    assert "U0NEW is already an admin, named by `opsbot admins add`: nothing changed." in opsbot.ok("admins", "add", "U0NEW")
    assert "named by the teams file's admins: nothing changed" in opsbot.ok("admins", "add", "U0ADMIN")

    rows = [line.split()[:2] for line in opsbot.ok("admins", "list").splitlines()]
    assert rows == [["U0ADMIN", "file"], ["U0ENV", "env"], ["U0NEW", "cli"], ["3", "admin(s)"]]

    out = opsbot.ok("admins", "remove", "U0NEW")
    assert out == "U0NEW is no longer a named admin.\n"
    assert admins_stored(opsbot.url) == [("U0ADMIN", "file"), ("U0ENV", "env")]
    assert "U0NEW" not in opsbot.ok("admins", "list")
    # Who was made an admin, and unmade, is on the audit trail (the second add changed nothing).
    with stored(opsbot.url) as s:
        trail = [(a.actor_id, a.action, a.after or a.before) for a in s.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(["admin.add", "admin.remove", "teams.apply"]))
            .order_by(AuditEntry.id))]
    assert trail == [("cli", "teams.apply", {"created": ["Growth"], "updated": [], "archived": [],
                                             "admins_added": ["U0ADMIN"], "admins_removed": []}),
                     ("cli", "admin.add", {"user": "U0NEW"}), ("cli", "admin.remove", {"user": "U0NEW"})]


def test_admins_remove_refuses_those_named_elsewhere_and_unknown_ids(opsbot, monkeypatch):
    opsbot.ok("teams", "apply", opsbot.file(GROWTH))
    monkeypatch.setenv("OPSBOT_ADMINS", "U0ENV")
    opsbot.ok("admins", "list")
    before = admins_stored(opsbot.url)

    code, out, err = opsbot.run("admins", "remove", "U0ADMIN")
    assert (code, out) == (2, "")
    assert "U0ADMIN is named by the teams file's admins" in err and "opsbot teams apply" in err
    code, out, err = opsbot.run("admins", "remove", "U0ENV")
    assert (code, out) == (2, "")
    assert "remove them from OPSBOT_ADMINS and restart opsbot" in err
    code, out, err = opsbot.run("admins", "remove", "U0NOBODY")
    assert (code, out) == (2, "")
    assert "U0NOBODY is not a named admin" in err
    assert admins_stored(opsbot.url) == before


def test_an_installer_is_listed_as_such_and_removed_like_an_admin_of_the_cli(opsbot):
    opsbot.ok("admins", "list")  # migrates
    with stored(opsbot.url) as s:
        assert admins.installed_by(s, "U0BOSS", datetime(2026, 11, 23, tzinfo=UTC), "T0ACME")
        assert not admins.installed_by(s, "U0BOSS", datetime(2026, 11, 24, tzinfo=UTC), "T0ACME")  # once
        assert admins.installed_by(s, "U0BOSS", datetime(2026, 11, 25, tzinfo=UTC), "T0OTHER")  # and elsewhere
    opsbot.ok("admins", "add", "U0CLI")
    listed = [line.split()[:3] for line in opsbot.ok("admins", "list").splitlines()
              if "named by installing the app (Add to Slack)" in line or "U0CLI" in line]
    assert listed == [["U0BOSS", "install", "T0ACME"], ["U0BOSS", "install", "T0OTHER"],
                      ["U0CLI", "cli", "everywhere"]]
    assert "U0BOSS is no longer a named admin." in opsbot.ok("admins", "remove", "U0BOSS")
    assert admins_stored(opsbot.url) == [("U0CLI", "cli")]


@pytest.mark.parametrize("command", ["add", "remove"])
@pytest.mark.parametrize("bad", ["bob", "u0lower", "<@U0BOB>", "C0CHANNEL"])
def test_admins_refuse_what_is_not_a_user_id(opsbot, command, bad):
    code, out, err = opsbot.run("admins", command, bad)
    assert (code, out) == (2, "")
    assert f"{bad!r} is not a Slack user ID (like U0123ABCD)" in err


def test_admins_list_shows_workspace_admins_and_says_when_none_are_named(opsbot):
    out = opsbot.ok("admins", "list")
    assert out.startswith("no admins named")
    with stored(opsbot.url) as s:
        s.add(SlackUser(user_id="U0OWNER", name="owner", workspace_admin=True,
                        refreshed_at=datetime(2026, 11, 20, tzinfo=UTC)))
    out = opsbot.ok("admins", "list")
    assert out.splitlines()[0].split()[:2] == ["U0OWNER", "slack"]
    opsbot.ok("admins", "add", "U0OWNER")
    out = opsbot.ok("admins", "remove", "U0OWNER")
    assert "still an admin as a Slack workspace owner or admin" in out


def test_apply_help_says_the_teams_it_names_become_managed_by_the_file(capsys):
    with pytest.raises(SystemExit):
        main(["teams", "apply", "--help"])
    assert "the teams it names become managed by the file" in " ".join(capsys.readouterr().out.split())


def test_export_refuses_a_store_no_teams_file_could_hold_and_says_which_team(opsbot):
    opsbot.ok("teams", "export")  # migrates the fresh database
    add_slack_team(opsbot.url)
    with stored(opsbot.url) as s:
        for m in s.scalars(select(Membership)):
            m.active = False  # its only supervisor left
    code, out, err = opsbot.run("teams", "export")
    assert (code, out) == (2, "")
    assert "team 'Made in Slack', field 'supervisors'" in err and "/opsbot setup" in err
