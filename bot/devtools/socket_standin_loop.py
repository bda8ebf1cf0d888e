"""The Socket Mode stand-in's protocol loop: accepting connections, the
opening handshake (one-time tickets, Slack's ``hello``), reading each client's
frames (answering pings, the closing handshake, recording messages) and
closing connections.

Mixed into :class:`bot.devtools.socket_standin.SocketModeStandIn`, which sets
up the state in its ``__init__``. The WebSocket framing itself is in
:mod:`bot.devtools.socket_standin_websocket`.

Stdlib only; no test framework imports.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.devtools.socket_standin_websocket import (
    OP_CLOSE,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    Connection,
    FrameReader,
    MessageAssembler,
    ProtocolError,
    Received,
    bad_upgrade,
    encode_frame,
    read_request,
    refusal,
    switching_protocols,
)


class ConnectionLoop:
    """Serves each client connection. Its state is set up by ``SocketModeStandIn.__init__``."""

    app_id: str
    hello: bool
    require_ticket: bool
    approximate_connection_time: int
    _lock: threading.RLock
    _changed: threading.Condition
    _tickets: dict[str, bool]
    _connections: list[Connection]
    _received: list[Received]
    _sent: list[dict[str, Any]]
    _listener: socket.socket | None
    _workers: list[threading.Thread]
    _stopping: threading.Event

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
        except ProtocolError as e:
            self._close(conn, e.code, e.reason, by="server")
        except (OSError, RuntimeError):
            self._closed(conn, 1006, "", by="eof")
        finally:
            try:
                sock.close()
            except OSError:
                pass

    # ------------------------------------------------------------ the opening handshake

    def _handshake(self, sock: socket.socket) -> Connection | None:
        parts, headers, rest = read_request(sock)
        target = parts[1] if len(parts) == 3 else ""
        split = urlsplit(target)
        ticket = (parse_qs(split.query).get("ticket") or [None])[0]

        problem = bad_upgrade(parts, headers)
        if problem is None and split.path.rstrip("/") != "/link":
            problem = "404 Not Found"
        if problem is None and self.require_ticket:
            problem = self._use_ticket(ticket)
        with self._lock:
            conn = Connection(id=len(self._connections) + 1, path=target, headers=headers, ticket=ticket,
                              accepted=problem is None, sock=sock if problem is None else None)
            self._connections.append(conn)
            self._changed.notify_all()
        if problem is not None:
            sock.sendall(refusal(problem))
            sock.close()
            conn.closed_at = time.monotonic()
            return None
        out = switching_protocols(headers["sec-websocket-key"])
        if self.hello:
            hello = self._hello_message()
            out += encode_frame(OP_TEXT, json.dumps(hello).encode("utf-8"))
            with self._lock:
                self._sent.append(hello)
        # Anything the client sent right after its request (a ping) is frame data.
        conn.buffer = rest
        with conn.send_lock:
            sock.sendall(out)
        return conn

    def _use_ticket(self, ticket: str | None) -> str | None:
        """Spend a one-time ticket: ``"401 Unauthorized"`` if it is unknown or already used."""
        with self._lock:
            if ticket is None or self._tickets.get(ticket, True):
                return "401 Unauthorized"
            self._tickets[ticket] = True
            return None

    def _hello_message(self) -> dict[str, Any]:
        with self._lock:
            num_connections = len([c for c in self._connections if c.open])
        return {"type": "hello", "num_connections": num_connections,
                "debug_info": {"host": "socket-standin", "build_number": 1,
                               "approximate_connection_time": self.approximate_connection_time},
                "connection_info": {"app_id": self.app_id}}

    # ------------------------------------------------------------ frames

    def _read_loop(self, conn: Connection) -> None:
        sock = conn.sock
        assert sock is not None
        frames = FrameReader(sock, conn.buffer)
        messages = MessageAssembler()
        while True:
            fin, opcode, data = frames.read()
            if opcode in (OP_PING, OP_PONG, OP_CLOSE):
                if self._control(conn, opcode, data):
                    return
            elif (message := messages.add(fin, opcode, data)) is not None:
                self._deliver(conn, *message)

    def _control(self, conn: Connection, opcode: int, data: bytes) -> bool:
        """Handle a ping, pong or close frame; True once the connection is closed."""
        if opcode == OP_PING:
            self._record(conn, "ping", data.decode("utf-8", errors="replace"))
            self._send_frame(conn, OP_PONG, data)
            return False
        if opcode == OP_PONG:
            self._record(conn, "pong", data.decode("utf-8", errors="replace"))
            return False
        code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else 1005
        reason = data[2:].decode("utf-8", errors="replace")
        self._record(conn, "close", {"code": code, "reason": reason})
        if conn.closed_by is None:  # the client started it: answer, then hang up
            try:
                self._send_frame(conn, OP_CLOSE, data[:2])
            except OSError:
                pass
            self._closed(conn, code, reason, by="client")
        return True

    def _deliver(self, conn: Connection, kind: int, payload: bytes) -> None:
        """Record a whole message: a text one as its JSON (or its text, if not JSON)."""
        if kind == OP_TEXT:
            try:
                text = payload.decode("utf-8")
            except UnicodeDecodeError:
                raise ProtocolError(1007, "text frame is not UTF-8") from None
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

    # ------------------------------------------------------------ closing

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
