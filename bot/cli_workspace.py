"""``opsbot workspace``: the Slack workspaces of "Add to Slack" mode (issue 19).

``opsbot workspace purge`` deletes the rows of the teams of workspaces that uninstalled opsbot
more than ``OPSBOT_WORKSPACE_RETENTION_DAYS`` ago (the daily retention run does the same), or of one
named workspace at once; it prints what went, table by table (``bot/kernel/workspaces.py``).
"""

from __future__ import annotations

import argparse

from bot.cli_base import CliError
from bot.cli_base import command_app as _app
from bot.kernel.settings import Settings


def cmd_workspace_purge(args, settings: Settings) -> int:
    from bot.kernel import workspaces

    if args.now and not args.team_id:
        raise CliError("--now purges the workspaces named with --team-id at once: name at least one")
    app = _app(settings)
    try:
        done = workspaces.purge(db=app.db, clock=app.clock, days=settings.opsbot_workspace_retention_days,
                                team_ids=args.team_id or (), at_once=args.now)
    except workspaces.NotUninstalled as e:
        raise CliError(f"{e}: not an uninstalled workspace (only the data of a workspace that uninstalled "
                       f"opsbot is purged)") from None
    for p in done:
        teams = ", ".join(p.teams) or "no teams"
        print(f"workspace {p.team_id or '-'} (enterprise {p.enterprise_id or '-'}): {teams}; {p.total} row(s) deleted")
        for table, n in sorted(p.rows.items()):
            print(f"  {table}: {n}")
    days = settings.opsbot_workspace_retention_days
    print(f"{len(done)} workspace(s) purged." + ("" if args.now else
          f" A workspace is purged {days} day(s) after it uninstalled (OPSBOT_WORKSPACE_RETENTION_DAYS)."))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    w = sub.add_parser("workspace", help="installed Slack workspaces (\"Add to Slack\" mode)")
    wsub = w.add_subparsers(dest="workspace_command", required=True)
    what = ("delete every row of the teams of workspaces that uninstalled opsbot more than "
            "OPSBOT_WORKSPACE_RETENTION_DAYS ago, and print what went")
    wp = wsub.add_parser("purge", help=what, description=what)
    wp.add_argument("--team-id", action="append", metavar="T…",
                    help="only this workspace (its Slack team id, or the enterprise id of an org-wide install); "
                         "repeatable")
    wp.add_argument("--now", action="store_true",
                    help="purge the workspaces named with --team-id at once, without waiting for the retention period")
    wp.set_defaults(func=cmd_workspace_purge)
