"""Recognition end to end (issue 18): a colleague's kudos posted to the team channel and
told by DM, every refusal answered where it was typed with nothing stored, the daily cap
counted in the giver's own day, the honour of the month once per team and month, and
recognition as context in reports, annual reviews and Home."""

from __future__ import annotations

import copy
from datetime import datetime

import pytest
from sqlalchemy import select

from bot.cli_teams import _team_raw
from bot.kernel.teams_file import ConfigError, parse_teams
from storage.db import transaction
from storage.kudos import Honour, Kudos
from storage.models import Team
from storage.reviews import Review
from tests.conftest import ALICE, BOB, CHANNEL, EVE, LEAD, LEAD2, SHANGHAI, TEAMS, make_rig
from tests.helpers import all_text, button, dms

REASON = "shipped the November newsletter two days early"
ZH_REASON = "把十一月的活动复盘写得非常清楚，大家都学到了很多"  # 23 characters


def kudos(rig, user, text, channel=CHANNEL):
    r = rig.command(user, "/kudos", text, channel=channel)
    rig.deliver()
    return r


def stored(rig) -> list[Kudos]:
    with transaction(rig.app.db) as s:
        return list(s.scalars(select(Kudos).order_by(Kudos.id)))


def honours(rig) -> list[Honour]:
    with transaction(rig.app.db) as s:
        return list(s.scalars(select(Honour).order_by(Honour.id)))


def posts(rig) -> list:
    return [c for c in rig.slack.calls() if c.method == "chat.postMessage" and c.ok
            and c.params.get("channel") == CHANNEL]


def test_a_kudos_is_posted_in_the_channel_told_to_the_recipient_and_stored(rig):
    r = kudos(rig, ALICE, f"<@{BOB}|bob> {REASON} <!channel>")
    answer = r.json()
    assert answer["response_type"] == "ephemeral"
    assert f"<@{BOB}>" in answer["text"] and "Kudos left today: 2" in answer["text"]
    [post] = [c for c in posts(rig) if "recognises" in all_text(c.params)]
    text = all_text(post.params)
    assert f"<@{ALICE}> recognises <@{BOB}>" in text and REASON in text
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text, "the reason is escaped"
    [dm] = [c for c in dms(rig.slack.calls(), BOB) if "recognised you" in all_text(c.params)]
    assert REASON in all_text(dm.params) and f"<#{CHANNEL}>" in all_text(dm.params)
    [k] = stored(rig)
    assert (k.team_id, k.giver_id, k.recipient_id) == (1, ALICE, BOB)
    assert k.reason == f"{REASON} <!channel>"
    assert k.created_at == rig.clock.now()


def test_kudos_alone_or_help_explains_the_command(rig):
    for text in ("", "help"):
        answer = kudos(rig, ALICE, text).json()
        assert answer["response_type"] == "ephemeral"
        assert "/kudos @colleague what they did" in answer["text"] and "honour" in answer["text"]
    assert stored(rig) == []


def test_every_refusal_is_ephemeral_names_the_problem_echoes_the_text_and_stores_nothing(rig):
    cases = [
        (f"<@{BOB}> good job", "at least 20 characters (you wrote 8)"),
        (f"<@{ALICE}|alice> {REASON}", "cannot recognise yourself"),
        (f"<@{EVE}> {REASON}", "is not an active member of Growth"),
        (f"@bob {REASON}", "“@bob” is not a mention"),
        (f"bob {REASON}", "“bob” is not a mention"),
    ]
    for text, problem in cases:
        answer = kudos(rig, ALICE, text).json()
        assert answer["response_type"] == "ephemeral"
        assert problem in answer["text"], answer["text"]
        assert "You typed:" in answer["text"]
    assert stored(rig) == []
    assert not [c for c in posts(rig) if "recognises" in all_text(c.params)]
    assert not [c for c in dms(rig.slack.calls(), BOB) if "recognised you" in all_text(c.params)]


def test_a_chinese_reason_counts_characters_and_the_recipient_hears_in_chinese(rig):
    short = kudos(rig, ALICE, f"<@{LEAD2}> 写得很好谢谢").json()["text"]
    assert "at least 20 characters (you wrote 6)" in short
    kudos(rig, ALICE, f"<@{LEAD2}|li> {ZH_REASON}")
    [k] = stored(rig)
    assert k.recipient_id == LEAD2 and k.reason == ZH_REASON
    [dm] = [c for c in dms(rig.slack.calls(), LEAD2) if ZH_REASON in all_text(c.params)]
    assert "表扬了你" in all_text(dm.params), "Li's Slack is in Chinese"


def test_the_daily_cap_counts_in_the_givers_own_day(database_url):
    # Monday 23 November 2026, 09:00 in Shanghai is Sunday 20:00 in New York, Bob's zone.
    rig = make_rig(database_url, start=datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)).start()
    try:
        for i in range(3):
            kudos(rig, BOB, f"<@{ALICE}> {REASON} #{i}")
        refused = kudos(rig, BOB, f"<@{ALICE}> {REASON} #4").json()["text"]
        assert "given your 3 kudos for today" in refused and "You typed:" in refused
        assert len(stored(rig)) == 3
        # 12:30 in Shanghai is a new day for the team but still Sunday 23:30 for Bob.
        rig.clock.set(datetime(2026, 11, 23, 12, 30, tzinfo=SHANGHAI))
        assert "given your 3 kudos" in kudos(rig, BOB, f"<@{ALICE}> {REASON} #5").json()["text"]
        # 13:05 in Shanghai is past midnight in New York: Bob's cap starts again.
        rig.clock.set(datetime(2026, 11, 23, 13, 5, tzinfo=SHANGHAI))
        assert "Kudos left today: 2" in kudos(rig, BOB, f"<@{ALICE}> {REASON} #6").json()["text"]
        # Alice, in Shanghai, has her own cap.
        assert "Kudos left today: 2" in kudos(rig, ALICE, f"<@{BOB}> {REASON}").json()["text"]
        assert len(stored(rig)) == 5
    finally:
        rig.stop()


def test_the_honour_of_the_month_is_posted_once_and_only_by_a_supervisor(rig):
    member = kudos(rig, ALICE, f"honour <@{BOB}> {REASON}").json()["text"]
    assert "Only a supervisor of Growth" in member
    assert honours(rig) == []

    ok = kudos(rig, LEAD, f"honour <@{BOB}|bob> 2026-11 {REASON}").json()["text"]
    assert f"<@{BOB}> is the honour of the month 2026-11 in Growth" in ok
    [h] = honours(rig)
    assert (h.month, h.user_id, h.honoured_by, h.citation) == ("2026-11", BOB, LEAD, REASON)
    [post] = [c for c in posts(rig) if "Honour of the month" in all_text(c.params)]
    assert f"<@{BOB}>" in all_text(post.params) and REASON in all_text(post.params)
    assert [c for c in dms(rig.slack.calls(), BOB) if "You are the honour of the month 2026-11" in all_text(c.params)]

    # 23 November is past the first days of the month: no month means this one, already honoured.
    again = kudos(rig, LEAD2, f"honour <@{ALICE}> {REASON}").json()["text"]
    assert "2026-11 已经有本月之星" in again and f"<@{BOB}>" in again, "Li's Slack is in Chinese"
    assert len(honours(rig)) == 1
    assert len([c for c in posts(rig) if "Honour of the month" in all_text(c.params)]) == 1


def test_early_in_a_month_the_honour_is_for_the_month_just_ended(database_url):
    rig = make_rig(database_url, start=datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)).start()
    try:
        kudos(rig, LEAD, f"honour <@{ALICE}> {REASON}")
        assert [h.month for h in honours(rig)] == ["2026-11"]
        future = kudos(rig, LEAD, f"honour <@{BOB}> 2027-01 {REASON}").json()["text"]
        assert "2027-01 is out of range" in future
        assert len(honours(rig)) == 1
    finally:
        rig.stop()


def test_the_report_counts_kudos_and_names_the_top_three_only_where_the_team_turned_it_on(database_url):
    teams = copy.deepcopy(TEAMS)
    rig = make_rig(database_url, teams=teams).start()
    try:
        kudos(rig, ALICE, f"<@{BOB}> {REASON}")
        kudos(rig, LEAD, f"<@{BOB}> {REASON}")
        kudos(rig, BOB, f"<@{ALICE}> {REASON}")
        rig.command(LEAD, "/opsbot", "report month", channel=CHANNEL)
        rig.deliver()
        [f] = rig.slack.files(CHANNEL)
        assert "*Recognition*: 3 kudos given." in f["initial_comment"]
        assert "Most recognised" not in f["initial_comment"], "no leaderboard by default"
    finally:
        rig.stop()
    teams["teams"][0]["recognition"] = {"daily_cap": 3, "leaderboard": True}
    rig = make_rig(database_url, teams=teams).start()
    try:
        rig.command(LEAD, "/opsbot", "report month", channel=CHANNEL)
        rig.command(LEAD, "/opsbot", "report week", channel=CHANNEL)
        rig.deliver()
        month, week = rig.slack.files(CHANNEL)
        assert "Most recognised: Bob (2), Alice (1)." in month["initial_comment"]
        assert "*Recognition*: 3 kudos given." in week["initial_comment"]
        assert "Most recognised" not in week["initial_comment"], "the leaderboard is the monthly report's"
    finally:
        rig.stop()


def test_the_daily_cap_is_a_team_setting(database_url):
    teams = copy.deepcopy(TEAMS)
    teams["teams"][0]["recognition"] = {"daily_cap": 1}
    rig = make_rig(database_url, teams=teams).start()
    try:
        assert "Kudos left today: 0" in kudos(rig, ALICE, f"<@{BOB}> {REASON}").json()["text"]
        assert "given your 1 kudos for today" in kudos(rig, ALICE, f"<@{BOB}> {REASON}").json()["text"]
        assert len(stored(rig)) == 1
        with transaction(rig.app.db) as s:  # `opsbot teams export` carries it, as a file apply takes
            exported = parse_teams({"teams": [_team_raw(s, s.scalar(select(Team)))]})
        assert exported.teams[0].recognition.model_dump() == {"daily_cap": 1, "leaderboard": False}
    finally:
        rig.stop()


def test_home_shows_the_kudos_received_this_month(rig):
    kudos(rig, ALICE, f"<@{BOB}> {REASON}")
    kudos(rig, LEAD, f"<@{BOB}> {REASON}")
    rig.event({"type": "app_home_opened", "user": BOB, "tab": "home"}, event_id="EvKudosHome")
    rig.deliver()
    [*_, home] = [c for c in rig.slack.calls("views.publish") if c.ok and c.params["user_id"] == BOB]
    assert "Kudos received this month: 2" in all_text(home.params)


def test_the_annual_review_shows_recognition_as_context_only(rig):
    kudos(rig, ALICE, f"<@{BOB}> {REASON}")
    kudos(rig, LEAD, f"honour <@{BOB}> 2026-10 {REASON}")
    kudos(rig, LEAD, f"honour <@{BOB}> 2026-11 {REASON}")
    with transaction(rig.app.db) as s:
        now = rig.clock.now()
        for month in range(1, 12):
            s.add(Review(team_id=1, user_id=BOB, kind="monthly", period=f"2026-{month:02d}", status="acknowledged",
                         total_centi=8000, grade="A", created_at=now, updated_at=now))
    dec = datetime(2026, 12, 31, 10, 0, tzinfo=SHANGHAI)
    rig.clock.set(dec)
    rig.app.jobs.run("annual-review", now=dec)
    rig.deliver()
    [ask] = [c for c in dms(rig.slack.calls(), LEAD) if "year 2026" in c.params["text"]
             and f"<@{BOB}>" in c.params["text"]]
    b = button(ask.params, "Evaluate")
    rig.click(LEAD, b["action_id"], b["value"], message=ask)
    shown = all_text(rig.last_view())
    assert "Kudos received this year: 1; honour of the month: 2026-10, 2026-11." in shown
    assert "Average 80.00 over 11 month(s)" in shown, "recognition changes no score"


def test_the_teams_file_refuses_a_bad_recognition_setting():
    bad = copy.deepcopy(TEAMS)
    bad["teams"][0]["recognition"] = {"daily_cap": 0}
    with pytest.raises(ConfigError, match="recognition.daily_cap"):
        parse_teams(bad)
    bad["teams"][0]["recognition"] = {"leaderbord": True}
    with pytest.raises(ConfigError, match="recognition.leaderbord"):
        parse_teams(bad)
