"""HTTP mode refuses a request body over ``bot.web.MAX_BODY_BYTES`` with 413
before reading it whole: spoken over a raw socket to the real app the rig
serves, so that the test controls exactly what has been sent when the answer
comes."""

from __future__ import annotations

import socket
import urllib.parse

from sqlalchemy import func, select

from bot.web import MAX_BODY_BYTES
from storage.db import transaction
from storage.models import InboxRequest
from storage.topics import Topic
from tests.conftest import ALICE, CHANNEL
from tests.helpers import all_text, cards

CHUNK = 64 * 1024


def command_body(rig, title: str, padding: int = 0) -> str:
    """A signed-able ``/topic`` command; ``padding`` bytes in a field Bolt ignores."""
    fields = {
        "token": "legacy", "team_id": "T0TEAM", "team_domain": "demo", "channel_id": CHANNEL,
        "channel_name": "growth", "user_id": ALICE, "user_name": "alice", "command": "/topic", "text": title,
        "api_app_id": "A0OPSBOT", "response_url": rig.slack.new_response_url(), "trigger_id": "1.limits",
    }
    if padding:
        fields["padding"] = "x" * padding
    return urllib.parse.urlencode(fields)


def head(rig, body: str, framing: dict[str, str]) -> bytes:
    headers = {"Host": f"127.0.0.1:{rig.port}", "Content-Type": "application/x-www-form-urlencoded",
               **rig.sign(body), **framing}
    lines = ["POST /slack/events HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode()


def chunked(data: bytes) -> list[bytes]:
    return [b"%x\r\n%s\r\n" % (len(data[i:i + CHUNK]), data[i:i + CHUNK]) for i in range(0, len(data), CHUNK)]


def answer(sock: socket.socket) -> tuple[int, bytes]:
    """The status and body of the one response on ``sock`` (read until it closes)."""
    sock.settimeout(10)
    data = b""
    while True:
        try:
            got = sock.recv(65536)
        except TimeoutError:
            break
        if not got:
            break
        data += got
        head_, _, rest = data.partition(b"\r\n\r\n")
        length = next((int(line.split(b":", 1)[1]) for line in head_.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), None)
        if length is not None and len(rest) >= length:
            break
    status_line, _, rest = data.partition(b"\r\n")
    assert status_line, "the server closed the connection without answering"
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def nothing_happened(rig) -> None:
    """What Bolt would have done with the command, had it been dispatched, did not happen."""
    rig.decide()
    rig.deliver()
    with transaction(rig.app.db) as s:
        assert s.scalar(select(func.count()).select_from(Topic)) == 0
        assert s.scalar(select(func.count()).select_from(InboxRequest)) == 0
    assert [c for c in rig.slack.all_calls() if c.method not in ("auth.test", "users.info")] == []


def test_an_oversize_body_with_a_content_length_is_refused_with_413_before_it_is_sent(rig):
    body = command_body(rig, "Too big to read", padding=MAX_BODY_BYTES)
    assert len(body) > MAX_BODY_BYTES
    with socket.create_connection(("127.0.0.1", rig.port)) as sock:
        # Only the head: the answer must come without the server waiting for a byte of the body.
        sock.sendall(head(rig, body, {"Content-Length": str(len(body))}))
        status, text = answer(sock)
    assert status == 413
    assert b"too large" in text
    nothing_happened(rig)


def test_an_oversize_chunked_body_is_refused_with_413_as_soon_as_it_passes_the_limit(rig):
    body = command_body(rig, "Too big to stream", padding=MAX_BODY_BYTES)
    parts = chunked(body.encode())
    # Send just past the limit and never the closing chunk: a server that read
    # the body whole would still be waiting.
    sent, count = 0, 0
    while sent <= MAX_BODY_BYTES:
        sent += CHUNK
        count += 1
    with socket.create_connection(("127.0.0.1", rig.port)) as sock:
        sock.sendall(head(rig, body, {"Transfer-Encoding": "chunked"}))
        for part in parts[:count]:
            sock.sendall(part)
        status, text = answer(sock)
    assert status == 413
    assert b"too large" in text
    nothing_happened(rig)


def test_a_normal_signed_command_sent_chunked_is_still_answered_and_posts_its_card(rig):
    body = command_body(rig, "Small enough to read")
    with socket.create_connection(("127.0.0.1", rig.port)) as sock:
        sock.sendall(head(rig, body, {"Transfer-Encoding": "chunked"}) + b"".join(chunked(body.encode()))
                     + b"0\r\n\r\n")
        status, _ = answer(sock)
    assert status == 200
    rig.decide()
    rig.deliver()
    with transaction(rig.app.db) as s:
        assert s.scalars(select(Topic.title)).all() == ["Small enough to read"]
    assert any("Small enough to read" in all_text(c.params) for c in cards(rig.slack.calls(), CHANNEL))

    # And one with a Content-Length, the way Slack sends them, next to the refused ones.
    reply = rig.command(ALICE, "/topic", "Sent the usual way", channel=CHANNEL)
    assert reply.status == 200 and "Sent the usual way" in reply.json()["text"]
