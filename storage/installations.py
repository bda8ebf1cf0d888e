"""Workspaces installed with "Add to Slack" and their OAuth states: slack_sdk's SQLAlchemy stores on
the product's engine, with their tables in the product's metadata (migration 0016 creates them,
never ``create_all``) and every token sealed at rest.

- Tokens at rest: ``bot_token``, ``user_token`` and the two refresh tokens are Fernet-encrypted
  (``OPSBOT_TOKEN_KEY``) on the way in and decrypted on the way out. A ciphertext is longer than
  the token, so those columns are ``Text`` rather than slack_sdk's ``String(200)``.
- OAuth states expire by the product's clock, not the wall clock, are consumed by one
  conditional ``DELETE`` (two redirects racing with one state: one wins), and expired ones are
  purged at every new install link and by the daily retention run.
"""

from __future__ import annotations

import copy
import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import uuid4

from cryptography.fernet import Fernet, InvalidToken
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, Table, Text, delete, insert, text

from storage.models import Base

log = logging.getLogger(__name__)

TOKEN_FIELDS = ("bot_token", "user_token", "bot_refresh_token", "user_refresh_token")
# What Slack's tokens start with: a value read back like this was stored before encryption was on.
SLACK_TOKEN_PREFIXES = ("xoxb-", "xoxp-", "xoxe")


def _widened(table: Table) -> Table:
    for name in TOKEN_FIELDS:
        if name in table.c:
            table.c[name].type = Text()
    return table


INSTALLATIONS = _widened(SQLAlchemyInstallationStore.build_installations_table(Base.metadata, "slack_installations"))
BOTS = _widened(SQLAlchemyInstallationStore.build_bots_table(Base.metadata, "slack_bots"))
OAUTH_STATES = SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, "slack_oauth_states")


class TokenKeyError(RuntimeError):
    """A stored token that ``OPSBOT_TOKEN_KEY`` does not open: the key was changed or lost."""


class Sealer:
    """Fernet with the operator's key; ``None``: tokens kept as Slack sent them (the explicit opt-out)."""

    def __init__(self, key: str | None) -> None:
        self._fernet = Fernet(key.encode()) if key else None

    def seal(self, value: str | None) -> str | None:
        if value is None or self._fernet is None:
            return value
        try:
            self._fernet.decrypt(value.encode())
            return value  # sealed already (an installation's bot row is saved from its sealed copy)
        except InvalidToken:
            return self._fernet.encrypt(value.encode()).decode()

    def open(self, value: str | None) -> str | None:
        if value is None or self._fernet is None:
            return value
        try:
            return self._fernet.decrypt(value.encode()).decode()
        except InvalidToken:
            if value.startswith(SLACK_TOKEN_PREFIXES):
                return value  # written before OPSBOT_TOKEN_KEY was set; sealed at its next save
            # Bolt's authorize swallows what a store raises: say it here, where the cause is known.
            message = ("OPSBOT_TOKEN_KEY does not open a stored Slack token: was the key changed? "
                       "Restore the old key, or reinstall the app in that workspace")
            log.error(message)
            raise TokenKeyError(message) from None


T = TypeVar("T", Installation, Bot)


def _each_token(obj: T, change: Callable[[str | None], str | None]) -> T:
    for name in TOKEN_FIELDS:
        if hasattr(obj, name):
            setattr(obj, name, change(getattr(obj, name)))
    return obj


class InstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store on the product's tables, sealing tokens on save and opening them on find."""

    def __init__(self, *, client_id: str, engine: Engine, sealer: Sealer) -> None:
        super().__init__(client_id=client_id, engine=engine)
        self.metadata = Base.metadata
        self.installations, self.bots = INSTALLATIONS, BOTS
        self.sealer = sealer

    def create_tables(self) -> None:
        raise RuntimeError("the migrations create opsbot's tables (storage/migrations, revision 0016)")

    def save(self, installation: Installation) -> None:
        super().save(_each_token(copy.copy(installation), self.sealer.seal))

    def save_bot(self, bot: Bot) -> None:
        super().save_bot(_each_token(copy.copy(bot), self.sealer.seal))

    # slack_sdk builds every entity it finds through these two; here they open the tokens.
    def build_installation_entity(self, row: Any) -> Installation:  # type: ignore[override]
        return _each_token(super().build_installation_entity(row), self.sealer.open)

    def build_bot_entity(self, row: Any) -> Bot:  # type: ignore[override]
        return _each_token(super().build_bot_entity(row), self.sealer.open)


def _naive_utc(at: datetime) -> datetime:
    """slack_sdk's ``expire_at`` is a zone-less column holding UTC."""
    return at.astimezone(UTC).replace(tzinfo=None)


def purge_expired_states(engine: Engine, now: datetime) -> int:
    """Delete the OAuth states that expired by ``now``; how many went."""
    with engine.begin() as conn:
        return conn.execute(delete(OAUTH_STATES).where(OAUTH_STATES.c.expire_at <= _naive_utc(now))).rowcount


class OAuthStateStore(SQLAlchemyOAuthStateStore):
    """slack_sdk's state store on the product's table and clock."""

    def __init__(self, *, engine: Engine, now: Callable[[], datetime], ttl_seconds: int) -> None:
        super().__init__(expiration_seconds=ttl_seconds, engine=engine)
        self.metadata = Base.metadata
        self.oauth_states = OAUTH_STATES
        self._now = now

    def create_tables(self) -> None:
        raise RuntimeError("the migrations create opsbot's tables (storage/migrations, revision 0016)")

    def issue(self, *args: Any, **kwargs: Any) -> str:
        now = self._now()
        purge_expired_states(self.engine, now)
        state = str(uuid4())
        expire_at = _naive_utc(now + timedelta(seconds=self.expiration_seconds))
        with self.engine.begin() as conn:
            conn.execute(insert(OAUTH_STATES).values(state=state, expire_at=expire_at))
        return state

    def consume(self, state: str) -> bool:
        """True once for a state issued here and not yet expired; False ever after."""
        c = OAUTH_STATES.c
        with self.engine.begin() as conn:
            gone = conn.execute(delete(OAUTH_STATES).where(c.state == state,
                                                           c.expire_at > _naive_utc(self._now())))
        return gone.rowcount == 1


def _lock_key(workspace: str) -> int:
    """A signed 64-bit PostgreSQL advisory-lock key for one workspace's token refresh."""
    digest = hashlib.blake2b(f"opsbot token refresh {workspace}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def refresh_lock(engine: Engine, workspace: str) -> Iterator[None]:
    """One token refresh of ``workspace`` at a time across every replica on the same PostgreSQL:
    a transaction-scoped advisory lock (``pg_advisory_xact_lock``), held on a connection of its
    own until the body ends, then released with that transaction. The body re-reads the
    installation under it (another replica may have refreshed already). SQLite is one process on
    one host: the caller's process-level lock is enough there."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _lock_key(workspace)})
        yield
