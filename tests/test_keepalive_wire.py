"""opsbot's Slack client reads answers off the wire with httptools (handlers/keepalive.py): every
shape of answer a server may send reaches slack_sdk as it did through ``http.client`` (status,
headers, body; chunks, a body that ends at close, ``Connection: close``), TLS works with the
client's own SSL context, and a request never carries a line break a caller slipped in."""

from __future__ import annotations

import datetime
import http.client
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.error import URLError

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from handlers.keepalive import KeepAliveWebClient

OK = b'{"ok": true, "channel": "D1", "ts": "1.2", "text": "\xe4\xbd\xa0\xe5\xa5\xbd"}'


class ScriptedServer:
    """A server on 127.0.0.1 (port 0) that answers each request with the next scripted bytes,
    closing the connection after an answer when told to; it keeps every request it read."""

    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.context = context
        self.script: list[tuple[bytes, bool]] = []
        self.requests: list[bytes] = []
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def answer(self, raw: bytes, *, close: bool = False) -> None:
        self.script.append((raw, close))

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: socket.socket) -> None:
        buf = b""
        if self.context is not None:
            try:
                conn = self.context.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError):  # a client that does not trust the certificate
                conn.close()
                return
        with conn:
            while self.script:
                while b"\r\n\r\n" not in buf:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                head, _, buf = buf.partition(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                while len(buf) < length:
                    buf += conn.recv(65536)
                self.requests.append(head + b"\r\n\r\n" + buf[:length])
                buf = buf[length:]
                raw, close = self.script.pop(0)
                conn.sendall(raw)
                if close:
                    return

    def stop(self) -> None:
        self.listener.close()


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    s = ScriptedServer()
    yield s
    s.stop()


def _client(base_url: str, **kw) -> KeepAliveWebClient:
    return KeepAliveWebClient(token="xoxb-wire", base_url=base_url, timeout=5,
                              retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)], **kw)


def _through_http_client(raw: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """What ``http.client`` reads from the same bytes: the reference."""

    class _Sock:
        def makefile(self, *_a, **_k):
            import io
            return io.BytesIO(raw)

    resp = http.client.HTTPResponse(_Sock(), method="POST")  # type: ignore[arg-type]
    resp.begin()
    return resp.status, resp.getheaders(), resp.read()


ANSWERS = {
    "plain": b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s",
    "chunked": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
    "many headers": (b"HTTP/1.1 200 OK\r\nDate: Mon, 07 Dec 2026 05:00:00 GMT\r\nServer: Apache\r\n"
                     b"X-Slack-Req-Id: 1a2b\r\nX-OAuth-Scopes: chat:write,commands\r\nVary: Accept-Encoding\r\n"
                     b"Set-Cookie: a=1\r\nSet-Cookie: b=2\r\ncontent-type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n%s"),
}


def _raw(shape: str, body: bytes = OK) -> bytes:
    if shape == "chunked":
        half = len(body) // 2
        return ANSWERS[shape] + b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (body[:half], body[half:])) + b"0\r\n\r\n"
    return ANSWERS[shape] % (len(body), body)


@pytest.mark.parametrize("shape", list(ANSWERS))
def test_an_answer_reaches_slack_sdk_as_http_client_reads_it(server, shape):
    raw = _raw(shape)
    server.answer(raw)
    response = _client(f"http://127.0.0.1:{server.port}/api/").chat_postMessage(channel="U1", text="hi")
    status, headers, body = _through_http_client(raw)
    assert response.status_code == status == 200
    assert response.headers == dict(headers)
    assert response.data == __import__("json").loads(body) and response["text"] == "你好"


def test_the_request_is_one_http_11_post_with_the_token_and_a_json_body(server):
    server.answer(_raw("plain"))
    _client(f"http://127.0.0.1:{server.port}/api/").chat_postMessage(channel="U1", text="héllo")
    head, _, body = server.requests[0].partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0] == "POST /api/chat.postMessage HTTP/1.1"
    fields = {k.lower(): v for k, _, v in (line.partition(": ") for line in lines[1:])}
    assert fields["host"] == f"127.0.0.1:{server.port}" and fields["authorization"] == "Bearer xoxb-wire"
    assert fields["content-length"] == str(len(body)) and fields["content-type"].startswith("application/json")
    assert __import__("json").loads(body) == {"channel": "U1", "text": "héllo"}


def test_connection_close_and_a_body_ending_at_close_open_a_new_connection_next_time(server):
    base = f"http://127.0.0.1:{server.port}/api/"
    client = KeepAliveWebClient(token="xoxb-wire", base_url=base, timeout=5, retry_handlers=[])  # no second try
    server.answer(_raw("plain").replace(b"Content-Length", b"Connection: close\r\nContent-Length"), close=True)
    assert client.chat_postMessage(channel="U1", text="one")["ok"]
    server.answer(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + OK, close=True)
    assert client.chat_postMessage(channel="U1", text="two")["text"] == "你好", "the body ends where the connection does"
    server.answer(_raw("plain"))
    server.answer(_raw("plain"))
    assert client.chat_postMessage(channel="U1", text="three")["ok"]
    assert client.chat_postMessage(channel="U1", text="four")["ok"]
    assert server.connections == 3, "a new connection after each close, then one kept for two calls"


def test_an_error_answer_carries_its_headers_and_body_as_urllib_would(server):
    body = b'{"ok": false, "error": "ratelimited"}'
    server.answer(b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 30\r\nContent-Type: application/json; "
                  b"charset=utf-8\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    with pytest.raises(SlackApiError) as e:
        _client(f"http://127.0.0.1:{server.port}/api/").chat_postMessage(channel="U1", text="hi")
    assert e.value.response.status_code == 429
    assert e.value.response.headers["Retry-After"] == "30" and e.value.response["error"] == "ratelimited"


def test_an_answer_cut_short_or_not_http_is_an_error_and_the_connection_is_dropped(server):
    base = f"http://127.0.0.1:{server.port}/api/"
    client = _client(base)
    server.answer(b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"ok\"", close=True)
    with pytest.raises(http.client.IncompleteRead):
        client.chat_postMessage(channel="U1", text="cut")
    server.answer(b"SMTP ready\r\n\r\n", close=True)
    with pytest.raises(http.client.HTTPException):
        client.chat_postMessage(channel="U1", text="garbled")
    server.answer(_raw("plain"))
    assert client.chat_postMessage(channel="U1", text="fine")["ok"]
    assert server.connections == 3


def test_a_line_break_in_a_header_is_refused_before_anything_is_sent(server):
    client = KeepAliveWebClient(token="xoxb-a\r\nX-Injected: 1", base_url=f"http://127.0.0.1:{server.port}/api/",
                                timeout=5, retry_handlers=[])
    server.answer(_raw("plain"))
    with pytest.raises(ValueError, match="line break"):
        client.chat_postMessage(channel="U1", text="hi")
    assert server.requests == [] and server.connections == 0


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_https_uses_the_clients_ssl_context_and_keeps_the_tls_session(tmp_path):
    cert, key = _self_signed(tmp_path)
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(cert, key)
    server = ScriptedServer(context=served)
    try:
        for _ in range(3):
            server.answer(_raw("plain"))
        base = f"https://127.0.0.1:{server.port}/api/"
        with pytest.raises(URLError) as e:  # not trusted by the default context: refused, and tried once more
            _client(base).chat_postMessage(channel="U1", text="untrusted")
        assert isinstance(e.value.reason, ssl.SSLCertVerificationError)
        trusted = ssl.create_default_context(cafile=str(cert))
        client = _client(base, ssl=trusted)
        assert client.chat_postMessage(channel="U1", text="one")["ok"]
        assert client.chat_postMessage(channel="U1", text="two")["text"] == "你好"
        assert server.connections == 3, "two refused handshakes, then one kept TLS connection for both calls"
        assert len(server.requests) == 2
    finally:
        server.stop()


def test_reading_answers_leaves_nothing_for_the_garbage_collector(server):
    """A fan-out reads thousands of answers a minute: the parser and the answer it fills must go
    with the call, not wait in a reference cycle for a collection."""
    import gc

    client = _client(f"http://127.0.0.1:{server.port}/api/")
    for _ in range(51):
        server.answer(_raw("chunked"))
    assert client.chat_postMessage(channel="U1", text="warm")["ok"]
    gc.collect()
    gc.disable()
    try:
        for n in range(50):
            assert client.chat_postMessage(channel="U1", text=f"post {n}")["ok"]
        assert gc.collect() == 0
    finally:
        gc.enable()
