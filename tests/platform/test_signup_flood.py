"""The benchmark's sign-up flood against a live app: it really signs people up, and from one
address it meets the per-address limit."""

import threading
import time

import pytest
from werkzeug.serving import make_server

from bench.signup_flood import Flood
from journal import create_app


@pytest.fixture
def port(tmp_path):
    app = create_app({"MODE": "test", "JOURNAL_DB": str(tmp_path / "journal.db"),
                      "TRUSTED_PROXIES": 1})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def _flood(port, spread, until):
    with Flood(port, loops=2, spread=spread) as flood:
        deadline = time.monotonic() + 20
        while not until(flood.statuses) and time.monotonic() < deadline:
            time.sleep(0.05)
    return flood.statuses


def test_from_many_addresses_every_sign_up_goes_through(port):
    statuses = _flood(port, True, lambda seen: seen[303] >= 12)
    assert statuses[303] >= 12
    assert set(statuses) == {303}


def test_from_one_address_the_limit_refuses_the_rest(port):
    statuses = _flood(port, False, lambda seen: seen[429] >= 3)
    assert statuses[429] >= 3
    assert 1 <= statuses[303] <= 10
    assert set(statuses) <= {303, 429}
