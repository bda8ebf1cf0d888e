"""Installed workspaces and OAuth states on both backends (issue 19): tokens are sealed at rest
and opened on find; states are good once, until they expire by the product's clock, and expired
ones are purged. And the settings that turn OAuth mode on: no token key, no start."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet
from pydantic import ValidationError
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import Engine, select

from bot.kernel.clock import ManualClock
from bot.kernel.settings import Settings
from handlers.oauth import bot_scopes
from storage import migrate
from storage.db import make_engine
from storage.installations import (
    BOTS,
    INSTALLATIONS,
    OAUTH_STATES,
    InstallationStore,
    OAuthStateStore,
    Sealer,
    TokenKeyError,
    purge_expired_states,
)

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
KEY = Fernet.generate_key().decode()
BOT_TOKEN, USER_TOKEN = "xoxb-1-secret-bot-token", "xoxp-1-secret-user-token"
REFRESH = "xoxe-1-secret-refresh"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    e = make_engine(database_url)
    migrate.upgrade(e)
    try:
        yield e
    finally:
        e.dispose()


def _installation(team: str = "T0ACME", bot_token: str = BOT_TOKEN) -> Installation:
    return Installation(app_id="A0OPSBOT", enterprise_id=None, team_id=team, team_name="Acme", bot_token=bot_token,
                        bot_id="B0ACMEBOT", bot_user_id="U0ACMEBOT", bot_scopes="chat:write,commands",
                        bot_refresh_token=REFRESH, bot_token_expires_in=43200, user_id="U0BOSS",
                        user_token=USER_TOKEN, user_scopes="", is_enterprise_install=False, token_type="bot")


def _raw(engine: Engine, table) -> str:
    with engine.connect() as conn:
        return repr([dict(r) for r in conn.execute(select(table)).mappings()])


def test_tokens_are_encrypted_in_the_rows_and_come_back_in_clear(engine):
    store = InstallationStore(client_id="1.2", engine=engine, sealer=Sealer(KEY))
    store.save(_installation())
    for table in (INSTALLATIONS, BOTS):
        raw = _raw(engine, table)
        for secret in (BOT_TOKEN, USER_TOKEN, REFRESH, "secret"):
            assert secret not in raw, table.name
    found = store.find_installation(enterprise_id=None, team_id="T0ACME")
    assert (found.bot_token, found.user_token, found.bot_refresh_token) == (BOT_TOKEN, USER_TOKEN, REFRESH)
    bot = store.find_bot(enterprise_id=None, team_id="T0ACME")
    assert (bot.bot_token, bot.bot_refresh_token) == (BOT_TOKEN, REFRESH)
    assert store.find_bot(enterprise_id=None, team_id="T0OTHER") is None


def test_a_key_that_does_not_open_the_tokens_is_an_error_that_says_so(engine):
    InstallationStore(client_id="1.2", engine=engine, sealer=Sealer(KEY)).save(_installation())
    other = InstallationStore(client_id="1.2", engine=engine, sealer=Sealer(Fernet.generate_key().decode()))
    with pytest.raises(TokenKeyError, match="OPSBOT_TOKEN_KEY"):
        other.find_bot(enterprise_id=None, team_id="T0ACME")


def test_the_plaintext_opt_out_stores_tokens_as_sent_and_a_key_set_later_still_reads_them(engine):
    InstallationStore(client_id="1.2", engine=engine, sealer=Sealer(None)).save(_installation())
    assert BOT_TOKEN in _raw(engine, BOTS)
    keyed = InstallationStore(client_id="1.2", engine=engine, sealer=Sealer(KEY))
    assert keyed.find_bot(enterprise_id=None, team_id="T0ACME").bot_token == BOT_TOKEN


def test_a_state_is_good_once_and_not_after_it_expires(engine):
    clock = ManualClock(NOW)
    store = OAuthStateStore(engine=engine, now=clock.now, ttl_seconds=600)
    once, late = store.issue(), store.issue()
    assert store.consume(once) and not store.consume(once)
    assert not store.consume("never-issued")
    clock.advance(timedelta(seconds=600))
    assert not store.consume(late)


def test_expired_states_are_purged_and_fresh_ones_kept(engine):
    clock = ManualClock(NOW)
    store = OAuthStateStore(engine=engine, now=clock.now, ttl_seconds=600)
    store.issue()
    clock.advance(timedelta(seconds=300))
    fresh = store.issue()
    assert purge_expired_states(engine, NOW + timedelta(seconds=600)) == 1
    clock.advance(timedelta(seconds=400))
    assert store.consume(fresh)
    assert _raw(engine, OAUTH_STATES) == "[]"


# -- settings --------------------------------------------------------------------------------


def test_oauth_mode_without_a_token_key_is_refused_saying_how_to_make_one(monkeypatch):
    monkeypatch.delenv("OPSBOT_TOKEN_KEY", raising=False)
    with pytest.raises(ValidationError) as e:
        Settings(slack_client_id="1.2", slack_client_secret="s")
    assert "OPSBOT_TOKEN_KEY" in str(e.value) and "Fernet.generate_key()" in str(e.value)
    with pytest.raises(ValidationError, match="not a Fernet key"):
        Settings(slack_client_id="1.2", slack_client_secret="s", opsbot_token_key="not-a-key")


def test_oauth_mode_starts_with_a_key_or_the_explicit_plaintext_opt_out():
    assert Settings(slack_client_id="1.2", slack_client_secret="s", opsbot_token_key=KEY).oauth
    assert Settings(slack_client_id="1.2", slack_client_secret="s", opsbot_plaintext_tokens=True).oauth
    single = Settings(slack_bot_token="xoxb-1")
    assert not single.oauth and single.oauth_state_ttl_seconds == 600


def test_the_default_scopes_are_the_manifests_bot_scopes():
    manifest = yaml.safe_load((Path(__file__).resolve().parent.parent / "app.yaml").read_text(encoding="utf-8"))
    assert bot_scopes() == sorted(manifest["oauth_config"]["scopes"]["bot"])
