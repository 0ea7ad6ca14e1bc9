"""Lighthouse in mobile mode on five pages of a demo server; prints the scores and bytes.

    make lighthouse

Starts the demo (gunicorn, a fresh database in a temporary folder), signs in as the demo
patient to get a session cookie for the private pages, runs the pinned Lighthouse from
node_modules with Debian's Chromium (CHROME_PATH), and prints a table. Reports are saved
in lighthouse-reports/. Each page runs LIGHTHOUSE_RUNS times (3 unless set) and the run
with the median performance score is reported, as Lighthouse's own advice on variance
suggests; LIGHTHOUSE_PAGES=timeline,home scores only the pages named. A benchmark: it
never fails a build over a score.
"""

import http.cookies
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
REPORTS = ROOT / "lighthouse-reports"
PATIENT = ("patient@example.com", "waiting-well-demo")
COOKIE = "__Host-ww_session"  # journal.platform.config.Production.SESSION_COOKIE_NAME
# (name, path, signed in): public pages are scored for SEO; private ones carry noindex.
PAGES = [
    ("landing", "/", False),
    ("sign-in", "/sign-in", False),
    ("home", "/home", True),
    ("check-in", "/check-in", True),
    ("timeline", "/timeline", True),
]
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 90}
BYTE_LIMITS = {"landing": 30 * 1024, "home": 60 * 1024}
RUNS = int(os.environ.get("LIGHTHOUSE_RUNS", "3"))
# LIGHTHOUSE_PAGES=timeline,home scores only those pages (all five unless set).
CHOSEN = [name for name in os.environ.get("LIGHTHOUSE_PAGES", "").split(",") if name]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_demo(folder, port):
    env = dict(os.environ, JOURNAL_MODE="demo", JOURNAL_DB=str(Path(folder) / "journal.db"))
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [str(gunicorn), "--preload", "--workers", "2", "--threads", "4",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "app:app"],
        cwd=ROOT, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):  # noqa: S310 - http://127.0.0.1
                return server, base
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the demo server did not start")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def session_cookie(response, current):
    """The session cookie's value from a response's Set-Cookie headers, else `current`."""
    for header in response.headers.get_all("Set-Cookie") or []:
        jar = http.cookies.SimpleCookie()
        jar.load(header)
        if COOKIE in jar:
            current = jar[COOKIE].value
    return current


def sign_in(base):
    """Sign in as the demo patient through the real form; returns the session cookie."""
    opener = urllib.request.build_opener(NoRedirect)
    with opener.open(base + "/sign-in") as page:
        cookie = session_cookie(page, None)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode()).group(1)
    form = urllib.parse.urlencode(
        {"email": PATIENT[0], "password": PATIENT[1], "csrf_token": token}
    ).encode()
    request = urllib.request.Request(base + "/sign-in", data=form,  # noqa: S310 - local demo
                                     headers={"Cookie": f"{COOKIE}={cookie}"})
    try:
        opener.open(request)
    except urllib.error.HTTPError as answer:  # the 303 to /home, not followed
        if answer.code != 303:
            raise SystemExit(f"sign-in failed with {answer.code}") from None
        return session_cookie(answer, cookie)
    raise SystemExit("sign-in did not redirect")


def median_run(name, url, cookie):
    """Run Lighthouse RUNS times; the report with the median performance score."""
    reports = [run_lighthouse(f"{name}-{n + 1}", url, cookie) for n in range(RUNS)]
    reports.sort(key=lambda r: r["categories"]["performance"]["score"])
    return reports[len(reports) // 2], [
        round(r["categories"]["performance"]["score"] * 100) for r in reports
    ]


def run_lighthouse(name, url, cookie):
    categories = ["performance", "accessibility", "best-practices"]
    if cookie is None:
        categories.append("seo")
    out = REPORTS / f"{name}.json"
    command = [
        str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
        "--form-factor=mobile", f"--only-categories={','.join(categories)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run",
    ]
    if cookie is not None:
        command.append("--extra-headers=" + json.dumps({"Cookie": f"{COOKIE}={cookie}"}))
    env = dict(os.environ)
    env.setdefault("CHROME_PATH", "/usr/bin/chromium")
    # On a busy machine Chromium sometimes loses the trace (NO_NAVSTART): try once more.
    for attempt in (1, 2):
        done = subprocess.run(command, env=env)  # noqa: S603 - the pinned Lighthouse
        if done.returncode == 0:
            return json.loads(out.read_text())
        print(f"Lighthouse failed on {url} (attempt {attempt})", file=sys.stderr)
    raise SystemExit(f"Lighthouse failed twice on {url}")


def summarise(name, report):
    scores = {key: round(cat["score"] * 100) for key, cat in report["categories"].items()}
    transferred = report["audits"]["total-byte-weight"]["numericValue"]
    misses = []
    for key, category in report["categories"].items():
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                misses.append(f"{key}: {audit['id']} ({audit['score']})")
    return scores, transferred, misses


def main():
    unknown = sorted(set(CHOSEN) - {name for name, _, _ in PAGES})
    if unknown:  # a misspelt name would otherwise score nothing and print an empty table
        raise SystemExit(f"LIGHTHOUSE_PAGES names no such page: {', '.join(unknown)}")
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is not installed: run `npm ci` (make lighthouse does)")
    REPORTS.mkdir(exist_ok=True)
    rows, notes = [], []
    with tempfile.TemporaryDirectory() as folder:
        server, base = start_demo(folder, free_port())
        try:
            cookie = sign_in(base)
            for name, path, private in PAGES:
                if CHOSEN and name not in CHOSEN:
                    continue
                report, spread = median_run(name, base + path, cookie if private else None)
                notes.append(f"{name}: performance over {RUNS} runs {spread}")
                if report.get("finalDisplayedUrl", "").split("?")[0] != base + path:
                    notes.append(f"{name}: ended at {report.get('finalDisplayedUrl')}")
                scores, transferred, misses = summarise(name, report)
                rows.append((name, scores, transferred))
                notes.extend(f"{name}: {m}" for m in misses)
        finally:
            server.terminate()
            server.wait(10)

    print()
    print(f"Lighthouse 12.2.3, mobile, median of {RUNS} runs; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end")
    print(f"{'page':<10} {'perf':>5} {'a11y':>5} {'best':>5} {'seo':>5} {'transferred':>12}")
    for name, scores, transferred in rows:
        seo = scores.get("seo")
        print(f"{name:<10} {scores['performance']:>5} {scores['accessibility']:>5} "
              f"{scores['best-practices']:>5} {seo if seo is not None else 'n/a':>5} "
              f"{transferred / 1024:>9.1f} KB")
    print()
    for name, scores, transferred in rows:
        for key, target in TARGETS.items():
            if key in scores and scores[key] < target:
                print(f"below target: {name} {key} {scores[key]} < {target}")
        if name in BYTE_LIMITS and transferred > BYTE_LIMITS[name]:
            print(f"over budget: {name} {transferred / 1024:.1f} KB > "
                  f"{BYTE_LIMITS[name] / 1024:.0f} KB")
    for note in notes:
        print("note:", note)
    print(f"Reports: {REPORTS.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
