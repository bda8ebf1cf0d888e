"""HTTP mode: Bolt's Starlette adapter under uvicorn (docs/PRODUCT.md §4).

Bolt's dispatch is synchronous; it runs in the threadpool so the event loop
keeps accepting requests while a listener waits on the database.
"""

from __future__ import annotations

import anyio
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot import __version__
from bot.app import Opsbot

# Requests handled at once; the rest wait their turn in order. Above this the
# threads only contend for the GIL and for database connections (the pool
# holds DISPATCH_THREADS + a few, so none is opened and closed per request):
# more tail latency, no more throughput (docs/performance.md).
DISPATCH_THREADS = 16


def make_asgi(app: Opsbot) -> Starlette:
    limiter = anyio.CapacityLimiter(DISPATCH_THREADS)

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        with app.worker.serving():  # the outbox worker gives way while acks are due
            bolt_response = await anyio.to_thread.run_sync(app.bolt.dispatch, to_bolt_request(request, body),
                                                            limiter=limiter)
        return to_starlette_response(bolt_response)

    async def healthz(_request: Request) -> Response:
        ok = await run_in_threadpool(app.database_ok)
        body = {"version": __version__, "database": "ok" if ok else "unreachable", "scheduler": app.scheduler.role}
        return JSONResponse(body, status_code=200 if ok else 503)

    return Starlette(routes=[
        Route("/slack/events", slack_events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ])
