"""The baseline: a Bolt app that only acks, on opsbot's server stack (Bolt's
Starlette adapter under uvicorn, ``process_before_response=True``, Bolt's
dispatch in the threadpool exactly like ``bot/web.py``).

Run by the bench as ``python -m bench.bare_app`` with ``PORT`` and
``SLACK_SIGNING_SECRET`` set.
"""

from __future__ import annotations

import gc
import logging
import os
import socket

import uvicorn
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_bolt.authorization import AuthorizeResult
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def build() -> Starlette:
    def authorize(enterprise_id, team_id, user_id, **_kw) -> AuthorizeResult:
        # Like opsbot's cached authorize: no auth.test per request.
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token="xoxb-bare",
                               bot_user_id="U0BOT", bot_id="B0BOT")

    bolt = App(signing_secret=os.environ["SLACK_SIGNING_SECRET"], authorize=authorize,
               process_before_response=True, token_verification_enabled=False,
               request_verification_enabled=True, logger=logging.getLogger("bare"))

    @bolt.command("/topic")
    def topic(ack) -> None:
        ack()

    @bolt.action("topic_approve")
    def approve(ack) -> None:
        ack()

    async def events(request: Request) -> Response:
        body = await request.body()
        return to_starlette_response(await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body)))

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"]),
                             Route("/healthz", healthz, methods=["GET"])])


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    port = int(os.environ.get("PORT", "3000"))
    config = uvicorn.Config(build(), host="127.0.0.1", port=port, log_level="warning", lifespan="off",
                            access_log=False)
    sock = socket.create_server(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as `opsbot serve` does
    gc.collect()  # and this too: what lives as long as the process is frozen out of
    gc.freeze()   # the collector's full passes
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
