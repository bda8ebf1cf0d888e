"""Shared fixtures: a database on each backend, and a running rig.

PostgreSQL tests use ``OPSBOT_TEST_POSTGRES_URL`` when it is set (a database
they may wipe). Otherwise the session starts a throwaway server from the
machine's own PostgreSQL binaries (``tests/support/postgres.py``). Only where
there are none are they skipped, saying how to get one; under
``OPSBOT_REQUIRE_POSTGRES=1`` (CI) that skip is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from bot.devtools.rig import Rig
from storage.db import normalize_url
from tests.support.blockkit import validate_call
from tests.support.postgres import INSTALL_HINT, ThrowawayPostgres, find_bindir

PG_URL = os.environ.get("OPSBOT_TEST_POSTGRES_URL")
REQUIRE_PG = os.environ.get("OPSBOT_REQUIRE_POSTGRES") == "1"

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 23 November 2026, 09:00 in Shanghai: the start of a working week.
MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)

LEAD, LEAD2, ALICE, BOB, EVE = "U0LEAD", "U0LEAD2", "U0ALICE", "U0BOB", "U0EVE"
CHANNEL = "C0GROWTH"

TEAMS: dict[str, Any] = {
    "admins": ["U0ADMIN"],
    "teams": [
        {
            "name": "Growth",
            "channel": CHANNEL,
            "timezone": "Asia/Shanghai",
            "country": "CN",
            "locale": "en",
            "weekly_topic_quota": 3,
            "supervisors": [LEAD, LEAD2],
            "members": [ALICE, BOB],
            "platforms": ["WeChat", "Weibo", "Website"],
        }
    ],
}

USERS: dict[str, dict[str, Any]] = {
    LEAD: {"name": "lena", "real_name": "Lena Lead", "tz": "Asia/Shanghai", "locale": "en-US"},
    LEAD2: {"name": "li", "real_name": "Li Second", "tz": "Asia/Shanghai", "locale": "zh-CN"},
    ALICE: {"name": "alice", "real_name": "Alice", "tz": "Asia/Shanghai", "locale": "en-US"},
    BOB: {"name": "bob", "real_name": "Bob", "tz": "America/New_York", "locale": "en-US"},
    EVE: {"name": "eve", "real_name": "Eve Outsider", "tz": "Europe/London", "locale": "en-GB"},
}


def _reset_postgres(url: str) -> None:
    engine = create_engine(normalize_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """The session's PostgreSQL: the one named by the environment, or a throwaway one."""
    if PG_URL:
        yield PG_URL
        return
    bindir = find_bindir()
    if bindir is None:
        if REQUIRE_PG:
            pytest.fail(f"OPSBOT_REQUIRE_POSTGRES=1 but {INSTALL_HINT}")
        pytest.skip(INSTALL_HINT)
    server = ThrowawayPostgres(bindir).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """A fresh, empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/opsbot.sqlite3"
    url = request.getfixturevalue("postgres_server_url")  # started only when a test needs it
    _reset_postgres(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path}/opsbot.sqlite3"


_RIGS: list[Rig] = []


# make_rig(..., teams=NO_TEAMS_FILE): the app starts with no teams file at all.
NO_TEAMS_FILE: dict[str, Any] = {}


def make_rig(database_url: str, *, teams: dict[str, Any] | None = None, start: datetime = MONDAY_9AM,
             users: dict[str, dict[str, Any]] | None = None, **kw: Any) -> Rig:
    chosen = None if teams is NO_TEAMS_FILE else teams or TEAMS
    rig = Rig(database_url=database_url, teams=chosen, start=start, users=users or USERS, **kw)
    _RIGS.append(rig)
    return rig


@pytest.fixture(autouse=True)
def every_payload_is_valid_block_kit() -> Iterator[None]:
    """Whatever a test did, every payload its rigs sent to Slack must be valid."""
    _RIGS.clear()
    yield
    rigs, _RIGS[:] = list(_RIGS), []
    for rig in rigs:
        validate_all(rig)


def validate_all(rig: Rig) -> None:
    """Every payload the app sent to Slack is valid Block Kit within Slack's limits."""
    for call in rig.slack.all_calls():
        if call.ok:
            validate_call(call)


@pytest.fixture
def rig(database_url: str) -> Iterator[Rig]:
    r = make_rig(database_url).start()
    try:
        yield r
        validate_all(r)
    finally:
        r.stop()
