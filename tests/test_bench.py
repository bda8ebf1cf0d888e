"""The benchmark suite's own machinery (bench/), so that it does not rot.
Nothing here measures or asserts a time."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.devtools.slack_standin import SlackStandIn
from bot.kernel.outbox import Pacer


@pytest.fixture
def limited():
    with SlackStandIn(rate_limits={"chat.postMessage": (1.0, 1)},
                      workspace_limits={"chat.postMessage": (0.5, 3)}) as slack:
        yield slack, WebClient(token="xoxb-test", base_url=slack.api_url)


def test_the_stand_in_answers_429_with_retry_after_beyond_the_workspace_cap(limited):
    slack, client = limited
    for channel in ("C1", "C2", "C3"):
        assert client.chat_postMessage(channel=channel, text="hi")["ok"]
    with pytest.raises(SlackApiError) as e:
        client.chat_postMessage(channel="C4", text="one too many for the workspace")
    assert e.value.response.status_code == 429
    assert int(e.value.response.headers["Retry-After"]) >= 1
    assert [c.params["channel"] for c in slack.calls("chat.postMessage")] == ["C1", "C2", "C3"]


def test_the_stand_in_limits_each_channel_apart_from_the_workspace(limited):
    slack, client = limited
    assert client.chat_postMessage(channel="C1", text="1")["ok"]
    with pytest.raises(SlackApiError) as e:
        client.chat_postMessage(channel="C1", text="2")
    assert e.value.response.status_code == 429
    assert client.chat_postMessage(channel="C2", text="1")["ok"], "a refused call took no workspace token"
    assert client.chat_postMessage(channel="U0ANA", text="dm")["ok"]


def test_the_stand_in_pages_users_list():
    users = {f"U{i:04d}": {"name": f"p{i}", "tz": "UTC"} for i in range(450)}
    with SlackStandIn(users=users) as slack:
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        seen, cursor = [], None
        while True:
            r = client.users_list(limit=200, cursor=cursor)
            seen += [m["id"] for m in r["members"]]
            cursor = r["response_metadata"]["next_cursor"]
            if not cursor:
                break
        assert sorted(seen) == sorted(users) and len(slack.calls("users.list")) == 3


def test_the_pacer_lets_a_burst_through_then_one_post_per_channel_per_second():
    now = [0.0]
    pacer = Pacer(channel=(1.0, 3), workspace=(100.0, 100), margin=1.0, monotonic=lambda: now[0])
    assert pacer.acquire("C1") and pacer.acquire("C1"), "a burst of 3 leaves 2 for the client"
    assert not pacer.ready("C1") and pacer.ready("C2")
    now[0] += 1.0
    assert pacer.ready("C1")


def test_the_pacer_holds_the_workspace_to_its_rate_across_channels():
    now = [0.0]
    pacer = Pacer(channel=(1.0, 5), workspace=(2.0, 2), margin=1.0, monotonic=lambda: now[0])
    stopped = threading.Event()
    stopped.set()  # acquire() answers False instead of waiting
    assert pacer.acquire("C1", stopped)
    assert not pacer.acquire("C2", stopped), "the workspace's burst is spent, whatever the channel"
    now[0] += 0.5
    assert pacer.acquire("C2", stopped), "half a second at 2/s earns one post"


def test_the_quick_bench_runs_end_to_end_and_writes_its_report(tmp_path):
    out = tmp_path / "performance.md"
    r = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--duration", "0.3", "--concurrency", "2", "--burst", "3",
         "--members", "12", "--teams", "2", "--window", "1", "--out", str(out)],
        capture_output=True, text=True, timeout=240,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    report = out.read_text()
    for heading in ("## 1. Ack latency and throughput", "## 2. Burst", "## 3. Reminder fan-out"):
        assert heading in report
    assert "| bare | /topic | 2 |" in report and "| opsbot SQLite | Approve | 2 |" in report
    assert "| SQLite | ✅" in report, "the job's statements per team did not depend on the team's size"


def test_the_stand_in_limits_each_workspace_by_its_tokens_workspace():
    with SlackStandIn(workspace_limits={"chat.postMessage": (0.5, 2)}) as slack:
        for team in ("T0A", "T0B"):
            slack.add_workspace(team, team)
            slack.register_token(team, f"xoxb-{team}")
        a, b = (WebClient(token=f"xoxb-{t}", base_url=slack.api_url) for t in ("T0A", "T0B"))
        assert a.chat_postMessage(channel="C1", text="1")["ok"] and a.chat_postMessage(channel="C2", text="2")["ok"]
        with pytest.raises(SlackApiError) as e:
            a.chat_postMessage(channel="C3", text="one too many for T0A")
        assert e.value.response.status_code == 429
        assert b.chat_postMessage(channel="C3", text="T0B has a bucket of its own")["ok"]
        assert b.auth_test()["team_id"] == "T0B"


def test_the_workspaces_bench_delivers_every_reminder_once_with_its_own_workspaces_token(tmp_path):
    out, figures = tmp_path / "performance.md", tmp_path / "workspaces.json"
    r = subprocess.run(
        [sys.executable, "-m", "bench", "--suites", "workspaces", "--workspaces", "3", "--members", "2",
         "--duration", "0.3", "--ws-concurrency", "2", "--ws-repeat", "2", "--out", str(out), "--json", str(figures)],
        capture_output=True, text=True, timeout=300,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    data = json.loads(figures.read_text())
    (fan,) = data["fanout"]
    assert fan["workspaces"] == 3 and fan["members"] == 2
    assert fan["sent"] == 6 and fan["delivered"] == 6 and fan["undelivered"] == 0
    assert fan["duplicates"] == 0 and fan["wrong_workspace"] == 0
    assert fan["rss_mb"] > 0 and fan["allowed_rate"] > 0
    assert fan["replicas"] == 1 and fan["ceiling"] > 0, "the bare client's rate, measured in the same run"
    assert len(fan["rates"]) == 2 and fan["rate"] in fan["rates"], "two runs, the median's rate among them"
    assert data["ack"]["workspaces"] == 3 and data["ack"]["one"]["count"] > 0 and data["ack"]["many"]["count"] > 0
    assert data["ack"]["one"]["errors"] == data["ack"]["many"]["errors"] == 0
    assert {t["target"] for t in data["targets"]} >= {"duplicates (SQLite)", "wrong workspace (SQLite)",
                                                       "peak RSS (SQLite)", "ack p99, 3 ÷ 1 installation"}
    report = out.read_text()
    assert "## 4. Many workspaces" in report and "| duplicates (SQLite) | 0 | 0 | PASS |" in report
    assert "| wrong workspace (SQLite) | 0 | 0 | PASS |" in report
    assert "bare ceiling/s" in report
    assert "(median of 2 runs: " in report


def test_the_latency_bench_delivers_every_reminder_once_before_and_now():
    r = subprocess.run([sys.executable, "-m", "bench.latency", "--workspaces", "6", "--members", "2", "--latency", "60"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    rows = [line.split("|")[1:-1] for line in r.stdout.splitlines()
            if line.startswith("| ") and not line.startswith(("| outbox", "| ---"))]
    assert len(rows) == 2, r.stdout
    for cells in rows:
        duplicates, undelivered = int(cells[4]), int(cells[5])
        assert duplicates == 0 and undelivered == 0, cells
    assert float(rows[0][3]) == 1.0, "the baseline is the first row"
