"""Render a fixed set of pages from a copy of one database, to show a refactor changed none.

    (with the older commit checked out, so that it can read the database)
    faketime -f '@2026-12-03 11:00:00' python scripts/snapshot_pages.py --make-db /tmp/pages.db
    faketime -f '@2026-12-03 11:05:00' python scripts/snapshot_pages.py /tmp/pages.db /tmp/before
    (check out the other commit)
    faketime -f '@2026-12-03 11:05:00' python scripts/snapshot_pages.py /tmp/pages.db /tmp/after
    diff -r /tmp/before /tmp/after

Each page is rendered in full and, for signed-in pages, as the htmx fragment too. CSRF tokens
are replaced by TOKEN (they are signed with the time); faketime (Debian's `faketime`) holds
the clock still so that "2 days ago" and the waiting clock say the same in both runs.
"""

import re
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

import pyotp

from journal import create_app

DEMO_PASSWORD = "waiting-well-demo"  # noqa: S105 - the published demo password
PAGES = {
    "anon": (None, ["/", "/sign-in", "/sign-up", "/help", "/about-information", "/privacy",
                    "/offline", "/healthz", "/manifest.webmanifest", "/sw.js",
                    "/set-password/abc"]),
    "patient": ("patient@example.com", [
        "/home", "/timeline", "/check-in", "/scans", "/trends", "/account", "/account/data",
        "/search?q=walk", "/timeline?before=5", "/scans/new", "/scans/1/edit", "/questions",
        "/summary", "/care-team", "/care-team/seen", "/entries/3", "/entries/3/edit",
        "/offline"]),
    "nurse": ("nurse@example.com", ["/care", "/care/patients", "/care/patients/1",
                                    "/care/patients/1/summary", "/care?filter=distress",
                                    "/care/poll"]),
}


def tokenless(html):
    return re.sub(r'(csrf_token" value="|X-CSRFToken": ")[^"]+', r"\1TOKEN", html)


def snapshot(database, out):
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp()) / "pages.db"
    shutil.copy(database, work)
    app = create_app({"MODE": "test", "JOURNAL_DB": str(work), "SECRET_KEY": "fixed"})

    def token(html):
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def sign_in(email, nurse):
        client = app.test_client()
        page = client.get("/sign-in").get_data(as_text=True)
        client.post("/sign-in", data={"email": email, "password": DEMO_PASSWORD,
                                      "csrf_token": token(page)})
        if nurse:
            page = client.get("/sign-in/code").get_data(as_text=True)
            with sqlite3.connect(work) as conn:
                secret = conn.execute("SELECT totp_secret FROM users WHERE email = ?",
                                      [email]).fetchone()[0]
            client.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now(),
                                               "csrf_token": token(page)})
        return client

    count = 0
    for who, (email, paths) in PAGES.items():
        client = app.test_client() if email is None else sign_in(email, who == "nurse")
        for path in paths:
            name = who + re.sub(r"[^a-z0-9]+", "_", path)
            views = [("", {})] + ([(".hx", {"HX-Request": "true"})] if email else [])
            for suffix, headers in views:
                response = client.get(path, headers=headers)
                head = f"{response.status_code} {response.headers.get('Location', '')}\n"
                body = tokenless(response.get_data(as_text=True))
                (out / (name + suffix)).write_text(head + body)
                count += 1
    print(f"wrote {count} pages to {out}")


if __name__ == "__main__":
    if sys.argv[1] == "--make-db":
        create_app({"MODE": "demo", "JOURNAL_DB": sys.argv[2], "SECRET_KEY": "fixed"})
        print(f"demo database at {sys.argv[2]}")
    else:
        snapshot(Path(sys.argv[1]), Path(sys.argv[2]))
