"""``opsbot demo``: the README's first command plays its week, shows what a
viewer should notice, and talks to nothing but the local Slack stand-in."""

from __future__ import annotations

import io
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.devtools.demo import BRAND, BRAND_TEAM, GROWTH, GROWTH_TEAM, REFUSAL, Demo, run_demo
from storage.db import transaction
from storage.models import Team
from tests.helpers import all_text, buttons
from tests.support.blockkit import validate_call

ROOT = Path(__file__).resolve().parent.parent
SUMMARY = re.compile(r"^Done: (\d+) Slack API calls recorded, (\d+) notices delivered, 0 duplicates")


@pytest.fixture(scope="module")
def played(tmp_path_factory) -> tuple[int, str, Demo, list]:
    """One run, kept to look at what the stand-in recorded and where every
    socket connected."""
    out = io.StringIO()
    db = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    demo = Demo(database_url=f"sqlite:///{db}", out=out)
    connected: list = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        connected.append(address)
        return real_connect(sock, address)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", connect)
        code = demo.run()
    return code, out.getvalue(), demo, connected


def test_the_demo_plays_the_week_and_shows_what_people_would_see(capsys):
    code = run_demo()
    out = capsys.readouterr().out
    assert code == 0, out
    assert "✗" not in out, "every scene went as scripted"
    assert "\033[" not in out, "no terminal styling when the output is not a terminal"

    # It starts with no teams: Lena and Wang set them up in Slack before anyone proposes anything.
    assert "No teams yet" in out
    first = out.index("── ")
    assert out[first:].startswith("── Monday 23 Nov, 09:00 Asia/Shanghai ── Lena, a workspace admin, sets up Growth")
    assert out.index("modal “Set up a team” opens for Lena") < out.index("王芳 types in #brand:  /opsbot setup")
    # #brand speaks Chinese (its locale), and so does Mei's intro DM (her Slack language).
    assert out.index("│ opsbot 已为 品牌组 设置好。") < out.index("Alice types in #growth:  /topic")
    assert "DM → 李梅\n  │ 你已作为成员加入 品牌组（#brand）。" in out

    # Proposals: the card with its buttons, the quota progress, the ephemeral answer.
    assert "only visible to you (Alice)" in out
    assert "#growth (C0GROWTH)" in out
    assert "[ Approve ] [ Reject ]" in out
    assert "Quota: 1 / 3 this week" in out
    # The form's fields.
    for label in ("Title:", "Angle (optional):", "Platform (optional):", "Planned publish date (optional):"):
        assert label in out
    # A title with <!channel> is shown as typed, and never as a real ping.
    assert "<!channel> Black Friday recap: what worked" in out
    assert "@channel" not in out
    # Not a supervisor: refused, and told why.
    assert REFUSAL in out
    # Decisions update the card in place and DM the author.
    assert "(card updated in place)" in out
    assert "Approved by Lena" in out and "Rejected by Lena" in out
    assert "DM → Alice\n  │ Your topic #1 “Short video series on onboarding” was approved by @Lena." in out
    # 151 characters are refused.
    assert "A title must be 1–150 characters; this one has 151." in out
    # The quota reminder reaches each member at 10:00 in their own zone, once.
    assert "DM → Alice\n  │ You have proposed 2 of 3 topics this week for Growth." in out
    assert "DM → Bob\n  │ You have proposed 1 of 3 topics this week for Growth." in out
    assert "(New York time)" in out
    assert "[ Propose a topic ] [ Remind me later ]" in out
    assert "Nothing is sent twice" in out
    # Remind me later brings the reminder back.
    assert "OK, I will remind you again" in out
    assert "🔁 You have proposed 2 of 3 topics" in out
    # Friday's summary and Monday's plan in the channel.
    assert "Weekly topic quota · Growth · 2026-W48" in out
    assert "✅ Alice — 3 / 3 this week" in out and "⬜ Bob — 1 / 3 this week" in out
    assert "Content plan · Growth · 2026-W49" in out
    # The Chinese team's card.
    assert "#brand (C0BRAND)" in out
    assert "[ 通过 ] [ 驳回 ]" in out

    last = out.rstrip("\n").splitlines()[-1]
    assert SUMMARY.match(last), last
    # Month-end: the self-review prompt, a self-review, an evaluation, an objection and its resolution.
    assert "[ Write self-review ] [ Remind me later ]" in out
    assert "rv_score_attitude: Enter a whole number from 0 to 100." in out
    assert "[ Evaluate ] [ Ask colleagues ]" in out
    assert "Total 80.80 · Grade A" in out and "[ Acknowledge ] [ Object ]" in out
    assert "[ Confirm result ] [ Revise result ]" in out
    assert "the result was revised" in out and "Total 84.40 · Grade A" in out
    assert "Only a team's supervisors can see its reviews" in out

    assert 150 <= len(out.splitlines()) <= 1550, "readable in one sitting"


def test_what_slack_received_was_escaped_valid_and_sent_once(played):
    code, out, demo, _connected = played
    assert code == 0, out
    calls = demo.rig.slack.all_calls()
    assert all(c.ok for c in calls), demo.rig.slack.dump(c for c in calls if not c.ok)
    for c in calls:
        validate_call(c)

    growth_cards = [c for c in calls if c.method in ("chat.postMessage", "chat.update")
                    and c.params.get("channel") == GROWTH and "Black Friday" in all_text(c.params)]
    assert growth_cards, "Bob's card"
    for card in growth_cards:
        text = all_text(card.params)
        assert "&lt;!channel&gt; Black Friday recap: what worked" in text
        assert "<!channel>" not in text

    # #brand gets its welcome card when 王芳 sets the team up, then Mei's topic card, then 王芳's kudos to her.
    brand_welcome, brand_card, brand_kudos = [c for c in calls if c.method == "chat.postMessage"
                                              and c.params.get("channel") == BRAND]
    assert not buttons(brand_kudos.params) and "表扬了" in all_text(brand_kudos.params)
    assert not buttons(brand_welcome.params) and "opsbot 已为 品牌组 设置好" in all_text(brand_welcome.params)
    assert buttons(brand_card.params) == ["通过", "驳回"]

    posts = [(c.params.get("channel"), c.params.get("text"), repr(c.params.get("blocks")))
             for c in calls if c.method == "chat.postMessage"]
    assert len(posts) == len(set(posts)), "no message went out twice"
    m = SUMMARY.match(out.rstrip("\n").splitlines()[-1])
    assert m and int(m.group(1)) == len(calls)


def test_the_story_plays_on_the_teams_set_up_in_slack(played):
    code, out, demo, _connected = played
    assert code == 0, out
    with transaction(demo.rig.app.db) as s:
        teams = [(t.name, t.channel, t.managed_by, t.active) for t in s.scalars(select(Team).order_by(Team.id))]
    assert teams == [(GROWTH_TEAM, GROWTH, "slack", True), (BRAND_TEAM, BRAND, "slack", True)]
    assert [v["callback_id"] for v in demo.rig.opened_views()[:2]] == ["team_setup", "team_setup"]


def test_the_only_slack_is_the_local_stand_in(played):
    _code, _out, demo, connected = played
    assert demo.rig.app.client.base_url.startswith("http://127.0.0.1:")
    assert connected, "the demo talks to Slack (the stand-in) over HTTP"
    assert {address[0] for address in connected} == {"127.0.0.1"}


def test_a_database_file_that_already_holds_data_is_not_reused(tmp_path, capsys):
    existing = tmp_path / "kept.sqlite3"
    existing.write_bytes(b"not empty")
    assert run_demo(database=str(existing)) == 2
    assert "already exists" in capsys.readouterr().err
    assert existing.read_bytes() == b"not empty"


def test_the_console_command_runs_the_demo_to_the_end():
    r = subprocess.run([sys.executable, "-m", "bot.cli", "demo"], cwd=ROOT, capture_output=True, timeout=120)
    out = r.stdout.decode("utf-8", errors="replace")
    assert r.returncode == 0, out + r.stderr.decode("utf-8", errors="replace")
    assert SUMMARY.match(out.rstrip("\n").splitlines()[-1]), out[-500:]
