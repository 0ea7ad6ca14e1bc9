"""The benchmark's open-loop generator: fixed arrivals, people rotated, queueing counted."""

import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer

import pytest

from bench import openloop, run, workload

USERS = [["patient", "cookie-a", "csrf-a", "", ""], ["patient", "cookie-b", "csrf-b", "", ""],
         ["nurse", "cookie-n", "csrf-n", "17", "v9"]]


def test_requests_fill_placeholders_and_rotate_people_per_role():
    lines = [["patient", "POST", "/check-in", "csrf_token={csrf}&client_id=bench-{uid}", "1"],
             ["nurse", "GET", "/care/poll?since={since}", "", "1"],
             ["nurse", "GET", "/care/patients/{patient}", "", "0"]]
    raw = [r.decode() for r in openloop.plan_requests(lines, USERS, 6)]
    assert raw[0].startswith("POST /check-in HTTP/1.1\r\n")
    assert "Cookie: __Host-ww_session=cookie-a" in raw[0] and raw[0].endswith(
        "csrf_token=csrf-a&client_id=bench-open-0")
    assert "X-CSRFToken: csrf-a" in raw[0] and "Content-Length: 40" in raw[0]
    assert "Cookie: __Host-ww_session=cookie-b" in raw[3]  # the next patient's turn
    assert raw[1].startswith("GET /care/poll?since=v9 HTTP/1.1")
    assert raw[2].startswith("GET /care/patients/17 HTTP/1.1")
    assert "HX-Request" not in raw[2] and "Content-Length" not in raw[2]


def test_the_mix_is_planned_from_the_load_script_lines():
    lines = [line for page in workload.PAGES if page.weight
             for line in run.request_lines(page) * page.weight]
    raw = openloop.plan_requests(lines, [["anonymous", "", "", "", ""], *USERS], len(lines))
    assert len(raw) == len(lines)
    assert all(b"{" not in r.split(b"\r\n", 1)[0] for r in raw)  # no placeholder left


class Answer(BaseHTTPRequestHandler):
    """204 after a pause; the pause and the count are on the server."""

    def do_GET(self):  # noqa: N802 - the standard library's name
        time.sleep(self.server.pause)
        self.server.count += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server(request):
    kind, pause = request.param
    httpd = kind(("127.0.0.1", 0), Answer)
    httpd.pause, httpd.count = pause, 0
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


LINE = [["anonymous", "GET", "/healthz", "", "0"]]
ANON = [["anonymous", "", "", "", ""]]


@pytest.mark.parametrize("server", [(ThreadingHTTPServer, 0.0)], indirect=True)
def test_a_quick_server_gets_every_planned_request(server):
    figures = openloop.run(server.server_address[1], LINE, ANON, {204}, rate=50, seconds=0.4)
    assert figures["requests"] == 20 == server.count
    assert figures["statuses"] == [(204, 20)] and figures["unexpected"] == 0
    assert figures["socket_errors"] == 0


@pytest.mark.parametrize("server", [(HTTPServer, 0.05)], indirect=True)
def test_time_waiting_behind_a_slow_answer_counts_as_latency(server):
    # One answer at a time, 50 ms each, but 20 arrive in 0.2 s: the last waits about a second.
    # Timed from when each was sent, every answer would look like 50 ms.
    figures = openloop.run(server.server_address[1], LINE, ANON, {204}, rate=100,
                           seconds=0.2, connections=1)
    assert figures["requests"] == 20
    assert figures["p95_us"] > 500_000
    assert figures["p50_us"] > 200_000
