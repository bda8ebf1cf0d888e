"""Incentives (docs/RULES.md 激励机制, docs/PRODUCT.md §2.5): the bonus
coefficient of an annual grade, and which rule makes a member a candidate
for promotion priority or recommended training. Pure: it takes the grades
and the team's ``IncentivesConfig``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.kernel.teams_file import ALL_GRADES, CandidateRule, IncentivesConfig
from bot.workflows.reviews.rules import YearSummary

PROMOTION = "promotion"
TRAINING = "training"


@dataclass(frozen=True)
class Reason:
    """Which rule matched: the annual grade (``grade``), or ``months`` monthly
    grades among ``grades`` where ``min_months`` were needed."""

    rule: str  # annual | monthly
    grade: str | None = None
    months: int = 0
    min_months: int = 0
    grades: tuple[str, ...] = ()


@dataclass(frozen=True)
class Incentive:
    coefficient: str | None  # two decimals, from the annual grade; None while there is none
    coefficients: dict[str, str]  # every grade's, for "it follows the grade"
    promotion: Reason | None
    training: Reason | None


def coefficient_text(value: float) -> str:
    return f"{value:.2f}"


def candidate(rule: CandidateRule, annual_grade: str | None, monthly_grades: Iterable[str]) -> Reason | None:
    """The annual rule first (once the annual grade is set), then the monthly
    one: at least ``min_months`` of the year's monthly grades among the rule's."""
    if annual_grade is not None and annual_grade in rule.grades:
        return Reason("annual", grade=annual_grade)
    if rule.min_months is None:
        return None
    wanted = tuple(g for g in ALL_GRADES if g in rule.monthly_grades)
    n = sum(1 for g in monthly_grades if g in wanted)
    if n >= rule.min_months:
        return Reason("monthly", months=n, min_months=rule.min_months, grades=wanted)
    return None


def assess(cfg: IncentivesConfig, annual_grade: str | None, monthly_grades: Iterable[str]) -> Incentive:
    """A member's year: the coefficient of the annual grade (None before it is
    set: it follows the grade), and the candidate marks with their reason."""
    months = list(monthly_grades)
    value = cfg.coefficients.get(annual_grade) if annual_grade else None  # type: ignore[call-overload]
    return Incentive(
        coefficient=coefficient_text(value) if value is not None else None,
        coefficients={g: coefficient_text(cfg.coefficients[g]) for g in ALL_GRADES if g in cfg.coefficients},
        promotion=candidate(cfg.promotion, annual_grade, months),
        training=candidate(cfg.training, annual_grade, months),
    )


def of_year(cfg: IncentivesConfig, year: YearSummary, annual_grade: str | None, *,
            for_member: bool = False) -> Incentive:
    """An annual review's incentive from the year's monthly grades. The
    member's own view carries the coefficient alone: the candidate marks are
    for the team's supervisors."""
    found = assess(cfg, annual_grade, [m.grade for m in year.months if m.grade])
    if for_member:
        return Incentive(found.coefficient, found.coefficients, None, None)
    return found
