"""Performance-review rules (docs/PRODUCT.md §2.5): the month-end day, deadlines,
scores, grade bands, the state of a review, and the annual roll-up.

Pure: every function takes the dates and numbers it reasons about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from bot.domain.calendar import WorkingCalendar
from bot.domain.numbers import read_whole
from bot.domain.periods import accepted_span, check_month, month_label, parse_month
from bot.kernel.errors import N_, InvalidInput

DIMENSIONS = ("performance", "ability", "attitude")
GRADES = ("S", "A", "B", "C")  # then D below the last band
ALL_GRADES = (*GRADES, "D")
TEXT_MAX = 3000
SCORE_MIN, SCORE_MAX = 0, 100

# Modal block ids of the review forms: an error names the block it belongs to.
FIELD_ACHIEVEMENTS = "rv_achievements"
FIELD_SHORTCOMINGS = "rv_shortcomings"
FIELD_PLAN = "rv_plan"
FIELD_SCORE = {d: f"rv_score_{d}" for d in DIMENSIONS}
FIELD_COMMENT = "rv_comment"
FIELD_REASON = "rv_reason"
FIELD_RESOLUTION = "rv_resolution"
FIELD_GRADE = "rv_grade"
FIELD_PEERS = "rv_peers"
FIELD_PEER_SCORE = "rv_peer_score"
FIELD_TARGET = {k: f"rv_target_{k}" for k in ("topics_approved", "publications", "reads", "activities")}

MONTHLY = "monthly"
ANNUAL = "annual"


class ReviewStatus(StrEnum):
    NOT_STARTED = "not_started"
    SELF_REVIEW_IN = "self_review_in"  # (annual: the year is assembled, waiting for the supervisor)
    EVALUATED = "evaluated"
    ACKNOWLEDGED = "acknowledged"
    OBJECTED = "objected"
    FINAL = "final"


# Where each action may start from: a conditional UPDATE uses these, so two
# clicks at once settle to one decision.
SELF_REVIEW_OPEN = (ReviewStatus.NOT_STARTED, ReviewStatus.SELF_REVIEW_IN)
EVALUABLE = (ReviewStatus.SELF_REVIEW_IN,)
ANSWERABLE = (ReviewStatus.EVALUATED,)
RESOLVABLE = (ReviewStatus.OBJECTED,)
HAS_RESULT = (ReviewStatus.EVALUATED, ReviewStatus.ACKNOWLEDGED, ReviewStatus.OBJECTED, ReviewStatus.FINAL)


@dataclass(frozen=True)
class Scores:
    performance: int
    ability: int
    attitude: int

    def as_dict(self) -> dict[str, int]:
        return {"performance": self.performance, "ability": self.ability, "attitude": self.attitude}


# -- periods and deadlines -------------------------------------------------------

def period_id(year: int, month: int) -> str:
    return month_label(year, month)


def parse_period(text: str) -> tuple[int, int] | None:
    """``YYYY-MM`` in any script's digits (``bot.domain.periods.parse_month``)."""
    return parse_month(text)


def typed_month(text: str, today: date, created: date | None) -> str:
    """A month a person typed (or a form carried), as its ASCII ``YYYY-MM``,
    when it lies in the accepted span (``bot.domain.periods.accepted_span``);
    anything else is refused, naming the months accepted."""
    ym = parse_period(text)
    if ym is None:
        raise InvalidInput(N_("Give the month as YYYY-MM, e.g. 2026-11."))
    check_month(ym, accepted_span(today, created))
    return period_id(*ym)


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def last_day(year: int, month: int) -> date:
    y, m = next_month(year, month)
    return date(y, m, 1) - timedelta(days=1)


def month_end_day(year: int, month: int, calendar: WorkingCalendar) -> date:
    """The team's month-end day: the last working day of the month (the last
    calendar day if the month has no working day at all)."""
    end = last_day(year, month)
    return calendar.last_working_day_on_or_before(end, floor=date(year, month, 1)) or end


def nth_working_day(year: int, month: int, n: int, calendar: WorkingCalendar) -> date:
    """The ``n``-th working day of the month (1-based); past the month's
    working days, the last one; a month without any, its last day."""
    days = calendar.working_days(date(year, month, 1), last_day(year, month))
    if not days:
        return last_day(year, month)
    return days[min(n, len(days)) - 1]


@dataclass(frozen=True)
class Deadlines:
    self_review: date
    evaluation: date


def deadlines(year: int, month: int, calendar: WorkingCalendar, *, selfreview_workday: int = 3,
              evaluation_workday: int = 5) -> Deadlines:
    """A month's review is due in the next month: the self-review by its
    ``selfreview_workday``-th working day, the evaluation by its
    ``evaluation_workday``-th (end of that day)."""
    y, m = next_month(year, month)
    return Deadlines(nth_working_day(y, m, selfreview_workday, calendar),
                     nth_working_day(y, m, evaluation_workday, calendar))


def review_month(today: date, calendar: WorkingCalendar) -> tuple[int, int]:
    """The month a self-review written ``today`` is about: this month from its
    month-end day on, else the month before."""
    if today >= month_end_day(today.year, today.month, calendar):
        return today.year, today.month
    return previous_month(today.year, today.month)


# -- scores and grades -------------------------------------------------------------


def parse_score(raw: str | None, field: str) -> int:
    message = N_("Enter a whole number from 0 to 100.")
    return read_whole(raw, field=field, invalid=message, maximum=SCORE_MAX, too_large=message)


def parse_scores(raw: dict[str, str | None]) -> Scores:
    return Scores(**{d: parse_score(raw.get(d), FIELD_SCORE[d]) for d in DIMENSIONS})


def weighted_total(scores: Scores, weights: dict[str, int]) -> Decimal:
    """The weighted sum, in points with two decimals (weights sum to 100)."""
    total = sum(Decimal(getattr(scores, d)) * Decimal(weights[d]) for d in DIMENSIONS) / Decimal(100)
    return total.quantize(Decimal("0.01"))


def grade_for(total: Decimal | float, bands: dict[str, int]) -> str:
    """S when the total reaches S's threshold, then A, B, C; D below them all.
    A threshold is reached only by a total at or above it: 89.99 is not 90."""
    value = Decimal(str(total))
    for g in GRADES:
        if value >= Decimal(bands[g]):
            return g
    return "D"


def check_text(raw: str | None, field: str, *, required: bool = True) -> str | None:
    text = (raw or "").strip()
    if not text:
        if required:
            raise InvalidInput(N_("Please fill this in."), field=field)
        return None
    if len(text) > TEXT_MAX:
        raise InvalidInput(N_("At most 3000 characters, please."), field=field)
    return text


@dataclass(frozen=True)
class SelfReview:
    achievements: str
    shortcomings: str
    plan: str
    scores: Scores


def validate_self_review(achievements: str | None, shortcomings: str | None, plan: str | None,
                         scores: dict[str, str | None]) -> SelfReview:
    return SelfReview(
        achievements=check_text(achievements, FIELD_ACHIEVEMENTS) or "",
        shortcomings=check_text(shortcomings, FIELD_SHORTCOMINGS) or "",
        plan=check_text(plan, FIELD_PLAN) or "",
        scores=parse_scores(scores),
    )


def parse_target(raw: str | None, field: str) -> int | None:
    if not (raw or "").strip():
        return None
    return read_whole(raw, field=field, invalid=N_("Enter a whole number, or leave it empty for no target."),
                      thousands=True)


def check_peers(member: str, peers: list[str], *, colleagues: set[str], already_asked: set[str],
                asker: str | None = None) -> list[str]:
    """Colleagues to ask for an attitude rating: not the member themself (nor
    the supervisor asking, who scores attitude anyway), people of the team,
    each asked once."""
    chosen = list(dict.fromkeys(peers))
    if not chosen:
        raise InvalidInput(N_("Pick at least one colleague."), field=FIELD_PEERS)
    if member in chosen:
        raise InvalidInput(N_("A member cannot rate their own review."), field=FIELD_PEERS)
    if asker is not None and asker in chosen:
        raise InvalidInput(N_("You score attitude yourself in the evaluation; pick colleagues."), field=FIELD_PEERS)
    outside = [p for p in chosen if p not in colleagues]
    if outside:
        raise InvalidInput(N_("<@{user}> is not in this team."), field=FIELD_PEERS, user=outside[0])
    twice = [p for p in chosen if p in already_asked]
    if twice:
        raise InvalidInput(N_("<@{user}> was already asked for this review."), field=FIELD_PEERS, user=twice[0])
    return chosen


# -- the year --------------------------------------------------------------------


@dataclass(frozen=True)
class MonthResult:
    month: int
    total: Decimal | None  # None: no result that month
    grade: str | None


@dataclass(frozen=True)
class YearSummary:
    year: int
    months: list[MonthResult]  # twelve, January first
    average: Decimal | None
    trend: str | None  # up | down | flat; None with fewer than two results
    grade: str | None  # the average's grade, a suggestion for the supervisor

    @property
    def counted(self) -> int:
        return sum(1 for m in self.months if m.total is not None)


TREND_EPSILON = Decimal("0.5")  # points per month


def year_summary(year: int, results: dict[int, tuple[Decimal, str]], bands: dict[str, int]) -> YearSummary:
    """A member's year from the monthly results: a month without a result is
    shown as missing and left out of the average (never counted as zero). The
    trend is the least-squares slope over the months that have a result."""
    months = [MonthResult(m, *(results[m] if m in results else (None, None))) for m in range(1, 13)]
    have = [(m.month, m.total) for m in months if m.total is not None]
    if not have:
        return YearSummary(year, months, None, None, None)
    average = (sum(t for _m, t in have) / len(have)).quantize(Decimal("0.01"))
    trend = None
    if len(have) >= 2:
        mx = Decimal(sum(m for m, _t in have)) / len(have)
        my = sum(t for _m, t in have) / len(have)
        var = sum((Decimal(m) - mx) ** 2 for m, _t in have)
        slope = sum((Decimal(m) - mx) * (t - my) for m, t in have) / var
        trend = "up" if slope > TREND_EPSILON else "down" if slope < -TREND_EPSILON else "flat"
    return YearSummary(year, months, average, trend, grade_for(average, bands))


# -- the performance plan (绩效计划) ---------------------------------------------------------

FIELD_PLAN_INDICATORS = "rv_plan_indicators"
FIELD_PLAN_COMMENT = "rv_plan_comment"
PLAN_MAX_INDICATORS = 5
PLAN_NAME_MAX = 100
PLAN_TARGET_MAX = 100
PLAN_STANDARD_MAX = 300


def parse_indicators(text: str | None) -> list[dict[str, str]]:
    """Custom indicators, one a line as ``name | target | standard``; blank
    lines are skipped. An error names the line."""
    out: list[dict[str, str]] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [" ".join(p.split()) for p in raw.replace("｜", "|").split("|")]
        if len(parts) != 3 or not all(parts):
            raise InvalidInput(N_("Line {line}: write it as `name | target | standard`."),
                               field=FIELD_PLAN_INDICATORS, line=number)
        name, target, standard = parts
        for value, most, message in (
                (name, PLAN_NAME_MAX, N_("Line {line}: the name can be at most {max} characters.")),
                (target, PLAN_TARGET_MAX, N_("Line {line}: the target can be at most {max} characters.")),
                (standard, PLAN_STANDARD_MAX, N_("Line {line}: the standard can be at most {max} characters."))):
            if len(value) > most:
                raise InvalidInput(message, field=FIELD_PLAN_INDICATORS, line=number, max=most)
        out.append({"name": name, "target": target, "standard": standard})
    if len(out) > PLAN_MAX_INDICATORS:
        raise InvalidInput(N_("A plan holds at most {max} custom indicators."), field=FIELD_PLAN_INDICATORS,
                           max=PLAN_MAX_INDICATORS)
    return out


def indicators_text(indicators: list[dict[str, str]]) -> str:
    return "\n".join(f"{i['name']} | {i['target']} | {i['standard']}" for i in indicators)


def plan_month(period: str, today: date) -> str:
    """A plan is proposed at the start of a month: for this month or the next."""
    allowed = (period_id(today.year, today.month), period_id(*next_month(today.year, today.month)))
    if period not in allowed:
        raise InvalidInput(N_("A plan is for this month or the next: {this} or {next}."), this=allowed[0],
                           next=allowed[1])
    return period


def plan_progress_day(year: int, month: int, day: int, calendar: WorkingCalendar) -> date:
    """The team's mid-month day: ``day`` of the month, or the next working day
    if it is not one (never past the month's end)."""
    d = date(year, month, min(day, last_day(year, month).day))
    return calendar.first_working_day_on_or_after(d, ceiling=last_day(year, month)) or d
