"""The process environment (docs/PRODUCT.md §4), read once at start."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///opsbot.sqlite3"
# How long decided inbox requests and finished outbox notices are kept
# (bot/kernel/retention.py), in days; and the least an operator may set.
DEFAULT_RETENTION_DAYS = 90
MIN_RETENTION_DAYS = 7


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
