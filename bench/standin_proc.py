"""The Slack stand-in in a process of its own, so that answering opsbot's
Web API calls does not share a GIL with the load generator.

``python -m bench.standin_proc USERS_JSON`` prints the API URL on its first
line and serves until its stdin closes.
"""

from __future__ import annotations

import json
import sys

from bot.devtools.slack_standin import SlackStandIn


def main() -> None:
    with open(sys.argv[1]) as f:
        users = json.load(f)
    with SlackStandIn(users=users) as slack:
        print(slack.api_url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
