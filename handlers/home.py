"""The App Home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.services import topics as svc
from handlers.deps import Deps
from handlers.ids import Event


def register(app: App, deps: Deps) -> None:
    @app.event(Event.APP_HOME_OPENED)
    def home_opened(event: dict[str, Any]) -> None:
        if event.get("tab", "home") == "home":
            svc.open_home(db=deps.db, clock=deps.clock, user_id=event["user"])
