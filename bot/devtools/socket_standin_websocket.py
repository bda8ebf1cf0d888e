"""The RFC 6455 (WebSocket) side of the Socket Mode stand-in: the opening
handshake's HTTP, frames (encoding server frames, reading masked client
frames), reassembling fragmented messages, and the records of connections and
of what clients sent.

Used by :mod:`bot.devtools.socket_standin`, which re-exports the public names.
Stdlib only; no test framework imports.
"""

from __future__ import annotations

import base64
import hashlib
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Any

# RFC 6455 §1.3
_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_MAX_HANDSHAKE = 16 * 1024
_MAX_MESSAGE = 16 * 1024 * 1024

OP_CONTINUATION, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA
_OPCODE_NAMES = {OP_CONTINUATION: "continuation", OP_TEXT: "text", OP_BINARY: "binary",
                 OP_CLOSE: "close", OP_PING: "ping", OP_PONG: "pong"}


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


class ProtocolError(Exception):
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


# -- the opening handshake ----------------------------------------------------


def read_request(sock: socket.socket) -> tuple[list[str], dict[str, str], bytes]:
    """Read a handshake request: its request line split on spaces, its headers
    (lower-cased names) and whatever bytes came after it. ValueError if the
    client hangs up first or the request is too large."""
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
    return parts, headers, rest


def bad_upgrade(parts: list[str], headers: dict[str, str]) -> str | None:
    """``"400 Bad Request"`` unless the request is a WebSocket upgrade (version 13)."""
    if len(parts) != 3 or parts[0] != "GET" or not parts[2].startswith("HTTP/1.1"):
        return "400 Bad Request"
    if headers.get("upgrade", "").lower() != "websocket" or "upgrade" not in headers.get("connection", "").lower():
        return "400 Bad Request"
    if headers.get("sec-websocket-version") != "13" or not headers.get("sec-websocket-key"):
        return "400 Bad Request"
    return None


def refusal(problem: str) -> bytes:
    """The plain-text HTTP answer to a refused handshake, e.g. ``"401 Unauthorized"``."""
    body = problem.encode("ascii")
    return (f"HTTP/1.1 {problem}\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
            f"Connection: close\r\n\r\n".encode("ascii") + body)


def switching_protocols(key: str) -> bytes:
    """The ``101`` answer that accepts the handshake with ``Sec-WebSocket-Key`` ``key``."""
    return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {accept_key(key)}\r\n\r\n").encode("ascii")


# -- reading client frames ------------------------------------------------------


class FrameReader:
    """Reads a client's frames off its socket, starting with ``buffered``
    (bytes already read past the handshake)."""

    def __init__(self, sock: socket.socket, buffered: bytes) -> None:
        self._sock = sock
        self._buf = bytearray(buffered)

    def _need(self, n: int) -> bytes:
        while len(self._buf) < n:
            chunk = self._sock.recv(65536)
            if not chunk:
                raise OSError("connection closed by the client")
            self._buf.extend(chunk)
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def read(self) -> tuple[bool, int, bytes]:
        """The next frame: (fin, opcode, unmasked payload). ProtocolError if it breaks the rules."""
        b1, b2 = self._need(2)
        fin, rsv, opcode = b1 & 0x80, b1 & 0x70, b1 & 0x0F
        masked, length = b2 & 0x80, b2 & 0x7F
        if rsv:
            raise ProtocolError(1002, "reserved bits set")
        if not masked:
            raise ProtocolError(1002, "client frames must be masked")
        if length == 126:
            (length,) = struct.unpack("!H", self._need(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", self._need(8))
        if opcode >= 0x8 and (length > 125 or not fin):
            raise ProtocolError(1002, "bad control frame")
        if length > _MAX_MESSAGE:
            raise ProtocolError(1009, "message too big")
        mask = self._need(4)
        return bool(fin), opcode, _unmask(self._need(length), mask)


class MessageAssembler:
    """Joins a text or binary message sent in fragments."""

    def __init__(self) -> None:
        self._opcode: int | None = None
        self._fragments: list[bytes] = []

    def add(self, fin: bool, opcode: int, data: bytes) -> tuple[int, bytes] | None:
        """Take a data frame; return (OP_TEXT or OP_BINARY, payload) once a message is whole."""
        if opcode in (OP_TEXT, OP_BINARY):
            if self._opcode is not None:
                raise ProtocolError(1002, "new message inside a fragmented one")
            self._opcode, self._fragments = opcode, [data]
        elif opcode == OP_CONTINUATION:
            if self._opcode is None:
                raise ProtocolError(1002, "continuation without a message")
            self._fragments.append(data)
        else:
            raise ProtocolError(1002, f"unknown opcode {opcode:#x}")
        if not fin:
            return None
        payload = b"".join(self._fragments)
        kind, self._opcode, self._fragments = self._opcode, None, []
        return kind, payload
