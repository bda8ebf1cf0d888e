"""``opsbot outbox``: the notices and their delivery; ``outbox --failed`` and ``outbox retry`` for
those given up on; and how a run by hand (``opsbot jobs run``) has what it wrote delivered."""

from __future__ import annotations

import argparse

from bot.cli_base import CliError
from bot.cli_base import command_app as _app
from bot.kernel.settings import Settings


def deliver(app) -> str:
    """Deliver what a run wrote, unless `opsbot serve` replicas are running: they deliver it, each
    workspace's DMs from one of them, and a run by hand does not race them for Slack's limits."""
    if running := app.worker.replicas.others():
        return f"{len(running)} opsbot replica(s) running deliver them; see `opsbot outbox --pending`."
    delivered = app.worker.drain()
    return f"delivered {delivered} notice(s) to Slack; see `opsbot outbox --pending` for any still waiting."


def cmd_outbox(args, settings: Settings) -> int:
    from storage import outbox as outbox_rows
    from storage.db import transaction

    if args.failed:
        return _outbox_failed(settings)
    app = _app(settings)
    with transaction(app.db) as s:
        rows = outbox_rows.notices(s, pending_only=args.pending)
        for n in rows:
            what = n.payload.get("type") or n.payload.get("item") or ""
            err = f"  last error: {n.last_error}" if n.last_error else ""
            print(f"#{n.id:<6} {n.status:<9} {n.kind:<8} {what:<16} to {n.recipient:<12} attempts {n.attempts}"
                  f"  next {n.next_attempt_at.isoformat()}{err}")
        print(f"{len(rows)} notice(s){' pending' if args.pending else ''}.")
    return 0


def _outbox_failed(settings: Settings) -> int:
    """The notices given up on: what each was, never what it said (a review's
    text stays private); the last error is one short line."""
    from sqlalchemy import select

    from storage import outbox as outbox_rows
    from storage.db import transaction
    from storage.models import Team

    app = _app(settings)
    with transaction(app.db) as s:
        rows = outbox_rows.failed_notices(s)
        teams = {i: name for i, name in s.execute(select(Team.id, Team.name))}
        for n in rows:
            what = n.payload.get("type") or n.payload.get("item") or ""
            team = teams.get(n.team_id, "-") if n.team_id is not None else "-"
            when = n.failed_at.isoformat() if n.failed_at else "-"
            print(f"#{n.id:<6} {n.kind:<8} {what:<16} team {team:<12} attempts {n.attempts}  failed {when}"
                  f"  last error: {n.last_error or '-'}")
        print(f"{len(rows)} notice(s) failed." + (" Send one again with `opsbot outbox retry ID`." if rows else ""))
    return 0


def cmd_outbox_retry(args, settings: Settings) -> int:
    from storage import outbox as outbox_rows
    from storage.db import transaction
    from storage.models import OutboxNotice

    if not args.id.lstrip("#").isdigit():
        raise CliError(f"retry takes a notice id, like 12 (see `opsbot outbox --failed`), not {args.id!r}")
    notice_id = int(args.id.lstrip("#"))
    app = _app(settings)
    with transaction(app.db) as s:
        notice = s.get(OutboxNotice, notice_id)
        if notice is None:
            raise CliError(f"there is no notice #{notice_id}; `opsbot outbox --failed` lists the failed ones")
        if notice.status != "failed" or not outbox_rows.retry_failed(s, notice_id):
            raise CliError(f"notice #{notice_id} is {notice.status}, not failed: only a failed notice is retried")
    print(f"notice #{notice_id} is pending again, its attempts counted afresh; the outbox worker of "
          f"`opsbot serve` (or `opsbot scheduler`) sends it within seconds.")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    o = sub.add_parser("outbox", help="notices and their delivery")
    shown = o.add_mutually_exclusive_group()
    shown.add_argument("--pending", action="store_true", help="only undelivered ones")
    shown.add_argument("--failed", action="store_true",
                       help="only those given up on (after attempts that failed the same way)")
    o.set_defaults(func=cmd_outbox)
    osub = o.add_subparsers(dest="outbox_command")
    retry = osub.add_parser("retry", help="send a failed notice again, its attempts counted afresh")
    retry.add_argument("id", help="the notice's id, as `opsbot outbox --failed` shows it")
    retry.set_defaults(func=cmd_outbox_retry)
