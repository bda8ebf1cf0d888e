"""Loaders for the training notices: the session card and the day's reminder DM."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.kernel.notices import Loaded, NoticeLoaders, People, team_of
from bot.workflows.training import views
from bot.workflows.training.jobs import DM_TYPE
from storage import training as rows
from storage.models import OutboxNotice
from storage.training import TrainingSession


def load_card(s: Session, session_id: int, now: datetime) -> Loaded:
    row = s.get_one(TrainingSession, session_id)
    team = team_of(s, row.team_id)
    answers = rows.answers(s, row.id)
    attended = len(rows.attendees(s, row.id)) if row.attendance_at is not None else None
    view = views.TrainingCard(
        locale=team.locale, session_id=row.id, team_name=team.name, topic=row.topic,
        starts_at=int(row.starts_at.timestamp()), place=row.place, description=row.description,
        announced_by=row.created_by, joining=sum(1 for yes in answers.values() if yes),
        not_joining=sum(1 for yes in answers.values() if not yes), attended=attended)
    return Loaded(view=view, channel=row.card_channel or team.channel, ts=row.card_ts)


def load_reminder(s: Session, notice: OutboxNotice, now: datetime) -> views.TrainingReminderDM:
    row = s.get_one(TrainingSession, notice.payload["session_id"])
    team = team_of(s, row.team_id)
    people = People(s, now, {notice.recipient})
    return views.TrainingReminderDM(
        locale=people.locale(notice.recipient, team.locale), session_id=row.id, team_name=team.name,
        topic=row.topic, starts_at=int(row.starts_at.timestamp()), place=row.place)


LOADERS = NoticeLoaders(
    cards={"training": load_card},
    card_models={"training": TrainingSession},
    dms={DM_TYPE: load_reminder},
)
