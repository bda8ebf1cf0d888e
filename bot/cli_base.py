"""What every ``opsbot`` subcommand shares, whichever module holds it
(``bot/cli.py``, ``bot/cli_teams.py``): the refusal it exits 2 with, and the
app it runs on."""

from __future__ import annotations

from pydantic import SecretStr

from bot.kernel.settings import Settings


class CliError(Exception):
    """A command refused: ``opsbot: <message>`` on stderr, exit 2."""


# The apps the running command built: their connections close when it ends (``close_apps``), so
# a command run in-process (tests, an embedding script) leaves no idle database session behind.
_built: list = []


def command_app(settings: Settings, **kw):
    from bot.app import create_app

    if not settings.slack_signing_secret:
        # CLI commands that do not serve HTTP still build the same app;
        # they never verify a request, so any secret will do for them.
        settings = settings.model_copy(update={"slack_signing_secret": SecretStr("unused-by-cli")})
    app = create_app(settings, **kw)
    _built.append(app)
    return app


def close_apps() -> None:
    """Close the database connections of every app the command built."""
    while _built:
        _built.pop().engine.dispose()
