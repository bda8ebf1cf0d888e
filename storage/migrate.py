"""Alembic, driven from code: ``opsbot db upgrade`` and the start-up check."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

MIGRATIONS = Path(__file__).parent / "migrations"
# An arbitrary constant: the PostgreSQL advisory lock that serialises
# start-up (migrations, then the teams file) when several replicas start at once.
MIGRATION_LOCK = 0x0B5B0701


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


@contextmanager
def startup_lock(engine: Engine) -> Iterator[None]:
    """One process at a time in the body, across every replica on the same
    PostgreSQL: the migrations and the teams file are applied under it, so
    replicas started at the same instant never race on creating a table, the
    version row or a team (each waits, then finds the work done). The lock
    lives on a connection of its own, held until the body ends; SQLite is one
    process on one host and needs none."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
            conn.commit()


def upgrade(engine: Engine, revision: str = "head", *, locked: bool = False) -> None:
    """Bring the schema to ``revision``. Safe to run every time, and from
    several processes at once on PostgreSQL. ``locked``: the caller holds
    :func:`startup_lock` already (taking it again from another connection
    would wait for ever)."""
    if locked:
        command.upgrade(alembic_config(engine), revision)
        return
    with startup_lock(engine):
        command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def is_current(engine: Engine) -> bool:
    return current_revision(engine) == head_revision(engine)
