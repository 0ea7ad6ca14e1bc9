"""The team inbox walks the newest shared entries in order, skipping other teams' patients,
instead of sorting the team's whole shared history."""

import re
import sqlite3
from datetime import timedelta

import pytest
from care_helpers import add_entry, calls_to, client_for, link_patient, make_account

from journal.care import inbox
from journal.care.states import _recent_scores, patient_states
from journal.guidance.packs import load_safety
from journal.platform import db as db_module
from journal.platform.clock import utc_now

# The inbox's walks: ids and times, and for the pinned walk what the words check reads.
WALK = re.compile(r"SELECT e\.id, e\.created_at(, e\.\w+)* FROM")


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
            inbox.forget_kept()  # so the walks run, not their kept answers
            assert client.get(url).status_code == 200
            # The pinned flagged entries' walk, then the list's.
            walks = [s for s in seen if WALK.match(s)]
            assert len(walks) == 2, (url, walks)
            plans[url] = [" / ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
                          for sql in walks]
    finally:
        conn.close()
        db_module.forget_connections()
    for url in ("/care", "/care?flag=unreviewed"):
        pinned, listed = plans[url]
        assert pinned.startswith("SEARCH e USING INDEX entries_team_awaiting_review"
                                  " (shared_team_id=? AND created_at<?)"), pinned
        assert listed.startswith("SEARCH e USING INDEX entries_team_shared_newest"
                                  " (shared_team_id=? AND created_at<?)"), listed
        assert "TEMP B-TREE" not in pinned + listed, url
    for plan in plans[f"/care?patient={linked}"]:
        # From the link, by its id, then that patient's own shared entries, not the whole
        # team's links or entries.
        assert plan.startswith("SEARCH l USING INTEGER PRIMARY KEY (rowid=?)"), plan
        assert "SEARCH e USING INDEX entries_shared (patient_id=?" in plan, plan


def test_pinned_entries_are_kept_until_the_team_changes(app, db, patient, team, team_nurse,
                                                        linked, monkeypatch):
    worrying = add_entry(db, patient, distress=9, shared=True)
    walks = calls_to(monkeypatch, inbox, "flagged_unreviewed")
    client, _ = client_for(app, "priya@example.com")
    first = client.get("/care").get_data(as_text=True)
    again = client.get("/care").get_data(as_text=True)
    assert f'id="item-{worrying}"' in first and f'id="item-{worrying}"' in again
    assert len(walks) == 1  # the second load reused the first's answer
    newer = add_entry(db, patient, distress=10, shared=True)
    after = client.get("/care").get_data(as_text=True)
    assert len(walks) == 2
    assert item_ids(after)[:2] == [newer, worrying]


def test_a_kept_pinned_entry_goes_as_soon_as_it_is_unshared_or_deleted(app, db, patient, team,
                                                                      team_nurse, linked):
    unshared = add_entry(db, patient, distress=9, shared=True)
    deleted = add_entry(db, patient, distress=10, shared=True)
    client, _ = client_for(app, "priya@example.com")
    assert item_ids(client.get("/care").get_data(as_text=True))[:2] == [deleted, unshared]
    db.execute("UPDATE entries SET shared = 0 WHERE id = ?", [unshared])
    db.execute("UPDATE entries SET deleted_at = ? WHERE id = ?", [utc_now().isoformat(), deleted])
    shown = item_ids(client.get("/care").get_data(as_text=True))
    assert unshared not in shown and deleted not in shown


def test_each_patient_s_recent_scores_come_from_the_index_alone(app, db, patient, team,
                                                                 linked):
    add_entry(db, patient, distress=3, shared=True)
    add_entry(db, patient, distress=7, shared=True)
    seen = []
    db.conn.set_trace_callback(seen.append)
    try:
        scores = _recent_scores(db, team.id)
    finally:
        db.conn.set_trace_callback(None)
    assert scores == {patient.id: [3, 7]}
    [sql] = [s for s in seen if "json_group_array(distress)" in s]
    plan = " / ".join(r[3] for r in db.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
    assert "SEARCH entries USING COVERING INDEX entries_shared_scores" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


def test_one_patient_s_states_look_her_link_up_not_the_team_s(app, db, patient, team,
                                                               linked):
    add_entry(db, patient, distress=3, shared=True)
    seen = []
    db.conn.set_trace_callback(seen.append)
    try:
        states = patient_states(db, team.id, patient_id=patient.id)
    finally:
        db.conn.set_trace_callback(None)
    assert list(states) == [patient.id]
    walks = [s for s in seen if "FROM care_links l" in s]
    assert len(walks) >= 2, seen  # the scores and the scans still waiting
    for sql in walks:
        plan = " / ".join(r[3] for r in db.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        assert "care_links_live_team (team_id=? AND patient_id=?)" in plan, (sql, plan)


def test_the_first_page_is_kept_until_the_team_changes(app, db, patient, team, team_nurse,
                                                       linked, monkeypatch):
    first = add_entry(db, patient, distress=3, shared=True)
    walks = calls_to(monkeypatch, inbox, "inbox")
    client, _ = client_for(app, "priya@example.com")
    assert item_ids(client.get("/care").get_data(as_text=True)) == [first]
    assert item_ids(client.get("/care").get_data(as_text=True)) == [first]
    assert len(walks) == 1  # the second load reused the first's page
    newer = add_entry(db, patient, distress=4, shared=True)

    assert item_ids(client.get("/care").get_data(as_text=True)) == [newer, first]
    assert len(walks) == 2
    # Filtered or older pages are read afresh each time.
    client.get("/care?flag=unreviewed")
    client.get(f"/care?before={newer}")
    assert len(walks) == 4


def changed_between_reads(monkeypatch, app, owner, name, sql, params):
    """Run `sql` on another connection just before `owner.name` (a step that follows the
    walk's first read) first runs, as another request would between the two."""
    real = getattr(owner, name)
    done = []

    def late(*args, **kwargs):
        if not done:
            other = sqlite3.connect(app.config["JOURNAL_DB"])
            other.execute(sql, params)
            other.commit()
            other.close()
            done.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, late)
    return done


@pytest.mark.parametrize("walk", ["flagged_unreviewed", "inbox"])
def test_a_link_ended_between_the_walk_s_reads_leaves_its_entries_out(app, db, patient, team,
                                                                    linked, monkeypatch, walk):
    add_entry(db, patient, distress=9, shared=True)
    done = changed_between_reads(monkeypatch, app, inbox, "_rows_by_id",
                                 "UPDATE care_links SET ended_at = ? WHERE id = ?",
                                 [utc_now().isoformat(), linked])

    items, _ = getattr(inbox, walk)(db, team.id, {}, load_safety())
    assert items == [] and done


def test_a_note_edited_between_the_walk_s_reads_is_flagged_by_what_it_says_now(
        app, db, patient, team, linked, monkeypatch):
    worrying = add_entry(db, patient, distress=2, note="I can't go on like this", shared=True)
    safety = load_safety()
    assert [item.entry.id for item in inbox.flagged_unreviewed(db, team.id, {}, safety)[0]] == [
        worrying]
    done = changed_between_reads(monkeypatch, app, inbox.checks, "concerns",
                                 "UPDATE entries SET note = 'All good now' WHERE id = ?",
                                 [worrying])

    assert inbox.flagged_unreviewed(db, team.id, {}, safety) == ([], False)
    assert done
