"""Training rules: what a session announcement may hold, and what a member's
career development goals may be. Pure: no I/O, an explicit ``now``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.kernel.errors import N_, InvalidInput

MAX_TOPIC = 150
MAX_PLACE = 300
MAX_DESCRIPTION = 2000
MAX_GOALS = 5
MAX_GOAL = 300
FIELD_TOPIC = "training_topic"
FIELD_START = "training_start"
FIELD_PLACE = "training_place"
FIELD_DESCRIPTION = "training_description"
FIELD_ATTENDEES = "training_attendees"
FIELD_GOALS = "career_goals"


@dataclass(frozen=True)
class SessionDraft:
    topic: str
    starts_at: datetime
    place: str
    description: str | None


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def validate_session(topic: str | None, starts_at: datetime | None, place: str | None, description: str | None,
                     now: datetime) -> SessionDraft:
    """A topic, a start in the future, a place or link; the description is optional."""
    t, p, d = _one_line(topic), _one_line(place), (description or "").strip()
    if not t:
        raise InvalidInput(N_("Give the session a topic."), field=FIELD_TOPIC)
    if len(t) > MAX_TOPIC:
        raise InvalidInput(N_("A topic can be at most {max} characters."), field=FIELD_TOPIC, max=MAX_TOPIC)
    if starts_at is None:
        raise InvalidInput(N_("Pick the date and time the session starts."), field=FIELD_START)
    if starts_at <= now:
        raise InvalidInput(N_("The session must start in the future."), field=FIELD_START)
    if not p:
        raise InvalidInput(N_("Say where the session is: a room or a link."), field=FIELD_PLACE)
    if len(p) > MAX_PLACE:
        raise InvalidInput(N_("The place can be at most {max} characters."), field=FIELD_PLACE, max=MAX_PLACE)
    if len(d) > MAX_DESCRIPTION:
        raise InvalidInput(N_("The description can be at most {max} characters."), field=FIELD_DESCRIPTION,
                           max=MAX_DESCRIPTION)
    return SessionDraft(t, starts_at, p, d or None)


def parse_goals(text: str | None) -> list[str]:
    """One goal a line, blank lines skipped: at most 5, each 1..300 characters."""
    goals = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = _one_line(raw)
        if not line:
            continue
        if len(line) > MAX_GOAL:
            raise InvalidInput(N_("Line {line}: a goal can be at most {max} characters."), field=FIELD_GOALS,
                               line=number, max=MAX_GOAL)
        goals.append(line)
    if len(goals) > MAX_GOALS:
        raise InvalidInput(N_("Keep at most {max} goals for the year (one a line)."), field=FIELD_GOALS,
                           max=MAX_GOALS)
    return goals
