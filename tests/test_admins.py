"""Who is an opsbot admin (bot/kernel/admins.py): the teams file's admins,
OPSBOT_ADMINS and `opsbot admins add`, each kept by its own source, and the
workspace's owners and admins as Slack reports them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from bot.app import create_app
from bot.kernel import admins
from bot.kernel.settings import Settings
from bot.kernel.teams_file import parse_teams
from handlers.gateway import profile_of
from storage.db import transaction
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
