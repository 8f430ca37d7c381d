"""The mock's connections send each write at once (TCP_NODELAY).

With Nagle's algorithm on, a response's body waits for the client's ACK of its head, which the client delays
(40 ms on Linux): every request on a kept-alive connection stalled, and the suite ran at a fraction of its
speed. asyncio turns Nagle off only on sockets whose `proto` says TCP, so the listening socket must say so.
(The suite's side needs nothing: httpcore sets TCP_NODELAY on every connection it opens.)
"""

from __future__ import annotations

import socket

import httpx
import pytest

from ingest_conformance.mock import RunningMock

pytestmark = pytest.mark.selftest


def test_every_accepted_connection_has_nagle_off(mock: RunningMock, client: httpx.Client) -> None:
    assert client.get("/v1/ingest/imports").status_code == 200  # one kept-alive connection, now open
    connections = list(mock._server.server_state.connections)
    assert connections, "uvicorn tracks no open connection"
    for protocol in connections:
        sock = protocol.transport.get_extra_info("socket")
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
