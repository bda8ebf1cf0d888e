"""Onboarding rules: what a checklist may hold, how the modal's text reads, and
on which date each item falls for a new member. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.calendar import WorkingCalendar
from bot.kernel.errors import N_, InvalidInput

MAX_ITEMS = 50
MAX_DAY = 120
MAX_TEXT = 300
FIELD_ITEMS = "onboarding_items"
_LINE = re.compile(r"^(\d{1,4})\s*[:：]\s*(.*)$")


@dataclass(frozen=True)
class ChecklistItem:
    day: int
    item: str

    def stored(self) -> dict[str, object]:
        return {"day": self.day, "item": self.item}


def parse_checklist(text: str) -> list[ChecklistItem]:
    """One item a line as ``N: text``; blank lines are skipped. An error names the line."""
    out: list[ChecklistItem] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        m = _LINE.match(line)
        if not m:
            raise InvalidInput(N_("Line {line}: write it as `N: ...`, N the working day (0 = the first day)."),
                               field=FIELD_ITEMS, line=number)
        day, what = int(m.group(1)), " ".join(m.group(2).split())
        if day > MAX_DAY:
            raise InvalidInput(N_("Line {line}: the day can be at most {max}."), field=FIELD_ITEMS, line=number,
                               max=MAX_DAY)
        if not what:
            raise InvalidInput(N_("Line {line}: say what to do after the day."), field=FIELD_ITEMS, line=number)
        if len(what) > MAX_TEXT:
            raise InvalidInput(N_("Line {line}: an item can be at most {max} characters."), field=FIELD_ITEMS,
                               line=number, max=MAX_TEXT)
        out.append(ChecklistItem(day, what))
    if len(out) > MAX_ITEMS:
        raise InvalidInput(N_("A checklist holds at most {max} items."), field=FIELD_ITEMS, max=MAX_ITEMS)
    return out


def checklist_text(items: list[dict]) -> str:
    return "\n".join(f"{int(i['day'])}: {i['item']}" for i in items)


def day_zero(start: date, calendar: WorkingCalendar) -> date:
    """The start date itself, or the first working day after it."""
    return calendar.first_working_day_on_or_after(start) or start


def due_date(start: date, day: int, calendar: WorkingCalendar) -> date:
    """The date of working day ``day`` of a run that started on ``start``."""
    d = day_zero(start, calendar)
    left = day
    # Bounded: 120 working days are well under a year of calendar days.
    for _ in range(400):
        if left == 0:
            return d
        d += timedelta(days=1)
        if calendar.is_working_day(d):
            left -= 1
    return d
