"""Starting several ``opsbot serve`` at the same instant, cheaply: a launcher process.

Run as ``python -m tests.support.replicas``. It imports the app once, then for each
line on stdin (JSON: a list of ``{"env": {...}, "log": path}``) forks one child per
entry. The children wait on one pipe until all exist, then each sets its environment,
sends its output to its log and runs ``bot.cli.main(["serve", ...])`` — the same entry
point as ``python -m bot.cli serve``, without paying the interpreter's start and the
imports (seconds of CPU) thirty times over. The launcher prints a JSON line with the
children's pids, then one ``{"pid": .., "code": ..}`` line as each exits. Being
single-threaded, it forks safely.
"""

from __future__ import annotations

import json
import os
import sys
import traceback


def _preload() -> None:
    import uvicorn  # noqa: F401

    import bot.app  # noqa: F401
    import bot.cli  # noqa: F401
    import bot.web  # noqa: F401


def _child(go: int, env: dict[str, str], log: str) -> None:
    os.read(go, 1)  # the barrier: every replica of the round starts at once
    os.environ.update(env)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    code = 1
    try:
        from bot.cli import main

        code = main(["serve", "--host", "127.0.0.1"])
    except SystemExit as e:  # serve turns SIGTERM into sys.exit(0)
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _round(specs: list[dict]) -> None:
    go_read, go_write = os.pipe()
    pids = []
    for spec in specs:
        pid = os.fork()
        if pid == 0:
            os.close(go_write)
            _child(go_read, spec["env"], spec["log"])
        pids.append(pid)
    os.close(go_read)
    print(json.dumps({"pids": pids}), flush=True)
    os.write(go_write, b"x" * len(pids))  # go, all of you
    os.close(go_write)
    for _ in pids:
        pid, status = os.wait()
        print(json.dumps({"pid": pid, "code": os.waitstatus_to_exitcode(status)}), flush=True)


def main() -> None:
    _preload()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if line.strip():
            _round(json.loads(line))
            print(json.dumps({"round": "done"}), flush=True)


if __name__ == "__main__":
    main()
