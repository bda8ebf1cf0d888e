"""What listeners need from the core, handed in once by ``create_app``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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
    # OAuth mode: one deployment serves many workspaces, and a request acts in its own only.
    workspaces: bool = False

    def workspace(self, context: Mapping[str, Any]) -> str:
        """The workspace a request acts in, as teams store it: its Slack team id in OAuth mode,
        "" in the single-workspace mode (where every team is the one workspace's)."""
        return (context.get("team_id") or "") if self.workspaces else ""

    def scope(self, context: Mapping[str, Any]) -> str | None:
        """The workspace a look-up is limited to: the request's in OAuth mode; None (no limit,
        there is one workspace) in the single-workspace mode."""
        return (context.get("team_id") or "") if self.workspaces else None

    def enterprise(self, context: Mapping[str, Any]) -> str | None:
        return (context.get("enterprise_id") or None) if self.workspaces else None
