"""Loader for the onboarding item DM."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.kernel.notices import NoticeLoaders, People, team_of
from bot.workflows.onboarding import views
from bot.workflows.onboarding.jobs import DM_TYPE
from bot.workflows.onboarding.rules import due_date
from storage import onboarding as rows
from storage.models import OutboxNotice


def load_item(s: Session, notice: OutboxNotice, now: datetime) -> views.OnboardingItemDM:
    found = rows.item_with_run(s, notice.payload["item_id"])
    assert found is not None
    item, run = found
    team = team_of(s, run.team_id)
    people = People(s, now, {notice.recipient})
    return views.OnboardingItemDM(
        locale=people.locale(notice.recipient, team.locale), item_id=item.id, team_name=team.name, day=item.day,
        text=item.text, due=due_date(run.start_date, item.day, team.calendar), done=item.done_at is not None)


LOADERS = NoticeLoaders(dms={DM_TYPE: load_item})
