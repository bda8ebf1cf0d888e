"""The Slack stand-in in a process of its own, so that answering opsbot's
Web API calls does not share a GIL with the load generator.

``python -m bench.standin_proc USERS_JSON [WORKSPACES_JSON]`` prints the API URL on its first
line and serves until its stdin closes. WORKSPACES_JSON maps workspace ids to a bot token the
stand-in is to know as that workspace's (``auth.test`` then answers with that workspace).
"""

from __future__ import annotations

import json
import sys

from bot.devtools.slack_standin import SlackStandIn


def main() -> None:
    with open(sys.argv[1]) as f:
        users = json.load(f)
    workspaces: dict[str, str] = {}
    if len(sys.argv) > 2:
        with open(sys.argv[2]) as f:
            workspaces = json.load(f)
    with SlackStandIn(users=users) as slack:
        for team_id, token in workspaces.items():
            slack.add_workspace(team_id, f"Workspace {team_id}")
            slack.register_token(team_id, token)
        print(slack.api_url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
