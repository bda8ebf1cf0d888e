"""The baseline of the many-workspaces fan-out: a bare client, no opsbot. Posts each DM it is given
on stdin (JSON: [[token, channel], ...]) with ``KeepAliveWebClient`` (opsbot's own client) from
THREADS threads, with no database, rendering or pacing, to a stand-in without limits; prints
``{"posted": n}``. ``python -m bench.ceiling API_URL THREADS``.

What one Python process can post on this machine at all: the fan-out's rate is read next to it.
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor

from handlers.gateway import make_client

TEXT = "You have proposed 0 of 2 topics this week for Team 0000. Propose one with /topic."


def main() -> None:
    api_url, threads = sys.argv[1], int(sys.argv[2])
    jobs = json.load(sys.stdin)
    clients = {token: make_client(token, api_url) for token, _ in jobs}
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": TEXT}},
              {"type": "actions", "elements": [{"type": "button", "action_id": "remind_later",
                                                "text": {"type": "plain_text", "text": "Remind me later"},
                                                "value": '{"job":"quota-reminder","team":1,"period":"2026-W48"}'}]}]

    def post(job: list[str]) -> bool:
        token, channel = job
        return bool(clients[token].chat_postMessage(channel=channel, text=TEXT, blocks=blocks)["ok"])

    with ThreadPoolExecutor(threads) as pool:
        posted = sum(pool.map(post, jobs))
    print(json.dumps({"posted": posted}), flush=True)


if __name__ == "__main__":
    main()
