"""The background thread both workers run in: a round when woken or at each
poll, until stopped (``bot/kernel/outbox.py``, ``bot/kernel/inbox.py``)."""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable

log = logging.getLogger(__name__)

# While requests from Slack are being answered, a worker waits up to this long
# before each unit of work (a delivery, a decision): an ack has 3 s, the work
# has seconds to spare, and on a busy process they share the CPU
# (docs/performance.md). The bound keeps the worker moving under sustained load.
YIELD_TO_REQUESTS = 0.25
_YIELD_STEP = 0.005


class BackgroundLoop(ABC):
    thread_name = "opsbot-worker"

    def __init__(self, *, poll_interval: float) -> None:
        self.poll_interval = poll_interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @abstractmethod
    def drain(self) -> int:
        """One round of work; returns how much was done."""

    def give_way(self, busy: Callable[[], bool]) -> None:
        """Wait while ``busy()`` (requests in flight), at most YIELD_TO_REQUESTS,
        and not past a stop."""
        deadline = time.monotonic() + YIELD_TO_REQUESTS
        while busy() and time.monotonic() < deadline and not self._stop.wait(_YIELD_STEP):
            pass

    def wake(self) -> None:
        """Something was committed: work now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.drain()
            except Exception:  # a worker must outlive a bad row or a database blip
                log.exception("%s: a round failed", self.thread_name)
            self._wake.wait(self.poll_interval)
            self._wake.clear()
