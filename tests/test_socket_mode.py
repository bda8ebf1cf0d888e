"""``opsbot serve`` in Socket Mode (docs/PRODUCT.md §4), end to end and offline.

A real ``opsbot serve`` process with ``SLACK_APP_TOKEN`` set asks the Web API
stand-in for a WebSocket URL (``apps.connections.open``, with the app-level
token), connects to the Socket Mode stand-in, and from then on gets its slash
commands, clicks and events as envelopes on that socket and answers them with
acks, while its outbox still delivers through the Web API and ``/healthz``
still answers over HTTP. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from bot import __version__
from bot.devtools.ports import listen_port
from bot.devtools.slack_standin import Call, SlackStandIn
from bot.devtools.socket_standin import (
    OP_CLOSE,
    OP_CONTINUATION,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    SocketModeStandIn,
    encode_frame,
)
from storage.db import make_engine, make_session_factory, transaction
from storage.models import InboxRequest
from storage.topics import Topic
from tests.conftest import ALICE, CHANNEL, LEAD, TEAMS, USERS
from tests.helpers import all_text, button, buttons, wait_until_serving
from tests.support.blockkit import validate_call

ROOT = Path(__file__).resolve().parent.parent
APP_TOKEN, BOT_TOKEN = "xapp-test", "xoxb-test"
# Settings (and proxies: slack_sdk's socket client honours HTTPS_PROXY) that
# the test process may carry and that must not leak into the server.
SCRUB = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "DATABASE_URL",
         "OPSBOT_TEAMS_FILE", "PORT", "LOG_LEVEL", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy",
         "ALL_PROXY", "all_proxy")


@dataclass
class Served:
    proc: subprocess.Popen
    port: int
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def healthz(self) -> tuple[int, dict[str, Any]]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as r:
            return r.status, json.loads(r.read())

    def wait_healthy(self, timeout: float = 20) -> tuple[int, dict[str, Any]]:
        return wait_until_serving(self.proc, self.healthz, self.output, timeout)


@pytest.fixture
def web() -> Iterator[SlackStandIn]:
    with SlackStandIn(users=USERS) as slack:
        yield slack


@pytest.fixture
def wss(web: SlackStandIn) -> Iterator[SocketModeStandIn]:
    with SocketModeStandIn() as sock:
        web.on("apps.connections.open", sock.connections_open)
        yield sock


@pytest.fixture
def served(tmp_path: Path, web: SlackStandIn, wss: SocketModeStandIn, sqlite_url: str) -> Iterator[Served]:
    """``opsbot serve`` in Socket Mode; killed at the end whatever happened."""
    teams = tmp_path / "teams.yaml"
    teams.write_text(yaml.safe_dump(TEAMS), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in SCRUB}
    port = listen_port()
    env.update({
        "SLACK_APP_TOKEN": APP_TOKEN, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": web.api_url, "DATABASE_URL": sqlite_url, "OPSBOT_TEAMS_FILE": str(teams),
        "PORT": str(port), "LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1",
    })
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"], cwd=ROOT,
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield Served(proc, port, log)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


def slash_command(web: SlackStandIn, user: str, text: str, channel: str) -> dict[str, Any]:
    """A ``slash_commands`` envelope payload: the command's form fields, as Slack sends them."""
    return {
        "token": "legacy", "team_id": "T0TEAM", "team_domain": "demo", "channel_id": channel,
        "channel_name": "growth", "user_id": user, "user_name": user.lower(), "command": "/topic",
        "text": text, "api_app_id": "A0OPSBOT", "is_enterprise_install": "false",
        "response_url": web.new_response_url(), "trigger_id": "1.socket",
    }


def click(web: SlackStandIn, user: str, action_id: str, value: str, message: Call) -> dict[str, Any]:
    """An ``interactive`` envelope payload: ``user`` pressed a button on ``message`` (as rig.click builds it)."""
    channel = message.response["channel"]
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM"},
        "api_app_id": "A0OPSBOT",
        "team": {"id": "T0TEAM", "domain": "demo"},
        "container": {"type": "message", "message_ts": message.response["ts"], "channel_id": channel},
        "trigger_id": "2.socket",
        "channel": {"id": channel, "name": "growth"},
        "message": {"ts": message.response["ts"], "text": message.params.get("text"),
                    "blocks": message.params.get("blocks")},
        "response_url": web.new_response_url(),
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value,
                     "action_ts": f"{time.time():.6f}"}],
    }


def app_home_opened(user: str) -> dict[str, Any]:
    """An ``events_api`` envelope payload."""
    return {
        "token": "legacy", "team_id": "T0TEAM", "api_app_id": "A0OPSBOT", "type": "event_callback",
        "event_id": "Ev0SOCKET1", "event_time": int(time.time()),
        "event": {"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home",
                  "event_ts": f"{time.time():.6f}"},
    }


def test_serve_with_an_app_token_works_in_socket_mode(served: Served, web: SlackStandIn,
                                                      wss: SocketModeStandIn) -> None:
    # /healthz answers only after socket_mode.connect() returned.
    status, health = served.wait_healthy()
    assert status == 200, served.output()
    assert health["version"] == __version__ and health["database"] == "ok"

    # The WebSocket URL came from apps.connections.open, asked with the
    # app-level token (the Authorization header), never the bot token.
    [opened] = web.calls("apps.connections.open", ok_only=False)
    assert opened.ok and opened.token == APP_TOKEN
    conn = wss.wait_for_connection(timeout=5)
    assert conn.ticket and conn.ticket in opened.response["url"]
    assert [m["type"] for m in wss.sent()] == ["hello"]
    assert "connected to Slack in Socket Mode" in served.output()

    # /topic, as a slash_commands envelope: acknowledged at once, decided by
    # the inbox worker, answered through the command's response_url.
    eid = wss.send_envelope("slash_commands", slash_command(web, ALICE, "Socket idea", CHANNEL))
    ack = wss.wait_for_ack(eid, timeout=10)
    assert not ack.get("payload"), ack

    def answers(calls: list[Call]) -> list[Call]:
        return [c for c in calls if c.method == "response_url" and "Socket idea" in str(c.params.get("text"))]

    [reply] = answers(web.wait_for(answers, timeout=10))
    answer = reply.params
    assert answer["response_type"] == "ephemeral", answer
    assert "Topic #1" in answer["text"] and "Socket idea" in answer["text"] and "Growth" in answer["text"]
    assert "1 / 3 this week" in answer["text"]
    validate_call(SimpleNamespace(method="response_url", params=answer))

    # The outbox worker posts the approval card through the Web API.
    def card_posted(calls: list[Call]) -> bool:
        return any(c.method == "chat.postMessage" and c.ok and c.params.get("channel") == CHANNEL
                   and "Socket idea" in all_text(c.params) for c in calls)

    web.wait_for(card_posted, timeout=10)
    [card] = [c for c in web.messages_to(CHANNEL) if "Socket idea" in all_text(c.params)]
    assert buttons(card.params) == ["Approve", "Reject"]

    # The lead presses Approve: an interactive envelope, acked without a payload.
    approve = button(card.params, "Approve")["value"]
    assert approve == "1"
    eid = wss.send_envelope("interactive", click(web, LEAD, "topic_approve", approve, card))
    assert wss.wait_for_ack(eid, timeout=10) == {"envelope_id": eid}

    def card_decided(calls: list[Call]) -> bool:
        return any(c.method == "chat.update" and c.ok and c.params.get("ts") == card.response["ts"]
                   and not buttons(c.params) for c in calls)

    web.wait_for(card_decided, timeout=10)
    updated = [c for c in web.calls("chat.update") if c.params.get("ts") == card.response["ts"]][-1]
    assert "Approved by Lena Lead" in all_text(updated.params)

    # An Events API envelope: Alice opens the App Home, which gets published.
    eid = wss.send_envelope("events_api", app_home_opened(ALICE))
    assert wss.wait_for_ack(eid, timeout=10) == {"envelope_id": eid}
    web.wait_for(lambda calls: any(c.method == "views.publish" and c.ok and c.params.get("user_id") == ALICE
                                   for c in calls), timeout=10)

    # Still serving HTTP for the load balancer's health check.
    assert served.healthz()[0] == 200

    served.proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    try:
        code = served.proc.wait(10)
    except subprocess.TimeoutExpired:
        pytest.fail(f"serve was still running 10 s after SIGTERM:\n{served.output()}")
    assert time.monotonic() - started < 10
    assert code == 0, served.output()
    wss.wait(lambda: not conn.open, timeout=5, what="closed connection")
    assert "Traceback" not in served.output(), served.output()

    # Every envelope was acked exactly once; only the app token opened the socket,
    # and every Web API call after it used the bot token.
    acked = [a["envelope_id"] for a in wss.acks()]
    assert len(acked) == len(set(acked)) == 3, wss.dump()
    assert len(wss.connections()) == 1, wss.dump()
    # (The upload URL of files upload v2 takes the bytes with no token, as at Slack: a scheduled
    # post with a chart, caught up at start on some days of the week, uploads one.)
    for call in web.all_calls():
        if call.method not in ("apps.connections.open", "response_url", "file.upload"):
            assert call.token == BOT_TOKEN, web.dump([call])
        if call.ok:
            validate_call(call)


# -- the stand-in itself, at the protocol level -----------------------------------


class RawClient:
    """Just enough of a WebSocket client to poke the stand-in's edges."""

    def __init__(self, url: str, *, key: str = "dGhlIHNhbXBsZSBub25jZQ==") -> None:
        split = urllib.parse.urlsplit(url)
        self.sock = socket.create_connection((split.hostname, split.port), timeout=5)
        self.sock.sendall((f"GET {split.path}?{split.query} HTTP/1.1\r\nHost: {split.hostname}\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            self.buf += chunk
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        self.status_line, *lines = head.decode().split("\r\n")
        self.headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines)}

    def send(self, opcode: int, payload: bytes, *, fin: bool = True, masked: bool = True) -> None:
        self.sock.sendall(encode_frame(opcode, payload, fin=fin, mask=b"\x01\x02\x03\x04" if masked else None))

    def recv(self) -> tuple[int, bytes]:
        def need(n: int) -> bytes:
            while len(self.buf) < n:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise EOFError
                self.buf += chunk
            out, self.buf = self.buf[:n], self.buf[n:]
            return out

        b1, b2 = need(2)
        assert not b2 & 0x80, "server frames are never masked"
        n = b2 & 0x7F
        if n == 126:
            (n,) = struct.unpack("!H", need(2))
        elif n == 127:
            (n,) = struct.unpack("!Q", need(8))
        return b1 & 0x0F, need(n)

    def recv_json(self) -> dict[str, Any]:
        opcode, data = self.recv()
        assert opcode == OP_TEXT, (opcode, data)
        return json.loads(data)


def test_sigterm_finishes_a_command_in_flight_and_sends_its_ack(served: Served, web: SlackStandIn,
                                                                wss: SocketModeStandIn, sqlite_url: str) -> None:
    served.wait_healthy()
    wss.wait_for_connection(timeout=5)

    def slow_auth_test(params: dict[str, Any]) -> dict[str, Any]:
        time.sleep(3)  # the first command waits on auth.test while SIGTERM arrives
        return {"ok": True, "team_id": "T0TEAM", "user_id": "U0BOT", "bot_id": "B0BOT"}

    web.on("auth.test", slow_auth_test)
    eid = wss.send_envelope("slash_commands", slash_command(web, ALICE, "Inflight idea", CHANNEL))
    time.sleep(0.5)
    served.proc.send_signal(signal.SIGTERM)
    ack = wss.wait_for_ack(eid, timeout=10)
    assert not ack.get("payload"), ack
    assert served.proc.wait(10) == 0, served.output()
    # Acknowledged means kept: decided before the exit, or by the next start.
    engine = make_engine(sqlite_url)
    try:
        with transaction(make_session_factory(engine)) as s:
            [taken] = s.scalars(select(InboxRequest)).all()
            titles = list(s.scalars(select(Topic.title)))
    finally:
        engine.dispose()
    assert taken.payload["title"] == "Inflight idea"
    assert titles == (["Inflight idea"] if taken.status == "done" else []), (taken.status, titles)


def test_the_socket_standin_speaks_rfc_6455_and_slacks_envelopes() -> None:
    with SocketModeStandIn() as wss:
        url = wss.new_url()
        c = RawClient(url)
        # RFC 6455 §1.3's worked example.
        assert c.status_line == "HTTP/1.1 101 Switching Protocols"
        assert c.headers["sec-websocket-accept"] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        assert c.recv_json()["type"] == "hello"

        # A URL works once, like Slack's; a made-up one never.
        assert RawClient(url).status_line.startswith("HTTP/1.1 401")
        assert RawClient(url.replace("ticket=", "ticket=x")).status_line.startswith("HTTP/1.1 401")

        c.send(OP_PING, b"p1")
        assert c.recv() == (OP_PONG, b"p1")

        big = {"text": "x" * 70_000}
        eid = wss.send_envelope("slash_commands", big)
        env = c.recv_json()
        assert env == {"envelope_id": eid, "type": "slash_commands", "payload": big, "accepts_response_payload": True}
        ack = json.dumps({"envelope_id": eid, "payload": {"text": "ok"}}).encode()
        c.send(OP_TEXT, ack[:10], fin=False)  # fragmented, with a ping in between
        c.send(OP_PING, b"")
        c.send(OP_CONTINUATION, ack[10:])
        assert c.recv() == (OP_PONG, b"")
        assert wss.wait_for_ack(eid, timeout=2) == {"envelope_id": eid, "payload": {"text": "ok"}}
        eid = wss.send_envelope("events_api", {"type": "event_callback"})
        assert c.recv_json()["accepts_response_payload"] is False
        with pytest.raises(AssertionError, match="no ack"):
            wss.wait_for_ack(eid, timeout=0.2)

        # A client that closes gets its close frame echoed.
        c.send(OP_CLOSE, struct.pack("!H", 1000) + b"bye")
        assert c.recv() == (OP_CLOSE, struct.pack("!H", 1000))
        first = wss.connections()[0]
        wss.wait(lambda: not first.open, timeout=2, what="close")
        assert (first.close_code, first.close_reason, first.closed_by) == (1000, "bye", "client")

        # An unmasked client frame is a protocol error (1002).
        c2 = RawClient(wss.new_url())
        c2.recv_json()
        c2.send(OP_TEXT, b"{}", masked=False)
        opcode, data = c2.recv()
        assert (opcode, struct.unpack("!H", data[:2])[0]) == (OP_CLOSE, 1002)
        wss.wait(lambda: wss.current() is None, timeout=2, what="protocol-error close")
        assert (wss.connections()[-1].close_code, wss.connections()[-1].closed_by) == (1002, "server")
