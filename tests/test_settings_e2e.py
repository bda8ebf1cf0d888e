"""/opsbot settings: a supervisor changes the team's settings in a modal;
the change is audited and the next job run uses it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from storage.db import transaction
from storage.models import AuditEntry, Team
from tests.conftest import ALICE, CHANNEL, LEAD, SHANGHAI
from tests.helpers import all_text, dms

WED_10 = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


def open_settings(rig, user: str = LEAD) -> dict:
    r = rig.command(user, "/opsbot", "settings", channel=CHANNEL)
    assert r.status == 200 and r.body == "", r.body
    return rig.last_view()


def as_typed(modal: dict) -> dict[str, str]:
    """What the form holds before anyone types: its initial values."""
    out = {}
    for b in modal["blocks"]:
        if b["type"] != "input":
            continue
        el = b["element"]
        out[b["block_id"]] = el.get("initial_value") or (el.get("initial_option") or {}).get("value") or ""
    return out


def team(rig) -> Team:
    with transaction(rig.app.db) as s:
        t = s.scalars(select(Team)).one()
        s.expunge(t)
        return t


def test_the_form_shows_the_current_settings(rig):
    modal = open_settings(rig)
    assert modal["title"]["text"] == "Team settings"
    typed = as_typed(modal)
    assert typed["weekly_topic_quota"] == "3"
    assert typed["quota_reminder"] == "THU 10:00" and typed["daily"] == "10:00"
    assert typed["timezone"] == "Asia/Shanghai" and typed["country"] == "CN" and typed["locale"] == "en"
    assert typed["mention_in_summaries"] == "off"
    assert typed["platforms"].splitlines() == ["WeChat", "Weibo", "Website"]
    assert "teams file" in all_text(modal)


def test_a_change_is_audited_and_the_next_reminder_run_uses_it(rig):
    modal = open_settings(rig)
    values = {**as_typed(modal), "weekly_topic_quota": "4", "quota_reminder": "wed 10:00"}
    r = rig.submit(LEAD, modal, values)
    answer = r.json()
    assert answer["response_action"] == "update"
    shown = all_text(answer["view"])
    assert "Weekly topic quota: 3 → *4*" in shown and "Quota reminder: THU 10:00 → *WED 10:00*" in shown

    t = team(rig)
    assert (t.weekly_topic_quota, t.schedule["quota_reminder"]) == (4, "WED 10:00")
    with transaction(rig.app.db) as s:
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == "settings.update")).all()
    assert (entry.actor_id, entry.outcome) == (LEAD, "ok")
    assert entry.before == {"weekly_topic_quota": 3, "quota_reminder": "THU 10:00"}
    assert entry.after == {"weekly_topic_quota": 4, "quota_reminder": "WED 10:00"}

    # Wednesday 10:00 is now the reminder's hour, and the quota is 4.
    [nr] = rig.app.jobs.next_runs(datetime(2026, 11, 24, 12, 0, tzinfo=SHANGHAI), job="quota-reminder")
    assert nr.at == WED_10
    rig.app.jobs.run("quota-reminder", now=WED_10)
    rig.deliver()
    [reminder] = dms(rig.slack.calls(), ALICE)
    assert "0 of 4 topics" in reminder.params["text"]


def test_bad_values_are_field_errors_and_nothing_is_stored(rig):
    modal = open_settings(rig)
    for block, bad, words in [
        ("weekly_topic_quota", "-1", "whole number from 0 to 100"),
        ("quota_summary", "FRIDAY 6pm", "like MON 10:00"),
        ("timezone", "Mars/Olympus", "IANA time zone"),
        ("country", "XX", "two-letter country code"),
        ("platforms", "  \n ", "1 to 100 platforms"),
    ]:
        r = rig.submit(LEAD, modal, {**as_typed(modal), block: bad})
        answer = r.json()
        assert answer["response_action"] == "errors", (block, answer)
        assert words in answer["errors"][block]
    t = team(rig)
    assert (t.weekly_topic_quota, t.timezone, t.country) == (3, "Asia/Shanghai", "CN")
    with transaction(rig.app.db) as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "settings.update")).all() == []


def test_a_member_can_neither_open_nor_forge_the_settings(rig):
    r = rig.command(ALICE, "/opsbot", "settings", channel=CHANNEL)
    assert "Only a supervisor of this team can change its settings." in r.json()["text"]
    assert rig.slack.calls("views.open") == []

    modal = open_settings(rig)  # a supervisor's form, submitted by someone else
    r = rig.submit(ALICE, modal, {**as_typed(modal), "weekly_topic_quota": "0"})
    answer = r.json()
    assert answer["response_action"] == "errors"
    assert "Only a supervisor" in next(iter(answer["errors"].values()))
    assert team(rig).weekly_topic_quota == 3
    with transaction(rig.app.db) as s:
        denied = s.scalars(select(AuditEntry).where(AuditEntry.outcome == "denied")).all()
    assert [(a.actor_id, a.action) for a in denied] == [(ALICE, "settings.update"), (ALICE, "settings.update")]
