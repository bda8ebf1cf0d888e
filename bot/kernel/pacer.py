"""The outbox's pacer: client-side token buckets that keep posting under Slack's limits, per
channel and per workspace (``bot/kernel/outbox.py`` asks it before each new message)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# Slack's published limits for posting (docs.slack.dev/apis/web-api/rate-limits):
# chat.postMessage "generally allows posting one message per second per
# channel", short bursts above that allowed, "while also maintaining a
# workspace-wide limit" whose number Slack does not publish. The limits are
# per workspace and app, so each workspace has buckets of its own. The pacer
# keeps under these; docs/performance.md says where each number comes from.
CHANNEL_RATE, CHANNEL_BURST = 1.0, 4
WORKSPACE_RATE, WORKSPACE_BURST = 10.0, 20

# A bucket: (workspace, channel), or (workspace, None) for the workspace-wide one.
Key = tuple[str, str | None]


class Pacer:
    """Client-side token buckets in front of ``chat.postMessage``: one per
    channel and one workspace-wide, for each workspace (a Slack team id; ""
    in the single-workspace mode), a little under Slack's limits so that a
    fan-out of thousands of DMs goes out at the rate Slack allows instead of
    bouncing off 429s, and a workspace at its limit holds up no other.
    Thread-safe; waits on ``stop`` so shutdown is prompt. ``monotonic`` and
    ``sleep`` are the clock it reads and waits on (a fake one in tests)."""

    def __init__(self, *, channel: tuple[float, int] = (CHANNEL_RATE, CHANNEL_BURST),
                 workspace: tuple[float, int] = (WORKSPACE_RATE, WORKSPACE_BURST), margin: float = 0.97,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] | None = None) -> None:
        self.channel = (channel[0] * margin, max(1, channel[1] - 1))
        self.workspace = (workspace[0] * margin, max(1, workspace[1] - 1))
        self._now, self._sleep = monotonic, sleep
        self._lock = threading.Lock()
        self._buckets: dict[Key, tuple[float, float]] = {}  # key -> (tokens, stamp)

    def _level(self, key: Key, rate: float, burst: int, now: float) -> float:
        tokens, stamp = self._buckets.get(key, (float(burst), now))
        return min(float(burst), tokens + (now - stamp) * rate)

    def _levels(self, channel: str, workspace: str, now: float) -> tuple[float, float]:
        return (self._level((workspace, channel), *self.channel, now),
                self._level((workspace, None), *self.workspace, now))

    def _delay(self, c: float, w: float) -> float:
        return max(0.0, (1.0 - c) / self.channel[0], (1.0 - w) / self.workspace[0])

    def now(self) -> float:
        """The pacer's time (``monotonic``), which ``wait`` counts from."""
        return self._now()

    def workspace_wait(self, workspace: str = "") -> float:
        """How long any post to ``workspace`` would wait for its workspace-wide limit (0.0: none)."""
        with self._lock:
            w = self._level((workspace, None), *self.workspace, self._now())
        return max(0.0, (1.0 - w) / self.workspace[0])

    def room(self, workspace: str = "") -> int:
        """How many posts to ``workspace`` its workspace-wide limit lets go now (each channel's aside)."""
        with self._lock:
            return int(self._level((workspace, None), *self.workspace, self._now()))

    def ready(self, channel: str, workspace: str = "") -> bool:
        """Whether a post to ``channel`` could go now without waiting on its channel."""
        with self._lock:
            return self._levels(channel, workspace, self._now())[0] >= 1.0

    def wait(self, channel: str, workspace: str = "") -> float:
        """How long a post to ``channel`` of ``workspace`` would wait, in seconds: 0.0 if it could go now."""
        with self._lock:
            return self._delay(*self._levels(channel, workspace, self._now()))

    def acquire(self, channel: str, stop: threading.Event | None = None, workspace: str = "") -> bool:
        """Wait for a token for one post to ``channel`` of ``workspace``; False if stopped first."""
        while True:
            with self._lock:
                now = self._now()
                c, w = self._levels(channel, workspace, now)
                if c >= 1.0 and w >= 1.0:
                    self._buckets[(workspace, channel)] = (c - 1.0, now)
                    self._buckets[(workspace, None)] = (w - 1.0, now)
                    if len(self._buckets) > 10_000:  # forget idle channels and workspaces (full buckets)
                        self._buckets = {k: v for k, v in self._buckets.items() if v[1] > now - 60}
                    return True
                delay = self._delay(c, w)
            if self._sleep is not None:
                self._sleep(delay)
                if stop is not None and stop.is_set():
                    return False
            elif stop is not None:
                if stop.wait(delay):
                    return False
            else:
                time.sleep(delay)
