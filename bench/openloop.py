"""An open-loop load generator: requests arrive at a fixed rate whether or not the server
keeps up, as wrk2 does (wrk2 is not packaged in Debian).

Each request has a planned start, start + i / rate; its latency is measured from that
planned start, not from when a connection was free, so time spent queued behind a slow
answer counts (no coordinated omission). At most `connections` requests are in flight; the
rest wait their turn, and their wait is part of their latency. A run is bounded: it plans
rate x seconds requests, and gives up on those not answered within `timeout` seconds.
"""

import asyncio
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from bench.workload import COOKIE_NAME


def fill(text, user, uid):
    """The request text with the signed-in person's placeholders put in (as workload.lua)."""
    return (text.replace("{csrf}", user["csrf"]).replace("{uid}", uid)
            .replace("{patient}", user["patient"]).replace("{since}", user["since"]))


def plan_requests(request_lines, users, count):
    """`count` raw HTTP requests, rotating the pages and, per role, the signed-in people."""
    pools = {}
    for role, cookie, csrf, patient, since in users:
        pools.setdefault(role, []).append(
            {"cookie": cookie, "csrf": csrf, "patient": patient, "since": since})
    turns = Counter()
    raw = []
    for i in range(count):
        role, method, path, body, htmx = request_lines[i % len(request_lines)]
        pool = pools[role]
        user = pool[turns[role] % len(pool)]
        turns[role] += 1
        uid = f"open-{i}"
        headers = ["Host: 127.0.0.1", "Accept-Encoding: gzip, deflate, br", "Connection: close"]
        if user["cookie"]:
            headers.append(f"Cookie: {COOKIE_NAME}={user['cookie']}")
        if htmx == "1":
            headers += ["HX-Request: true", f"X-CSRFToken: {user['csrf']}"]
        data = b""
        if method == "POST":
            data = fill(body, user, uid).encode()
            headers += ["Content-Type: application/x-www-form-urlencoded",
                        f"Content-Length: {len(data)}"]
        head = f"{method} {fill(path, user, uid)} HTTP/1.1\r\n" + "\r\n".join(headers)
        raw.append(head.encode() + b"\r\n\r\n" + data)
    return raw


async def _one(port, raw, timeout):
    """Send one request on a new connection (gunicorn's sync workers close each one);
    returns (status, Location header)."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    try:
        writer.write(raw)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    location = next((h.split(":", 1)[1].strip() for h in head[1:]
                     if h.lower().startswith("location:")), "")
    return status, location


async def _run(port, raw, rate, connections, expect, timeout):
    start = time.perf_counter() + 0.2
    slots = asyncio.Semaphore(connections)
    latencies, statuses = [], Counter()
    errors = {"socket": 0, "unexpected": 0}
    late = []

    async def send(i, request):
        planned = start + i / rate
        await asyncio.sleep(max(0.0, planned - time.perf_counter()))
        late.append(time.perf_counter() - planned)  # the generator's own delay, not the queue
        async with slots:
            try:
                status, location = await _one(port, request, timeout)
            except (TimeoutError, OSError, IndexError, ValueError):
                errors["socket"] += 1
                return
        latencies.append(time.perf_counter() - planned)
        statuses[status] += 1
        if status not in expect or "sign-in" in location:
            errors["unexpected"] += 1

    await asyncio.gather(*(send(i, r) for i, r in enumerate(raw)))
    return latencies, statuses, errors, late, time.perf_counter() - start


def percentile(values, share):
    """The value below which `share` of the sorted values fall (nearest rank)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def run(port, request_lines, users, expect, rate, seconds, connections=64, timeout=10.0):
    """Drive the server at `rate` requests a second for `seconds`; returns the figures in
    the same shape as a wrk run (microseconds), plus the achieved rate."""
    count = max(1, round(rate * seconds))
    raw = plan_requests(request_lines, users, count)
    # A loop of its own on its own thread: the caller may already run one (Playwright's
    # sync API does, in a test process that also drives a browser).
    with ThreadPoolExecutor(max_workers=1) as pool:
        latencies, statuses, errors, late, took = pool.submit(
            asyncio.run, _run(port, raw, rate, connections, set(expect), timeout)).result()
    return {
        "requests": len(latencies), "seconds": took, "planned_rate": rate,
        "p50_us": percentile(latencies, 0.50) * 1e6, "p95_us": percentile(latencies, 0.95) * 1e6,
        "p99_us": percentile(latencies, 0.99) * 1e6, "max_us": max(latencies, default=0) * 1e6,
        "socket_errors": errors["socket"], "http_errors": 0, "unexpected": errors["unexpected"],
        "statuses": sorted(statuses.items()),
        # How late the generator itself was in sending (its own CPU share on a busy machine).
        "send_late_p95_us": percentile(late, 0.95) * 1e6,
    }
