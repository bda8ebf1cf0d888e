"""What listeners need from the core, handed in once by ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.inbox import Inbox


@dataclass(frozen=True)
class Deps:
    db: sessionmaker[Session]
    clock: Clock
    inbox: Inbox
