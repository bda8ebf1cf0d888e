"""The ``opsbot`` command."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from datetime import UTC, datetime

from pydantic import ValidationError

from bot import cli_outbox, cli_teams, cli_workspace
from bot.cli_base import CliError, close_apps
from bot.cli_base import command_app as _app
from bot.domain.numbers import parse_id
from bot.kernel.settings import Settings
from bot.kernel.teams_file import ConfigError


def parse_when(value: str) -> datetime:
    """ISO-8601; a time without an offset is UTC (docs/PRODUCT.md §4)."""
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise CliError(f"--now: {value!r} is not an ISO-8601 time (like 2026-11-26T10:00:00+08:00)") from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def _logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # At DEBUG, slack_sdk and Bolt log whole requests and responses (the Authorization header redacted, but
    # bodies carry user text and response URLs). Keep them at INFO whatever LOG_LEVEL says.
    for noisy in ("slack_sdk", "slack_bolt"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, logging.getLevelName(level)))


def cmd_jobs_list(args, settings: Settings) -> int:
    app = _app(settings)
    for w in app.warnings:
        print(f"warning: {w}", file=sys.stderr)
    after = parse_when(args.now) if args.now else app.clock.now()
    runs = app.jobs.next_runs(after)
    if args.json:
        print(json.dumps([
            {"job": r.job, "team": r.team, "next_run": r.at.astimezone(r.tz).isoformat() if r.at else None}
            for r in runs
        ], ensure_ascii=False, indent=2))
        return 0
    rows = [("JOB", "TEAM", "NEXT RUN (TEAM ZONE)", "NEXT RUN (UTC)")]
    for r in runs:
        local = r.at.astimezone(r.tz).strftime("%a %Y-%m-%d %H:%M %Z") if r.at else "—"
        utc = r.at.astimezone(UTC).strftime("%a %Y-%m-%d %H:%M UTC") if r.at else "—"
        rows.append((r.job, r.team, local, utc))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def cmd_jobs_run(args, settings: Settings) -> int:
    from bot.app import JOBS

    if args.name not in JOBS:
        raise CliError(f"unknown job {args.name!r}; jobs are: {', '.join(JOBS)}")
    when = parse_when(args.now) if args.now else None
    app = _app(settings)
    sends = bool(settings.slack_bot_token) or settings.oauth  # OAuth mode: each workspace's installed token
    if not sends:
        app.jobs.slack = None  # no token: use cached profiles rather than asking Slack (and failing)
    reports = app.jobs.run(args.name, team=args.team, now=when, manual=True, dry_run=args.dry_run)
    verb = "would send" if args.dry_run else "sent"
    total = 0
    for r in reports:
        for recipient, what in r.sent:
            print(f"{r.team}: {verb} to {recipient}: {what}")
            total += 1
        for recipient, why in r.skipped:
            print(f"{r.team}: skipped {recipient}: {why}")
    print(f"{args.name}: {total} notice(s) {verb}.")
    if not args.dry_run and total:
        print(cli_outbox.deliver(app) if sends
              else "SLACK_BOT_TOKEN is not set: the notices wait in the outbox for `opsbot serve`.")
    return 0


PRIVATE_ACTIONS = "review."  # review steps: the trail shows that they happened, never what was written
PRIVATE_KEPT = ("status",)


def _audit_change(action: str, before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """What `opsbot audit` prints of a row's change. A review step shows only
    its status, whatever the row holds: rows written by older versions kept
    the scores, comments, objection and resolution, and they stay unprinted."""
    if not action.startswith(PRIVATE_ACTIONS) or action == "review.targets":
        return before, after

    def kept(d: dict | None) -> dict | None:
        return {k: v for k, v in d.items() if k in PRIVATE_KEPT} or None if d else None

    return kept(before), kept(after)


def cmd_audit(args, settings: Settings) -> int:
    from storage import queries
    from storage.db import transaction

    kind = item = None
    if args.item:
        kind, _, raw = args.item.partition(":")
        item = parse_id(raw)
        if item is None:
            raise CliError("--item takes KIND:ID, like topic:12 (an ID from 1 to 2147483647)")
    since = parse_when(args.since) if args.since else None
    app = _app(settings)
    with transaction(app.db) as s:
        for e in queries.audit_entries(s, item_kind=kind, item_id=item, since=since):
            before, after = _audit_change(e.action, e.before, e.after)
            change = f" {json.dumps(before, ensure_ascii=False)} -> {json.dumps(after, ensure_ascii=False)}" if after else ""
            detail = f" ({e.detail})" if e.detail else ""
            target = f"{e.item_kind}:{e.item_id}" if e.item_kind else "-"
            print(f"{e.at.isoformat()}  {e.actor_id:<12} {e.action:<16} {e.outcome:<8} {target}{detail}{change}")
    return 0


def cmd_db_upgrade(args, settings: Settings) -> int:
    from storage import migrate
    from storage.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        migrate.upgrade(engine)
        print(f"database is at revision {migrate.current_revision(engine)}")
        return 0
    finally:
        engine.dispose()


def _wait_for_signal() -> None:
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    done.wait()


def cmd_serve(args, settings: Settings) -> int:
    import gc
    import socket

    import uvicorn

    from bot.web import make_asgi

    if not (settings.slack_bot_token or settings.oauth) or not settings.slack_signing_secret:
        raise CliError("serve needs SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (one workspace), or SLACK_CLIENT_ID and "
                       "SLACK_CLIENT_SECRET (Add to Slack) (see README: Settings)")
    app = _app(settings)
    for w in app.warnings:
        logging.getLogger("opsbot").warning(w)
    socket_mode = None
    if settings.slack_app_token:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        socket_mode = SocketModeHandler(app.bolt, settings.slack_app_token.get_secret_value())
        socket_mode.connect()
        logging.getLogger(__name__).info("connected to Slack in Socket Mode")
    app.start(scheduler=not args.no_scheduler)
    config = uvicorn.Config(make_asgi(app), host=args.host, port=settings.port, log_level=settings.log_level.lower(),
                            timeout_graceful_shutdown=8, lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    sock = socket.create_server((args.host, settings.port), reuse_port=False)
    # Accepted connections inherit this. asyncio sets it only on sockets whose
    # proto is TCP, and create_server's is 0: without it, a reply with a body
    # (headers and body are two writes) waits ~40 ms on Nagle + delayed ACK
    # on a kept-alive connection (docs/performance.md).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # uvicorn stops taking requests on SIGTERM, finishes those in flight, then
    # re-raises the signal: make that a clean exit so that app.stop() runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Everything alive now (modules, the app, its pools) lives as long as the
    # process: move it out of the collector's sight. Otherwise each full
    # collection walks it all, and the requests in flight wait: the cause of
    # most of the p99 tail (docs/performance.md, finding 12).
    gc.collect()
    gc.freeze()
    try:
        server.run(sockets=[sock])
    finally:
        try:
            if socket_mode is not None:
                _close_socket_mode(socket_mode)
        finally:
            app.stop()
    return 0


def _close_socket_mode(handler) -> None:
    """Stop taking envelopes, let those being handled finish and send their
    acks, then close. slack_sdk's close() drops the socket first, which would
    lose the ack of a command that had already done its work."""
    client = handler.client
    try:
        client.closed = True  # ends the receive loop's hand-off first, or shutdown() waits for ever
        client.message_processor.shutdown()
        client.message_workers.shutdown(wait=True)
    except Exception:
        logging.getLogger(__name__).exception("draining Socket Mode envelopes failed")
    handler.close()


def cmd_scheduler(args, settings: Settings) -> int:
    app = _app(settings)
    if not (settings.slack_bot_token or settings.oauth):
        raise CliError("scheduler needs SLACK_BOT_TOKEN (or OAuth mode's installed workspaces) to deliver what it "
                       "sends")
    app.start(scheduler=True)
    try:
        _wait_for_signal()
    finally:
        app.stop()
    return 0


def cmd_demo(args, settings: Settings) -> int:
    from bot.devtools.demo import run_demo

    return run_demo(database=args.db, slow=args.slow, act=args.act)


def _teams_and_admins(sub) -> None:
    """``opsbot teams`` and ``opsbot admins``; their commands are in bot/cli_teams.py."""
    t = sub.add_parser("teams", help="the teams as a teams YAML file (docs/PRODUCT.md §7)")
    tsub = t.add_subparsers(dest="teams_command", required=True)
    tsub.add_parser("export", help="print the active teams and the admins named by file or CLI as a teams file"
                    ).set_defaults(func=cli_teams.cmd_teams_export)
    what = ("make the store say what FILE says: the teams it names become managed by the file (Slack then refuses "
            "edits of their people and channel), file teams it does not name are archived, Slack-made ones untouched")
    ta = tsub.add_parser("apply", help=what, description=what)
    ta.add_argument("file", help="a teams YAML file")
    ta.add_argument("--dry-run", action="store_true", help="print the changes; store nothing")
    ta.set_defaults(func=cli_teams.cmd_teams_apply)

    ad = sub.add_parser("admins", help="opsbot admins named by the operator: they may set teams up in Slack")
    adsub = ad.add_subparsers(dest="admins_command", required=True)
    adsub.add_parser("list", help="each admin, where they are named and the workspace they are an admin of").set_defaults(func=cli_teams.cmd_admins_list)
    for name, func, what in (("add", cli_teams.cmd_admins_add, "name an admin (until `admins remove`)"),
                             ("remove", cli_teams.cmd_admins_remove, "remove an admin named by `admins add`")):
        one = adsub.add_parser(name, help=what)
        one.add_argument("user_id", help="a Slack user ID, like U0123ABCD")
        one.set_defaults(func=func)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="opsbot", description="An operations team's working rules, run in Slack.")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("demo", help="play a scripted week against a local stand-in for Slack (no workspace needed)")
    d.add_argument("--db", help="SQLite file to keep (default: a temporary one)")
    d.add_argument("--slow", action="store_true", help="pause between scenes")
    d.add_argument("--act", choices=("setup", "topics", "development", "plan", "reviews", "talk", "recognition", "content",
                                     "activities", "leave", "all"), default="all",
                   help="play one act alone, setting up briefly what it needs from the acts before it "
                        "(default: all, the whole story)")
    d.set_defaults(func=cmd_demo)

    s = sub.add_parser("serve", help="serve Slack (Socket Mode with SLACK_APP_TOKEN, else HTTP on PORT)")
    s.add_argument("--no-scheduler", action="store_true", help="web replica only; run `opsbot scheduler` elsewhere")
    s.add_argument("--host", default="0.0.0.0")
    s.set_defaults(func=cmd_serve)

    sc = sub.add_parser("scheduler", help="run the scheduler (and the inbox and outbox workers) without serving HTTP")
    sc.set_defaults(func=cmd_scheduler)

    j = sub.add_parser("jobs", help="list or run scheduled jobs")
    jsub = j.add_subparsers(dest="jobs_command", required=True)
    jl = jsub.add_parser("list", help="when each job next runs, per team")
    jl.add_argument("--now", help="ISO-8601 time to look ahead from (default: now; no offset = UTC)")
    jl.add_argument("--json", action="store_true")
    jl.set_defaults(func=cmd_jobs_list)
    jr = jsub.add_parser("run", help="run a job by hand, as of a time")
    jr.add_argument("name")
    jr.add_argument("--now", help="ISO-8601 time to run as of (default: now; no offset = UTC)")
    jr.add_argument("--dry-run", action="store_true", help="print who would get what; send nothing")
    jr.add_argument("--team", help="only this team")
    jr.set_defaults(func=cmd_jobs_run)

    a = sub.add_parser("audit", help="the audit trail")
    a.add_argument("--item", help="KIND:ID, like topic:12")
    a.add_argument("--since", help="ISO-8601 time")
    a.set_defaults(func=cmd_audit)

    cli_outbox.add_parser(sub)

    _teams_and_admins(sub)

    cli_workspace.add_parser(sub)

    db = sub.add_parser("db", help="database maintenance")
    dbsub = db.add_subparsers(dest="db_command", required=True)
    up = dbsub.add_parser("upgrade", help="apply migrations (safe to run every time)")
    up.set_defaults(func=cmd_db_upgrade)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as e:  # a bad environment variable: name it, no traceback
        for err in e.errors():
            name = "_".join(str(part) for part in err["loc"]).upper()
            print(f"opsbot: {name}: {err['msg']}" if name else f"opsbot: {err['msg']}", file=sys.stderr)
        return 2
    try:
        _logging(settings.log_level if args.command in ("serve", "scheduler") else "WARNING")
        return args.func(args, settings)
    except (CliError, ConfigError) as e:
        print(f"opsbot: {e}", file=sys.stderr)
        return 2
    finally:
        close_apps()


if __name__ == "__main__":
    sys.exit(main())
