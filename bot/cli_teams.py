"""``opsbot teams export|apply`` and ``opsbot admins list|add|remove``: teams
and admins from the terminal (docs/PRODUCT.md §4). ``bot/cli.py`` wires them.

These commands look at and change the store only: they never apply
``OPSBOT_TEAMS_FILE`` on the way (a dry run must store nothing, and an export
says what the store holds, not what a file would make it)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from bot.cli_base import CliError, command_app
from bot.kernel import admins
from bot.kernel.scheduler import CHANGE_CHECK_SECONDS
from bot.kernel.settings import Settings
from bot.kernel.teams import SLACK, apply_teams
from bot.kernel.teams_file import ConfigError, load_teams_file, parse_teams
from storage import queries
from storage.db import transaction
from storage.models import Admin, Membership, SlackUser

WHERE = {
    admins.FILE: "the teams file's admins",
    admins.ENV: "OPSBOT_ADMINS",
    admins.CLI: "`opsbot admins add`",
    admins.INSTALL: "installing the app (Add to Slack)",
    admins.SLACK: "Slack: a workspace owner or admin there, as Slack last reported",
}
REMOVE_THERE = {
    admins.FILE: "remove them from the teams file's `admins` and run `opsbot teams apply FILE` (or restart opsbot)",
    admins.ENV: "remove them from OPSBOT_ADMINS and restart opsbot",
}


# Who the audit trail names for what an operator did in the terminal.
CLI_ACTOR = "cli"


def _audit(s, app, action: str, *, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           kind: str | None = None) -> None:
    """What an operator did in the terminal, on the audit trail (`opsbot audit`)."""
    queries.add_audit(s, at=app.clock.now(), actor_id=CLI_ACTOR, action=action, outcome="ok", team_id=None,
                      item_kind=kind, item_id=None, before=before, after=after, detail=None)


class _Dumper(yaml.SafeDumper):
    """Lists of ids, platforms and dates on one line, as docs/PRODUCT.md §7 writes them."""


_Dumper.add_representer(list, lambda d, items: d.represent_sequence(
    "tag:yaml.org,2002:seq", items, flow_style=not any(isinstance(i, dict | list) for i in items)))


def _store_app(settings: Settings):
    return command_app(settings.model_copy(update={"opsbot_teams_file": None}))


def _people(s, team_id: int, role: str) -> list[str]:
    return list(s.scalars(
        select(Membership.user_id)
        .where(Membership.team_id == team_id, Membership.role == role, Membership.active)
        .order_by(Membership.position, Membership.id)
    ))


def _team_raw(s, team) -> dict[str, Any]:
    """A stored team in the teams file's keys and order (docs/PRODUCT.md §7)."""
    return {
        "name": team.name,
        "channel": team.channel,
        "timezone": team.timezone,
        "country": team.country,
        "locale": team.locale,
        "weekly_topic_quota": team.weekly_topic_quota,
        "supervisors": _people(s, team.id, "supervisor"),
        "members": _people(s, team.id, "member"),
        "platforms": list(team.platforms or []),
        "mention_in_summaries": team.mention_in_summaries,
        "calendar": dict(team.calendar or {}),
        "schedule": dict(team.schedule or {}),
        "reviews": dict(team.reviews or {}),
        "recognition": dict(team.recognition or {}),
        "onboarding": list(team.onboarding or []),
    }


def cmd_teams_export(args, settings: Settings) -> int:
    app = _store_app(settings)
    with transaction(app.db) as s:
        teams = list(queries.active_teams(s))
        from_slack = [t.name for t in teams if t.managed_by == SLACK]
        raw = {
            "admins": [a.user_id for a in admins.named(s) if a.source in (admins.FILE, admins.CLI)],
            "teams": [_team_raw(s, t) for t in teams],
        }
        env_admins = [a.user_id for a in admins.named(s) if a.source == admins.ENV]
    try:
        # Through the file's own model: what is printed is a file `teams apply`
        # takes, with every default spelled out.
        config = parse_teams(raw, "the store's teams")
    except ConfigError as e:
        raise CliError(f"{e}: fix it in Slack (/opsbot setup) first; a teams file could not hold it") from None
    out = {"admins": list(config.admins), "teams": [t.model_dump(mode="python") for t in config.teams]}
    print("# opsbot teams export: the store's active teams and the admins named by the file or the CLI.")
    print("# `opsbot teams apply FILE` makes the store say what this file says; the teams it names")
    print("# become managed by the file (Slack then refuses edits of their people and channel).")
    if from_slack:
        print(f"# Made in Slack, handed to the file if you apply this: {', '.join(from_slack)}.")
    if env_admins:
        print(f"# Left out, as OPSBOT_ADMINS names them: {', '.join(env_admins)}.")
    sys.stdout.write(yaml.dump(out, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120))
    return 0


def cmd_teams_apply(args, settings: Settings) -> int:
    path = Path(args.file)
    config = load_teams_file(path)  # a bad file: ConfigError, exit 2, nothing touched
    app = _store_app(settings)
    report = apply_teams(db=app.db, clock=app.clock, config=config, dry_run=args.dry_run)
    for line in report.lines() or ["nothing to change"]:
        print(line)
    if args.dry_run:
        print("dry run: nothing was changed.")
        return 0
    if not report.empty:
        with transaction(app.db) as s:
            _audit(s, app, "teams.apply", after={"created": report.created, "updated": report.updated,
                                                 "archived": report.deactivated, "admins_added": report.admins_added,
                                                 "admins_removed": report.admins_removed})
        print(f"applied {path}: {len(report.created)} team(s) created, {len(report.updated)} changed, "
              f"{len(report.deactivated)} archived. A running `opsbot serve` plans their jobs within "
              f"{CHANGE_CHECK_SECONDS} seconds.")
    env_file = settings.opsbot_teams_file
    if env_file is not None and Path(env_file).resolve() != path.resolve():
        print(f"warning: OPSBOT_TEAMS_FILE is {env_file}: the next start applies that file again, "
              f"undoing what it does not say.", file=sys.stderr)
    return 0


def _user_id(value: str) -> str:
    if not admins.USER_ID.match(value):
        raise CliError(f"{value!r} is not a Slack user ID (like U0123ABCD): in Slack, open the person's "
                       f"profile, then ⋮ › Copy member ID")
    return value


def _workspace(a: Admin) -> str:
    """Where an admin is one: a Slack workspace (or org) id, or everywhere (the whole deployment)."""
    return a.workspace or "everywhere"


def cmd_admins_list(args, settings: Settings) -> int:
    """Each admin, by source, and the workspace they are an admin of: ``everywhere`` for the
    operator's (file, environment, CLI), the installed workspace for an installer."""
    app = _store_app(settings)
    with transaction(app.db) as s:
        named = admins.named(s)
        workspace = list(s.scalars(select(SlackUser.user_id).where(SlackUser.workspace_admin)
                                   .order_by(SlackUser.user_id)))
        for a in named:
            print(f"{a.user_id:<12} {a.source:<7} {_workspace(a):<11} named by {WHERE.get(a.source, a.source)}, "
                  f"since {a.added_at.date().isoformat()}")
        for user_id in workspace:
            if user_id not in {a.user_id for a in named}:
                print(f"{user_id:<12} slack   {'everywhere':<11} a workspace owner or admin, as Slack last reported "
                      f"(the single-workspace mode)")
    print(f"{len(named)} admin(s) named." if named else
          "no admins named: name one with `opsbot admins add U…`, OPSBOT_ADMINS or the teams file's admins.")
    return 0


def cmd_admins_add(args, settings: Settings) -> int:
    user_id = _user_id(args.user_id)
    app = _store_app(settings)
    with transaction(app.db) as s:
        existing = s.get(Admin, (user_id, admins.EVERYWHERE))
        if existing is not None and existing.source == admins.SLACK:
            existing = None
        if existing is None:
            admins.add(s, user_id, app.clock.now(), admins.CLI)
            _audit(s, app, "admin.add", after={"user": user_id}, kind="admin")
    if existing is not None:
        print(f"{user_id} is already an admin, named by {WHERE.get(existing.source, existing.source)}: "
              f"nothing changed.")
        return 0
    print(f"{user_id} is now an opsbot admin (source cli): they may set teams up with /opsbot setup. "
          f"`opsbot admins remove {user_id}` undoes it.")
    return 0


def cmd_admins_remove(args, settings: Settings) -> int:
    user_id = _user_id(args.user_id)
    app = _store_app(settings)
    with transaction(app.db) as s:
        rows = [a for a in admins.rows_of(s, user_id) if a.source != admins.SLACK]
        if not rows:
            raise CliError(f"{user_id} is not a named admin; `opsbot admins list` shows who is")
        if not any(a.source in admins.REMOVABLE for a in rows):
            existing = rows[0]
            there = REMOVE_THERE.get(existing.source, f"they were named by {existing.source}")
            raise CliError(f"{user_id} is named by {WHERE.get(existing.source, existing.source)}, not by "
                           f"`opsbot admins add` or an install: {there}")
        gone = admins.remove(s, user_id)  # the CLI's and every install's: of each workspace they installed in
        places = sorted(a.workspace for a in gone if a.workspace)
        _audit(s, app, "admin.remove", before={"user": user_id, **({"workspaces": places} if places else {})},
               kind="admin")
        kept = [a for a in rows if a not in gone]
        still = bool(s.scalar(select(SlackUser.workspace_admin).where(SlackUser.user_id == user_id)))
    if kept:
        print(f"{user_id} is no longer an admin by `opsbot admins add` or an install; they are still one, named by "
              f"{WHERE.get(kept[0].source, kept[0].source)}.")
        return 0
    print(f"{user_id} is no longer a named admin."
          + (" They are still an admin as a Slack workspace owner or admin." if still else ""))
    return 0

