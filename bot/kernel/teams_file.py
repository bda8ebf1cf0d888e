"""The teams file (docs/PRODUCT.md §4, §7): validated with Pydantic so that a bad
file stops start-up with one message naming the file, the team and the field."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.domain.calendar import is_valid_country
from bot.domain.periods import is_zone
from bot.domain.schedule import parse_daily, parse_weekly

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
DEFAULT_PLATFORMS = ["WeChat", "Weibo", "Xiaohongshu", "Website"]


class ConfigError(Exception):
    """A teams file that cannot be used; the message is for the operator."""


def _user_id(v: str) -> str:
    if not isinstance(v, str) or not USER_ID.match(v):
        raise ValueError(f"{v!r} is not a Slack user ID (like U0123ABCD)")
    return v


def _channel_id(v: str) -> str:
    if not CHANNEL_ID.match(v):
        raise ValueError(f"{v!r} is not a Slack channel ID (like C0123ABCD); use the ID, not the #name")
    return v


def _timezone(v: str) -> str:
    if not is_zone(v):
        raise ValueError(f"unknown time zone {v!r:.80}; use an IANA name like Asia/Shanghai")
    return v


UserId = Annotated[str, AfterValidator(_user_id)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScheduleConfig(_Strict):
    weekly_plan: str = "MON 10:00"
    quota_reminder: str = "THU 10:00"
    quota_summary: str = "FRI 18:00"
    daily: str = "10:00"

    @field_validator("weekly_plan", "quota_reminder", "quota_summary")
    @classmethod
    def _weekly(cls, v: str) -> str:
        parse_weekly(v)
        return v

    @field_validator("daily")
    @classmethod
    def _daily(cls, v: str) -> str:
        parse_daily(v)
        return v


class CalendarConfig(_Strict):
    holidays: list[date] = []
    workdays: list[date] = []

    @model_validator(mode="after")
    def _disjoint(self) -> CalendarConfig:
        both = set(self.holidays) & set(self.workdays)
        if both:
            raise ValueError(f"{sorted(both)[0]} is listed both as a holiday and as a workday")
        return self


Grade = Literal["S", "A", "B", "C", "D"]
ALL_GRADES = ("S", "A", "B", "C", "D")


class CandidateRule(_Strict):
    """Who is a candidate (promotion priority, training recommended): the
    annual grade is one of ``grades``, or at least ``min_months`` of the
    year's monthly grades are among ``monthly_grades`` (no monthly rule when
    ``min_months`` is null)."""

    grades: list[Grade] = []
    monthly_grades: list[Grade] = []
    min_months: int | None = Field(None, ge=1, le=12)

    @model_validator(mode="after")
    def _monthly(self) -> CandidateRule:
        if self.min_months is not None and not self.monthly_grades:
            raise ValueError("min_months needs monthly_grades (the monthly grades that count)")
        return self


def _coefficient(v: float) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError(f"{v!r} is not a number")
    if not 0 <= v <= 10:
        raise ValueError(f"{v} is not between 0 and 10")
    if round(v, 2) != v:
        raise ValueError(f"{v} has more than 2 decimals")
    return float(v)


class IncentivesConfig(_Strict):
    """The handbook's incentives (docs/RULES.md, 激励机制): a bonus coefficient
    per annual grade, and who is a promotion-priority or training candidate."""

    coefficients: dict[Grade, Annotated[float, AfterValidator(_coefficient)]] = {
        "S": 1.5, "A": 1.2, "B": 1.0, "C": 0.8, "D": 0.5}
    promotion: CandidateRule = CandidateRule(grades=["S"], monthly_grades=["S", "A"], min_months=6)
    training: CandidateRule = CandidateRule(grades=["C", "D"], monthly_grades=["C", "D"], min_months=3)

    @field_validator("coefficients", mode="before")
    @classmethod
    def _numbers(cls, v: object) -> object:
        # Strictly numbers: "1.2" in quotes is a mistake worth naming, not a number to guess.
        if isinstance(v, dict):
            for g, x in v.items():
                if isinstance(x, bool) or not isinstance(x, int | float):
                    raise ValueError(f"the coefficient of {g} must be a number, not {x!r}")
        return v

    @model_validator(mode="after")
    def _rules(self) -> IncentivesConfig:
        missing = [g for g in ALL_GRADES if g not in self.coefficients]
        if missing:
            raise ValueError(f"coefficients needs a value for every grade S, A, B, C and D (missing {', '.join(missing)})")
        both = (set(self.promotion.grades) & set(self.training.grades)) | (
            set(self.promotion.monthly_grades) & set(self.training.monthly_grades))
        if both:
            raise ValueError(f"grade {sorted(both)[0]} marks both promotion and training candidates")
        return self


class ReviewsConfig(_Strict):
    weights: dict[Literal["performance", "ability", "attitude"], int] = {
        "performance": 60,
        "ability": 20,
        "attitude": 20,
    }
    grades: dict[Literal["S", "A", "B", "C"], int] = {"S": 90, "A": 80, "B": 70, "C": 60}
    selfreview_due_workday: int = Field(3, ge=1, le=20)
    evaluation_due_workday: int = Field(5, ge=1, le=20)
    # Colleagues' ratings are shown (their average, their count, their comments)
    # only from this many on: with fewer, who gave which could be guessed.
    peer_ratings_min: int = Field(3, ge=2, le=50)
    # The mid-month day members with an agreed plan hear how it stands (the next working day if not one).
    plan_progress_day: int = Field(15, ge=1, le=28)
    incentives: IncentivesConfig = IncentivesConfig()

    @model_validator(mode="after")
    def _rules(self) -> ReviewsConfig:
        if set(self.weights) != {"performance", "ability", "attitude"}:
            raise ValueError("weights needs performance, ability and attitude")
        if any(w < 0 for w in self.weights.values()) or sum(self.weights.values()) != 100:
            raise ValueError(f"weights must be non-negative and sum to 100 (they sum to {sum(self.weights.values())})")
        order = [self.grades.get(g) for g in ("S", "A", "B", "C")]
        if None in order or any(not (0 < b <= 100) for b in order) or order != sorted(order, reverse=True) or len(set(order)) != 4:
            raise ValueError("grades must give S, A, B and C thresholds in strictly descending order within 1..100")
        if self.evaluation_due_workday < self.selfreview_due_workday:
            raise ValueError("evaluation_due_workday must not come before selfreview_due_workday")
        return self


class RecognitionConfig(_Strict):
    """Kudos (bot/workflows/kudos): how many a person may give a day, and whether
    the monthly report names the three most recognised (off: only the count)."""

    daily_cap: int = Field(3, ge=1, le=50)
    leaderboard: bool = False


class OnboardingItemConfig(_Strict):
    """One onboarding checklist item: ``day`` working days after a new member's start."""

    day: int = Field(ge=0, le=120)
    item: str = Field(min_length=1, max_length=300)

    @field_validator("item")
    @classmethod
    def _text(cls, v: str) -> str:
        v = " ".join(v.split())
        if not v:
            raise ValueError("an onboarding item needs a text")
        return v


class TeamConfig(_Strict):
    name: str = Field(min_length=1, max_length=80)
    channel: Annotated[str, AfterValidator(_channel_id)]
    timezone: Annotated[str, AfterValidator(_timezone)] = "UTC"
    country: str | None = None
    locale: Literal["en", "zh-CN"] = "en"
    weekly_topic_quota: int = Field(3, ge=0, le=100)
    supervisors: list[UserId] = Field(min_length=1)
    members: list[UserId] = []
    platforms: list[Annotated[str, Field(min_length=1, max_length=75)]] = Field(
        default_factory=lambda: list(DEFAULT_PLATFORMS), min_length=1, max_length=100
    )
    mention_in_summaries: bool = False
    calendar: CalendarConfig = CalendarConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    reviews: ReviewsConfig = ReviewsConfig()
    recognition: RecognitionConfig = RecognitionConfig()
    # The checklist each new member works through (bot/workflows/onboarding).
    onboarding: list[OnboardingItemConfig] = Field(default_factory=list, max_length=50)

    @field_validator("country")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = v.upper()
        if not is_valid_country(v):
            raise ValueError(f"unknown country {v!r}; use an ISO 3166 code like CN or US")
        return v

    @field_validator("locale", mode="before")
    @classmethod
    def _locale(cls, v: object) -> object:
        if v not in ("en", "zh-CN"):
            raise ValueError(f"unknown locale {v!r}; use en or zh-CN")
        return v


class TeamsFile(_Strict):
    admins: list[UserId] = []
    teams: list[TeamConfig] = []

    @model_validator(mode="after")
    def _unique_names(self) -> TeamsFile:
        seen: set[str] = set()
        for t in self.teams:
            if t.name.casefold() in seen:
                raise ValueError(f"team name {t.name!r} is used twice")
            seen.add(t.name.casefold())
        return self


def _describe(err: dict, raw: object) -> str:
    loc = list(err["loc"])
    where = []
    if len(loc) >= 2 and loc[0] == "teams" and isinstance(loc[1], int):
        idx = loc[1]
        name = None
        if isinstance(raw, dict) and isinstance(raw.get("teams"), list) and idx < len(raw["teams"]):
            entry = raw["teams"][idx]
            name = entry.get("name") if isinstance(entry, dict) else None
        where.append(f"team {name!r}" if name else f"team #{idx + 1}")
        loc = loc[2:]
    field = ".".join(str(p) for p in loc if not str(p).startswith("function-after"))
    if field:
        where.append(f"field {field!r}")
    msg = err["msg"].removeprefix("Value error, ")
    return ", ".join(where) + (": " if where else "") + msg


def parse_teams(raw: object, source: str = "<teams>") -> TeamsFile:
    try:
        return TeamsFile.model_validate(raw if raw is not None else {})
    except ValidationError as e:
        first = e.errors()[0]
        more = f" (and {e.error_count() - 1} more problem(s))" if e.error_count() > 1 else ""
        raise ConfigError(f"{source}: {_describe(first, raw)}{more}") from None


def load_teams_file(path: Path) -> TeamsFile:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the teams file ({e.strerror})") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark, start = getattr(e, "problem_mark", None), getattr(e, "context_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        opened = f" ({e.context} at line {start.line + 1})" if start is not None and getattr(e, "context", None) else ""
        raise ConfigError(f"{path}: not valid YAML{where}: {problem}{opened}") from None
    return parse_teams(raw, str(path))
