"""The network-blocked run is really blocked: `make test` runs the unit tests, the notebooks and the book
build through tests/offline.sh, which sets CHECKERBOARD_OFFLINE=1 inside a namespace with only the loopback."""

import os
import socket

import pytest

OFFLINE = os.environ.get("CHECKERBOARD_OFFLINE") == "1"


@pytest.mark.skipif(not OFFLINE, reason="not inside tests/offline.sh's network namespace (see its message)")
@pytest.mark.parametrize("address", [("1.1.1.1", 53), ("151.101.0.223", 443)])  # a DNS resolver, PyPI's CDN
def test_no_route_out(address):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(3)
        assert s.connect_ex(address) != 0, f"connected to {address}: the network is not blocked"


@pytest.mark.skipif(not OFFLINE, reason="not inside tests/offline.sh's network namespace (see its message)")
def test_loopback_works():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=3):
            pass
