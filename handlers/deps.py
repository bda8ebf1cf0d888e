"""What listeners need from the core, handed in once by ``create_app``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel.clock import Clock
from bot.kernel.inbox import Inbox
from bot.kernel.snooze import Roles


@dataclass(frozen=True)
class Deps:
    db: sessionmaker[Session]
    clock: Clock
    inbox: Inbox
    # Reminders that carry "Remind me later", and who receives each (every workflow's).
    snoozable: Mapping[str, Roles]
