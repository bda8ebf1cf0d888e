"""The scheduler: when jobs fire, who leads among replicas, catching up after
downtime, and jobs that stay idempotent when runs race."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select, text, update

import bot.kernel.scheduler as scheduler_module
from bot.app import JOBS
from bot.devtools.rig import Rig
from bot.kernel.clock import ManualClock
from bot.kernel.jobs import JobRunner
from bot.kernel.scheduler import Scheduler, TeamJobTrigger
from storage import migrate
from storage.db import make_engine, make_session_factory, transaction
from storage.feedback import FeedbackTalk, ImprovementItem
from storage.models import ReminderLog, Team
from storage.reviews import Review
from tests.conftest import ALICE, BOB, CHANNEL, LEAD, LEAD2, MONDAY_9AM, SHANGHAI, TEAMS, USERS, make_rig
from tests.helpers import all_text, button, buttons, cards, dms, wait_until
from tests.test_content_jobs_e2e import published_piece

NEW_YORK = ZoneInfo("America/New_York")
# Week 48 of 2026: Monday 23 to Sunday 29 November, all working days but the weekend in China.
TUE_10_SHANGHAI = datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)
WED_10_SHANGHAI = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
THU_10_SHANGHAI = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
THU_11_SHANGHAI = datetime(2026, 11, 26, 11, 0, tzinfo=SHANGHAI)
THU_10_NEW_YORK = datetime(2026, 11, 26, 10, 0, tzinfo=NEW_YORK)  # Thursday 23:00 in Shanghai
FRI_18_SHANGHAI = datetime(2026, 11, 27, 18, 0, tzinfo=SHANGHAI)
NEXT_THU_10_SHANGHAI = datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI)

ON_POSTGRES = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


def leading(s: Scheduler) -> bool:
    """Leader, and done taking the lead: its jobs are added and its catch-up
    has run once the election thread has ended."""
    return s.role == "leader" and s._thread is not None and not s._thread.is_alive()


@pytest.fixture
def sqlite_rig(sqlite_url: str) -> Iterator[Rig]:
    r = make_rig(sqlite_url).start()
    try:
        yield r
    finally:
        r.stop()


def reminders_to(rig: Rig, user: str) -> list:
    return [c for c in dms(rig.slack.calls(), user) if "topics this week" in c.params["text"]]


def channel_posts(rig: Rig, marker: str) -> list:
    return [c for c in rig.slack.messages_to(CHANNEL) if marker in all_text(c.params)]


def fire_times(trigger: TeamJobTrigger, now: datetime, n: int) -> list[datetime]:
    """What APScheduler would do: ask for the next fire time after the previous one."""
    out: list[datetime] = []
    previous = None
    for _ in range(n):
        nxt = trigger.get_next_fire_time(previous, previous or now)
        if nxt is None:
            break
        out.append(nxt)
        previous = nxt
    return out


def growth_id(rig) -> int:
    """The teams file's Growth: the scheduler plans per team id (names are unique per workspace only)."""
    [nr] = rig.app.jobs.next_runs(MONDAY_9AM, job="quota-reminder", team="Growth")
    return nr.team_id


# -- when a job fires ---------------------------------------------------------------


def test_the_quota_reminder_first_fires_on_thursday_at_ten_in_the_teams_zone(sqlite_rig):
    trigger = TeamJobTrigger(sqlite_rig.app.jobs, "quota-reminder", growth_id(sqlite_rig))
    first = trigger.get_next_fire_time(None, MONDAY_9AM)
    assert first == THU_10_SHANGHAI
    assert first.astimezone(SHANGHAI).strftime("%a %H:%M") == "Thu 10:00"


def test_the_quota_reminder_also_fires_at_ten_in_a_members_own_zone(sqlite_rig):
    # Any job run fetches the team's Slack profiles: Bob works from New York.
    sqlite_rig.app.jobs.run("quota-reminder", now=MONDAY_9AM)
    trigger = TeamJobTrigger(sqlite_rig.app.jobs, "quota-reminder", growth_id(sqlite_rig))
    assert fire_times(trigger, MONDAY_9AM, 3) == [THU_10_SHANGHAI, THU_10_NEW_YORK, NEXT_THU_10_SHANGHAI]


def test_a_holiday_on_thursday_moves_the_quota_reminder_to_wednesday(sqlite_url):
    teams = {**TEAMS, "teams": [{**TEAMS["teams"][0], "calendar": {"holidays": ["2026-11-26"]}}]}
    rig = make_rig(sqlite_url, teams=teams).start()
    try:
        trigger = TeamJobTrigger(rig.app.jobs, "quota-reminder", growth_id(rig))
        assert trigger.get_next_fire_time(None, MONDAY_9AM) == WED_10_SHANGHAI
        # The week after, Thursday is a working day again.
        assert fire_times(trigger, MONDAY_9AM, 2) == [WED_10_SHANGHAI, NEXT_THU_10_SHANGHAI]
    finally:
        rig.stop()


def test_every_active_team_gets_its_jobs_scheduled(sqlite_url):
    brand = {**TEAMS["teams"][0], "name": "Brand", "channel": "C0BRAND"}
    rig = make_rig(sqlite_url, teams={**TEAMS, "teams": [TEAMS["teams"][0], brand]}).start()
    try:
        runs = rig.app.jobs.next_runs(MONDAY_9AM)  # what `opsbot jobs list` and Scheduler.sync_jobs use
        assert {(r.job, r.team) for r in runs} == {(j, t) for j in JOBS for t in ("Growth", "Brand")}
    finally:
        rig.stop()


# -- who leads ----------------------------------------------------------------------


@pytest.fixture
def fast_election(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scheduler_module, "LEADER_RETRY_SECONDS", 0.2)


@pytest.fixture
def replicas(database_url: str, fast_election) -> Iterator[Callable[[], Scheduler]]:
    """Build schedulers as separate processes would: each with its own engine."""
    built: list[Scheduler] = []

    def replica() -> Scheduler:
        engine = make_engine(database_url)
        migrate.upgrade(engine)
        runner = JobRunner(db=make_session_factory(engine), clock=ManualClock(MONDAY_9AM), jobs=JOBS)
        s = Scheduler(engine=engine, runner=runner)
        built.append(s)
        return s

    try:
        yield replica
    finally:
        # Stop them all before any engine closes: a disposed leader frees the
        # lock, and a follower still campaigning would take it on the way out.
        for s in built:
            s.stop()
        for s in built:
            if s._thread is not None:
                s._thread.join(5)
            s.engine.dispose()


@ON_POSTGRES
def test_of_two_replicas_on_postgresql_exactly_one_leads(replicas):
    a, b = replicas(), replicas()
    a.start()
    b.start()
    wait_until(lambda: leading(a) or leading(b), what="a leader")
    time.sleep(5 * scheduler_module.LEADER_RETRY_SECONDS)  # several more election rounds
    assert sorted([a.role, b.role]) == ["follower", "leader"]


@ON_POSTGRES
def test_the_follower_takes_over_when_the_leaders_process_ends(replicas):
    a, b = replicas(), replicas()
    a.start()
    wait_until(lambda: leading(a), what="the first replica to lead")
    b.start()
    time.sleep(3 * scheduler_module.LEADER_RETRY_SECONDS)
    assert b.role == "follower"

    a.stop()
    a.engine.dispose()  # the process exits: its connections close
    assert a.role == "off"
    wait_until(lambda: leading(b), what="the follower to take over")


@ON_POSTGRES
def test_the_follower_takes_over_when_the_leader_stops(replicas):
    """The process lives on (``opsbot serve`` stopping its scheduler, or a test):
    the lock must go with stop(), not with the pooled connection."""
    a, b = replicas(), replicas()
    a.start()
    wait_until(lambda: leading(a), what="the first replica to lead")
    b.start()
    a.stop()
    assert a.role == "off"
    wait_until(lambda: b.role == "leader", timeout=3, what="the follower to take over")


@ON_POSTGRES
def test_a_leader_that_loses_its_database_connection_steps_down_and_one_replica_leads_again(replicas):
    a, b = replicas(), replicas()
    a.start()
    wait_until(lambda: leading(a), what="the first replica to lead")
    b.start()
    pid = a._lock_conn.execute(text("SELECT pg_backend_pid()")).scalar()
    a._lock_conn.commit()
    with b.engine.connect() as admin:  # the database drops the leader's session, and its lock with it
        admin.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        admin.commit()
    assert a.check_leadership() is False
    wait_until(lambda: [leading(a), leading(b)].count(True) == 1, timeout=5, what="exactly one leader again")
    assert {a.role, b.role} == {"leader", "follower"}


def test_on_sqlite_a_single_scheduler_leads(sqlite_url, fast_election):
    engine = make_engine(sqlite_url)
    migrate.upgrade(engine)
    s = Scheduler(engine=engine, runner=JobRunner(db=make_session_factory(engine), clock=ManualClock(MONDAY_9AM), jobs=JOBS))
    try:
        assert s.role == "off"
        s.start()
        wait_until(lambda: leading(s), what="the scheduler to lead")
    finally:
        s.stop()
        engine.dispose()
    assert s.role == "off"


def test_stopping_while_taking_the_lead_leaves_the_scheduler_off(sqlite_url, fast_election):
    engine = make_engine(sqlite_url)
    migrate.upgrade(engine)
    s = Scheduler(engine=engine, runner=JobRunner(db=make_session_factory(engine), clock=ManualClock(MONDAY_9AM), jobs=JOBS))
    taking, go_on = threading.Event(), threading.Event()
    sync = s.sync_jobs

    def slow_sync() -> None:  # SIGTERM comes while the new leader adds its jobs
        taking.set()
        go_on.wait(5)
        sync()

    s.sync_jobs = slow_sync  # type: ignore[method-assign]
    errors: list[BaseException] = []

    def stop() -> None:
        try:
            s.stop()
        except BaseException as e:
            errors.append(e)

    try:
        s.start()
        assert taking.wait(5)
        stopper = threading.Thread(target=stop)
        stopper.start()
        stopper.join(0.5)  # let stop() get as far as it can before the leader goes on
        go_on.set()
        stopper.join(10)
        s._thread.join(10)
        assert errors == []
        assert s.role == "off"
        assert s._aps is None, "no APScheduler left running after stop()"
    finally:
        go_on.set()
        if s._aps is not None and s._aps.running:
            s._aps.shutdown(wait=False)
        engine.dispose()


# -- catching up after downtime ---------------------------------------------------------


def team_created(rig: Rig, at: datetime) -> None:
    """The team's row says it first existed at ``at`` (an install before the downtime)."""
    with transaction(rig.app.db) as s:
        s.execute(update(Team).values(created_at=at))


def test_catching_up_after_downtime_sends_what_is_due_once_and_a_restart_sends_nothing_more(database_url):
    rig = make_rig(database_url, start=THU_11_SHANGHAI).start()
    try:
        team_created(rig, MONDAY_9AM - timedelta(days=7))  # installed the week before
        # The process was down over Monday's plan and Thursday's 10:00 reminder.
        rig.app.scheduler.start()
        wait_until(lambda: leading(rig.app.scheduler), what="the scheduler to lead and catch up")
        rig.app.scheduler.stop()
        assert rig.deliver() == 2

        # A restart catches up again: nothing twice.
        Scheduler(engine=rig.app.engine, runner=rig.app.jobs).catch_up()
        assert rig.deliver() == 0
        [alice] = reminders_to(rig, ALICE)
        assert "0 of 3 topics" in alice.params["text"]
        assert len(channel_posts(rig, "Content plan")) == 1, "Monday's plan, caught up once"
        assert reminders_to(rig, BOB) == [], "it is 22:00 on Wednesday in New York: not due for Bob yet"
        assert channel_posts(rig, "topic quota") == [], "Friday's summary is not due on Thursday"

        # Later that day it is Bob's 10:00; another restart sends his, and only his.
        rig.clock.set(THU_10_NEW_YORK)
        Scheduler(engine=rig.app.engine, runner=rig.app.jobs).catch_up()
        Scheduler(engine=rig.app.engine, runner=rig.app.jobs).catch_up()
        assert rig.deliver() == 1
        assert len(reminders_to(rig, BOB)) == 1
        assert len(reminders_to(rig, ALICE)) == 1
        assert len(channel_posts(rig, "Content plan")) == 1
    finally:
        rig.stop()


def self_review_prompts(rig: Rig, user: str) -> list:
    return [c for c in dms(rig.slack.calls(), user) if "Write self-review" in all_text(c.params)]


def test_a_team_created_on_the_3rd_gets_no_month_end_prompt_for_the_month_before(database_url):
    # A fresh install on Thursday 3 December, before the self-review of November is due (its 3rd
    # working day): November's month-end day (Monday 30) was before the team existed.
    rig = make_rig(database_url, start=datetime(2026, 12, 3, 11, 0, tzinfo=SHANGHAI)).start()
    try:
        Scheduler(engine=rig.app.engine, runner=rig.app.jobs).catch_up()
        rig.deliver()
        for person in (ALICE, BOB, LEAD, LEAD2):
            assert not [c for c in dms(rig.slack.calls(), person) if "self-review" in all_text(c.params)], person
        with transaction(rig.app.db) as s:
            assert s.scalars(select(Review)).all() == [], "no review of November opened"
            assert s.scalars(select(ReminderLog).where(ReminderLog.job == "selfreview-open")).all() == []

        # December's month-end day is the team's: its prompt comes, on the day, saying so.
        rig.clock.set(datetime(2026, 12, 31, 10, 30, tzinfo=SHANGHAI))
        Scheduler(engine=rig.app.engine, runner=rig.app.jobs).catch_up()
        rig.deliver()
        [prompt] = self_review_prompts(rig, ALICE)
        assert prompt.params["text"].startswith("It is the month-end day: time for your self-review of 2026-12")
    finally:
        rig.stop()


def test_a_month_end_prompt_replayed_after_downtime_says_it_is_late_and_when_it_was_due(database_url):
    users = dict(USERS, **{BOB: dict(USERS[BOB], tz="Asia/Shanghai", locale="zh-CN")})
    rig = make_rig(database_url, users=users).start()  # installed on Monday 23 November
    try:
        # Down over November's month-end day (Monday 30); back on Tuesday 1 December.
        rig.clock.set(datetime(2026, 12, 1, 9, 30, tzinfo=SHANGHAI))
        Scheduler(engine=rig.app.engine, runner=rig.app.jobs).catch_up()
        rig.deliver()
        [alice] = self_review_prompts(rig, ALICE)
        assert alice.params["text"] == ("This prompt comes late: it was meant for Mon 30 Nov, the month-end day. It "
                                        "is time for your self-review of 2026-11 (Growth); it is due 2026-12-03.")
        assert "It is the month-end day" not in all_text(alice.params)
        [bob] = [c for c in dms(rig.slack.calls(), BOB) if "自评" in all_text(c.params)]
        assert bob.params["text"].startswith("这条提醒晚到了：它本应在月末考核日 11月30日周一 发出。")
        assert "今天是月末考核日" not in all_text(bob.params)
    finally:
        rig.stop()


# -- racing runs ---------------------------------------------------------------------------


def _race(n: int, fn: Callable[[], Any]) -> list[BaseException]:
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def go() -> None:
        barrier.wait()
        try:
            fn()
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=go, name=f"race-{i}") for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def _calls_for(rig: Rig, job: str) -> dict[str, int]:
    """What each recipient got from ``job``: DMs by user, posts by marker."""
    if job == "quota-reminder":
        return {u: len(reminders_to(rig, u)) for u in (ALICE, BOB)}
    if job == "pending-nudge":
        return {u: len([c for c in dms(rig.slack.calls(), u) if "Waiting idea" in all_text(c.params)])
                for u in (LEAD, LEAD2)}
    if job == "metrics-ask":
        return {ALICE: len([c for c in dms(rig.slack.calls(), ALICE) if "How is" in c.params["text"]])}
    if job in REVIEW_MARKERS:
        return {u: len([c for c in dms(rig.slack.calls(), u) if REVIEW_MARKERS[job] in c.params["text"]])
                for u in (ALICE, BOB)}
    if job == "annual-review":
        return {f"{sup}:{m}": len([c for c in dms(rig.slack.calls(), sup) if f"<@{m}>" in c.params["text"]])
                for sup in (LEAD, LEAD2) for m in (ALICE, BOB)}
    if job == "retro-ask":
        return {ALICE: len([c for c in dms(rig.slack.calls(), ALICE) if "retrospective" in c.params["text"]])}
    if job in DM_MARKERS:
        return {ALICE: len([c for c in dms(rig.slack.calls(), ALICE) if DM_MARKERS[job] in all_text(c.params)])}
    marker = {"weekly-plan": "Content plan", "quota-summary": "topic quota"}[job]
    return {CHANNEL: len(channel_posts(rig, marker))}


# The review jobs: what marks their DMs, and what must have happened before.
REVIEW_MARKERS = {"selfreview-open": "time for your self-review", "review-reminders": "was due"}
MONTH_END_SHANGHAI = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
SETUP = {"review-reminders": lambda rig: rig.app.jobs.run("selfreview-open", now=MONTH_END_SHANGHAI, manual=True)}


# The DMs to Alice that mark the jobs of issue 18's pieces.
DM_MARKERS = {"onboarding": "Meet the team", "training-reminder": "Race workshop", "plan-progress": "Mid-month",
              "talk-reminder": "Reminder: your feedback talk", "improvement-followup": "Improvement item due"}
# A teams file with an onboarding checklist: its first members' runs start the day the team does.
ONBOARDING_TEAMS = {**TEAMS, "teams": [{**TEAMS["teams"][0], "onboarding": [{"day": 0, "item": "Meet the team"}]}]}


def _prepare(rig: Rig, job: str) -> None:
    """What a job needs to have someone to send to, beyond a waiting topic."""
    if job == "training-reminder":  # a session on Tuesday afternoon that Alice joined
        rig.command(LEAD, "/opsbot", "training", channel=CHANNEL)
        rig.submit(LEAD, rig.last_view(), {"training_topic": "Race workshop", "training_place": "Room 1",
                                           "training_start": TUE_10_SHANGHAI + timedelta(hours=5)})
        rig.deliver()
        [card] = [c for c in cards(rig.slack.calls(), CHANNEL) if "Race workshop" in all_text(c.params)][-1:]
        rig.click(ALICE, "training_join", button(card.params, "Join")["value"], message=card)
    if job == "plan-progress":  # Alice agreed to December's plan
        rig.command(LEAD, "/opsbot", f"targets <@{ALICE}> 2026-12", channel=CHANNEL)
        rig.submit(LEAD, rig.last_view(), {"rv_target_topics_approved": "3"})
        rig.deliver()
        [ask] = [c for c in dms(rig.slack.calls(), ALICE) if "Agree" in buttons(c.params)][-1:]
        rig.click(ALICE, button(ask.params, "Agree")["action_id"], button(ask.params, "Agree")["value"], message=ask)
    if job in ("talk-reminder", "improvement-followup"):
        _feedback_talk(rig)
    if job == "retro-ask":  # an approved activity that ended on Monday afternoon
        rig.command(ALICE, "/activity", "", channel=CHANNEL)
        rig.submit(ALICE, rig.last_view(), {
            "activity_theme": "Race meetup", "activity_format": "Offline",
            "activity_start": MONDAY_9AM + timedelta(hours=5), "activity_end": MONDAY_9AM + timedelta(hours=8),
            "target_participants": 1, "target_engagement": 1, "target_conversion": 1})
        rig.click(LEAD, "activity_approve", "1")


def _feedback_talk(rig: Rig) -> None:
    """Alice's October review evaluated, its talk on Tuesday at 15:00 and her improvement item due that day."""
    with transaction(rig.app.db) as s:
        r = Review(team_id=1, user_id=ALICE, kind="monthly", period="2026-10", status="evaluated",
                   evaluator_id=LEAD, evaluated_at=MONDAY_9AM, created_at=MONDAY_9AM, updated_at=MONDAY_9AM)
        s.add(r)
        s.flush()
        t = FeedbackTalk(team_id=1, review_id=r.id, user_id=ALICE, period="2026-10", scheduled_by=LEAD,
                         starts_at=TUE_10_SHANGHAI + timedelta(hours=5), schedule_version=1, status="scheduled",
                         plan_version=1, created_at=MONDAY_9AM, updated_at=MONDAY_9AM)
        s.add(t)
        s.flush()
        s.add(ImprovementItem(talk_id=t.id, team_id=1, user_id=ALICE, version=1, text="Outline drafts",
                              owner_id=ALICE, due_date=TUE_10_SHANGHAI.date(), status="open"))


RACES = {
    "quota-reminder": THU_10_SHANGHAI,
    "quota-summary": FRI_18_SHANGHAI,
    "weekly-plan": MONDAY_9AM + timedelta(hours=1),
    "pending-nudge": TUE_10_SHANGHAI,
    "metrics-ask": TUE_10_SHANGHAI,  # a day after a publication on Monday
    "selfreview-open": MONTH_END_SHANGHAI,
    "review-reminders": datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI),
    "annual-review": datetime(2026, 12, 31, 10, 0, tzinfo=SHANGHAI),
    "retro-ask": TUE_10_SHANGHAI,
    "onboarding": MONDAY_9AM + timedelta(hours=1),  # day 0: the day the team started, at 10:00 where Alice is
    "training-reminder": TUE_10_SHANGHAI,  # the session's day
    "plan-progress": datetime(2026, 12, 15, 10, 0, tzinfo=SHANGHAI),  # a Tuesday: the mid-month day itself
    "talk-reminder": TUE_10_SHANGHAI,  # the talk's day (it is at 15:00)
    "improvement-followup": TUE_10_SHANGHAI,  # the item's due day
}


def test_every_job_is_covered_by_the_race_test():
    assert set(RACES) == set(JOBS)


@pytest.mark.parametrize("job", sorted(RACES))
def test_a_job_run_twice_at_once_sends_each_notice_once(database_url, job):
    rig = make_rig(database_url, teams=ONBOARDING_TEAMS if job == "onboarding" else None).start()
    try:
        rig.command(ALICE, "/topic", "Waiting idea", channel=CHANNEL)
        _prepare(rig, job)
        rig.deliver()  # the card fetches everyone's Slack profile
        if job == "metrics-ask":
            published_piece(rig, "Published idea")
        rig.app.jobs.run(job, now=MONDAY_9AM)  # and so does any run (this one is not due)
        SETUP.get(job, lambda _rig: None)(rig)
        rig.slack.clear()

        errors = _race(2, lambda: rig.app.jobs.run(job, now=RACES[job], manual=True))
        assert errors == []
        rig.deliver()
        got = _calls_for(rig, job)
        assert got and set(got.values()) == {1}, got
    finally:
        rig.stop()


def _interleave_profile_refreshes(rig: Rig) -> None:
    """Make two profile refreshes overlap on PostgreSQL: having fetched every
    profile, each waits inside its transaction until the other is there too."""
    gateway = rig.app.jobs.slack
    fetch = gateway.fetch_profile
    armed = threading.local()
    barrier = threading.Barrier(2, timeout=5)

    def fetch_and_arm(user_id: str):
        profile = fetch(user_id)
        armed.on = threading.current_thread().name.startswith("race-")
        return profile

    @event.listens_for(rig.app.db, "after_begin")
    def _meet(session, _transaction, _connection):
        if getattr(armed, "on", False):
            armed.on = False
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass

    gateway.fetch_profile = fetch_and_arm  # type: ignore[method-assign]


def test_two_runs_at_once_on_a_fresh_install_both_finish(database_url):
    """No profile is cached yet, so both runs fetch and store the same people."""
    rig = make_rig(database_url).start()
    try:
        if database_url.startswith("postgres"):
            _interleave_profile_refreshes(rig)
        errors = _race(2, lambda: rig.app.jobs.run("quota-reminder", now=THU_10_SHANGHAI, manual=True))
        assert errors == [], [repr(e)[:300] for e in errors]
        rig.deliver()
        assert _calls_for(rig, "quota-reminder") == {ALICE: 1, BOB: 1}
    finally:
        rig.stop()
