"""What listeners need from the core, handed in once by ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock


@dataclass(frozen=True)
class Deps:
    db: sessionmaker[Session]
    clock: Clock
