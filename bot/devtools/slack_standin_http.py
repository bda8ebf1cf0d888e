"""The Slack stand-in's HTTP side: the request handler that reads a Web API
call (query string, form, JSON or multipart body, bearer or form token),
answers it through the stand-in that owns it, and also takes response-URL
posts and upload v2 file bytes.

Used by :mod:`bot.devtools.slack_standin`. Stdlib only; no test framework imports.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import http.server
import json
import socket
import time
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from bot.devtools.slack_standin_calls import ApiError, Call

# Form fields slack_sdk sends as JSON strings; decoded into Python objects.
_JSON_FIELDS = ("blocks", "attachments", "view", "metadata")


class Owner(Protocol):
    """What the request handler needs of the stand-in it serves."""

    connections_opened: int

    def _record(self, call: Call) -> None: ...

    def _fault(
        self, method: str, params: dict[str, Any], token: str | None = None
    ) -> tuple[str, int, dict[str, Any], dict[str, str]] | None: ...

    def _dispatch(self, method: str, params: dict[str, Any], token: str | None = None) -> dict[str, Any]: ...

    def _receive_upload(self, file_id: str, data: bytes) -> bool: ...


def _decode_json_fields(params: dict[str, Any]) -> dict[str, Any]:
    for key in _JSON_FIELDS:
        value = params.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            try:
                params[key] = json.loads(value)
            except ValueError:
                pass
    return params


def _parse_form(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, values in parse_qs(text, keep_blank_values=True).items():
        out[key] = values[0] if len(values) == 1 else values
    return out


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    raw = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    out: dict[str, Any] = {}
    if not msg.is_multipart():
        return out
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            out[name] = payload
        else:
            out[name] = payload.decode(part.get_content_charset() or "utf-8")
    return out


def _basic(credentials: str) -> tuple[str, str, str]:
    try:
        return base64.b64decode(credentials).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return "", "", ""


class RequestHandler(http.server.BaseHTTPRequestHandler):
    owner: Owner
    server_version = "SlackStandIn/1.0"
    # Connections kept alive between calls, as slack.com keeps them (every answer has a length).
    protocol_version = "HTTP/1.1"
    # The open connections, which stop() closes: a stopped stand-in answers nothing, even on them.
    open_connections: set[socket.socket]

    def setup(self) -> None:
        super().setup()
        # An answer's headers and body are two writes: on a kept connection the second would wait
        # for the client's delayed ACK (Nagle), as opsbot's own server found (docs/performance.md).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.open_connections.add(self.connection)
        self.owner.connections_opened += 1

    def finish(self) -> None:
        self.open_connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    # --

    def _read_params(self) -> tuple[dict[str, Any], str | None]:
        split = urlsplit(self.path)
        params: dict[str, Any] = _parse_form(split.query) if split.query else {}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        ctype = (self.headers.get("Content-Type") or "").lower()
        if body:
            if "application/json" in ctype:
                try:
                    data = json.loads(body.decode("utf-8"))
                except ValueError:
                    data = {}
                if isinstance(data, dict):
                    params.update(data)
            elif "multipart/form-data" in ctype:
                params.update(_parse_multipart(self.headers.get("Content-Type", ""), body))
            else:
                params.update(_parse_form(body.decode("utf-8", errors="replace")))
        if isinstance(params.get("payload"), str) and "/response/" in split.path:
            try:
                payload = json.loads(params.pop("payload"))
                if isinstance(payload, dict):
                    params.update(payload)
            except ValueError:
                pass
        token = None
        auth = self.headers.get("Authorization") or ""
        if auth.lower().startswith("bearer "):
            token = auth[7:].strip()
        elif auth.lower().startswith("basic "):  # oauth.v2.access: the app's client id and secret
            client_id, _, client_secret = _basic(auth[6:].strip())
            params.setdefault("client_id", client_id)
            params.setdefault("client_secret", client_secret)
        form_token = params.pop("token", None)
        if token is None and isinstance(form_token, str):
            token = form_token
        return _decode_json_fields(params), token

    def _send_json(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _handle_upload(self, path: str) -> None:
        # The upload v2 URL takes the file's raw bytes, whatever the content type.
        owner = self.owner
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length > 0 else b""
        file_id = path[len("/upload/"):].strip("/")
        ok = owner._receive_upload(file_id, data)
        owner._record(Call("file.upload", {"file_id": file_id, "bytes": len(data)}, None, 200 if ok else 404, ok,
                           {"ok": ok}))
        body = f"OK - {len(data)}".encode() if ok else b"not found"
        self.send_response(200 if ok else 404)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        owner = self.owner
        path = urlsplit(self.path).path
        if path.startswith("/upload/"):
            self._handle_upload(path)
            return
        params, token = self._read_params()

        if path.startswith("/response/"):
            params["_url"] = path
            body = {"ok": True}
            owner._record(Call("response_url", params, token, 200, True, body))
            self._send_json(200, body)
            return

        if not path.startswith("/api/"):
            body = {"ok": False, "error": "invalid_path"}
            owner._record(Call(path, params, token, 404, False, body))
            self._send_json(404, body)
            return

        method = path[len("/api/") :].strip("/")
        if owner.latency.get(method):
            time.sleep(owner.latency[method])
        fault = owner._fault(method, params, token)
        if fault is not None:
            kind, status, body, headers = fault
            owner._record(Call(method, params, token, status, False, body))
            if kind == "drop":
                self._drop()
            else:
                self._send_json(status, body, headers)
            return

        try:
            body = owner._dispatch(method, params, token)
        except ApiError as e:
            body = {"ok": False, "error": e.error, **e.extra}
        except Exception as e:  # a bug in the stand-in or a custom handler: answer like Slack would
            body = {"ok": False, "error": "internal_error", "detail": f"{type(e).__name__}: {e}"}
            owner._record(Call(method, params, token, 500, False, body))
            self._send_json(500, body)
            return
        ok = bool(body.get("ok"))
        owner._record(Call(method, params, token, 200, ok, body))
        self._send_json(200, body)
