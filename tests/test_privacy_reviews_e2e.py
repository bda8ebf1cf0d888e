"""Private review text stays private (issue 16, item 4), end to end: signed
requests into the running app on SQLite and PostgreSQL, what each person sees
in Slack, what the log, the audit trail and the outbox keep."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from bot.cli import main
from bot.kernel.teams_file import ReviewsConfig, TeamConfig
from storage.db import transaction
from storage.models import AuditEntry, InboxRequest, OutboxNotice
from storage.reviews import Review
from tests.conftest import ALICE, BOB, CHANNEL, LEAD, LEAD2, TEAMS, USERS, make_rig
from tests.helpers import all_text, dms
from tests.test_reviews_e2e import (
    EVALUATION,
    MONTH_END_10,
    SELF_REVIEW,
    button_of,
    dm_to,
    dm_with,
    evaluate,
    press,
    write_self_review,
)
from tests.test_reviews_e2e import (
    reviews as rig_reviews,
)

SECRET = "my-burnout-since-the-reorg"


@pytest.fixture
def rig(database_url):
    r = make_rig(database_url, start=MONTH_END_10 - timedelta(hours=1)).start()
    try:
        yield r
    finally:
        r.stop()


def fail_updates_of_reviews_setting(rig, column: str) -> None:
    """The database refuses any UPDATE of a review that sets ``column``: a real
    error raised by the database, formatted by SQLAlchemy as any other."""
    with rig.app.engine.begin() as conn:
        if rig.app.engine.dialect.name == "sqlite":
            conn.execute(text(f"CREATE TRIGGER fail_{column} BEFORE UPDATE ON reviews WHEN NEW.{column} IS NOT NULL "
                              "BEGIN SELECT RAISE(ABORT, 'the disk is on fire'); END"))
        else:
            conn.execute(text("CREATE OR REPLACE FUNCTION opsbot_fail() RETURNS trigger AS $$ "
                              "BEGIN RAISE EXCEPTION 'the disk is on fire'; END $$ LANGUAGE plpgsql"))
            conn.execute(text(f"CREATE TRIGGER fail_{column} BEFORE UPDATE ON reviews FOR EACH ROW "
                              f"WHEN (NEW.{column} IS NOT NULL) EXECUTE FUNCTION opsbot_fail()"))


def assert_secret_kept(rig, caplog) -> None:
    # The error was logged through SQLAlchemy's own formatting (so this test can fail)…
    assert "the disk is on fire" in caplog.text
    assert "hide_parameters=True" in caplog.text
    # …and the private text is nowhere in it, nor in any stored error.
    assert SECRET not in caplog.text
    with transaction(rig.app.db) as s:
        errors = [e for e in s.scalars(select(InboxRequest.last_error)) if e]
        errors += [e for e in s.scalars(select(OutboxNotice.last_error)) if e]
    assert not [e for e in errors if SECRET in e]


def test_a_database_error_never_logs_the_self_review_text(rig, caplog):
    caplog.set_level(logging.DEBUG)
    rig.app.jobs.run("selfreview-open", now=MONTH_END_10)
    rig.deliver()
    fail_updates_of_reviews_setting(rig, "achievements")
    press(rig, ALICE, dm_with(rig, ALICE, "Write self-review"), "Write self-review")
    r = rig.submit(ALICE, rig.last_view(), {**SELF_REVIEW, "rv_achievements": SECRET, "rv_plan": SECRET})
    errors = r.json()["errors"]
    assert "something went wrong" in next(iter(errors.values())), "Alice is told, in the modal she typed in"
    rig.deliver()
    assert_secret_kept(rig, caplog)


def test_a_database_error_never_logs_the_objection_text(rig, caplog):
    caplog.set_level(logging.DEBUG)
    write_self_review(rig)
    evaluate(rig, EVALUATION)
    fail_updates_of_reviews_setting(rig, "objection")
    press(rig, ALICE, dm_with(rig, ALICE, "Object"), "Object")
    r = rig.submit(ALICE, rig.last_view(), {"rv_reason": SECRET})
    assert "something went wrong" in next(iter(r.json()["errors"].values()))
    rig.deliver()
    assert_secret_kept(rig, caplog)
    with transaction(rig.app.db) as s:
        assert s.scalars(select(Review.objection)).all() == [None], "nothing stored"


def opsbot_audit(rig, monkeypatch, capsys) -> str:
    """What `opsbot audit` prints about this rig's database."""
    for var in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "OPSBOT_TEAMS_FILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DATABASE_URL", rig.database_url)
    capsys.readouterr()
    assert main(["audit"]) == 0
    return capsys.readouterr().out


def test_opsbot_audit_prints_no_review_content(rig, monkeypatch, capsys):
    private = {"achievements": "Secret achievement", "comment": "Secret supervisor comment",
               "objection": "Secret objection", "resolution": "Secret resolution"}
    write_self_review(rig, values={**SELF_REVIEW, "rv_achievements": private["achievements"],
                                   "rv_score_performance": "61"})
    evaluate(rig, {**EVALUATION, "rv_comment": private["comment"], "rv_score_ability": "73"})
    press(rig, ALICE, dm_with(rig, ALICE, "Object"), "Object")
    rig.submit(ALICE, rig.last_view(), {"rv_reason": private["objection"]})
    rig.deliver()
    press(rig, LEAD, dm_with(rig, LEAD, "Confirm result"), "Confirm result")
    rig.submit(LEAD, rig.last_view(), {"rv_resolution": private["resolution"]})
    rig.deliver()
    [review] = rig_reviews(rig)
    # A row as versions before this one wrote it, with the whole review in it.
    with transaction(rig.app.db) as s:
        s.add(AuditEntry(at=rig.clock.now(), actor_id=LEAD, action="review.evaluate", outcome="ok",
                         team_id=review.team_id, item_kind="review", item_id=review.id,
                         before={"status": "self_review_in", "comment": None},
                         after={"status": "evaluated", "comment": "Old secret comment", "scores": {"ability": 73}}))

    out = opsbot_audit(rig, monkeypatch, capsys)
    steps = [line for line in out.splitlines() if f"review:{review.id}" in line]
    # That each step happened, by whom, is there…
    for actor, action in ((ALICE, "review.self_review"), (LEAD, "review.evaluate"), (ALICE, "review.object"),
                          (LEAD, "review.confirm")):
        assert [line for line in steps if actor in line and action in line], f"no {action} by {actor}: {out}"
    assert '{"status": "objected"} -> {"status": "final"}' in out
    # …and nothing anybody wrote or scored.
    for secret in [*private.values(), "Old secret comment", "Secret", "73", "61", "comment", "scores"]:
        assert secret not in out, f"{secret!r} printed by opsbot audit"
    with transaction(rig.app.db) as s:
        stored = " ".join(json.dumps([a.before, a.after, a.detail]) for a in s.scalars(select(AuditEntry)))
    for secret in private.values():  # (the old row planted above holds only "Old secret comment")
        assert secret not in stored, "the audit rows themselves keep no review content"


def test_opsbot_reviews_in_a_channel_answers_by_dm(rig):
    write_self_review(rig)
    # The team channel, another channel, a group DM, a DM between two people: all shared.
    for channel in (CHANNEL, "C0OTHER", "G0GROUP", "D0SOMEONE"):
        r = rig.command(LEAD, "/opsbot", "reviews 2026-11", channel=channel)
        assert r.json() == {"response_type": "ephemeral", "text": "Sent to you by DM: reviews are private."}
    r = rig.command(LEAD2, "/opsbot", "reviews", channel=CHANNEL)
    assert r.json()["text"] == "已通过私信发给你：考核内容是私密的。", "in Li's Chinese"
    rig.deliver()
    answers = [c for c in dms(rig.slack.calls(), LEAD) if "Reviews of Growth for 2026-11" in c.params["text"]]
    assert len(answers) == 4
    assert f"<@{ALICE}> — Self-review in" in all_text(answers[0].params)
    assert [c for c in dms(rig.slack.calls(), LEAD2) if "2026-11" in c.params["text"] and "考核" in c.params["text"]]

    # In the app's own DM (its messages tab) the answer is given right there.
    app_dm = answers[0].response["channel"]
    r = rig.command(LEAD, "/opsbot", "reviews 2026-11", channel=app_dm)
    assert r.json()["response_type"] == "ephemeral" and f"<@{ALICE}> — Self-review in" in r.json()["text"]
    # A member asking is refused where they typed, with nothing of anyone's review.
    r = rig.command(BOB, "/opsbot", "reviews", channel=CHANNEL)
    assert "Only a team's supervisors" in r.json()["text"] and "Self-review in" not in r.json()["text"]


# -- colleagues' ratings ------------------------------------------------------------------

CARL = "U0CARL"


def ask_and_rate(rig, ratings: list[tuple[str, str, str]], asked: list[str] | None = None) -> None:
    """The supervisor asks colleagues; each rates (in the order given) with a score and a comment."""
    press(rig, LEAD, dm_with(rig, LEAD, "Ask colleagues"), "Ask colleagues")
    r = rig.submit(LEAD, rig.last_view(), {"rv_peers": asked or [peer for peer, _s, _c in ratings]})
    assert r.body == "", r.body
    rig.deliver()
    for peer, score, comment in ratings:
        b = button_of(dm_to(rig, peer, "peer_rate").params, "peer_rate")
        rig.click(peer, "peer_rate", b["value"])
        assert rig.submit(peer, rig.last_view(), {"rv_peer_score": score, "rv_comment": comment}).body == ""


def evaluation_modal(rig):
    press(rig, LEAD, dm_with(rig, LEAD, "Evaluate"), "Evaluate")
    return rig.last_view()


def test_member_with_two_peer_ratings_sees_not_enough_ratings_to_show(rig):
    write_self_review(rig)
    ask_and_rate(rig, [(BOB, "80", "Always helpful"), (LEAD2, "60", "Sometimes late")])
    modal = evaluation_modal(rig)
    assert "not enough ratings to show" in all_text(modal), "the supervisor neither: two ratings betray their raters"
    assert "Always helpful" not in all_text(modal) and "70.0" not in all_text(modal)
    rig.submit(LEAD, modal, EVALUATION)
    rig.deliver()
    result = all_text(dm_with(rig, ALICE, "Acknowledge").params)
    assert "Colleagues' attitude rating: not enough ratings to show." in result
    assert "70.0" not in result and "2 colleague" not in result


def test_member_with_three_peer_ratings_sees_only_their_average(database_url, monkeypatch, capsys):
    teams = {**TEAMS, "teams": [{**TEAMS["teams"][0], "members": [ALICE, BOB, CARL]}]}
    users = {**USERS, CARL: {"name": "carl", "real_name": "Carl", "tz": "Asia/Shanghai", "locale": "en-US"}}
    rig = make_rig(database_url, teams=teams, users=users, start=MONTH_END_10 - timedelta(hours=1)).start()
    try:
        write_self_review(rig)
        # Asked Bob, Carl, Li; they answer Li first. No order below follows either.
        ask_and_rate(rig, [(LEAD2, "90", "Mid: steady"), (BOB, "70", "Zeta: kind"), (CARL, "80", "Alpha: helps")],
                     asked=[BOB, CARL, LEAD2])
        modal = evaluation_modal(rig)
        text = all_text(modal)
        assert "80.0 on average, from 3 colleague(s)" in text
        comments = [line for line in text.splitlines() if "A colleague wrote" in line]
        assert comments == ["A colleague wrote: Alpha: helps", "A colleague wrote: Mid: steady",
                            "A colleague wrote: Zeta: kind"], "in the order of their text, not of rater or time"
        rig.submit(LEAD, modal, EVALUATION)
        rig.deliver()
        result = all_text(dm_with(rig, ALICE, "Acknowledge").params)
        assert "80.0 on average, from 3 colleague(s)" in result
        for hidden in ("helps", "steady", "kind", "Carl", "Bob", "Li Second"):
            assert hidden not in result

        # Nothing the operator reads ties a rating to its rater either.
        out = opsbot_audit(rig, monkeypatch, capsys)
        rated = [line for line in out.splitlines() if "review.peer_rate" in line]
        assert len(rated) == 3 and not [line for line in rated if "->" in line or "(" in line]
        assert main(["outbox"]) == 0
        listing = capsys.readouterr().out
        for hidden in ("helps", "steady", "kind", "score"):
            assert hidden not in out and hidden not in listing
        with transaction(rig.app.db) as s:
            kept = [(a.before, a.after, a.detail) for a in s.scalars(
                select(AuditEntry).where(AuditEntry.action == "review.peer_rate"))]
            payloads = [n.payload for n in s.scalars(select(OutboxNotice))]
        assert kept == [(None, None, None)] * 3
        assert not [p for p in payloads if "score" in p or "comment" in p]
    finally:
        rig.stop()


def test_a_team_may_show_the_average_from_two_ratings_but_never_from_one():
    assert ReviewsConfig().peer_ratings_min == 3
    assert ReviewsConfig.model_validate({"peer_ratings_min": 2}).peer_ratings_min == 2
    for bad in (1, 0, -3):
        with pytest.raises(ValueError, match="peer_ratings_min"):
            TeamConfig.model_validate({"name": "G", "channel": "C0G", "supervisors": ["U0LEAD"],
                                       "reviews": {"peer_ratings_min": bad}})


def test_a_team_that_allows_two_ratings_shows_their_average(database_url):
    teams = {**TEAMS, "teams": [{**TEAMS["teams"][0], "reviews": {"peer_ratings_min": 2}}]}
    rig = make_rig(database_url, teams=teams, start=MONTH_END_10 - timedelta(hours=1)).start()
    try:
        write_self_review(rig)
        ask_and_rate(rig, [(BOB, "80", ""), (LEAD2, "60", "")])
        evaluate(rig, EVALUATION)
        assert "70.0 on average, from 2 colleague(s)" in all_text(dm_with(rig, ALICE, "Acknowledge").params)
    finally:
        rig.stop()
