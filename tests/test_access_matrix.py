"""Every route, asked by every kind of person, with the answer each must get.

The world: a patient connected to team A, with a shared entry, a deleted entry and a shared
question; another patient with their own entry and no team; a nurse of team A; a nurse of
team B; an admin; and anonymous visitors. Identifiers in the URLs are always the patient's,
so "another patient" and "nurse of another team" prove they cannot reach them (404).
"""

import re
import shutil
from pathlib import Path

import pytest

from journal import accounts, consent, create_app, sessions, staff, teams
from journal.clock import utc_iso, utc_now
from journal.db import connect

ROLES = ("anonymous", "patient", "other_patient", "team_nurse", "other_nurse", "admin")
SECRET = "a sentence only my team may read"
HELD_NAME = "Sam Taylor"
PASSWORD = "correct horse battery"


def row(method, path, statuses, data=None):
    """One route: the expected status for each role, in ROLES order."""
    return pytest.param(method, path, dict(zip(ROLES, statuses, strict=True)), data or {},
                        id=f"{method} {path}")


ENTRY_FORM = {"distress": "4", "note": "a new note"}
CODE_FORM = {"code": "{code}", "dob": "1980-02-03"}
DETAILS = {"name": "New Person", "dob": "1990-05-06", "hospital_number": ""}

#   anonymous, patient, other patient, nurse of the team, nurse of another team, admin
MATRIX = [
    row("GET", "/", (200, 302, 302, 302, 302, 302)),
    row("GET", "/healthz", (200, 200, 200, 200, 200, 200)),
    row("GET", "/sign-in", (200, 302, 302, 302, 302, 302)),
    row("POST", "/sign-in", (422, 302, 302, 302, 302, 302),
        {"email": "pat@example.com", "password": "wrong password"}),
    row("GET", "/sign-up", (200, 302, 302, 302, 302, 302)),
    row("POST", "/sign-up", (303, 302, 302, 302, 302, 302),
        {"email": "new@example.com", "password": "a long new password", "agree": "yes"}),
    row("POST", "/sign-out", (303, 303, 303, 303, 303, 303)),
    row("GET", "/home", (302, 200, 200, 403, 403, 403)),
    row("POST", "/check-in", (302, 303, 303, 403, 403, 403), ENTRY_FORM),
    row("GET", "/timeline", (302, 200, 200, 403, 403, 403)),
    row("GET", "/timeline/search", (302, 200, 200, 403, 403, 403)),
    row("POST", "/timeline/search", (302, 200, 200, 403, 403, 403), {"q": "sentence"}),
    row("GET", "/entries/{entry}", (302, 200, 404, 403, 403, 403)),
    row("POST", "/entries/{entry}", (302, 303, 404, 403, 403, 403), ENTRY_FORM),
    row("GET", "/entries/{entry}/edit", (302, 200, 404, 403, 403, 403)),
    row("GET", "/entries/{entry}/delete", (302, 200, 404, 403, 403, 403)),
    row("POST", "/entries/{entry}/delete", (302, 303, 404, 403, 403, 403)),
    row("POST", "/entries/{deleted}/restore", (302, 303, 404, 403, 403, 403)),
    row("POST", "/entries/{entry}/share", (302, 303, 404, 403, 403, 403), {"shared": "0"}),
    row("POST", "/questions/{question}/share", (302, 303, 404, 403, 403, 403),
        {"shared": "0"}),
    row("GET", "/care-team", (302, 200, 200, 403, 403, 403)),
    # The patient is connected already; the other patient may use a code meant for them.
    row("POST", "/care-team/connect", (302, 303, 200, 403, 403, 403), CODE_FORM),
    row("POST", "/care-team/agree", (302, 303, 303, 403, 403, 403), CODE_FORM),
    row("GET", "/care-team/disconnect", (302, 200, 303, 403, 403, 403)),
    row("POST", "/care-team/disconnect", (302, 303, 303, 403, 403, 403)),
    row("POST", "/care-team/default", (302, 303, 303, 403, 403, 403), {"shared": "1"}),
    row("GET", "/care-team/seen", (302, 200, 200, 403, 403, 403)),
    row("GET", "/care", (302, 403, 403, 200, 200, 403)),
    row("GET", "/care/poll", (302, 403, 403, 200, 200, 403)),
    row("GET", "/care/codes", (302, 403, 403, 200, 200, 403)),
    row("POST", "/care/codes", (302, 403, 403, 200, 200, 403), DETAILS),
    row("GET", "/care/patients/{link}", (302, 403, 403, 200, 404, 403)),
    row("GET", "/care/patients/{link}/discharge", (302, 403, 403, 200, 404, 403)),
    row("POST", "/care/patients/{link}/discharge", (302, 403, 403, 303, 404, 403)),
    row("POST", "/care/entries/{entry}/review", (302, 403, 403, 303, 404, 403)),
    row("GET", "/admin", (302, 403, 403, 403, 403, 200)),
    row("POST", "/admin/teams/{team}/hours", (302, 403, 403, 403, 403, 303),
        {"hours": "Weekdays, 9am to 5pm"}),
    # The link itself is the key, whoever holds it.
    row("GET", "/set-password/{token}", (200, 200, 200, 200, 200, 200)),
    row("POST", "/set-password/{token}", (303, 303, 303, 303, 303, 303),
        {"password": "a brand new password"}),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Build the world once, with one app; each test starts from a fresh copy of it."""
    folder = tmp_path_factory.mktemp("matrix")
    path = folder / "world.db"
    live = folder / "journal.db"
    app = create_app({"MODE": "test", "JOURNAL_DB": str(live)})
    create_app({"MODE": "test", "JOURNAL_DB": str(path), "SECRET_KEY": app.secret_key})
    hasher = app.extensions["passwords"]
    db = connect(str(path))
    try:
        users = {}
        for role, email, kind in [
            ("patient", "pat@example.com", "patient"),
            ("other_patient", "other@example.com", "patient"),
            ("team_nurse", "priya@example.com", "nurse"),
            ("other_nurse", "tom@example.com", "nurse"),
            ("admin", "admin@example.com", "admin"),
        ]:
            users[role] = accounts.create_user(db, email, hasher.hash(PASSWORD), role=kind)
            if kind == "patient":
                consent.agree(db, users[role])
        team_a = teams.create_team(db, "Breast Care Team")
        team_b = teams.create_team(db, "Oncology Day Unit")
        teams.put_nurse_in_team(db, users["team_nurse"], team_a)
        teams.put_nurse_in_team(db, users["other_nurse"], team_b)
        now = utc_iso(utc_now())
        link = db.execute(
            "INSERT INTO care_links (team_id, patient_id, held_name, held_dob, connected_at)"
            " VALUES (?, ?, ?, '1971-04-12', ?)",
            [team_a, users["patient"], HELD_NAME, now],
        ).lastrowid

        def entry(patient, note, shared=0, deleted_at=None):
            return db.execute(
                "INSERT INTO entries (patient_id, created_at, distress, note, shared, deleted_at)"
                " VALUES (?, ?, 8, ?, ?, ?)",
                [users[patient], now, note, shared, deleted_at],
            ).lastrowid

        ids = {
            "entry": entry("patient", SECRET, shared=1),
            "deleted": entry("patient", "deleted a moment ago", deleted_at=now),
            "question": db.execute(
                "INSERT INTO questions (patient_id, text, shared, created_at)"
                " VALUES (?, 'My shared question', 1, ?)",
                [users["patient"], now],
            ).lastrowid,
            "link": link,
            "team": team_a,
        }
        entry("other_patient", "the other patient's own words")
        ids["code"] = teams.create_code(
            db, team_a, users["team_nurse"],
            {"name": "Olu Ade", "dob": "1980-02-03", "hospital_number": ""}, app.secret_key,
        )
        pending = staff.create_staff(db, "new.nurse@example.com", "nurse")
        ids["token"] = staff.issue_token(db, pending)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return app, path, users, ids


def client_as(world, role):
    """A client of the world's app, on a fresh copy of its database, signed in as the role."""
    app, path, users, _ = world
    live = Path(app.config["JOURNAL_DB"])
    for leftover in (live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copy(path, live)
    client = app.test_client()
    if role != "anonymous":
        db = connect(str(live))
        try:
            token = sessions.start(db, users[role])
        finally:
            db.close()
        with client.session_transaction() as session:
            session["token"] = token
    page = client.get("/no-such-page").get_data(as_text=True)
    csrf = re.search(r'"X-CSRFToken": "([^"]+)"', page)[1]
    return client, csrf


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, path, expected, data", MATRIX)
def test_access(world, role, method, path, expected, data):
    ids = world[3]
    client, csrf = client_as(world, role)
    url = path.format(**ids)
    form = {key: value.format(**ids) for key, value in data.items()}
    if method == "POST":
        response = client.post(url, data=form, headers={"X-CSRFToken": csrf})
    else:
        response = client.get(url)
    assert response.status_code == expected[role], response.get_data(as_text=True)[:500]
    if role not in ("patient", "team_nurse"):
        body = response.get_data(as_text=True)
        assert SECRET not in body and HELD_NAME not in body
        assert "My shared question" not in body


def test_matrix_covers_every_route(world):
    served = {
        (method, rule.rule)
        for rule in world[0].url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    placeholder = re.compile(r"<(?:int:)?(\w+)>")
    names = {"entry_id": "{entry}", "question_id": "{question}", "link_id": "{link}",
             "team_id": "{team}", "token": "{token}"}
    covered = {(p.values[0], p.values[1].replace("{deleted}", "{entry}")) for p in MATRIX}
    missing = {
        (method, rule) for method, rule in served
        if (method, placeholder.sub(lambda m: names[m[1]], rule)) not in covered
    }
    assert not missing, f"add these routes to the access matrix: {sorted(missing)}"
    assert len(MATRIX) * len(ROLES) >= 200
