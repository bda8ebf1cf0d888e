"""HTTP mode: Bolt's Starlette adapter under uvicorn (docs/PRODUCT.md §4).

Bolt's dispatch is synchronous; it runs in the threadpool so the event loop
keeps accepting requests while a listener waits on the database.

With ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` set, ``GET /slack/install`` and
``GET /slack/oauth_redirect`` are Bolt's OAuth flow ("Add to Slack"), handed to it the way
``/slack/events`` is handed to Bolt's dispatch.

A request body over ``MAX_BODY_BYTES`` is refused with 413 before it is read
whole: at once when its Content-Length says so, and otherwise (chunked) as
soon as what has arrived passes the limit. Nothing of it reaches Bolt.
"""

from __future__ import annotations

import anyio
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot import __version__
from bot.app import Opsbot

# Requests handled at once; the rest wait their turn in order. Above this the
# threads only contend for the GIL and for database connections (the pool
# holds DISPATCH_THREADS + a few, so none is opened and closed per request):
# more tail latency, no more throughput (docs/performance.md).
DISPATCH_THREADS = 16

# The largest request body read, in bytes. Slack's payloads are small: a
# slash command or a block action is a few KiB, and a view submission is
# bounded by Slack's own limits on a modal's inputs (tens of KiB). 1 MiB is
# far above any of them and far below what would hurt a worker's memory.
MAX_BODY_BYTES = 1024 * 1024


class BodyTooLarge(Exception):
    """The request body passed ``MAX_BODY_BYTES``."""


def _declared_length(request: Request) -> int | None:
    value = request.headers.get("content-length")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None  # uvicorn refuses a malformed length before we run; read with the running limit


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, or ``BodyTooLarge`` as soon as it is known to pass ``limit``."""
    declared = _declared_length(request)
    if declared is not None and declared > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def make_asgi(app: Opsbot) -> Starlette:
    limiter = anyio.CapacityLimiter(DISPATCH_THREADS)

    async def slack_events(request: Request) -> Response:
        try:
            body = await read_body(request)
        except BodyTooLarge:
            return PlainTextResponse("Request body too large", status_code=413, headers={"Connection": "close"})
        with app.worker.serving():  # the outbox worker gives way while acks are due
            bolt_response = await anyio.to_thread.run_sync(app.bolt.dispatch, to_bolt_request(request, body),
                                                            limiter=limiter)
        return to_starlette_response(bolt_response)

    async def healthz(_request: Request) -> Response:
        ok = await run_in_threadpool(app.database_ok)
        body = {"version": __version__, "database": "ok" if ok else "unreachable", "scheduler": app.scheduler.role}
        return JSONResponse(body, status_code=200 if ok else 503)

    routes = [
        Route("/slack/events", slack_events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    flow = app.bolt.oauth_flow
    if flow is not None:  # "Add to Slack" (README "Install with OAuth"): Bolt answers both pages

        async def install(request: Request) -> Response:
            bolt_response = await anyio.to_thread.run_sync(flow.handle_installation, to_bolt_request(request, b""),
                                                            limiter=limiter)
            return to_starlette_response(bolt_response)

        async def oauth_redirect(request: Request) -> Response:
            bolt_response = await anyio.to_thread.run_sync(flow.handle_callback, to_bolt_request(request, b""),
                                                            limiter=limiter)
            return to_starlette_response(bolt_response)

        routes += [Route(flow.install_path, install, methods=["GET"]),
                   Route(flow.redirect_uri_path, oauth_redirect, methods=["GET"])]
    return Starlette(routes=routes)
