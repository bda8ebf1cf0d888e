"""A local stand-in for Slack's Socket Mode WebSocket endpoint.

The companion of :mod:`bot.devtools.slack_standin`: Slack's Web API method
``apps.connections.open`` hands an app a one-time ``wss://`` URL; the app
connects to it, Slack says ``hello`` and then pushes *envelopes* (slash
commands, interactivity, Events API), which the app acknowledges by sending
``{"envelope_id": ..., "payload": ...}`` back over the same socket.

This is a minimal RFC 6455 server (stdlib only: ``socket`` + ``threading``)
bound to 127.0.0.1 that does exactly that, over plain ``ws://`` (slack_sdk's
built-in client speaks plain TCP to any port other than 443). It handles the
opening handshake (``Sec-WebSocket-Accept``), masked client frames and
fragmentation, unmasked server frames, ping/pong and the closing handshake,
and it records every message a client sends.

Stdlib only; no test framework imports.

Typical use, with the Web API stand-in issuing the URL::

    with SlackStandIn() as web, SocketModeStandIn() as sock:
        web.on("apps.connections.open", sock.connections_open)
        ...  # start the app with SLACK_APP_TOKEN and SLACK_API_URL=web.api_url
        sock.wait_for_connection(timeout=10)
        eid = sock.send_envelope("slash_commands", {"command": "/topic", "text": "hi", ...})
        ack = sock.wait_for_ack(eid, timeout=5)  # {"envelope_id": eid, "payload": {...}}
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["Connection", "Received", "SocketModeStandIn"]

# RFC 6455 §1.3
_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_MAX_HANDSHAKE = 16 * 1024
_MAX_MESSAGE = 16 * 1024 * 1024

OP_CONTINUATION, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA
_OPCODE_NAMES = {OP_CONTINUATION: "continuation", OP_TEXT: "text", OP_BINARY: "binary",
                 OP_CLOSE: "close", OP_PING: "ping", OP_PONG: "pong"}

# Envelope types Slack expects a response payload for (the ack may carry one).
_ACCEPTS_RESPONSE_PAYLOAD = {"slash_commands"}
_INTERACTIVE_ACCEPTING = {"view_submission", "block_suggestion"}


def accept_key(key: str) -> str:
    """The ``Sec-WebSocket-Accept`` value for a client's ``Sec-WebSocket-Key``."""
    return base64.b64encode(hashlib.sha1((key + _GUID).encode("ascii")).digest()).decode("ascii")


def encode_frame(opcode: int, payload: bytes, *, fin: bool = True, mask: bytes | None = None) -> bytes:
    """One frame. Servers send unmasked frames (``mask=None``); clients must mask."""
    b1 = (0x80 if fin else 0) | opcode
    n = len(payload)
    mask_bit = 0x80 if mask is not None else 0
    if n <= 125:
        header = struct.pack("!BB", b1, mask_bit | n)
    elif n <= 0xFFFF:
        header = struct.pack("!BBH", b1, mask_bit | 126, n)
    else:
        header = struct.pack("!BBQ", b1, mask_bit | 127, n)
    if mask is None:
        return header + payload
    return header + mask + _unmask(payload, mask)


def _unmask(data: bytes, mask: bytes) -> bytes:
    if not data:
        return data
    key = int.from_bytes((mask * (len(data) // 4 + 1))[: len(data)], "big")
    return (int.from_bytes(data, "big") ^ key).to_bytes(len(data), "big")


class _ProtocolError(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass
class Received:
    """One message a client sent: a text message (``data`` is the decoded JSON,
    or the raw text if it is not JSON), or a control frame."""

    connection: int
    opcode: str
    data: Any
    at: float = field(default_factory=time.monotonic)

    @property
    def envelope_id(self) -> str | None:
        return self.data.get("envelope_id") if isinstance(self.data, dict) else None


@dataclass
class Connection:
    """One accepted WebSocket connection (or a refused handshake)."""

    id: int
    path: str
    headers: dict[str, str]
    ticket: str | None
    accepted: bool
    opened_at: float = field(default_factory=time.monotonic)
    closed_at: float | None = None
    # The close code the client sent, 1006 if it dropped the TCP connection, or
    # the code this server closed with.
    close_code: int | None = None
    close_reason: str = ""
    closed_by: str | None = None  # "client", "server" or "eof"
    sock: socket.socket | None = field(default=None, repr=False)
    # Bytes read past the handshake request: the start of the first frame.
    buffer: bytes = field(default=b"", repr=False)
    send_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def open(self) -> bool:
        return self.accepted and self.closed_at is None


class SocketModeStandIn:
    """A threaded WebSocket server on 127.0.0.1 that speaks Socket Mode.

    ``require_ticket`` (default True): a connection is accepted only on a URL
    this stand-in issued (``new_url`` / ``connections_open``), and each URL
    only once, like Slack's one-time URLs; anything else gets ``401``.
    """

    def __init__(self, *, app_id: str = "A0OPSBOT", hello: bool = True, require_ticket: bool = True,
                 approximate_connection_time: int = 18060) -> None:
        self.app_id = app_id
        self.hello = hello
        self.require_ticket = require_ticket
        self.approximate_connection_time = approximate_connection_time

        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._tickets: dict[str, bool] = {}  # ticket -> used
        self._connections: list[Connection] = []
        self._received: list[Received] = []
        self._sent: list[dict[str, Any]] = []
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._workers: list[threading.Thread] = []
        self._stopping = threading.Event()

    # ------------------------------------------------------------ lifecycle

    def start(self) -> SocketModeStandIn:
        if self._listener is not None:
            return self
        self._stopping.clear()
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(0.1)
        self._listener = listener
        self._thread = threading.Thread(target=self._accept_loop, name=f"socket-standin-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        listener, thread = self._listener, self._thread
        if listener is None:
            return
        self._stopping.set()
        if thread is not None:
            thread.join(timeout=5)
        listener.close()
        self._listener = self._thread = None
        for conn in self.connections():
            if conn.open:
                self._close(conn, 1001, "going away", by="server")
        for worker in list(self._workers):
            worker.join(timeout=5)

    def __enter__(self) -> SocketModeStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._listener is None:
            raise RuntimeError("SocketModeStandIn is not started")
        return self._listener.getsockname()[1]

    # ------------------------------------------------------------ URLs

    def new_url(self) -> str:
        """A one-time ``ws://`` URL to connect to, shaped like Slack's."""
        ticket = str(uuid.uuid4())
        with self._lock:
            self._tickets[ticket] = False
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"

    def connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        """A handler for ``SlackStandIn.on("apps.connections.open", ...)``."""
        return {"ok": True, "url": self.new_url()}

    # ------------------------------------------------------------ pushing

    def send(self, message: dict[str, Any], *, connection: Connection | None = None) -> Connection:
        """Send a JSON text message on ``connection`` (default: the newest open one)."""
        conn = connection or self.current()
        if conn is None:
            raise RuntimeError(f"no open Socket Mode connection; connections: {self.connections()}")
        self._send_frame(conn, OP_TEXT, json.dumps(message, ensure_ascii=False).encode("utf-8"))
        with self._lock:
            self._sent.append(message)
        return conn

    def send_envelope(self, type: str, payload: dict[str, Any], *, accepts_response_payload: bool | None = None,
                      retry_attempt: int = 0, retry_reason: str = "",
                      connection: Connection | None = None) -> str:
        """Push an envelope (``slash_commands``, ``interactive``, ``events_api``); return its id.

        ``accepts_response_payload`` defaults to what Slack sends: true for slash
        commands and for ``view_submission`` / ``block_suggestion`` interactions.
        """
        envelope_id = str(uuid.uuid4())
        if accepts_response_payload is None:
            accepts_response_payload = type in _ACCEPTS_RESPONSE_PAYLOAD or (
                type == "interactive" and payload.get("type") in _INTERACTIVE_ACCEPTING)
        envelope: dict[str, Any] = {"envelope_id": envelope_id, "type": type, "payload": payload,
                                    "accepts_response_payload": accepts_response_payload}
        if type == "events_api":
            envelope.update({"retry_attempt": retry_attempt, "retry_reason": retry_reason})
        self.send(envelope, connection=connection)
        return envelope_id

    def send_disconnect(self, reason: str = "refresh_requested", *, connection: Connection | None = None) -> None:
        """Ask the client to reconnect, as Slack does before it recycles a connection."""
        self.send({"type": "disconnect", "reason": reason,
                   "debug_info": {"host": "socket-standin"}}, connection=connection)

    def ping(self, payload: bytes = b"", *, connection: Connection | None = None) -> None:
        conn = connection or self.current()
        if conn is None:
            raise RuntimeError("no open Socket Mode connection")
        self._send_frame(conn, OP_PING, payload)

    def close(self, code: int = 1000, reason: str = "", *, connection: Connection | None = None) -> None:
        """Start the closing handshake on ``connection`` (default: the newest open one)."""
        conn = connection or self.current()
        if conn is not None:
            self._close(conn, code, reason, by="server")

    # ------------------------------------------------------------ inspection

    def connections(self) -> list[Connection]:
        with self._lock:
            return list(self._connections)

    def current(self) -> Connection | None:
        with self._lock:
            return next((c for c in reversed(self._connections) if c.open), None)

    def received(self, opcode: str | None = "text") -> list[Received]:
        """What clients sent, in order; by default only text messages."""
        with self._lock:
            return [r for r in self._received if opcode is None or r.opcode == opcode]

    def sent(self) -> list[dict[str, Any]]:
        """The JSON messages this server sent (hello included)."""
        with self._lock:
            return list(self._sent)

    def acks(self) -> list[dict[str, Any]]:
        return [r.data for r in self.received() if r.envelope_id is not None]

    def wait(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                result = predicate()
                if result:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"SocketModeStandIn: no {what} within {timeout} s\n{self.dump()}")
                self._changed.wait(min(left, 0.1))

    def wait_for_connection(self, timeout: float = 10.0) -> Connection:
        return self.wait(self.current, timeout, "open connection")

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The client's acknowledgement of an envelope: ``{"envelope_id", "payload"?}``."""
        return self.wait(lambda: next((a for a in self.acks() if a.get("envelope_id") == envelope_id), None),
                         timeout, f"ack for envelope {envelope_id}")

    def dump(self) -> str:
        with self._lock:
            lines = [f"  connection {c.id}: path={c.path} accepted={c.accepted} open={c.open} "
                     f"close={c.close_code} by={c.closed_by}" for c in self._connections]
            for r in self._received:
                data = r.data if isinstance(r.data, str) else json.dumps(r.data, default=repr, ensure_ascii=False)
                lines.append(f"  <- [{r.connection}] {r.opcode} {data[:300]}")
        return "\n".join(lines) or "  (nothing)"

    # ------------------------------------------------------------ internals

    def _accept_loop(self) -> None:
        assert self._listener is not None
        listener = self._listener
        while not self._stopping.is_set():
            try:
                sock, _addr = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            worker = threading.Thread(target=self._serve, args=(sock,), name="socket-standin-conn", daemon=True)
            with self._lock:
                self._workers = [w for w in self._workers if w.is_alive()] + [worker]
            worker.start()

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            conn = self._handshake(sock)
        except (OSError, ValueError):
            sock.close()
            return
        if conn is None:
            return
        try:
            self._read_loop(conn)
        except _ProtocolError as e:
            self._close(conn, e.code, e.reason, by="server")
        except (OSError, RuntimeError):
            self._closed(conn, 1006, "", by="eof")
        finally:
            try:
                sock.close()
            except OSError:
                pass

    def _handshake(self, sock: socket.socket) -> Connection | None:
        raw = b""
        while b"\r\n\r\n" not in raw:
            chunk = sock.recv(4096)
            if not chunk:
                raise ValueError("connection closed during the handshake")
            raw += chunk
            if len(raw) > _MAX_HANDSHAKE:
                raise ValueError("handshake too large")
        head, _, rest = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        target = parts[1] if len(parts) == 3 else ""
        split = urlsplit(target)
        ticket = (parse_qs(split.query).get("ticket") or [None])[0]

        problem = None
        if len(parts) != 3 or parts[0] != "GET" or not parts[2].startswith("HTTP/1.1"):
            problem = "400 Bad Request"
        elif headers.get("upgrade", "").lower() != "websocket" or "upgrade" not in headers.get("connection", "").lower():
            problem = "400 Bad Request"
        elif headers.get("sec-websocket-version") != "13" or not headers.get("sec-websocket-key"):
            problem = "400 Bad Request"
        elif split.path.rstrip("/") != "/link":
            problem = "404 Not Found"
        elif self.require_ticket:
            with self._lock:
                if ticket is None or self._tickets.get(ticket, True):
                    problem = "401 Unauthorized"
                else:
                    self._tickets[ticket] = True
        with self._lock:
            conn = Connection(id=len(self._connections) + 1, path=target, headers=headers, ticket=ticket,
                              accepted=problem is None, sock=sock if problem is None else None)
            self._connections.append(conn)
            self._changed.notify_all()
        if problem is not None:
            body = problem.encode("ascii")
            sock.sendall(f"HTTP/1.1 {problem}\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
                         f"Connection: close\r\n\r\n".encode("ascii") + body)
            sock.close()
            conn.closed_at = time.monotonic()
            return None
        response = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    f"Sec-WebSocket-Accept: {accept_key(headers['sec-websocket-key'])}\r\n\r\n").encode("ascii")
        out = response
        if self.hello:
            hello = {"type": "hello", "num_connections": len([c for c in self.connections() if c.open]),
                     "debug_info": {"host": "socket-standin", "build_number": 1,
                                    "approximate_connection_time": self.approximate_connection_time},
                     "connection_info": {"app_id": self.app_id}}
            out += encode_frame(OP_TEXT, json.dumps(hello).encode("utf-8"))
            with self._lock:
                self._sent.append(hello)
        # Anything the client sent right after its request (a ping) is frame data.
        conn.buffer = rest
        with conn.send_lock:
            sock.sendall(out)
        return conn

    def _read_loop(self, conn: Connection) -> None:
        sock = conn.sock
        assert sock is not None
        buf = bytearray(conn.buffer)

        def need(n: int) -> bytes:
            while len(buf) < n:
                chunk = sock.recv(65536)
                if not chunk:
                    raise OSError("connection closed by the client")
                buf.extend(chunk)
            out = bytes(buf[:n])
            del buf[:n]
            return out

        message_opcode: int | None = None
        fragments: list[bytes] = []
        while True:
            b1, b2 = need(2)
            fin, rsv, opcode = b1 & 0x80, b1 & 0x70, b1 & 0x0F
            masked, length = b2 & 0x80, b2 & 0x7F
            if rsv:
                raise _ProtocolError(1002, "reserved bits set")
            if not masked:
                raise _ProtocolError(1002, "client frames must be masked")
            if length == 126:
                (length,) = struct.unpack("!H", need(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", need(8))
            if opcode >= 0x8 and (length > 125 or not fin):
                raise _ProtocolError(1002, "bad control frame")
            if length > _MAX_MESSAGE:
                raise _ProtocolError(1009, "message too big")
            mask = need(4)
            data = _unmask(need(length), mask)

            if opcode == OP_PING:
                self._record(conn, "ping", data.decode("utf-8", errors="replace"))
                self._send_frame(conn, OP_PONG, data)
            elif opcode == OP_PONG:
                self._record(conn, "pong", data.decode("utf-8", errors="replace"))
            elif opcode == OP_CLOSE:
                code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else 1005
                reason = data[2:].decode("utf-8", errors="replace")
                self._record(conn, "close", {"code": code, "reason": reason})
                if conn.closed_by is None:  # the client started it: answer, then hang up
                    try:
                        self._send_frame(conn, OP_CLOSE, data[:2])
                    except OSError:
                        pass
                    self._closed(conn, code, reason, by="client")
                return
            elif opcode in (OP_TEXT, OP_BINARY):
                if message_opcode is not None:
                    raise _ProtocolError(1002, "new message inside a fragmented one")
                message_opcode, fragments = opcode, [data]
            elif opcode == OP_CONTINUATION:
                if message_opcode is None:
                    raise _ProtocolError(1002, "continuation without a message")
                fragments.append(data)
            else:
                raise _ProtocolError(1002, f"unknown opcode {opcode:#x}")

            if fin and message_opcode is not None and opcode < 0x8:
                payload = b"".join(fragments)
                kind, message_opcode, fragments = message_opcode, None, []
                if kind == OP_TEXT:
                    try:
                        text = payload.decode("utf-8")
                    except UnicodeDecodeError:
                        raise _ProtocolError(1007, "text frame is not UTF-8") from None
                    try:
                        value: Any = json.loads(text)
                    except ValueError:
                        value = text
                    self._record(conn, "text", value)
                else:
                    self._record(conn, "binary", payload)

    def _record(self, conn: Connection, opcode: str, data: Any) -> None:
        with self._lock:
            self._received.append(Received(conn.id, opcode, data))
            self._changed.notify_all()

    def _send_frame(self, conn: Connection, opcode: int, payload: bytes) -> None:
        if conn.sock is None or (not conn.open and opcode != OP_CLOSE):
            raise RuntimeError(f"connection {conn.id} is closed")
        frame = encode_frame(opcode, payload)
        with conn.send_lock:
            conn.sock.sendall(frame)

    def _close(self, conn: Connection, code: int, reason: str, *, by: str) -> None:
        if not conn.open:
            return
        conn.closed_by = by
        try:
            self._send_frame(conn, OP_CLOSE, struct.pack("!H", code) + reason.encode("utf-8")[:120])
        except (OSError, RuntimeError):
            pass
        self._closed(conn, code, reason, by=by)

    def _closed(self, conn: Connection, code: int, reason: str, *, by: str) -> None:
        with self._lock:
            if conn.closed_at is None:
                conn.closed_at = time.monotonic()
                conn.close_code, conn.close_reason, conn.closed_by = code, reason, by
            sock, conn.sock = conn.sock, None
            self._changed.notify_all()
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
