"""``opsbot serve`` as an operator runs it: a real process, HTTP mode, with
its Web API pointed at the local Slack stand-in (docs/PRODUCT.md §4)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import select

from bot import __version__
from bot.devtools.slack_standin import SlackStandIn
from storage.db import make_engine, make_session_factory, transaction
from storage.topics import Topic
from tests.conftest import ALICE, CHANNEL, LEAD, USERS
from tests.helpers import wait_until_serving

ROOT = Path(__file__).resolve().parent.parent
SECRET = "secret"
TEAMS = {"admins": ["U0ADMIN"], "teams": [{
    "name": "Growth", "channel": CHANNEL, "timezone": "Asia/Shanghai", "country": "CN", "locale": "en",
    "supervisors": [LEAD], "members": [ALICE],
}]}
# Settings the test process may carry that must not leak into the server.
SCRUB = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "DATABASE_URL",
         "OPSBOT_TEAMS_FILE", "PORT", "LOG_LEVEL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Reply:
    status: int
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Served:
    proc: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def get(self, path: str) -> Reply:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as r:
                return Reply(r.status, r.read())
        except urllib.error.HTTPError as e:
            return Reply(e.code, e.read())

    def post(self, body: str, headers: dict[str, str]) -> Reply:
        req = urllib.request.Request(self.url + "/slack/events", data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded", **headers})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return Reply(r.status, r.read())
        except urllib.error.HTTPError as e:
            return Reply(e.code, e.read())

    def wait_healthy(self, timeout: float = 20) -> Reply:
        return wait_until_serving(self.proc, lambda: self.get("/healthz"), self.output, timeout)


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn(users=USERS) as slack:
        yield slack


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Start ``opsbot serve`` with the given environment; always killed at the end."""
    procs: list[subprocess.Popen] = []
    teams = tmp_path / "teams.yaml"
    teams.write_text(yaml.safe_dump(TEAMS), encoding="utf-8")

    def start(**env: str) -> Served:
        port = free_port()
        full = {k: v for k, v in os.environ.items() if k not in SCRUB}
        full.update({"PORT": str(port), "OPSBOT_TEAMS_FILE": str(teams), "PYTHONUNBUFFERED": "1"})
        full.update(env)
        full = {k: v for k, v in full.items() if v is not None}
        log = tmp_path / f"serve-{len(procs)}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"], cwd=ROOT,
                                    env=full, stdout=out, stderr=subprocess.STDOUT)
        procs.append(proc)
        return Served(proc, port, log)

    yield start
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait(10)


def signed(body: str, *, secret: str = SECRET) -> dict[str, str]:
    ts = str(int(time.time()))
    return {"X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)}


def slash_command(standin: SlackStandIn, user: str, text: str, channel: str) -> str:
    return urllib.parse.urlencode({
        "token": "legacy", "team_id": "T0TEAM", "team_domain": "demo", "channel_id": channel,
        "channel_name": "growth", "user_id": user, "user_name": user.lower(), "command": "/topic",
        "text": text, "api_app_id": "A0OPSBOT", "response_url": standin.new_response_url(),
        "trigger_id": "1.serve",
    })


def stored_titles(database_url: str) -> list[str]:
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as s:
            return list(s.scalars(select(Topic.title)))
    finally:
        engine.dispose()


def test_serve_answers_slack_delivers_the_card_and_stops_cleanly_on_sigterm(serve, standin, database_url):
    server = serve(
        SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SECRET, DATABASE_URL=database_url,
        # No trailing slash: it must work either way.
        SLACK_API_URL=standin.api_url.rstrip("/"),
    )
    health = server.wait_healthy()
    assert health.status == 200, server.output()
    body = health.json()
    assert body["version"] == __version__
    assert body["database"] == "ok"
    assert body["scheduler"] in {"leader", "follower"}
    leader = body["scheduler"] == "leader"

    body = slash_command(standin, ALICE, "Hello from serve", CHANNEL)
    reply = server.post(body, signed(body))
    assert (reply.status, reply.body) == (200, b""), server.output()
    # The inbox worker decides the proposal after the ack; its confirmation
    # comes back through the command's response_url.
    def answers(calls):
        return [c for c in calls if c.method == "response_url" and "Hello from serve" in str(c.params.get("text"))]

    [answer] = answers(standin.wait_for(answers, timeout=10))
    assert answer.params["response_type"] == "ephemeral" and "Growth" in answer.params["text"]

    # The background outbox worker posts the approval card to the team channel.
    standin.wait_for(lambda calls: any(
        c.method == "chat.postMessage" and c.ok and c.params.get("channel") == CHANNEL
        and "Hello from serve" in json.dumps(c.params, ensure_ascii=False) for c in calls), timeout=10)

    unsigned = slash_command(standin, ALICE, "Sneaky", CHANNEL)
    assert server.post(unsigned, {}).status == 401
    assert server.post(unsigned, signed(unsigned, secret="not-the-secret")).status == 401

    server.proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    try:
        code = server.proc.wait(10)
    except subprocess.TimeoutExpired:
        pytest.fail(f"serve was still running 10 s after SIGTERM:\n{server.output()}")
    assert time.monotonic() - started < 10
    # uvicorn finishes in-flight requests, then opsbot stops its scheduler and
    # worker and exits 0 (uvicorn alone would re-raise SIGTERM and skip that).
    assert code == 0, server.output()
    if leader:
        assert "Scheduler has been shut down" in server.output()
    assert stored_titles(database_url) == ["Hello from serve"]


def test_serve_without_a_signing_secret_refuses_to_start_and_names_it(serve, standin, sqlite_url):
    server = serve(SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=standin.api_url, DATABASE_URL=sqlite_url)
    try:
        code = server.proc.wait(30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"serve kept running without SLACK_SIGNING_SECRET:\n{server.output()}")
    assert code != 0
    assert "SLACK_SIGNING_SECRET" in server.output()
    assert "Traceback" not in server.output()
