"""Two workspaces on one deployment (issue 19), end to end on both backends: each installed through
"Add to Slack", each with its own team called Growth. Cards, reminders and Home tabs go to the
right workspace with that workspace's token; a rotating token about to expire is refreshed once
by a job with no request in sight, even when refreshes race; a forged payload from one workspace
changes nothing in the other; and a workspace with no installation has its notices failed, not
retried for ever."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.app import create_app
from bot.devtools.rig import Rig
from bot.devtools.slack_standin_calls import Call
from bot.kernel.scheduler import TeamJobTrigger
from storage.db import transaction
from storage.installations import BOTS
from storage.models import AuditEntry, Decision, OutboxNotice, Team
from storage.topics import Topic
from tests.conftest import NO_TEAMS_FILE, SHANGHAI, make_rig
from tests.helpers import all_text, button, cards, dms
from tests.test_oauth_install_e2e import install

ACME, OTHER = "T0ACME", "T0OTHER"
BOSS_A, LEAD_A, AMY, CHANNEL_A = "U0ABOSS", "U0ALEAD", "U0AAMY", "C0AGROWTH"
BOSS_B, LEAD_B, BEN, CHANNEL_B = "U0BBOSS", "U0BLEAD", "U0BBEN", "C0BGROWTH"
# Whose workspace each channel and person is in: every call the app makes to them must carry its token.
HOME_OF = {CHANNEL_A: ACME, BOSS_A: ACME, LEAD_A: ACME, AMY: ACME,
           CHANNEL_B: OTHER, BOSS_B: OTHER, LEAD_B: OTHER, BEN: OTHER}
PEOPLE = {u: {"name": u.lower(), "real_name": f"Person {u[3:].title()}", "tz": "Asia/Shanghai", "locale": "en-US"}
          for u in (BOSS_A, LEAD_A, AMY, BOSS_B, LEAD_B, BEN)}
# Thursday 26 November 2026, 10:00 in Shanghai: the quota reminder's hour, on a working day.
THU_10 = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
REMINDER = "topics this week"


@pytest.fixture
def two(database_url: str) -> Iterator[Rig]:
    rig = make_rig(database_url, oauth=True, teams=NO_TEAMS_FILE, users=PEOPLE).start()
    rig.slack.add_workspace(ACME, "Acme")
    rig.slack.add_workspace(OTHER, "Other Co")
    try:
        yield rig
    finally:
        rig.stop()


def set_up_growth(rig: Rig, workspace: str, boss: str, lead: str, member: str, channel: str,
                  zone: str = "Asia/Shanghai") -> str:
    """Install in ``workspace``; its admin (the installer) sets up a team called Growth there.
    The workspace's bot token."""
    token = install(rig, workspace, boss)
    assert rig.command(boss, "/opsbot", "setup", channel=channel, team=workspace).status == 200
    values = {"team_name": "Growth", "team_channel": channel, "team_supervisors": [lead], "team_members": [member],
              "timezone": zone, "country": "CN", "locale": "en", "weekly_topic_quota": "2",
              "platforms": "WeChat"}
    reply = rig.submit(boss, rig.last_view(), values, team=workspace)
    assert reply.json()["response_action"] == "update", reply.body
    return token


def both(rig: Rig) -> dict[str, str]:
    tokens = {ACME: set_up_growth(rig, ACME, BOSS_A, LEAD_A, AMY, CHANNEL_A),
              OTHER: set_up_growth(rig, OTHER, BOSS_B, LEAD_B, BEN, CHANNEL_B)}
    rig.deliver()
    return tokens


def to_whom(call: Call) -> str | None:
    p = call.params
    return p.get("channel") or p.get("user_id") or p.get("users") or p.get("user")


def sent_with_the_wrong_token(rig: Rig) -> list[str]:
    """Every call to a channel or person of one workspace that carried another's token (or none)."""
    wrong = []
    for c in rig.slack.all_calls():
        where = HOME_OF.get(to_whom(c) or "")
        if where is not None and rig.slack.token_team(c.token) != where:
            wrong.append(f"{c.method} to {to_whom(c)} with a token of {rig.slack.token_team(c.token)}")
    return wrong


def reminders(rig: Rig, user: str) -> list[Call]:
    return [c for c in dms(rig.slack.calls(), user) if REMINDER in c.params["text"]]


def refreshes(rig: Rig) -> list[Call]:
    """Every refresh asked of oauth.v2.access, answered or refused."""
    return [c for c in rig.slack.calls("oauth.v2.access", ok_only=False)
            if c.params.get("grant_type") == "refresh_token"]


def expire_soon(rig: Rig, workspace: str, left: timedelta = timedelta(hours=1)) -> None:
    """The workspace's rotating token now expires within the two hours' warning (``left`` from now)."""
    with rig.app.engine.begin() as conn:
        expires = conn.execute(select(BOTS.c.bot_token_expires_at).where(BOTS.c.team_id == workspace)).scalar_one()
        lifetime = timedelta(seconds=rig.slack.token_seconds)
        conn.execute(update(BOTS).where(BOTS.c.team_id == workspace)
                     .values(bot_token_expires_at=expires - lifetime + left))
    # Behind the token cache's back (which reads the store again after TOKEN_CACHE_SECONDS): drop it.
    rig.app.worker.slack.tokens.forget(workspace, None)


def store(rig: Rig):
    return rig.app.bolt.oauth_flow.settings.installation_store


def test_two_workspaces_each_with_a_growth_get_their_cards_reminders_and_homes_with_their_own_token(two):
    tokens = both(two)
    assert tokens[ACME] != tokens[OTHER]
    with transaction(two.app.db) as s:
        rows = [(t.name, t.workspace, t.channel) for t in s.scalars(select(Team).order_by(Team.id))]
    assert rows == [("Growth", ACME, CHANNEL_A), ("Growth", OTHER, CHANNEL_B)]

    two.command(AMY, "/topic", "Spring launch", channel=CHANNEL_A, team=ACME)
    two.command(BEN, "/topic", "Autumn sale", channel=CHANNEL_B, team=OTHER)
    two.deliver()
    [card_a] = [c for c in cards(two.slack.calls(), CHANNEL_A) if "Spring launch" in all_text(c.params)][-1:]
    [card_b] = [c for c in cards(two.slack.calls(), CHANNEL_B) if "Autumn sale" in all_text(c.params)][-1:]
    assert card_a.token == tokens[ACME] and card_b.token == tokens[OTHER]
    assert not any("Spring launch" in all_text(c.params) for c in cards(two.slack.calls(), CHANNEL_B))

    homes = {c.params["user_id"]: c.token for c in two.slack.calls("views.publish")}
    assert homes[AMY] == tokens[ACME] and homes[BEN] == tokens[OTHER]

    two.clock.set(THU_10)
    two.app.jobs.run("quota-reminder", now=THU_10)
    two.deliver()
    [amy] = reminders(two, AMY)
    [ben] = reminders(two, BEN)
    assert "1 of 2 topics" in amy.params["text"] and "1 of 2 topics" in ben.params["text"]
    assert (amy.token, ben.token) == (tokens[ACME], tokens[OTHER])
    assert sent_with_the_wrong_token(two) == []


def test_a_job_with_no_request_refreshes_an_expiring_token_once_and_sends_with_the_new_one(two):
    two.slack.token_rotation = True  # 12-hour tokens: not due while the workspaces are set up
    tokens = both(two)
    assert refreshes(two) == []
    expire_soon(two, ACME)
    two.slack.clear()

    two.clock.set(THU_10)
    two.app.jobs.run("quota-reminder", now=THU_10)
    two.deliver()
    [refresh] = refreshes(two)
    assert refresh.ok and refresh.params["client_id"]
    fresh = refresh.response["access_token"]
    assert fresh != tokens[ACME] and two.slack.token_team(fresh) == ACME
    assert [c.token for c in reminders(two, AMY)] == [fresh]
    assert [c.token for c in reminders(two, BEN)] == [tokens[OTHER]]  # the other workspace's was not due
    assert store(two).find_bot(enterprise_id=None, team_id=ACME).bot_token == fresh
    with two.app.engine.connect() as conn:  # kept sealed
        assert fresh not in str(conn.execute(select(BOTS)).all())

    # Fresh for twelve hours now: the next sends use it and refresh nothing.
    two.command(AMY, "/topic", "Another idea", channel=CHANNEL_A, team=ACME)
    two.deliver()
    assert len(refreshes(two)) == 1
    assert {c.token for c in cards(two.slack.calls(), CHANNEL_A)} == {fresh}
    assert sent_with_the_wrong_token(two) == []


def race(*askers) -> list:
    """Each asker called at the same instant, on a thread of its own; what each returned."""
    barrier = threading.Barrier(len(askers))
    got: list = []
    failed: list[BaseException] = []

    def run(ask) -> None:
        barrier.wait()
        try:
            got.append(ask())
        except BaseException as e:  # noqa: BLE001 - reported below
            failed.append(e)

    threads = [threading.Thread(target=run, args=(a,)) for a in askers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert failed == []
    return got


def acme_token(app) -> Callable[[], str | None]:
    return lambda: app.worker.slack.tokens.token(ACME, None)


def test_threads_racing_to_refresh_one_token_make_one_refresh(two):
    two.slack.token_rotation = True
    both(two)
    expire_soon(two, ACME)
    got = race(*[acme_token(two.app)] * 4)
    [refresh] = refreshes(two)
    assert got == [refresh.response["access_token"]] * 4


def test_a_request_and_a_job_racing_to_refresh_make_one_refresh(two):
    two.slack.token_rotation = True
    both(two)
    expire_soon(two, ACME)
    two.slack.clear()
    got = race(acme_token(two.app), lambda: two.command(AMY, "/topic", channel=CHANNEL_A, team=ACME).status)
    [refresh] = refreshes(two)
    fresh = refresh.response["access_token"]
    assert sorted(map(str, got)) == sorted([fresh, "200"])
    assert [c.token for c in two.slack.calls("views.open")] == [fresh]  # the request's modal


def test_two_replicas_racing_to_refresh_one_token_on_postgresql_make_one_refresh(two):
    if not two.database_url.startswith("postgres"):
        pytest.skip("replicas share one PostgreSQL; SQLite is one process")
    two.slack.token_rotation = True
    both(two)
    expire_soon(two, ACME)
    replica = create_app(two.app.settings, clock=two.clock, migrate_db=False)
    try:
        got = race(*[acme_token(two.app), acme_token(replica)] * 2)
    finally:
        replica.stop()
        replica.engine.dispose()
    [refresh] = refreshes(two)
    assert got == [refresh.response["access_token"]] * 4


def test_a_forged_approve_from_another_workspace_changes_nothing(two):
    tokens = both(two)
    two.command(AMY, "/topic", "Spring launch", channel=CHANNEL_A, team=ACME)
    two.deliver()
    card = [c for c in cards(two.slack.calls(), CHANNEL_A) if "Spring launch" in all_text(c.params)][-1]
    value = button(card.params, "Approve")["value"]
    before = len(two.slack.calls())

    # Acme's supervisor, but the payload comes from the other workspace (signed for it, its install).
    assert two.click(LEAD_A, "topic_approve", value, message=card, team=OTHER).status == 200
    [answer] = two.slack.responses(two.last_response_url)
    assert "I could not find that item." in answer.params["text"]
    two.click(LEAD_A, "topic_reject", value, message=card, team=OTHER)  # not even the reject form opens
    two.deliver()
    assert [c.method for c in two.slack.calls()[before:] if c.method != "response_url"] == []
    with transaction(two.app.db) as s:
        [topic] = s.scalars(select(Topic)).all()
        assert (topic.status, topic.decided_by) == ("proposed", None)
        assert s.scalars(select(Decision)).all() == []
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "topic.approve")).all() == []

    # From its own workspace the same click decides.
    two.click(LEAD_A, "topic_approve", value, message=card, team=ACME)
    two.deliver()
    with transaction(two.app.db) as s:
        assert s.scalars(select(Topic.status)).one() == "approved"
    assert {c.token for c in cards(two.slack.calls(), CHANNEL_A)} == {tokens[ACME]}


def test_a_notice_for_a_workspace_with_no_installation_fails_once_and_is_not_retried(two):
    tokens = both(two)
    store(two).delete_all(enterprise_id=None, team_id=ACME)  # gone from the store, as after an uninstall
    two.app.worker.slack.tokens.forget(ACME, None)  # which forgets its cached token too (here done by hand)
    two.slack.clear()

    two.clock.set(THU_10)
    two.app.jobs.run("quota-reminder", now=THU_10)
    two.deliver()
    assert reminders(two, AMY) == []
    assert [c.token for c in reminders(two, BEN)] == [tokens[OTHER]]  # the installed one is not held up
    with transaction(two.app.db) as s:
        acme = s.scalars(select(Team.id).where(Team.workspace == ACME)).one()
        failed = s.scalars(select(OutboxNotice).where(OutboxNotice.team_id == acme,
                                                      OutboxNotice.status != "delivered")).all()
        assert failed and {n.status for n in failed} == {"failed"}
        assert all("no installation" in (n.last_error or "") and n.attempts == 1 for n in failed)

    calls = len(two.slack.all_calls())
    two.clock.advance(timedelta(hours=1))
    assert two.deliver() == 0
    assert len(two.slack.all_calls()) == calls, "nothing is tried again"
    assert sent_with_the_wrong_token(two) == []


def test_an_installer_opening_home_before_any_team_gets_it_with_their_workspaces_token(two):
    token = install(two, OTHER, BOSS_B)
    install(two, ACME, BOSS_A)
    two.slack.clear()
    assert two.event({"type": "app_home_opened", "user": BOSS_B, "tab": "home"}, event_id="Ev0HOME",
                     team=OTHER).status == 200
    two.deliver()
    [home] = two.slack.calls("views.publish")
    assert (home.params["user_id"], home.token) == (BOSS_B, token)
    assert "New team" in all_text(home.params)  # an admin (the installer) can set a team up from there


def test_each_growth_has_its_own_scheduled_jobs_at_its_own_hours(two):
    two.app.scheduler.start()
    deadline = time.monotonic() + 10
    while two.app.scheduler.role != "leader" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert two.app.scheduler.role == "leader"
    set_up_growth(two, ACME, BOSS_A, LEAD_A, AMY, CHANNEL_A)
    set_up_growth(two, OTHER, BOSS_B, LEAD_B, BEN, CHANNEL_B, zone="America/New_York")
    with transaction(two.app.db) as s:
        acme, other = s.scalars(select(Team.id).order_by(Team.id)).all()
    for team_id in (acme, other):
        assert two.app.scheduler._aps.get_job(f"quota-reminder:{team_id}") is not None

    def first_fire(team_id: int) -> datetime:
        return TeamJobTrigger(two.app.jobs, "quota-reminder", team_id).get_next_fire_time(None, two.clock.now())

    # Each team's own: 10:00 on Thursday in Shanghai for Acme's, in New York for the other's.
    assert first_fire(acme) == THU_10
    assert first_fire(other) == datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("America/New_York"))
