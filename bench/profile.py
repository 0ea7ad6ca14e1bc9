"""Profile one page of the workload in one process, on a copy of the benchmark's database.

    python -m bench.profile "nurse dashboard" [--scale 0.1] [--requests 30] [--cold] [--parts]

Signs in the first synthetic person of the page's role through the real forms, sends the
page's request as the load script does, and prints: the mean and p95 wall time of
--requests requests; cProfile's heaviest functions; and each SQL statement of one request
(traced by SQLite), with its EXPLAIN QUERY PLAN and the time it takes run again alone.
--cold forgets the dashboard's kept answers and one patient's stored flags before every
request, as after one patient's change; --empty forgets every stored flag too, as on the
first load after migrations 0025 and 0026, and every words check the inbox stored.
--parts prints instead the CPU time a request and its parts (session, views' audit writes,
rendering, cards, gzip), timed with time.process_time around each, median of five rounds.
"""

import argparse
import contextlib
import cProfile
import pstats
import shutil
import sqlite3
import statistics
import time
from collections import Counter

import journal.platform.db
from bench import run, workload
from bench.run import OUT
from journal import create_app
from journal.care import inbox

ONE_CHANGED = ("DELETE FROM patient_flags WHERE patient_id = (SELECT patient_id FROM patient_flags"
               " ORDER BY random() LIMIT 1)")
EMPTY = "DELETE FROM patient_flags; DELETE FROM entry_checks"
NOT_QUERIES = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA", "INSERT",
               "UPDATE", "DELETE")


def signed_in(app, role):
    """A test client signed in as the pool's first person of this role, with what the load
    script would fill in for them."""
    person = run.choose_pool(app.config["JOURNAL_DB"], role, 1)[0]
    client = app.test_client()
    token = run.csrf_token(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", data={"email": person["email"], "csrf_token": token,
                                             "password": run.synthetic.BENCH_PASSWORD})
    if response.headers["Location"] == "/sign-in/code":
        import pyotp

        token = run.csrf_token(client.get("/sign-in/code").get_data(as_text=True))
        code = pyotp.TOTP(run.synthetic.BENCH_TOTP_SECRET).now()
        response = client.post("/sign-in/code", data={"code": code, "csrf_token": token})
    landing = client.get(response.headers["Location"]).get_data(as_text=True)
    person["since"] = run.poll_since(landing)
    return client, run.csrf_token(landing), person


def sender(client, page, token, person):
    """A function that sends the page's request as the load script does."""
    fill = {"csrf": token, "uid": "profile", "patient": person["patient"],
            "since": person["since"]}
    path = page.path.format(**fill)
    headers = {"Accept-Encoding": "gzip, deflate, br"}
    if page.htmx:
        headers.update({"HX-Request": "true", "X-CSRFToken": token})
    form = {"csrf_token": token, **{k: v.format(**fill) for k, v in page.forms()[0]}}

    def send():
        if page.method == "POST":
            return client.post(path, data=form, headers=headers)
        return client.get(path, headers=headers)

    return send


# What --parts times, as (label, module or class, attribute): each is looked up there at
# call time, so wrapping the attribute times every call.
def parts():
    import flask

    from journal.accounts import sign_in
    from journal.care import cards
    from journal.platform import audit, compression, web

    return [
        ("session cookie read", sign_in.SessionCookies, "open_session"),
        ("before the view (user, session row)", flask.Flask, "preprocess_request"),
        ("the view, rendering and all", flask.Flask, "dispatch_request"),
        ("  audit write", audit, "record_many"),
        # Flask's render_template, however a view imported it, ends in templating._render;
        # an htmx request's blocks go through web.render_blocks.
        ("  rendering a page", flask.templating, "_render"),
        ("  rendering htmx blocks", web, "render_blocks"),
        ("    inbox cards", cards, "card"),
        ("after the view (headers, gzip)", flask.Flask, "process_response"),
        ("  gzip", compression, "compress"),
    ]


@contextlib.contextmanager
def cpu_of(targets, spent):
    """Add the CPU time (time.process_time) each call of owner.attribute takes to
    spent[label], for every (label, owner, attribute) in targets; puts them back after."""
    real = [(owner, attribute, getattr(owner, attribute)) for _, owner, attribute in targets]

    def timed(label, function):
        def wrapper(*args, **kwargs):
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.process_time() - started
        return wrapper

    try:
        for (label, owner, attribute), (_, _, function) in zip(targets, real, strict=True):
            setattr(owner, attribute, timed(label, function))
        yield spent
    finally:
        for owner, attribute, function in real:
            setattr(owner, attribute, function)


def print_parts(name, once, requests):
    """CPU time a request, whole and by part: the median of five rounds of `requests`."""
    rounds = []
    for _ in range(5):
        with cpu_of(parts(), Counter()) as spent:
            started = time.process_time()
            for _ in range(requests):
                once()
            spent["whole request"] = time.process_time() - started
        rounds.append(spent)
    print(f"{name}: CPU a request in one process (ms), median of 5 rounds of {requests}:")
    for label in ["whole request"] + [label for label, _, _ in parts()]:
        per_request = statistics.median(r[label] for r in rounds) / requests * 1000
        print(f"  {per_request:6.3f}  {label}")


def traced_statements(send):
    """The SQL statements one request runs, as SQLite expanded them."""
    seen = []
    connect = journal.platform.db.connect

    def traced(*args, **kwargs):
        db = connect(*args, **kwargs)
        db.conn.set_trace_callback(seen.append)
        return db

    journal.platform.db.connect = traced
    journal.platform.db.forget_connections()
    try:
        send()
    finally:
        journal.platform.db.connect = connect
        journal.platform.db.forget_connections()
    return [s for s in seen if not s.lstrip().startswith("--")]


def main():
    """Profile the page named on the command line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("page")
    parser.add_argument("--scale", default="0.1")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--empty", action="store_true")
    parser.add_argument("--parts", action="store_true")
    args = parser.parse_args()
    args.cold = args.cold or args.empty
    page = next(p for p in workload.PAGES if p.name == args.page)
    path = OUT / "profile.db"
    for suffix in ("", "-wal", "-shm"):
        (OUT / f"profile.db{suffix}").unlink(missing_ok=True)
    shutil.copyfile(OUT / f"bench-{args.scale}.db", path)
    app = create_app({"MODE": "test", "JOURNAL_DB": str(path)})
    client, token, person = signed_in(app, page.role)
    send = sender(client, page, token, person)

    forget = sqlite3.connect(path, isolation_level=None)

    def once():
        if args.cold:
            inbox.forget_kept()
            # A change deletes the changed patient's stored flags (migration 0025's triggers).
            forget.executescript(EMPTY if args.empty else ONE_CHANGED)
        response = send()
        assert response.status_code in page.expect, response.status_code
        return len(response.get_data())

    size = once()
    if args.parts:
        for _ in range(20):  # warm, as the timed loop below is
            once()
        print_parts(page.name, once, args.requests)
        return
    times = []
    for _ in range(args.requests):
        started = time.perf_counter()
        once()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    label = " (empty)" if args.empty else " (cold)" if args.cold else ""
    print(f"{page.name}{label}: {size:,} bytes; mean"
          f" {statistics.mean(times):.1f} ms, p95 {times[int(0.95 * (len(times) - 1))]:.1f} ms"
          f" over {len(times)} requests in one process")

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.requests):
        once()
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)

    if args.cold:
        inbox.forget_kept()
    conn = sqlite3.connect(path)
    try:
        for sql in traced_statements(send):
            if sql.lstrip().upper().startswith(NOT_QUERIES):
                print(f"\n(write) {sql[:160]}")
                continue
            plan = " / ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
            started = time.perf_counter()
            rows = len(conn.execute(sql).fetchall())
            took = (time.perf_counter() - started) * 1000
            print(f"\n{took:7.2f} ms, {rows} rows: {sql[:400]}\n  plan: {plan}")
    finally:
        conn.close()


if __name__ == "__main__":
    main()
