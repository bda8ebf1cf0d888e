"""A free port for a server another process is to start on: one outside the ephemeral range.

A test that starts ``opsbot serve`` (or PostgreSQL) in a child process must name its port
before the child binds it. The usual probe (bind port 0, read the number, close) hands out
a port of the *ephemeral* range, the one the kernel also gives every outgoing connection:
between the probe and the child's bind, a connection to PostgreSQL or to the Slack stand-in
can take it, and the child fails with "Address already in use" (CI, stop 27: three replicas
each opening a pool). A port below that range is never given to an outgoing connection, so
only another listener could take it, and this process never hands one out twice.
"""

from __future__ import annotations

import random
import socket
import threading
from pathlib import Path

_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_LOWEST = 10_000  # below: ports other services on a developer's machine tend to listen on
_given: set[int] = set()
_lock = threading.Lock()


def _ephemeral() -> tuple[int, int]:
    try:
        low, high = (int(x) for x in _RANGE.read_text().split())
        return low, high
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default; IANA's (49152–65535) lies inside it but for 61000+


def _is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def listen_port(attempts: int = 200) -> int:
    """A port on 127.0.0.1 free now, outside the ephemeral range, not handed out before."""
    low, high = _ephemeral()
    candidates = range(_LOWEST, low) if low > _LOWEST + 1000 else range(high + 1, 65536)
    with _lock:
        for port in random.sample(candidates, min(attempts, len(candidates))):
            if port not in _given and _is_free(port):
                _given.add(port)
                return port
    raise RuntimeError(f"no free port outside the ephemeral range ({low}–{high}) after {attempts} tries")
