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

import json
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from bot.devtools.socket_standin_loop import ConnectionLoop

# Every name imported from socket_standin_websocket was defined here, and is
# re-exported (``X as X``) so it can still be imported from here.
from bot.devtools.socket_standin_websocket import OP_BINARY as OP_BINARY
from bot.devtools.socket_standin_websocket import OP_CLOSE as OP_CLOSE
from bot.devtools.socket_standin_websocket import OP_CONTINUATION as OP_CONTINUATION
from bot.devtools.socket_standin_websocket import OP_PING as OP_PING
from bot.devtools.socket_standin_websocket import OP_PONG as OP_PONG
from bot.devtools.socket_standin_websocket import OP_TEXT as OP_TEXT
from bot.devtools.socket_standin_websocket import Connection as Connection
from bot.devtools.socket_standin_websocket import Received as Received
from bot.devtools.socket_standin_websocket import accept_key as accept_key
from bot.devtools.socket_standin_websocket import encode_frame as encode_frame

__all__ = ["Connection", "Received", "SocketModeStandIn"]

# Envelope types Slack expects a response payload for (the ack may carry one).
_ACCEPTS_RESPONSE_PAYLOAD = {"slash_commands"}
_INTERACTIVE_ACCEPTING = {"view_submission", "block_suggestion"}


class SocketModeStandIn(ConnectionLoop):
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
