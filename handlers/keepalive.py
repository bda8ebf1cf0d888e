"""Slack's Web API over kept-alive connections.

slack_sdk's ``WebClient`` opens a new connection (and, on slack.com, a new TLS
session) for every call and closes it after the answer. A fan-out of
thousands of DMs then spends as much on connecting as on posting: the
profiled outbox spent a fifth of its CPU in ``create_connection``
(docs/performance.md, findings item 17). ``KeepAliveWebClient`` is the same
client, its retry handlers and error handling unchanged, whose requests go
over one connection per thread and host, kept open between calls.

Answers are read by httptools (llhttp, the parser uvicorn serves opsbot
with), not by ``http.client``, which parses every answer's headers with the
``email`` package: an eighth of a DM's CPU against the stand-in's four
headers, more against Slack's twenty (findings item 20).

Errors are raised as urllib and ``http.client`` raise them, so slack_sdk
handles them as before: a kept connection the server has since closed fails
at once on reuse (``RemoteDisconnected``, ``ConnectionResetError``), and the
client's ``ConnectionErrorRetryHandler`` sends the request again on a new
connection; a request that could not be sent is a ``URLError``; Slack's
error answers are ``HTTPError``s (429s and their ``Retry-After`` included).
"""

from __future__ import annotations

import http.client
import io
import socket
import ssl
import threading
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request

import httptools
from slack_sdk import WebClient

# Each thread's open connections, by (scheme, host): shared by every client, since the token
# travels in each request's headers, so 200 workspaces' clients make one connection per thread.
_pool = threading.local()
# Hosts a thread keeps a connection open to at most.
HOSTS_KEPT = 4
# Bytes read from the socket at a time.
READ = 65536


class KeepAliveWebClient(WebClient):
    """A ``WebClient`` whose calls reuse a connection per thread and host."""

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        parts = urlsplit(url)
        if self.proxy is not None or parts.scheme not in ("http", "https"):
            return super()._perform_urllib_http_request_internal(url, req)
        where = (parts.scheme, parts.netloc)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        answer = self._exchange(where, _request(req.get_method(), target, parts.netloc, req))
        if not answer.keep_alive:
            _drop(where)
        if answer.status >= 400:  # handled by slack_sdk as urllib's error, 429s and retries included
            raise HTTPError(url, answer.status, answer.reason, answer.message(), io.BytesIO(answer.body))
        mime, charset = _content_type(answer.content_type)
        body = answer.body if mime == "application/gzip" else answer.body.decode(charset or "utf-8")
        return {"status": answer.status, "headers": dict(answer.headers), "body": body}

    def _exchange(self, where: tuple[str, str], request: bytes) -> _Answer:
        try:
            try:
                conn = self._connection(where)
                conn.sendall(request)
            except OSError as e:  # not sent: raised as urllib raises it, for slack_sdk's retry handlers
                raise URLError(e) from e
            return _read(conn)
        except BaseException:
            _drop(where)
            raise

    def _connection(self, where: tuple[str, str]) -> socket.socket:
        conns: dict[tuple[str, str], socket.socket] = _pool.__dict__.setdefault("conns", {})
        conn = conns.get(where)
        if conn is None:
            while len(conns) >= HOSTS_KEPT:  # the oldest first (Slack is one host; tests start many stand-ins)
                conns.pop(next(iter(conns))).close()
            conn = _connect(where, self.timeout, self.ssl)
            conns[where] = conn
        return conn


def _connect(where: tuple[str, str], timeout: float, context: ssl.SSLContext | None) -> socket.socket:
    scheme, netloc = where
    parts = urlsplit(f"//{netloc}")
    host = parts.hostname or ""
    sock = socket.create_connection((host, parts.port or (443 if scheme == "https" else 80)), timeout=timeout)
    # A request's headers and body go in one write, but an answer must never wait for a delayed
    # ACK (Nagle's algorithm: 40 ms a call on a kept connection, findings item 1).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if scheme == "https":
        try:
            return (context or ssl.create_default_context()).wrap_socket(sock, server_hostname=host)
        except BaseException:
            sock.close()
            raise
    return sock


def _request(method: str, target: str, netloc: str, req: Request) -> bytes:
    """The request's bytes: what ``http.client`` would send for it, headers and body in one piece."""
    body = req.data or b""
    if not isinstance(body, bytes):
        raise TypeError("the body of a Slack call is bytes")
    headers = {"Host": netloc, "Accept-Encoding": "identity"}
    headers.update(req.header_items())
    if not any(k.lower() == "content-length" for k in headers):
        headers["Content-Length"] = str(len(body))
    lines = [f"{method} {target} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
    if any("\r" in line or "\n" in line for line in lines):  # refused as http.client refuses it: no injection
        raise ValueError(f"Invalid header or target, a line break in it: {lines[0]!r}")
    return "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body


class _Answer:
    """One HTTP answer, as httptools' parser reads it off the connection."""

    def __init__(self) -> None:
        self.parser: Any = httptools.HttpResponseParser(self)
        self.status = 0
        self.reason = ""
        self.headers: list[tuple[str, str]] = []
        self.content_type = ""
        self.chunks: list[bytes] = []
        self.body = b""
        self.begun = self.headers_done = self.done = False
        self.keep_alive = True
        self.framed = False  # a Content-Length or chunks tell where the body ends (otherwise: at close)

    # httptools' callbacks
    def on_message_begin(self) -> None:
        self.begun = True

    def on_status(self, reason: bytes) -> None:
        self.reason += reason.decode("latin-1")

    def on_header(self, name: bytes, value: bytes) -> None:
        n, v = name.decode("latin-1"), value.decode("latin-1")
        self.headers.append((n, v))
        low = n.lower()
        if low == "content-type":
            self.content_type = v
        elif low == "content-length" or (low == "transfer-encoding" and "chunked" in v.lower()):
            self.framed = True

    def on_headers_complete(self) -> None:
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        self.done = True
        self.status = self.parser.get_status_code()
        self.keep_alive = self.parser.should_keep_alive()  # read here: the parser forgets it once back

    def message(self) -> http.client.HTTPMessage:
        """The headers as ``http.client`` gives them (what urllib's ``HTTPError`` carries)."""
        msg = http.client.HTTPMessage()
        for name, value in self.headers:
            msg[name] = value
        return msg


def _read(conn: socket.socket) -> _Answer:
    """Read one answer off the connection: raised as ``http.client`` raises it when the server
    closes the connection before answering, or in the middle of an answer."""
    answer = _Answer()
    try:
        _feed(conn, answer)
    finally:
        answer.parser = None  # the parser holds the answer: no cycle left for the garbage collector
    answer.body = b"".join(answer.chunks)
    return answer


def _feed(conn: socket.socket, answer: _Answer) -> None:
    while not answer.done:
        data = conn.recv(READ)
        if not data:
            if not answer.begun:
                raise http.client.RemoteDisconnected("Remote end closed connection without response")
            if answer.headers_done and not answer.framed:  # a body that ends where the connection does
                answer.status, answer.keep_alive = answer.parser.get_status_code(), False
                break
            raise http.client.IncompleteRead(b"".join(answer.chunks))
        try:
            answer.parser.feed_data(data)
        except httptools.HttpParserError as e:
            raise http.client.HTTPException(f"an answer that is not HTTP: {e}") from None


def _content_type(value: str) -> tuple[str, str | None]:
    """A Content-Type's media type (lower case) and charset, as ``email.message`` reads them, read
    from the one header. ``Message.get_content_charset`` reads the header through the email policy
    again and parses its parameters: about 4% of the outbox's CPU per DM in a fan-out (cProfile)."""
    mime, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, v = param.partition("=")
        if name.strip().lower() == "charset":
            charset = v.strip().strip('"').lower()
            break  # the first, as email.message takes it
    mime = mime.strip().lower()
    return (mime if mime.count("/") == 1 else "text/plain"), charset


def _drop(where: tuple[str, str]) -> None:
    conn = _pool.__dict__.get("conns", {}).pop(where, None)
    if conn is not None:
        conn.close()
