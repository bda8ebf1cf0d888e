"""The processes a benchmark runs against: the Slack stand-in, opsbot served
the way the README says to run it in production, and the bare Bolt app."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlalchemy import create_engine, text

from bot.devtools.ports import listen_port
from storage.db import normalize_url

ROOT = Path(__file__).resolve().parent.parent


def reset_postgres(url: str) -> None:
    """An empty database for a run (the bench's own database, never a test's)."""
    engine = create_engine(normalize_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


class StandIn:
    """``bench.standin_proc`` in a subprocess."""

    def __init__(self, users: dict[str, dict[str, Any]], workdir: Path,
                 workspaces: dict[str, str] | None = None) -> None:
        """``workspaces``: workspace → a bot token the stand-in is to know as that workspace's."""
        path = workdir / "users.json"
        path.write_text(json.dumps(users))
        argv = [sys.executable, "-m", "bench.standin_proc", str(path)]
        if workspaces:
            ws_path = workdir / "workspaces.json"
            ws_path.write_text(json.dumps(workspaces))
            argv.append(str(ws_path))
        self.proc = subprocess.Popen(argv, cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.api_url = self.proc.stdout.readline().strip()
        if not self.api_url:
            raise RuntimeError("the Slack stand-in did not start")

    def stop(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@dataclass
class Server:
    name: str
    proc: subprocess.Popen
    port: int
    secret: str
    database_url: str | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} before it was ready")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer /healthz within {timeout}s")

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        self.proc.terminate()  # SIGTERM: opsbot finishes what is in flight and exits
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start_bare() -> Server:
    port, secret = listen_port(), secrets.token_hex(16)
    env = {**os.environ, "PORT": str(port), "SLACK_SIGNING_SECRET": secret}
    proc = subprocess.Popen([sys.executable, "-m", "bench.bare_app"], cwd=ROOT, env=env)
    server = Server("bare Bolt app", proc, port, secret)
    server.wait_ready()
    return server


def start_opsbot(name: str, *, database_url: str, api_url: str, teams: dict[str, Any] | None, workdir: Path,
                 env: dict[str, str] | None = None) -> Server:
    """``opsbot serve --no-scheduler`` in HTTP mode, configured only through
    its environment, as README "Running it" says. ``teams``: the teams file (None: none);
    ``env``: more settings (with ``SLACK_CLIENT_ID``, OAuth mode: no ``SLACK_BOT_TOKEN``)."""
    port, secret = listen_port(), secrets.token_hex(16)
    base = {k: v for k, v in os.environ.items() if k not in ("SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "OPSBOT_TEAMS_FILE")}
    base.update({
        "SLACK_SIGNING_SECRET": secret, "SLACK_API_URL": api_url,
        "DATABASE_URL": database_url, "PORT": str(port), "LOG_LEVEL": "WARNING",
    })
    if teams is not None:
        fd, teams_path = tempfile.mkstemp(suffix=".yaml", dir=workdir)
        with os.fdopen(fd, "w") as f:
            yaml.safe_dump(teams, f)
        base["OPSBOT_TEAMS_FILE"] = teams_path
    if not env or "SLACK_CLIENT_ID" not in env:
        base["SLACK_BOT_TOKEN"] = "xoxb-bench"
    env = {**base, **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--no-scheduler", "--host", "127.0.0.1"],
                            cwd=workdir, env=env)
    server = Server(name, proc, port, secret, database_url)
    server.wait_ready()
    return server
