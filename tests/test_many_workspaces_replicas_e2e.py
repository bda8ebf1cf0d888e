"""Issue 19, as it is judged: two workspaces installed through "Add to Slack" on ONE deployment of
three replicas sharing one PostgreSQL database and one Slack. Requests land on any replica; every
replica's outbox worker runs and their schedulers elect one leader. Each workspace sets up a team
called Growth; cards, quota reminders and Home tabs reach the right workspace with its own token,
once; then one workspace uninstalls and is stopped while the other goes on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

import bot.kernel.scheduler as scheduler_module
from bot.devtools.rig import Rig
from bot.devtools.slack_standin_calls import Call
from storage.db import transaction
from storage.models import CardPost, InboxRequest, OutboxNotice, Team
from storage.workspaces import UNINSTALLED_ERROR
from tests import helpers
from tests.conftest import NO_TEAMS_FILE, SHANGHAI, make_rig
from tests.helpers import all_text, button, buttons
from tests.test_oauth_install_e2e import redirect, start_install
from tests.test_uninstall_e2e import revoke
from tests.test_workspaces_e2e import (
    ACME,
    AMY,
    BEN,
    BOSS_A,
    BOSS_B,
    CHANNEL_A,
    CHANNEL_B,
    HOME_OF,
    LEAD_A,
    LEAD_B,
    OTHER,
    PEOPLE,
    THU_10,
    reminders,
    sent_with_the_wrong_token,
    to_whom,
)

# The Thursdays after: the next quota reminders.
NEXT_THU_10 = datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI)
THU_AFTER = datetime(2026, 12, 10, 10, 0, tzinfo=SHANGHAI)
WAIT = 30.0  # seconds: a bound on waiting for the replicas, never a measure of them


def wait_until(predicate: Callable[[], Any], what: str) -> Any:
    return helpers.wait_until(predicate, what, WAIT)


@pytest.fixture
def replicas(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Rig]]:
    """Three replicas of one deployment in "Add to Slack" mode, each serving HTTP, each with its
    outbox and inbox workers and its scheduler running; Acme and Other Co exist in the one Slack."""
    if not database_url.startswith("postgres"):
        pytest.skip("three replicas share one PostgreSQL; SQLite is one process")
    monkeypatch.setattr(scheduler_module, "LEADER_RETRY_SECONDS", 0.2)
    first = make_rig(database_url, oauth=True, teams=NO_TEAMS_FILE, users=PEOPLE).start()
    rigs = [first]
    try:
        rigs += [first.replica().start(), first.replica().start()]
        first.slack.add_workspace(ACME, "Acme")
        first.slack.add_workspace(OTHER, "Other Co")
        for r in rigs:
            r.app.start()
        yield rigs
    finally:
        for r in rigs:  # no follower left campaigning while the leader lets go
            r.app.scheduler.stop()
        for r in reversed(rigs):  # the first rig's stand-in last
            r.stop()


def leader_of(rigs: list[Rig]) -> Rig:
    """The one replica whose scheduler leads, once it has taken the lead (jobs planned, caught up)."""

    def one() -> Rig | None:
        leading = [r for r in rigs if r.app.scheduler.role == "leader"]
        if len(leading) == 1 and not leading[0].app.scheduler._thread.is_alive():
            return leading[0]
        return None

    found = wait_until(one, "one replica to lead the scheduler")
    assert sorted(r.app.scheduler.role for r in rigs) == ["follower", "follower", "leader"]
    return found


def settle(rigs: list[Rig]) -> None:
    """Wait until the replicas' inbox workers have decided every request taken, and their outbox
    workers have delivered (or given up on) every notice. A
    notice waiting for another one (a card's first post made by another replica) is due again a
    few seconds later by the clock: the clock is moved on to it, as time would."""
    db, clock = rigs[0].app.db, rigs[0].clock

    def done() -> bool:
        with transaction(db) as s:
            # The inbox first: a request is marked done in the transaction that writes its notices.
            undecided = s.scalars(select(InboxRequest.last_error).where(InboxRequest.status == "pending")).all()
            if undecided:
                return False
            pending = s.scalars(select(OutboxNotice).where(OutboxNotice.status == "pending")).all()
            now = clock.now()
            due = [n for n in pending if utc(n.next_attempt_at) <= now or n.claimed_until]
            if not pending:
                return True
            if due:
                return False
            errors = [n.last_error for n in pending if not (n.last_error or "").startswith("waiting")]
            assert errors == [], f"notices held back by errors: {errors}"
            later = min(utc(n.next_attempt_at) for n in pending)
        clock.set(later)
        for r in rigs:
            r.app.worker.wake()
        return False

    wait_until(done, "every replica's outbox worker to deliver what is due")


def utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def outbox_duplicates(rig: Rig) -> list[tuple]:
    """Delivered notices of the same kind to the same recipient with the same key: 0 expected."""
    with transaction(rig.app.db) as s:
        return s.execute(select(OutboxNotice.kind, OutboxNotice.recipient, OutboxNotice.key, func.count())
                         .where(OutboxNotice.status == "delivered", OutboxNotice.key.is_not(None))
                         .group_by(OutboxNotice.kind, OutboxNotice.recipient, OutboxNotice.key)
                         .having(func.count() > 1)).all()


def install_across(rigs: list[Rig], first: int, second: int, workspace: str, installer: str) -> str:
    """Add to Slack: the install page served by one replica, Slack's redirect answered by another
    (the state is in the database). The bot token Slack issued."""
    query, cookie = start_install(rigs[first])
    code = rigs[0].slack.issue_code(workspace, installer)
    status, body = redirect(rigs[second], query["state"][0], cookie, code)
    assert status == 200, body
    return rigs[0].slack.calls("oauth.v2.access")[-1].response["access_token"]


def set_up_growth(rigs: list[Rig], at: int, workspace: str, boss: str, lead: str, member: str, channel: str) -> None:
    """The workspace's admin runs /opsbot setup on one replica; the form goes back to another."""
    assert rigs[at].command(boss, "/opsbot", "setup", channel=channel, team=workspace).status == 200
    view = rigs[at].last_view()
    values = {"team_name": "Growth", "team_channel": channel, "team_supervisors": [lead], "team_members": [member],
              "timezone": "Asia/Shanghai", "country": "CN", "locale": "en", "weekly_topic_quota": "2",
              "platforms": "WeChat"}
    reply = rigs[(at + 1) % 3].submit(boss, view, values, team=workspace)
    assert reply.json()["response_action"] == "update", reply.body


def card_of(rig: Rig, channel: str, title: str) -> list[Call]:
    """The first posts of the card titled ``title`` in ``channel``."""
    return [c for c in rig.slack.calls("chat.postMessage") if c.params.get("channel") == channel
            and title in all_text(c.params)]


def updates_of(rig: Rig, card: Call, since: int) -> list[Call]:
    return [c for c in rig.slack.calls("chat.update")[since:] if c.params.get("ts") == card.response["ts"]
            and c.params.get("channel") == card.response["channel"]]


def calls_since(rig: Rig, mark: int) -> list[Call]:
    return rig.slack.all_calls()[mark:]


def team_ids(rig: Rig) -> dict[str, int]:
    with transaction(rig.app.db) as s:
        return {ws: i for i, ws in s.execute(select(Team.id, Team.workspace).where(Team.active.is_(True)))}


def fire(leader: Rig, job_id: str) -> None:
    """The leading scheduler fires its planned job now (APScheduler runs it on its own thread)."""
    job = leader.app.scheduler._aps.get_job(job_id)
    assert job is not None, f"the leader has not planned {job_id}"
    job.modify(next_run_time=datetime.now(UTC))


def test_two_workspaces_on_three_replicas_get_their_own_cards_reminders_and_homes_until_one_uninstalls(replicas):
    rigs = replicas
    slack = rigs[0].slack
    leader = leader_of(rigs)

    # -- Add to Slack, each started on one replica and finished on another --------------------------
    tokens = {ACME: install_across(rigs, 0, 1, ACME, BOSS_A), OTHER: install_across(rigs, 2, 0, OTHER, BOSS_B)}
    assert tokens[ACME] != tokens[OTHER]
    assert {slack.token_team(t) for t in tokens.values()} == {ACME, OTHER}

    # -- Each admin sets up a team called Growth ----------------------------------------------------
    set_up_growth(rigs, 1, ACME, BOSS_A, LEAD_A, AMY, CHANNEL_A)
    set_up_growth(rigs, 2, OTHER, BOSS_B, LEAD_B, BEN, CHANNEL_B)
    settle(rigs)
    with transaction(rigs[0].app.db) as s:
        rows = [(t.name, t.workspace, t.channel) for t in s.scalars(select(Team).order_by(Team.id))]
    assert rows == [("Growth", ACME, CHANNEL_A), ("Growth", OTHER, CHANNEL_B)]
    ids = team_ids(rigs[0])

    # -- A member in each proposes a topic: one card in their own channel, with their own token ---------
    assert rigs[0].command(AMY, "/topic", "Spring launch", channel=CHANNEL_A, team=ACME).status == 200
    assert rigs[1].command(BEN, "/topic", "Autumn sale", channel=CHANNEL_B, team=OTHER).status == 200
    settle(rigs)
    [card_a] = card_of(rigs[0], CHANNEL_A, "Spring launch")
    [card_b] = card_of(rigs[0], CHANNEL_B, "Autumn sale")
    assert (card_a.token, card_b.token) == (tokens[ACME], tokens[OTHER])
    assert card_of(rigs[0], CHANNEL_B, "Spring launch") == card_of(rigs[0], CHANNEL_A, "Autumn sale") == []
    with transaction(rigs[0].app.db) as s:
        assert s.scalar(select(func.count()).select_from(CardPost)) == 2  # one first post per topic

    # -- Each supervisor approves on a replica other than the one that took the topic: one update ------
    since = len(slack.calls("chat.update"))
    for rig, lead, card, ws in ((rigs[2], LEAD_A, card_a, ACME), (rigs[0], LEAD_B, card_b, OTHER)):
        value = button(card.params, "Approve")["value"]
        assert rig.click(lead, "topic_approve", value, message=card, team=ws).status == 200
    settle(rigs)
    for card, ws in ((card_a, ACME), (card_b, OTHER)):
        [update] = updates_of(rigs[0], card, since)
        assert update.token == tokens[ws]
        assert "(Approved)" in all_text(update.params) and "Approve" not in buttons(update.params)

    # -- Home opened in each workspace, each on another replica --------------------------------------
    mark = len(slack.all_calls())
    assert rigs[1].event({"type": "app_home_opened", "user": AMY, "tab": "home"}, event_id="Ev0HOMEA",
                         team=ACME).status == 200
    assert rigs[2].event({"type": "app_home_opened", "user": BEN, "tab": "home"}, event_id="Ev0HOMEB",
                         team=OTHER).status == 200
    settle(rigs)
    homes = [(c.params["user_id"], c.token) for c in calls_since(rigs[0], mark) if c.method == "views.publish"]
    assert sorted(homes) == sorted([(AMY, tokens[ACME]), (BEN, tokens[OTHER])])
    home_a = [c for c in calls_since(rigs[0], mark) if c.method == "views.publish"
              and c.params["user_id"] == AMY][0]
    assert "Spring launch" in all_text(home_a.params) and "Autumn sale" not in all_text(home_a.params)

    # -- The quota reminder, fired by the leading scheduler: each member once, with their token --------
    leader.app.scheduler.sync_jobs()  # as its resync does: the teams were set up on any replica
    for r in rigs:
        if r is not leader:
            assert r.app.scheduler._aps is None  # followers plan nothing
    rigs[0].clock.set(THU_10)
    for ws in (ACME, OTHER):
        fire(leader, f"quota-reminder:{ids[ws]}")
    wait_until(lambda: reminders(rigs[0], AMY) and reminders(rigs[0], BEN), "the reminders")
    settle(rigs)
    [amy] = reminders(rigs[0], AMY)
    [ben] = reminders(rigs[0], BEN)
    assert "1 of 2 topics" in amy.params["text"] and "1 of 2 topics" in ben.params["text"]
    assert (amy.token, ben.token) == (tokens[ACME], tokens[OTHER])
    assert outbox_duplicates(rigs[0]) == []
    assert sent_with_the_wrong_token(rigs[0]) == []

    # -- Acme uninstalls while its next reminder and a new card are still in the outbox -----------------
    for r in rigs:
        r.app.worker.stop()
    rigs[0].clock.set(NEXT_THU_10)
    assert rigs[2].command(AMY, "/topic", "Late idea", channel=CHANNEL_A, team=ACME).status == 200
    reports = leader.app.jobs.run("quota-reminder")  # what the leader's two planned runs do at 10:00
    assert sorted(r.team for r in reports) == ["Growth", "Growth"]
    acme_people = [who for who, ws in HOME_OF.items() if ws == ACME]
    with transaction(rigs[0].app.db) as s:
        pending_a = s.scalars(select(OutboxNotice.id).where(
            OutboxNotice.status == "pending",
            (OutboxNotice.team_id == ids[ACME]) | OutboxNotice.recipient.in_(acme_people))).all()
        assert s.scalar(select(func.count()).select_from(OutboxNotice).where(
            OutboxNotice.team_id == ids[ACME], OutboxNotice.status == "pending")), "Acme's team has notices waiting"
    mark = len(slack.all_calls())
    assert revoke(rigs[1], ACME).status == 200
    for r in rigs:
        r.app.worker.start()
    settle(rigs)

    after = calls_since(rigs[0], mark)
    to_acme = [f"{c.method} to {to_whom(c)}" for c in after
               if c.token == tokens[ACME] or HOME_OF.get(to_whom(c) or "") == ACME]
    assert to_acme == [], "nothing goes to the uninstalled workspace"
    assert card_of(rigs[0], CHANNEL_A, "Late idea") == []
    assert len(reminders(rigs[0], AMY)) == 1  # only last week's
    [_, ben_again] = reminders(rigs[0], BEN)
    assert ben_again.token == tokens[OTHER] and "0 of 2 topics" in ben_again.params["text"]
    with transaction(rigs[0].app.db) as s:
        dropped = s.scalars(select(OutboxNotice).where(OutboxNotice.id.in_(pending_a))).all()
        # Its team's, dropped by the uninstall itself, and those to its people with no team (a Home),
        # by the worker: none delivered, none left to retry, none logged as a failure to look into.
        assert {n.kind for n in dropped} >= {"card", "dm", "home"}
        assert {(n.status, n.last_error) for n in dropped} == {("failed", UNINSTALLED_ERROR)}

    # -- Other Co's cards still work, across replicas; Acme's requests are not served -------------------
    assert rigs[0].command(BEN, "/topic", "Winter plan", channel=CHANNEL_B, team=OTHER).status == 200
    settle(rigs)
    [winter] = card_of(rigs[0], CHANNEL_B, "Winter plan")
    assert winter.token == tokens[OTHER]
    since = len(slack.calls("chat.update"))
    rigs[1].click(LEAD_B, "topic_approve", button(winter.params, "Approve")["value"], message=winter, team=OTHER)
    settle(rigs)
    [update] = updates_of(rigs[0], winter, since)
    assert update.token == tokens[OTHER]
    opened = len(slack.calls("views.open"))
    rigs[2].command(AMY, "/topic", channel=CHANNEL_A, team=ACME)
    assert len(slack.calls("views.open")) == opened

    # -- The leader plans nothing more for Acme; the reminder after the uninstall reaches Other Co only ----
    leader.app.scheduler.sync_jobs()  # as its resync does: the uninstall was taken by another replica
    planned = {j.id for j in leader.app.scheduler._aps.get_jobs() if ":" in j.id}
    assert f"quota-reminder:{ids[OTHER]}" in planned
    assert not any(j.endswith(f":{ids[ACME]}") for j in planned)
    mark = len(slack.all_calls())
    rigs[0].clock.set(THU_AFTER)
    fire(leader, f"quota-reminder:{ids[OTHER]}")
    wait_until(lambda: len(reminders(rigs[0], BEN)) == 3, "Other Co's reminder after the uninstall")
    # Run again by hand on a follower: for Other Co's Growth alone (none for Acme's), which sends nothing twice.
    [again] = rigs[(rigs.index(leader) + 1) % 3].app.jobs.run("quota-reminder")
    assert (again.team, again.sent) == ("Growth", [])
    settle(rigs)
    assert len(reminders(rigs[0], BEN)) == 3 and reminders(rigs[0], BEN)[-1].token == tokens[OTHER]
    assert len(reminders(rigs[0], AMY)) == 1
    assert [c for c in calls_since(rigs[0], mark) if c.token == tokens[ACME]] == []
    assert outbox_duplicates(rigs[0]) == []
    assert sent_with_the_wrong_token(rigs[0]) == []
