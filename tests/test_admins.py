"""Who is an opsbot admin (bot/kernel/admins.py): the teams file's admins,
OPSBOT_ADMINS and `opsbot admins add`, each kept by its own source, and the
workspace's owners and admins as Slack reports them."""

from __future__ import annotations

from datetime import datetime

import pytest
from pydantic import ValidationError
from sqlalchemy import select, text

from bot.app import create_app
from bot.kernel import admins
from bot.kernel.settings import Settings
from bot.kernel.teams_file import parse_teams
from handlers.gateway import profile_of
from storage import migrate
from storage.db import make_engine, make_session_factory, transaction
from storage.models import Admin


def _named(app) -> dict[str, str]:
    with transaction(app.db) as s:
        return {a.user_id: a.source for a in s.scalars(select(Admin))}


def test_opsbot_admins_are_read_from_the_environment_and_a_bad_id_is_refused_naming_it():
    assert Settings(slack_signing_secret="s", opsbot_admins=" U0ONE, U0TWO U0ONE").opsbot_admins == "U0ONE,U0TWO"
    with pytest.raises(ValidationError, match="'#general' is not a Slack user ID"):
        Settings(slack_signing_secret="s", opsbot_admins="U0ONE,#general")


def test_each_start_keeps_each_source_in_step_and_leaves_the_others_alone(database_url):
    file = parse_teams({"admins": ["U0FILE"]})
    first = create_app(Settings(database_url=database_url, slack_signing_secret="s", opsbot_admins="U0ENV,U0OLD"),
                       teams=file)
    with transaction(first.db) as s:
        admins.add(s, "U0CLI", first.clock.now())
    first.engine.dispose()
    assert _named(first) == {"U0FILE": "file", "U0ENV": "env", "U0OLD": "env", "U0CLI": "cli"}

    # The next start: U0OLD left OPSBOT_ADMINS, the file names nobody now.
    second = create_app(Settings(database_url=database_url, slack_signing_secret="s", opsbot_admins="U0ENV"),
                        teams=parse_teams({"admins": []}))
    try:
        assert _named(second) == {"U0ENV": "env", "U0CLI": "cli"}
        with transaction(second.db) as s:
            assert admins.is_admin(s, "U0CLI") and not admins.is_admin(s, "U0OLD")
    finally:
        second.engine.dispose()


@pytest.mark.parametrize(("flags", "expected"), [
    ({"is_admin": True}, True), ({"is_owner": True}, True), ({}, False),
])
def test_a_workspace_owner_or_admin_is_an_opsbot_admin(flags, expected):
    profile = profile_of({"id": "U0X", "name": "x", **flags})
    assert profile.workspace_admin is expected


def test_migration_0019_makes_each_stored_installer_an_admin_of_the_workspace_they_installed_in(database_url):
    """Before 0019 an installer was an admin of the whole deployment; after it, of the workspace
    (or org, for an org-wide install) the installations table says they installed in."""
    e = make_engine(database_url)
    try:
        migrate.upgrade(e, "0018")
        at = datetime(2026, 11, 23, 9, 0)
        with e.begin() as conn:
            conn.execute(text("INSERT INTO admins (user_id, source, added_at) VALUES (:u, :s, :at)"),
                         [{"u": "U0BOSS", "s": "install", "at": at}, {"u": "U0ORG", "s": "install", "at": at},
                          {"u": "U0GONE", "s": "install", "at": at}, {"u": "U0ENV", "s": "env", "at": at}])
            conn.execute(text("INSERT INTO slack_installations (client_id, app_id, enterprise_id, team_id, user_id, "
                              "is_enterprise_install, installed_at) VALUES ('c', 'A0', :e, :t, :u, :org, :at)"),
                         [{"e": None, "t": "T0ACME", "u": "U0BOSS", "org": False, "at": at},
                          {"e": None, "t": "T0OTHER", "u": "U0BOSS", "org": False, "at": at},
                          {"e": "E0ORG", "t": None, "u": "U0ORG", "org": True, "at": at}])
        migrate.upgrade(e)
        with e.connect() as conn:
            rows = sorted(tuple(r) for r in conn.execute(text("SELECT user_id, workspace, source FROM admins")))
        assert rows == [("U0BOSS", "T0ACME", "install"), ("U0BOSS", "T0OTHER", "install"),
                        ("U0ENV", "", "env"), ("U0GONE", "", "install"), ("U0ORG", "E0ORG", "install")]
        with transaction(make_session_factory(e)) as s:
            assert admins.is_admin(s, "U0BOSS", "T0ACME") and not admins.is_admin(s, "U0BOSS", "T0THIRD")
            assert admins.is_admin(s, "U0ORG", "T0INORG", "E0ORG") and admins.is_admin(s, "U0ENV", "T0THIRD")
    finally:
        e.dispose()
