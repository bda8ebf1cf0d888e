"""Incentives (激励机制, docs/PRODUCT.md §2.5): a year of monthly grades, the
annual step through the job runner and signed requests, the bonus coefficient
and the promotion/training candidate marks as each person sees them, the CSV
export, a bad incentives config refused at start, and the pure candidate rules."""

from __future__ import annotations

import copy
from datetime import datetime

import pytest
from sqlalchemy import select

from bot.kernel.teams_file import CandidateRule, ConfigError, IncentivesConfig, load_teams_file, parse_teams
from bot.workflows.reviews.incentives import Reason, assess, candidate
from storage.db import transaction
from storage.models import AuditEntry
from storage.reviews import Review
from tests.conftest import ALICE, BOB, LEAD, LEAD2, SHANGHAI, TEAMS, make_rig
from tests.helpers import all_text, dms
from tests.test_exports_e2e import export
from tests.test_exports_kinds_e2e import the_csv
from tests.test_reviews_e2e import answer, dm_with, press

DEC_31 = datetime(2026, 12, 31, 10, 0, tzinfo=SHANGHAI)
INCENTIVES = {
    "coefficients": {"S": 1.8, "A": 1.3, "B": 1.0, "C": 0.7, "D": 0.4},
    "promotion": {"grades": ["S"], "monthly_grades": ["S", "A"], "min_months": 5},
    "training": {"grades": ["C", "D"], "monthly_grades": ["C", "D"], "min_months": 3},
}
# January to November; December's review comes after the annual one.
ALICE_MONTHS = ["B"] * 5 + ["A"] * 5 + ["S"]  # six S/A months: promotion priority by the monthly rule
BOB_MONTHS = ["B"] * 7 + ["C"] * 3 + ["D"]  # four C/D months: training by the monthly rule
TOTAL = {"S": 9200, "A": 8300, "B": 7500, "C": 6500, "D": 5000}


def teams_with(incentives: dict) -> dict:
    t = copy.deepcopy(TEAMS)
    t["teams"][0]["reviews"] = {"incentives": incentives}
    return t


@pytest.fixture
def rig(database_url):
    r = make_rig(database_url, teams=teams_with(INCENTIVES), start=DEC_31).start()
    try:
        yield r
    finally:
        r.stop()


def seed_year(rig) -> None:
    """Eleven months of results, written straight to the store: playing them
    through Slack is covered by tests/test_reviews_e2e.py."""
    with transaction(rig.app.db) as s:
        now = rig.clock.now()
        for user, grades in ((ALICE, ALICE_MONTHS), (BOB, BOB_MONTHS)):
            for month, grade in enumerate(grades, start=1):
                s.add(Review(team_id=1, user_id=user, kind="monthly", period=f"2026-{month:02d}",
                             status="acknowledged", total_centi=TOTAL[grade], grade=grade, created_at=now,
                             updated_at=now))


def annual_ask(rig, supervisor: str, member: str):
    [ask] = [c for c in dms(rig.slack.calls(), supervisor)
             if "2026" in c.params["text"] and f"<@{member}>" in c.params["text"]]
    return ask


def annual_of(rig, member: str) -> Review:
    with transaction(rig.app.db) as s:
        return s.scalars(select(Review).where(Review.kind == "annual", Review.user_id == member)).one()


def grade(rig, supervisor: str, member: str, value: str, comment: str = "A good year.") -> str:
    press(rig, supervisor, annual_ask(rig, supervisor, member), "Evaluate" if supervisor == LEAD else "评价")
    modal = rig.last_view()
    shown = all_text(modal)
    r = rig.submit(supervisor, modal, {"rv_grade": value, "rv_comment": comment})
    assert r.status == 200 and r.body == "", r.body
    rig.deliver()
    return shown


def texts(rig, user: str) -> str:
    return "\n".join(all_text(c.params) for c in dms(rig.slack.calls(), user))


def test_the_year_gives_each_member_a_coefficient_and_supervisors_the_candidates_with_reasons(rig):
    seed_year(rig)
    rig.app.jobs.run("annual-review", now=DEC_31)
    rig.deliver()

    # Before the annual grade: the coefficient follows the grade; the monthly rules already mark.
    alice_ask = all_text(annual_ask(rig, LEAD, ALICE).params)
    table = "S 1.80 · A 1.30 · B 1.00 · C 0.70 · D 0.40"
    assert f"Bonus coefficient: follows the annual grade ({table})" in alice_ask
    assert "Promotion priority: 6 monthly grade(s) S/A in the year (at least 5)" in alice_ask
    assert "Training recommended" not in alice_ask
    bob_ask = all_text(annual_ask(rig, LEAD, BOB).params)
    assert "Training recommended: 4 monthly grade(s) C/D in the year (at least 3)" in bob_ask
    assert "Promotion priority" not in bob_ask

    # The supervisor's annual roll-up (the evaluation modal) shows the same, then the grade decides.
    modal = grade(rig, LEAD, ALICE, "S")
    assert "2026-11: 92.00 (S)" in modal and f"follows the annual grade ({table})" in modal
    assert "Promotion priority: 6 monthly grade(s) S/A" in modal
    grade(rig, LEAD, BOB, "C", "Let us work on the drafts.")

    # Each member sees their own coefficient with their grade, and no candidate mark.
    result = dm_with(rig, ALICE, "Acknowledge")
    assert "Grade S" in all_text(result.params) and "Bonus coefficient: *1.80*" in all_text(result.params)
    bob_result = dm_with(rig, BOB, "Acknowledge")
    assert "Bonus coefficient: *0.70*" in all_text(bob_result.params)
    press(rig, ALICE, result, "Acknowledge")
    rig.deliver()

    # The supervisor hears back with the coefficient and the mark now matched by the annual grade.
    [ack] = [c for c in dms(rig.slack.calls(), LEAD) if "acknowledged" in c.params["text"]]
    shown = all_text(ack.params)
    assert "Bonus coefficient: *1.80*" in shown and "Promotion priority: annual grade S" in shown

    alice_sees, bob_sees = texts(rig, ALICE), texts(rig, BOB)
    for word in ("Promotion", "Training", "晋升", "培训"):
        assert word not in alice_sees and word not in bob_sees, word
    assert "0.70" not in alice_sees.replace(table, "") and BOB not in alice_sees
    assert "1.80" not in bob_sees and ALICE not in bob_sees

    # Bob forging Alice's annual review id sees nothing of it; refused and audited.
    rig.click(BOB, "review_evaluate", str(annual_of(rig, ALICE).id))
    assert "private" in answer(rig) and "1.80" not in answer(rig)
    with transaction(rig.app.db) as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.actor_id == BOB, AuditEntry.outcome == "denied")).all()

    # The second supervisor's ask (as of its delivery, before the grade) reads in Chinese (zh-CN Slack locale).
    zh = all_text(annual_ask(rig, LEAD2, BOB).params)
    assert f"奖金系数：随年度等级而定（{table}）" in zh and "建议培训：全年 4 个月度等级为 C/D（至少 3 个）" in zh

    # The export: annual rows carry the incentives; monthly rows (December's, written now) leave them empty.
    with transaction(rig.app.db) as s:
        now = rig.clock.now()
        s.add(Review(team_id=1, user_id=BOB, kind="monthly", period="2026-12", status="evaluated", total_centi=7600,
                     grade="B", created_at=now, updated_at=now))
    export(rig, LEAD, "reviews 2026-12")
    _f, rows = the_csv(rig)
    by_member = {r["Member"]: r for r in rows if r["Kind"] == "annual"}
    assert (by_member["Alice"]["Bonus coefficient"], by_member["Alice"]["Promotion priority"],
            by_member["Alice"]["Training recommended"]) == ("1.80", "yes", "no")
    assert (by_member["Bob"]["Bonus coefficient"], by_member["Bob"]["Promotion priority"],
            by_member["Bob"]["Training recommended"]) == ("0.70", "no", "yes")
    [monthly] = [r for r in rows if r["Kind"] == "monthly"]
    assert (monthly["Grade"], monthly["Bonus coefficient"], monthly["Promotion priority"],
            monthly["Training recommended"]) == ("B", "", "", "")


def test_a_zh_cn_supervisor_grades_the_year_in_chinese(rig):
    seed_year(rig)
    rig.app.jobs.run("annual-review", now=DEC_31)
    rig.deliver()
    modal = grade(rig, LEAD2, ALICE, "A", "稳步提升。")
    assert "奖金系数：随年度等级而定" in modal and "晋升优先：全年 6 个月度等级为 S/A（至少 5 个）" in modal
    annual = annual_of(rig, ALICE)
    assert (annual.grade, annual.status) == ("A", "evaluated")
    assert "Bonus coefficient: *1.30*" in all_text(dm_with(rig, ALICE, "Acknowledge").params)
    # Graded A: no longer by the annual rule, still by the six S/A months.
    export(rig, LEAD, "reviews 2026-12")
    _f, rows = the_csv(rig)
    [row] = [r for r in rows if r["Kind"] == "annual" and r["Member"] == "Alice"]
    assert (row["Bonus coefficient"], row["Promotion priority"]) == ("1.30", "yes")


BAD = [
    ({"coefficients": {**INCENTIVES["coefficients"], "S": 12}}, "reviews.incentives.coefficients.S",
     "not between 0 and 10"),
    ({"coefficients": {**INCENTIVES["coefficients"], "A": 1.255}}, "reviews.incentives.coefficients.A",
     "more than 2 decimals"),
    ({"coefficients": {"S": 1.5}}, "reviews.incentives", "missing A, B, C, D"),
    ({"promotion": {"grades": ["S", "C"]}}, "reviews.incentives", "grade C marks both"),
    ({"training": {"min_months": 3}}, "reviews.incentives.training", "min_months needs monthly_grades"),
    ({"training": {"monthly_grades": ["D"], "min_months": 13}}, "reviews.incentives.training.min_months", "12"),
]


@pytest.mark.parametrize(("incentives", "field", "why"), BAD, ids=[b[1] + ":" + b[2] for b in BAD])
def test_a_bad_incentives_config_is_refused_at_start_naming_team_and_field(sqlite_url, tmp_path, incentives,
                                                                            field, why):
    with pytest.raises(ConfigError) as err:
        make_rig(sqlite_url, teams=teams_with(incentives))
    assert f"team 'Growth', field '{field}'" in str(err.value) and why in str(err.value)
    path = tmp_path / "teams.yaml"
    path.write_text("teams:\n  - name: Growth\n    channel: C0GROWTH\n    supervisors: [U0LEAD]\n"
                    "    reviews:\n      incentives:\n        coefficients: {S: 1.5, A: 1.2, B: 1.0, C: 0.8, D: -1}\n")
    with pytest.raises(ConfigError) as err:
        load_teams_file(path)
    message = str(err.value)
    assert message.startswith(f"{path}: team 'Growth', field 'reviews.incentives.coefficients.D'") and "\n" not in message


def test_the_defaults_and_a_dump_round_trip():
    cfg = parse_teams({"teams": [{"name": "G", "channel": "C0G", "supervisors": ["U0LEAD"]}]}).teams[0].reviews
    assert cfg.incentives.coefficients == {"S": 1.5, "A": 1.2, "B": 1.0, "C": 0.8, "D": 0.5}
    again = IncentivesConfig.model_validate(cfg.incentives.model_dump(mode="python"))
    assert again == cfg.incentives


# -- the rules, pure ------------------------------------------------------------------

PROMOTION = CandidateRule(grades=["S"], monthly_grades=["S", "A"], min_months=6)


def test_the_annual_grade_matches_first():
    assert candidate(PROMOTION, "S", ["A"] * 6) == Reason("annual", grade="S")


def test_enough_monthly_grades_match_without_the_annual_grade():
    assert candidate(PROMOTION, None, ["A", "S", "A", "A", "S", "A", "B"]) == Reason(
        "monthly", months=6, min_months=6, grades=("S", "A"))
    assert candidate(PROMOTION, "A", ["A"] * 6) is not None


def test_one_month_short_is_no_candidate():
    assert candidate(PROMOTION, "A", ["A"] * 5 + ["B"] * 6) is None
    assert candidate(PROMOTION, None, []) is None


def test_no_monthly_rule_means_only_the_annual_grade_counts():
    rule = CandidateRule(grades=["C", "D"])
    assert candidate(rule, None, ["D"] * 12) is None
    assert candidate(rule, "D", []) == Reason("annual", grade="D")


def test_assess_gives_the_coefficient_of_the_annual_grade_only():
    cfg = IncentivesConfig()
    before = assess(cfg, None, ["C", "D", "C"])
    assert before.coefficient is None and before.training == Reason("monthly", months=3, min_months=3,
                                                                     grades=("C", "D"))
    assert list(before.coefficients) == ["S", "A", "B", "C", "D"] and before.coefficients["D"] == "0.50"
    after = assess(cfg, "B", ["B"] * 11)
    assert (after.coefficient, after.promotion, after.training) == ("1.00", None, None)
