"""Loader for the Home tab."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.kernel.notices import NoticeLoaders, People
from bot.workflows.home import views as home_views
from bot.workflows.home.service import home_view


def _load_home(s: Session, user_id: str, now: datetime, workspace: str = "",
               enterprise_id: str | None = None) -> home_views.HomeView:
    People(s, now, {user_id})  # Home speaks the viewer's language: fetch their profile first
    return home_view(s, user_id, now, workspace, enterprise_id)


LOADERS = NoticeLoaders(home=_load_home)
