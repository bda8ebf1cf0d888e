"""Small readers over what the Slack stand-in recorded: what a person saw."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest
from sqlalchemy.orm import Session

from bot.devtools.slack_standin import Call, visible_text
from storage.db import make_engine, make_session_factory, transaction

# What a reader could see in a recorded payload (shared with the demo).
all_text = visible_text


def buttons(payload: dict[str, Any]) -> list[str]:
    blocks = payload.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return [el["text"]["text"] for b in blocks if b.get("type") == "actions" for el in b["elements"]
            if el.get("type") == "button"]


def button(payload: dict[str, Any], label: str) -> dict[str, Any]:
    blocks = payload.get("blocks") or []
    for b in blocks:
        for el in b.get("elements", []) if b.get("type") == "actions" else []:
            if el.get("type") == "button" and el["text"]["text"] == label:
                return el
    raise AssertionError(f"no button {label!r} in {buttons(payload)}")


def cards(calls: list[Call], channel: str) -> list[Call]:
    return [c for c in calls if c.method in ("chat.postMessage", "chat.update") and c.ok
            and (c.params.get("channel") == channel or c.response.get("channel") == channel)]


def dms(calls: list[Call], user: str) -> list[Call]:
    return [c for c in calls if c.method == "chat.postMessage" and c.ok and c.params.get("channel") == user]


@contextmanager
def stored(url: str) -> Iterator[Session]:
    """A short-lived session on a database URL, to look at what is stored."""
    engine = make_engine(url)
    try:
        with transaction(make_session_factory(engine)) as s:
            yield s
    finally:
        engine.dispose()


T = TypeVar("T")


def wait_until_serving(proc: subprocess.Popen, probe: Callable[[], T], output: Callable[[], str],
                       timeout: float = 20) -> T:
    """Poll ``probe`` (e.g. GET /healthz) until it answers; fail with the
    server's output if the process dies or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"serve exited with {proc.returncode} before answering:\n{output()}")
        try:
            return probe()
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"serve did not answer /healthz within {timeout} s:\n{output()}")


def wait_until(predicate: Callable[[], Any], what: str = "condition", timeout: float = 5.0) -> Any:
    """Poll ``predicate`` until it is truthy, and return it; ``timeout`` bounds the wait, it is
    never a measure of anything (no timed assertions)."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)
