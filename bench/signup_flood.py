"""Anonymous sign-ups in a loop beside the patients' pages (issue 15): each loop fetches the
form and posts a new account, as a script would. `spread` sends each sign-up from its own
address (X-Forwarded-For, honoured when the server trusts one proxy), the worst case a
throttle per address cannot stop; without it every sign-up comes from one address."""

import collections
import itertools
import secrets
import threading
import time

from bench.client import csrf_token, fetch, form_body, session_cookie
from bench.synthetic import BENCH_PASSWORD


class Flood:
    """`loops` threads signing up until stopped; counts the answers' statuses."""

    def __init__(self, port, loops=4, spread=True):
        self.port, self.loops, self.spread = port, loops, spread
        self.statuses = collections.Counter()
        self._stop = threading.Event()
        self._numbers = itertools.count(1)
        # Each flood's addresses are new: a taken address would be refused, not signed up.
        self._run = secrets.token_hex(4)
        self._lock = threading.Lock()
        self._threads = []
        self.seconds = 0.0

    def _one(self, n):
        headers = {}
        if self.spread:
            headers["X-Forwarded-For"] = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
        status, answer, html = fetch(self.port, "GET", "/sign-up", headers=headers, timeout=60)
        cookie = session_cookie(answer, None)
        token = csrf_token(html)
        if status != 200 or not cookie or not token:
            return status
        body = form_body([("csrf_token", token), ("first_name", "Flood"),
                          ("email", f"flood-{self._run}-{n}@example.com"),
                          ("password", BENCH_PASSWORD), ("agree", "yes")])
        status, _, _ = fetch(self.port, "POST", "/sign-up", body, cookie=cookie,
                             headers=headers, timeout=60)
        return status

    def _loop(self):
        while not self._stop.is_set():
            n = next(self._numbers)
            try:
                status = self._one(n)
            except OSError:
                status = "socket error"
            with self._lock:
                self.statuses[status] += 1

    def __enter__(self):
        self._started = time.perf_counter()
        self._threads = [threading.Thread(target=self._loop, daemon=True)
                         for _ in range(self.loops)]
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=70)
        self.seconds = time.perf_counter() - self._started
