"""A throwaway PostgreSQL server for the test session, started from the machine's own binaries.

``.ci/start-postgres.sh`` does the same for a shell; this is the pytest side of it, so that
``uv run pytest`` on a fresh clone runs the PostgreSQL tests without any setup beyond an
installed PostgreSQL (``apt-get install postgresql``). The server:

- runs as a non-root OS user (PostgreSQL refuses root): ourselves when we are not root,
  else the ``postgres`` user Debian's package creates, else ``nobody``;
- listens on 127.0.0.1 only, on a free port, with its socket in its own folder;
- trades durability for speed (``fsync=off``), as a test database may;
- is stopped and its folder removed when the session ends.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bot.devtools.ports import listen_port

DATABASE = "opsbot_test"
INSTALL_HINT = (
    "no PostgreSQL on this machine: install it (`apt-get install postgresql`) and the tests start "
    "a throwaway server themselves, or point OPSBOT_TEST_POSTGRES_URL at a database they may wipe"
)


def find_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``postgres``: OPSBOT_PG_BINDIR, Debian's layout, or PATH."""
    candidates = [os.environ.get("OPSBOT_PG_BINDIR", "")]
    # Debian keeps each major version apart; prefer the newest.
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_major, reverse=True)
    on_path = shutil.which("initdb")
    candidates.append(str(Path(on_path).parent) if on_path else "")
    for c in candidates:
        if c and all(os.access(Path(c) / exe, os.X_OK) for exe in ("initdb", "postgres")):
            return Path(c)
    return None


def _major(path: str) -> int:
    try:
        return int(Path(path).parent.name)
    except ValueError:
        return 0


def _os_user() -> pwd.struct_passwd | None:
    """Whom to run the server as; None means as ourselves (we are not root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root and neither a 'postgres' nor a 'nobody' OS user exists")


@dataclass
class ThrowawayPostgres:
    bindir: Path
    base: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="opsbot-pg-")))
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def _as_server_user(self) -> dict[str, object]:
        user = _os_user()
        if user is None:
            return {}
        return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}

    def _prepare(self) -> None:
        user = _os_user()
        (self.base / "sock").mkdir()
        if user is not None:
            for p in (self.base, self.base / "sock"):
                os.chown(p, user.pw_uid, user.pw_gid)
        last = ""
        for locale in ("C.UTF-8", "C"):  # C.UTF-8 where the C library has it
            shutil.rmtree(self.base / "data", ignore_errors=True)
            done = subprocess.run(
                [str(self.bindir / "initdb"), "-D", str(self.base / "data"), "-U", "postgres",
                 "--auth=trust", "--encoding=UTF8", f"--locale={locale}"],
                cwd=self.base, capture_output=True, **self._as_server_user(),  # type: ignore[arg-type]
            )
            if done.returncode == 0:
                return
            last = (done.stdout + done.stderr).decode(errors="replace")
        raise RuntimeError(f"initdb failed:\n{last}")

    def start(self, *, attempts: int = 3, timeout: float = 60.0) -> ThrowawayPostgres:
        self._prepare()
        for _ in range(attempts):  # a free port can be taken between the probe and the bind
            self.port = listen_port()
            if self._launch(timeout):
                self._create_database()
                return self
        log = (self.base / "postgres.log").read_text(errors="replace")[-3000:]
        self.stop()
        raise RuntimeError(f"PostgreSQL did not start in {attempts} attempts; its log ends:\n{log}")

    def _launch(self, timeout: float) -> bool:
        log = open(self.base / "postgres.log", "ab")  # noqa: SIM115 - the server writes it until stop()
        self.process = subprocess.Popen(
            [str(self.bindir / "postgres"), "-D", str(self.base / "data"), "-p", str(self.port),
             "-k", str(self.base / "sock"), "-c", "listen_addresses=127.0.0.1",
             # Room for the replicas tests (three apps, each with its workers) beside the rest.
             "-c", "max_connections=300",
             "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
            cwd=self.base, stdout=log, stderr=subprocess.STDOUT, **self._as_server_user(),  # type: ignore[arg-type]
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", connect_timeout=2).close()
                return True
            except psycopg.OperationalError:
                time.sleep(0.1)
        self._terminate()
        return False

    def _create_database(self) -> None:
        admin = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")

    def _terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # "fast" shutdown: ends any connection left open
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def stop(self) -> None:
        self._terminate()
        shutil.rmtree(self.base, ignore_errors=True)
