"""The port handed to a child server is one no outgoing connection can take meanwhile."""

from __future__ import annotations

import socket
from pathlib import Path

from bot.devtools.ports import listen_port


def _ephemeral() -> tuple[int, int]:
    low, high = (int(x) for x in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    return low, high


def test_ports_handed_out_are_free_distinct_and_outside_the_ephemeral_range():
    low, high = _ephemeral()
    ports = [listen_port() for _ in range(20)]
    assert len(set(ports)) == 20
    assert all(not low <= p <= high for p in ports), (low, high, ports)
    for p in ports:  # each can be listened on now
        with socket.create_server(("127.0.0.1", p)):
            pass

