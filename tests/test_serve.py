"""``opsbot serve`` as an operator runs it: a real process, HTTP mode, with
its Web API pointed at the local Slack stand-in (docs/PRODUCT.md §4)."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
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
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from bot import __version__
from bot.devtools.ports import listen_port
from bot.devtools.slack_standin import SlackStandIn
from storage.db import make_engine, make_session_factory, normalize_url, transaction
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
        port = listen_port()
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


def test_serve_starts_without_a_teams_file(serve, standin, sqlite_url):
    """Teams can be set up in Slack (or with `opsbot teams apply`): OPSBOT_TEAMS_FILE is optional."""
    server = serve(SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=standin.api_url,
                   DATABASE_URL=sqlite_url, OPSBOT_TEAMS_FILE=None)
    health = server.wait_healthy()
    assert health.status == 200, server.output()
    assert health.json()["database"] == "ok"
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(10) == 0, server.output()
    assert "Traceback" not in server.output()


# -- replicas starting together -----------------------------------------------------------------


class Launcher:
    """``tests/support/replicas.py`` running: starts replicas of ``opsbot serve`` at one instant."""

    def __init__(self) -> None:
        env = {k: v for k, v in os.environ.items() if k not in SCRUB}
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.support.replicas"], cwd=ROOT, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.lines: queue.Queue[dict] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        assert self._next(60) == {"ready": True}
        self.exited: dict[int, int] = {}

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(json.loads(line))

    def _next(self, timeout: float) -> dict:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"the replica launcher said nothing for {timeout} s")

    def start(self, specs: list[dict]) -> list[int]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(specs) + "\n")
        self.proc.stdin.flush()
        return self._next(30)["pids"]

    def poll(self) -> None:
        """Take in the exits reported so far."""
        while True:
            try:
                msg = self.lines.get_nowait()
            except queue.Empty:
                return
            if "pid" in msg:
                self.exited[msg["pid"]] = msg["code"]

    def wait_round(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            msg = self._next(max(0.1, deadline - time.monotonic()))
            if "pid" in msg:
                self.exited[msg["pid"]] = msg["code"]
            if msg.get("round") == "done":
                return

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def launcher() -> Iterator[Launcher]:
    started = Launcher()
    try:
        yield started
    finally:
        started.close()


def _healthz(port: int) -> Reply:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
        return Reply(r.status, r.read())


def _wait_healthy(launcher: Launcher, pid: int, port: int, log: Path, timeout: float = 60) -> Reply:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        launcher.poll()
        if pid in launcher.exited:
            pytest.fail(f"a replica exited with {launcher.exited[pid]} before answering /healthz:\n"
                        f"{log.read_text(errors='replace')}")
        try:
            return _healthz(port)
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"a replica did not answer /healthz within {timeout} s:\n{log.read_text(errors='replace')}")


REPLICAS, ROUNDS = 3, 10


def test_three_replicas_started_at_once_on_a_fresh_postgres_all_come_up(postgres_server_url, standin, launcher,
                                                                        tmp_path):
    teams = tmp_path / "teams.yaml"
    teams.write_text(yaml.safe_dump(TEAMS), encoding="utf-8")
    server = make_url(normalize_url(postgres_server_url))
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        for round_ in range(ROUNDS):
            name = f"opsbot_replicas_{round_}"
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
                conn.execute(text(f"CREATE DATABASE {name}"))
            url = server.set(database=name).render_as_string(hide_password=False)
            ports = [listen_port() for _ in range(REPLICAS)]
            logs = [tmp_path / f"round-{round_}-replica-{i}.log" for i in range(REPLICAS)]
            pids = launcher.start([{"log": str(log), "env": {
                "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": standin.api_url,
                "DATABASE_URL": url, "OPSBOT_TEAMS_FILE": str(teams), "PORT": str(port), "PYTHONUNBUFFERED": "1",
            }} for port, log in zip(ports, logs, strict=True)])

            health = [_wait_healthy(launcher, pid, port, log) for pid, port, log in zip(pids, ports, logs, strict=True)]
            assert [(h.status, h.json()["database"]) for h in health] == [(200, "ok")] * REPLICAS
            assert [h.json()["scheduler"] for h in health].count("leader") <= 1

            for pid in pids:
                os.kill(pid, signal.SIGTERM)
            launcher.wait_round(30)
            codes = {pid: launcher.exited.get(pid) for pid in pids}
            assert set(codes.values()) == {0}, (codes, *(log.read_text(errors="replace") for log in logs))

            # The migrations and the teams file were applied once: one team, its people once each.
            engine = make_engine(url)
            try:
                with engine.connect() as conn:
                    assert conn.execute(text("SELECT name FROM teams")).scalars().all() == ["Growth"]
                    assert conn.execute(text("SELECT user_id, role FROM memberships ORDER BY role")).all() == [
                        (ALICE, "member"), (LEAD, "supervisor")]
                    assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
            finally:
                engine.dispose()
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE {name}"))
    finally:
        admin.dispose()
