"""Slack's Web API over kept-alive connections.

slack_sdk's ``WebClient`` opens a new connection (and, on slack.com, a new TLS
session) for every call and closes it after the answer. A fan-out of
thousands of DMs then spends as much on connecting as on posting: the
profiled outbox spent a fifth of its CPU in ``create_connection``
(docs/performance.md, findings item 17). ``KeepAliveWebClient`` is the same
client, its retry handlers and error handling unchanged, whose requests go
over one connection per thread and host, kept open between calls.

Errors are raised as urllib raises them, so slack_sdk handles them as before:
a kept connection the server has since closed fails at once on reuse
(``RemoteDisconnected``, ``ConnectionResetError``), and the client's
``ConnectionErrorRetryHandler`` sends the request again on a new connection.
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

from slack_sdk import WebClient

# Each thread's open connections, by (scheme, host): shared by every client, since the token
# travels in each request's headers, so 200 workspaces' clients make one connection per thread.
_pool = threading.local()
# Hosts a thread keeps a connection open to at most.
HOSTS_KEPT = 4


class KeepAliveWebClient(WebClient):
    """A ``WebClient`` whose calls reuse a connection per thread and host."""

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        parts = urlsplit(url)
        if self.proxy is not None or parts.scheme not in ("http", "https"):
            return super()._perform_urllib_http_request_internal(url, req)
        where = (parts.scheme, parts.netloc)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        resp, body = self._exchange(where, target, req)
        if resp.will_close:
            _drop(where)
        if resp.status >= 400:  # handled by slack_sdk as urllib's error, 429s and retries included
            raise HTTPError(url, resp.status, resp.reason, resp.msg, io.BytesIO(body))
        mime, charset = _content_type(resp.getheader("Content-Type") or "")
        if mime == "application/gzip":
            return {"status": resp.status, "headers": resp.msg, "body": body}
        return {"status": resp.status, "headers": resp.msg, "body": body.decode(charset or "utf-8")}

    def _exchange(self, where: tuple[str, str], target: str, req: Request) -> tuple[http.client.HTTPResponse, bytes]:
        conn = self._connection(where)
        try:
            try:
                conn.request(req.get_method(), target, body=req.data, headers=dict(req.header_items()))
            except OSError as e:  # not sent: raised as urllib raises it, for slack_sdk's retry handlers
                raise URLError(e) from e
            resp = conn.getresponse()
            return resp, resp.read()
        except BaseException:
            _drop(where)
            raise

    def _connection(self, where: tuple[str, str]) -> http.client.HTTPConnection:
        conns: dict[tuple[str, str], http.client.HTTPConnection] = _pool.__dict__.setdefault("conns", {})
        conn = conns.get(where)
        if conn is None:
            while len(conns) >= HOSTS_KEPT:  # the oldest first (Slack is one host; tests start many stand-ins)
                conns.pop(next(iter(conns))).close()
            scheme, netloc = where
            if scheme == "https":
                conn = _HTTPS(netloc, timeout=self.timeout, context=self.ssl or ssl.create_default_context())
            else:
                conn = _HTTP(netloc, timeout=self.timeout)
            conns[where] = conn
        return conn


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


# http.client writes a request's headers and its body apart; on a kept connection the body would
# wait for the server's delayed ACK (Nagle's algorithm): 40 ms a call. Sent at once instead.
class _HTTP(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _HTTPS(http.client.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
