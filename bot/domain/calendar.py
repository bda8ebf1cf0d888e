"""Working-day calendar: which dates a team works on.

Pure domain rules: nothing here reads the clock, the database or Slack.  Every
function takes the date it reasons about as an argument.

Sources, in order of precedence:

1. the team's own overrides (``calendar: {holidays: [...], workdays: [...]}`` in
   the teams YAML) — ``extra_workdays`` always work, ``extra_holidays`` never do;
2. for ``"CN"``: the official State Council schedule shipped by the
   ``chinesecalendar`` library, including 调休 make-up working weekends.  That
   library only knows the years it has been released for; for any other year
   the calendar falls back to plain Monday–Friday (see :meth:`covers` and
   :meth:`coverage_warning`);
3. for any other country: Monday–Friday minus the public holidays of the
   ``holidays`` library (its default categories, observed days included);
4. no country: Monday–Friday.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache

import chinese_calendar
import holidays

__all__ = ["MAX_SEARCH_DAYS", "WorkingCalendar", "is_valid_country"]

#: How far :meth:`WorkingCalendar.last_working_day_on_or_before` and
#: :meth:`WorkingCalendar.first_working_day_on_or_after` look when not bounded.
MAX_SEARCH_DAYS = 60

_CN = "CN"
_LIBRARY_BY_COUNTRY = {_CN: "chinesecalendar"}


@cache
def _cn_supported_years() -> tuple[int, int]:
    """The (first, last) year the installed ``chinesecalendar`` has official data for.

    Read from the library's own tables, the same way the library validates its
    input (it raises ``NotImplementedError`` outside this range).
    """
    years = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    return min(years), max(years)


@cache
def _supported_countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


def _normalise_country(code: str) -> str:
    return code.strip().upper()


def is_valid_country(code: str) -> bool:
    """Whether ``code`` names a country this calendar knows (``"CN"`` or any ``holidays`` country)."""
    if not isinstance(code, str) or not code.strip():
        return False
    normalised = _normalise_country(code)
    return normalised == _CN or normalised in _supported_countries()


class WorkingCalendar:
    """A team's working days.  Immutable once built; safe to share between threads.

    ``country`` is an ISO 3166-1 alpha-2 code (case-insensitive) or ``None``
    for a plain Monday–Friday week.  ``extra_holidays`` / ``extra_workdays`` are
    the team's overrides; they win over everything else.  A date listed in both
    is rejected, since the intent is ambiguous.
    """

    __slots__ = ("_country", "_extra_holidays", "_extra_workdays", "_holiday_cache")

    def __init__(
        self,
        country: str | None = None,
        extra_holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
    ) -> None:
        if country is not None:
            if not is_valid_country(country):
                raise ValueError(f"unknown country code {country!r} for the working calendar")
            country = _normalise_country(country)
        extra_h = frozenset(extra_holidays)
        extra_w = frozenset(extra_workdays)
        both = extra_h & extra_w
        if both:
            listed = ", ".join(sorted(d.isoformat() for d in both))
            raise ValueError(f"dates listed both as calendar holidays and as workdays: {listed}")
        object.__setattr__(self, "_country", country)
        object.__setattr__(self, "_extra_holidays", extra_h)
        object.__setattr__(self, "_extra_workdays", extra_w)
        object.__setattr__(self, "_holiday_cache", {})

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    # -- identity ---------------------------------------------------------------------------

    @property
    def country(self) -> str | None:
        return self._country

    @property
    def extra_holidays(self) -> frozenset[date]:
        return self._extra_holidays

    @property
    def extra_workdays(self) -> frozenset[date]:
        return self._extra_workdays

    def _key(self) -> tuple[str | None, frozenset[date], frozenset[date]]:
        return (self._country, self._extra_holidays, self._extra_workdays)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorkingCalendar):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar(country={self._country!r}, "
            f"extra_holidays={len(self._extra_holidays)} dates, "
            f"extra_workdays={len(self._extra_workdays)} dates)"
        )

    # -- coverage ---------------------------------------------------------------------------

    def covers(self, year: int) -> bool:
        """Whether the country data has an official schedule for ``year``.

        Only ``"CN"`` can be uncovered (the ``chinesecalendar`` library ships one
        year at a time); every other country, and no country, is always covered.
        """
        if self._country == _CN:
            first, last = _cn_supported_years()
            return first <= year <= last
        return True

    def coverage_warning(self, year: int) -> str | None:
        """An operator-facing warning when ``year`` is not covered, else ``None``."""
        if self.covers(year):
            return None
        library = _LIBRARY_BY_COUNTRY.get(self._country or "", "holidays")
        return (
            f"Working calendar for {self._country}, {year}: the {library} library has no official "
            f"holiday schedule for {year} yet, so the bot falls back to plain weekends (Monday to Friday "
            f"are working days) plus the team's `calendar:` overrides. Public holidays and make-up "
            f"working days for {year} will be missed until you add them to the team in the teams YAML, "
            f"under its `calendar:` key, e.g. `calendar: {{holidays: [YYYY-MM-DD, ...], workdays: [YYYY-MM-DD, ...]}}`, "
            f"or until the {library} library is upgraded."
        )

    # -- the rule ---------------------------------------------------------------------------

    def _country_holidays(self, year: int) -> frozenset[date]:
        cached = self._holiday_cache.get(year)
        if cached is None:
            assert self._country is not None
            # Default categories (public holidays), observed days included.  Observed
            # days are listed under the year they fall in, so a per-year cache is enough.
            days = frozenset(holidays.country_holidays(self._country, years=year).keys())
            cached = self._holiday_cache.setdefault(year, days)  # atomic; a race only recomputes
        return cached

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day for this team (see the module docstring)."""
        if d in self._extra_workdays:
            return True
        if d in self._extra_holidays:
            return False
        if self._country == _CN:
            if self.covers(d.year):
                return bool(chinese_calendar.is_workday(d))
            return d.weekday() < 5
        if d.weekday() >= 5:
            return False
        if self._country is None:
            return True
        return d not in self._country_holidays(d.year)

    def working_days(self, start: date, end: date) -> list[date]:
        """Working days from ``start`` to ``end``, both inclusive, in order (empty if end < start)."""
        days: list[date] = []
        d = start
        while d <= end:
            if self.is_working_day(d):
                days.append(d)
            d += timedelta(days=1)
        return days

    def last_working_day_on_or_before(self, d: date, floor: date | None = None) -> date | None:
        """The latest working day ``<= d`` and ``>= floor``.

        Without ``floor`` at most :data:`MAX_SEARCH_DAYS` days (``d`` included) are
        examined.  ``None`` if there is none in that range.
        """
        if floor is None:
            floor = d - timedelta(days=MAX_SEARCH_DAYS - 1)
        while d >= floor:
            if self.is_working_day(d):
                return d
            d -= timedelta(days=1)
        return None

    def first_working_day_on_or_after(self, d: date, ceiling: date | None = None) -> date | None:
        """The earliest working day ``>= d`` and ``<= ceiling``.

        Without ``ceiling`` at most :data:`MAX_SEARCH_DAYS` days (``d`` included) are
        examined.  ``None`` if there is none in that range.
        """
        if ceiling is None:
            ceiling = d + timedelta(days=MAX_SEARCH_DAYS - 1)
        while d <= ceiling:
            if self.is_working_day(d):
                return d
            d += timedelta(days=1)
        return None
