"""The process environment (docs/PRODUCT.md §4), read once at start."""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///opsbot.sqlite3"
# How long decided inbox requests and finished outbox notices are kept
# (bot/kernel/retention.py), in days; and the least an operator may set.
DEFAULT_RETENTION_DAYS = 90
MIN_RETENTION_DAYS = 7
# How long the data of a workspace that uninstalled opsbot is kept before it is purged, in days
# (bot/kernel/workspaces.py); 0: purged by the first daily retention run after the uninstall.
DEFAULT_WORKSPACE_RETENTION_DAYS = 30
# An OAuth install link's state, in seconds (Bolt's default).
DEFAULT_STATE_TTL_SECONDS = 600
MAKE_KEY = '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`'


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = DEFAULT_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    opsbot_teams_file: Path | None = None
    # Slack user ids, comma-separated: opsbot admins besides the teams file's and Slack's own (bot/kernel/admins.py).
    opsbot_admins: str = ""
    log_level: str = "INFO"
    port: int = 3000
    opsbot_retention_days: int = Field(DEFAULT_RETENTION_DAYS, ge=MIN_RETENTION_DAYS)
    # "Add to Slack" (README "Install with OAuth"): both set → many workspaces, each
    # installed through /slack/install; unset → one workspace on SLACK_BOT_TOKEN.
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    # Bot scopes asked for at install, comma-separated; empty: exactly app.yaml's
    # (the scopes the code calls for, handlers/ids.py).
    slack_scopes: str = ""
    # A Fernet key: installed workspaces' tokens are encrypted with it in the database.
    opsbot_token_key: SecretStr | None = None
    # The explicit opt-out: tokens stored as Slack sent them (a disposable test deployment).
    opsbot_plaintext_tokens: bool = False
    # Days an uninstalled workspace's teams and their rows are kept; then purged (OAuth mode).
    opsbot_workspace_retention_days: int = Field(DEFAULT_WORKSPACE_RETENTION_DAYS, ge=0)
    # Seconds an install link's state is good for; expired ones are purged.
    oauth_state_ttl_seconds: int = Field(DEFAULT_STATE_TTL_SECONDS, ge=60)

    @property
    def oauth(self) -> bool:
        """Many workspaces, each installed with "Add to Slack": client id and secret set."""
        return bool(self.slack_client_id and self.slack_client_secret
                    and self.slack_client_secret.get_secret_value())

    @model_validator(mode="after")
    def _token_key(self) -> Settings:
        if not self.oauth or self.opsbot_plaintext_tokens:
            return self
        if self.opsbot_token_key is None or not self.opsbot_token_key.get_secret_value():
            raise ValueError(f"OAuth mode (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET set) needs OPSBOT_TOKEN_KEY to "
                             f"encrypt installed workspaces' tokens; make one with {MAKE_KEY} (or set "
                             f"OPSBOT_PLAINTEXT_TOKENS=true to store them unencrypted)")
        try:
            Fernet(self.opsbot_token_key.get_secret_value().encode())
        except ValueError:
            raise ValueError(f"OPSBOT_TOKEN_KEY is not a Fernet key; make one with {MAKE_KEY}") from None
        return self

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, v: str) -> str:
        # slack_sdk joins base_url + method name, so the slash must be there
        # whether or not the operator wrote it.
        return v if v.endswith("/") else v + "/"

    @field_validator("opsbot_admins")
    @classmethod
    def _admins(cls, v: str) -> str:
        from bot.kernel.admins import parse_ids

        return ",".join(parse_ids(v))

    @field_validator("log_level")
    @classmethod
    def _level(cls, v: str) -> str:
        v = v.upper()
        if v not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return v
