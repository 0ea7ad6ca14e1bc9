"""The team inbox walks the newest shared entries in order, skipping other teams' patients,
instead of sorting the team's whole shared history."""

import re
import sqlite3
from datetime import timedelta

from care_helpers import add_entry, client_for, link_patient, make_account

from journal.care import inbox
from journal.platform import db as db_module
from journal.platform.clock import utc_now


def item_ids(html):
    return [int(n) for n in re.findall(r'<li class="inbox-item[^"]*" id="item-(\d+)"', html)]


def test_the_team_inbox_pages_past_newer_entries_of_other_teams(app, db, patient, team,
                                                                 other_team, team_nurse,
                                                                 linked):
    outsider = make_account(app, db, "out@example.com")
    link_patient(db, outsider, other_team, name="Olive Out")
    ours, now = [], utc_now()
    for n in range(inbox.PAGE_SIZE + 4):
        when = now - timedelta(hours=200 - 2 * n)
        ours.append(add_entry(db, patient, distress=3, shared=True, when=when))
        # Another team's entry just after each of ours, so the walk passes one every step.
        add_entry(db, outsider, distress=6, shared=True, when=when + timedelta(minutes=1))
    # Two of ours at the same moment: the higher id comes first, as before.
    same = now - timedelta(minutes=5)
    ties = [add_entry(db, patient, distress=2, shared=True, when=same) for _ in range(2)]

    client, _ = client_for(app, "priya@example.com")
    first = client.get("/care").get_data(as_text=True)
    expected = (ours + ties)[::-1]
    assert item_ids(first) == expected[: inbox.PAGE_SIZE]
    more = re.search(r'href="/care\?[^"]*before=(\d+)', first)[1]
    assert int(more) == expected[inbox.PAGE_SIZE - 1]
    older = client.get(f"/care?before={more}").get_data(as_text=True)
    assert item_ids(older) == expected[inbox.PAGE_SIZE:]
    assert "Olive" not in first + older


def test_the_team_inbox_needs_no_sort_and_one_patient_starts_from_their_link(
        app, db, patient, team, team_nurse, linked, monkeypatch):
    add_entry(db, patient, distress=3, shared=True)
    seen = []
    real_connect = db_module.connect

    def traced(path, **options):
        database = real_connect(path, **options)
        database.conn.set_trace_callback(seen.append)
        return database

    monkeypatch.setattr(db_module, "connect", traced)
    db_module.forget_connections()
    client, _ = client_for(app, "priya@example.com")
    plans = {}
    conn = sqlite3.connect(app.config["JOURNAL_DB"])
    try:
        for url in ("/care", f"/care?patient={linked}", "/care?flag=unreviewed"):
            seen.clear()
            assert client.get(url).status_code == 200
            [ids_sql] = [s for s in seen if s.startswith("SELECT e.id, e.created_at FROM")]
            plans[url] = " / ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {ids_sql}"))
    finally:
        conn.close()
        db_module.forget_connections()
    for url in ("/care", "/care?flag=unreviewed"):
        assert "entries_shared_newest" in plans[url] and "TEMP B-TREE" not in plans[url], url
    assert plans[f"/care?patient={linked}"].startswith("SEARCH l USING")
