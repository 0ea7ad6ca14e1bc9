"""The nurses' inbox, its flags, filters and polling, and the patient view."""

import re
from datetime import timedelta

import pytest
from care_helpers import add_entry, client_for, link_patient, make_account

from journal.care import inbox
from journal.care.states import patient_states
from journal.platform import db as db_module
from journal.platform.clock import utc_iso, utc_now
from tests.conftest import AuthActions


@pytest.fixture
def statements(monkeypatch):
    """Every SQL statement the app runs during the test, in order."""
    seen = []
    real_connect = db_module.connect

    def traced(path, **options):
        database = real_connect(path, **options)
        database.conn.set_trace_callback(seen.append)
        return database

    monkeypatch.setattr(db_module, "connect", traced)
    db_module.forget_connections()  # so the next request opens a traced connection
    yield seen
    db_module.forget_connections()


def add_scan(db, patient, days_ago, results_days=None):
    db.execute(
        "INSERT INTO scans (patient_id, kind, appointment_at, results_expected_days, created_at)"
        " VALUES (?, 'liver-ultrasound', ?, ?, ?)",
        [patient.id, utc_iso(utc_now() - timedelta(days=days_ago)), results_days,
         utc_iso(utc_now())],
    )


def at(hours_ago):
    return utc_now() - timedelta(hours=hours_ago)


def item_ids(html):
    import re

    return [int(n) for n in re.findall(r'<li class="inbox-item[^"]*" id="item-(\d+)"', html)]


def test_inbox_shows_shared_entries_of_the_team_newest_first(app, db, patient, other_patient,
                                                             team, other_team, team_nurse):
    link_patient(db, patient, team, name="Pat Jones", dob="1971-04-12")
    outsider = make_account(app, db, "out@example.com")
    link_patient(db, outsider, other_team, name="Olive Out")
    older = add_entry(db, patient, distress=3, note="older one", shared=True, when=at(5))
    newer = add_entry(db, patient, distress=4, note="newer one", shared=True, when=at(1))
    add_entry(db, patient, distress=5, note="kept private", when=at(2))
    gone = add_entry(db, patient, distress=5, note="deleted one", shared=True, when=at(3))
    db.execute("UPDATE entries SET deleted_at = ? WHERE id = ?", [utc_iso(utc_now()), gone])
    add_entry(db, other_patient, distress=5, note="not connected", shared=True)
    add_entry(db, outsider, distress=5, note="another team", shared=True)

    client, _ = client_for(app, "priya@example.com")
    response = client.get("/care")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert item_ids(html) == [newer, older]
    for hidden in ("kept private", "deleted one", "not connected", "another team", "Olive"):
        assert hidden not in html
    assert html.count("Born 12 April 1971 · Hospital number RX4471") == 2


def test_flags_follow_the_safety_rule_the_trend_and_the_scan(app, db, patient, other_patient,
                                                             team, team_nurse):
    link_patient(db, patient, team, name="Pat Jones")
    link_patient(db, other_patient, team, name="Olu Ade")
    high = add_entry(db, patient, distress=8, shared=True, when=at(10))
    words = add_entry(db, patient, distress=2, note="I can't cope with this", shared=True,
                      when=at(9))
    calm = add_entry(db, patient, distress=7, note="ok", shared=True, when=at(8))
    for hours, score in zip(range(30, 24, -1), [2, 2, 2, 5, 5, 5], strict=True):
        add_entry(db, other_patient, distress=score, shared=True, when=at(hours))
    add_scan(db, other_patient, days_ago=20)
    db.execute("UPDATE entries SET reviewed_at = ?, reviewed_team_id = ? WHERE id = ?",
               [utc_iso(utc_now()), team.id, calm])

    states = patient_states(db, team.id)
    assert states[other_patient.id].rising and states[other_patient.id].overdue
    assert not states[patient.id].rising and not states[patient.id].overdue

    client, _ = client_for(app, "priya@example.com")
    html = client.get("/care").get_data(as_text=True)
    assert html.count('class="flag flag-concern">High distress<') == 1
    assert html.count('class="flag flag-concern">Worrying words<') == 1
    assert html.count("flag-rising") >= 6 and html.count("flag-overdue") >= 6

    def shown(flag):
        return set(item_ids(client.get(f"/care?flag={flag}").get_data(as_text=True)))

    assert shown("concern") == {high, words}
    others = {r[0] for r in db.execute("SELECT id FROM entries WHERE patient_id = ?",
                                       [other_patient.id])}
    assert shown("rising") == others and shown("overdue") == others
    assert shown("unreviewed") == {high, words} | others


def test_filter_by_patient_with_htmx_answers_with_the_inbox_only(app, db, patient,
                                                                  other_patient, team,
                                                                  team_nurse):
    pat = link_patient(db, patient, team, name="Pat Jones")
    link_patient(db, other_patient, team, name="Olu Ade")
    mine = add_entry(db, patient, distress=3, shared=True)
    add_entry(db, other_patient, distress=3, shared=True)
    client, _ = client_for(app, "priya@example.com")
    response = client.get(f"/care?patient={pat}", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<section id="inbox"')
    assert item_ids(html) == [mine]


def test_a_patient_filter_cannot_reach_another_teams_patient(app, db, patient, other_team,
                                                             team_nurse):
    theirs = link_patient(db, patient, other_team)
    add_entry(db, patient, distress=3, note="other team's", shared=True)
    client, _ = client_for(app, "priya@example.com")
    html = client.get(f"/care?patient={theirs}").get_data(as_text=True)
    assert item_ids(html) == [] and "other team's" not in html


def test_inbox_pages_back_through_older_entries(app, db, patient, team, team_nurse, linked):
    ids = [add_entry(db, patient, distress=3, shared=True, when=at(100 - n))
           for n in range(inbox.PAGE_SIZE + 5)]
    client, _ = client_for(app, "priya@example.com")
    first = client.get("/care").get_data(as_text=True)
    assert item_ids(first) == ids[::-1][: inbox.PAGE_SIZE]
    assert "Show older" in first
    older = client.get(f"/care?before={ids[5]}").get_data(as_text=True)
    assert item_ids(older) == ids[4::-1]
    assert 'hx-trigger="every' not in older  # only the newest page polls


def poll_url(html):
    import re

    return re.search(r'hx-get="(/care/poll[^"]*)"', html)[1].replace("&amp;", "&")


def test_poll_answers_204_when_nothing_changed_and_the_inbox_when_it_did(app, db, patient,
                                                                          team, team_nurse,
                                                                          linked, statements):
    client, _ = client_for(app, "priya@example.com")
    url = poll_url(client.get("/care").get_data(as_text=True))

    statements.clear()
    quiet = client.get(url, headers={"HX-Request": "true"})
    assert quiet.status_code == 204 and quiet.get_data() == b""
    # Beyond the session and user look-ups, one primary-key read of the team.
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 3
    assert "team_nurses" in reads[-1]
    assert not any("entries" in s or "audit" in s for s in statements)

    # A private check-in changes nothing a nurse can see.
    add_entry(db, patient, distress=9, note="private")
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 204

    new = add_entry(db, patient, distress=8, note="arrived just now")
    db.execute("UPDATE entries SET shared = 1 WHERE id = ?", [new])
    fresh = client.get(url, headers={"HX-Request": "true"})
    html = fresh.get_data(as_text=True)
    assert fresh.status_code == 200 and "<html" not in html
    assert item_ids(html) == [new] and "High distress" in html
    assert 'id="announce" hx-swap-oob="innerHTML"' in html
    assert poll_url(html) != url


@pytest.mark.parametrize("change", ["review", "unshare", "delete", "edit", "scan",
                                    "discharge"])
def test_every_change_a_nurse_could_see_ends_the_quiet_polls(app, db, patient, team,
                                                             team_nurse, linked, change):
    entry_id = add_entry(db, patient, distress=3, shared=True)
    client, _ = client_for(app, "priya@example.com")
    url = poll_url(client.get("/care").get_data(as_text=True))
    assert client.get(url).status_code == 204
    now = utc_iso(utc_now())
    sql = {
        "review": ("UPDATE entries SET reviewed_at = ? WHERE id = ?", [now, entry_id]),
        "unshare": ("UPDATE entries SET shared = 0 WHERE id = ? AND ? != ''", [entry_id, now]),
        "delete": ("UPDATE entries SET deleted_at = ? WHERE id = ?", [now, entry_id]),
        "edit": ("UPDATE entries SET updated_at = ? WHERE id = ?", [now, entry_id]),
        "scan": ("INSERT INTO scans (patient_id, kind, created_at) VALUES (?, 'ct-scan', ?)",
                 [patient.id, now]),
        "discharge": ("UPDATE care_links SET ended_at = ? WHERE id = ?", [now, linked]),
    }[change]
    db.execute(*sql)
    assert client.get(url).status_code == 200


def last_used(db):
    """The live session's stored last use."""
    stored = db.execute("SELECT last_seen_at FROM sessions WHERE ended_at IS NULL").fetchone()
    return stored[0] if stored else None


def set_last_used(db, moment):
    db.execute("UPDATE sessions SET last_seen_at = ? WHERE ended_at IS NULL", [utc_iso(moment)])


def test_a_poll_is_not_activity_for_the_idle_timeout(app, db, patient, team, team_nurse,
                                                     linked):
    client, _ = client_for(app, "priya@example.com")
    url = poll_url(client.get("/care").get_data(as_text=True))
    earlier = utc_now() - timedelta(minutes=10)
    set_last_used(db, earlier)

    assert client.get(url).status_code == 204
    add_entry(db, patient, distress=3, shared=True)
    assert client.get(url).status_code == 200
    # The stored time of last use did not move.
    assert last_used(db) == utc_iso(earlier)

    client.get("/care")
    assert last_used(db) > utc_iso(earlier)

    # Left open for 15 minutes with only the poll running, the session ends.
    set_last_used(db, utc_now() - timedelta(minutes=15, seconds=5))
    response = client.get(url, headers={"HX-Request": "true",
                                        "HX-Current-URL": "http://localhost/care"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/sign-in")
    assert last_used(db) is None


def test_reading_the_inbox_is_audited_per_patient_and_a_quiet_poll_is_not(
        app, db, patient, other_patient, team, team_nurse):
    link_patient(db, patient, team, name="Pat Jones")
    link_patient(db, other_patient, team, name="Olu Ade")
    add_entry(db, patient, distress=3, shared=True)
    add_entry(db, patient, distress=3, shared=True)
    add_entry(db, other_patient, distress=3, shared=True)
    client, _ = client_for(app, "priya@example.com")  # opens the inbox once
    rows = list(db.query("SELECT * FROM audit ORDER BY id"))
    assert sorted((r["action"], r["patient_id"], r["actor_id"], r["team_id"]) for r in rows) == [
        ("view-inbox", patient.id, team_nurse.id, team.id),
        ("view-inbox", other_patient.id, team_nurse.id, team.id),
    ]
    url = poll_url(client.get("/care").get_data(as_text=True))
    client.get(url)
    assert db.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == 4


def test_dashboard_queries_do_not_grow_with_the_number_of_patients(app, db, team, team_nurse,
                                                                   statements):
    def queries_for_dashboard():
        client, _ = client_for(app, "priya@example.com")
        statements.clear()
        client.get("/care")
        return len([s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))])

    for n in range(2):
        person = make_account(app, db, f"p{n}@example.com")
        link_patient(db, person, team, name=f"Person {n}")
        add_entry(db, person, distress=3, shared=True)
        add_scan(db, person, days_ago=3)
    few = queries_for_dashboard()
    for n in range(2, 12):
        person = make_account(app, db, f"p{n}@example.com")
        link_patient(db, person, team, name=f"Person {n}")
        add_entry(db, person, distress=3, shared=True)
        add_scan(db, person, days_ago=3)
    assert queries_for_dashboard() == few


def test_patient_view_shows_identity_scan_stage_trend_and_questions(app, db, patient, team,
                                                                    team_nurse, linked):
    for hours, score in zip(range(60, 0, -10), [2, 3, 2, 6, 7, 8], strict=True):
        add_entry(db, patient, distress=score, shared=True, when=at(hours))
    add_entry(db, patient, distress=1, note="private thought", when=at(1))
    add_scan(db, patient, days_ago=5)
    db.execute("INSERT INTO questions (patient_id, text, shared, created_at) VALUES"
               " (?, 'Who do I call if I hear nothing?', 1, ?), (?, 'A private one', 0, ?)",
               [patient.id, utc_iso(utc_now()), patient.id, utc_iso(utc_now())])
    client, _ = client_for(app, "priya@example.com")
    response = client.get(f"/care/patients/{linked}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Pat Jones</h1>" in html
    assert "Born 12 April 1971 · Hospital number RX4471" in html
    assert "Waiting for results, day 5" in html
    assert "Last 3 shared scores average 7.0; the 3 before, 2.3." in html
    assert "Distress rising" in html
    assert '<svg class="chart"' in html and "<circle" in html
    assert "Who do I call if I hear nothing?" in html
    assert "A private one" not in html and "private thought" not in html
    last = list(db.query("SELECT * FROM audit ORDER BY id DESC LIMIT 1"))[0]
    assert (last["action"], last["patient_id"], last["actor_id"]) == (
        "view-patient", patient.id, team_nurse.id)


def test_nurse_of_another_team_gets_404_for_patient_and_entry(app, db, patient, team,
                                                              team_nurse, other_nurse, linked):
    entry_id = add_entry(db, patient, distress=9, note="for my team only", shared=True)
    client, token = client_for(app, "tom@example.com")
    assert client.get(f"/care/patients/{linked}").status_code == 404
    review = client.post(f"/care/entries/{entry_id}/review",
                         data={"csrf_token": token, "outcome": "no-action"})
    assert review.status_code == 404
    assert "for my team only" not in client.get("/care").get_data(as_text=True)
    assert db.execute("SELECT reviewed_at FROM entries").fetchone()[0] is None


def test_review_with_htmx_answers_with_the_item(app, db, patient, team, team_nurse, linked):
    entry_id = add_entry(db, patient, distress=8, shared=True)
    client, token = client_for(app, "priya@example.com")
    # A flagged entry is not marked reviewed until the nurse says what she did.
    response = client.post(f"/care/entries/{entry_id}/review",
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 422
    assert "Choose what you did before marking it reviewed." in response.get_data(as_text=True)
    assert db.execute("SELECT COUNT(*) FROM entry_reviews").fetchone()[0] == 0
    response = client.post(f"/care/entries/{entry_id}/review", data={"outcome": "called"},
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert f'id="item-{entry_id}"' in html and "Reviewed by Priya on" in html
    assert ": called the patient." in html
    assert db.execute("SELECT outcome FROM entry_reviews").fetchone()[0] == "called"
    assert "Not yet reviewed" not in html and "Pat Jones" in html
    assert db.execute("SELECT nurse_id, team_id FROM entry_reviews").fetchone() == (
        team_nurse.id, team.id)
    assert db.execute("SELECT reviewed_at FROM entries").fetchone()[0] is not None
    last = list(db.query("SELECT * FROM audit ORDER BY id DESC LIMIT 1"))[0]
    assert (last["action"], last["entry_id"]) == ("review", entry_id)


def test_nurse_without_a_team_is_told_so(app, db, nurse):
    client, _ = client_for(app, "nurse@example.com")
    assert "not in a care team yet" in client.get("/care").get_data(as_text=True)
    assert client.get("/care/poll?since=x").status_code == 204
    assert client.get("/care/patients/1").status_code == 404


def test_sign_in_takes_each_role_to_its_own_start(app, db, patient, team_nurse, admin):
    for email, start in [("pat@example.com", "/home"), ("priya@example.com", "/care"),
                         ("admin@example.com", "/admin")]:
        # Staff give their second factor first (the helper does); then they reach their start.
        response = AuthActions(app.test_client()).sign_in(email)
        assert response.status_code == 303 and response.location == start



def test_a_rare_flag_reads_a_bounded_number_of_entries_per_page(db, patient, team, linked,
                                                               monkeypatch):
    from journal.guidance.packs import load_safety

    worrying = add_entry(db, patient, distress=2, note="I want to give up", shared=True,
                         when=at(50))
    calm = [add_entry(db, patient, distress=2, note="fine", shared=True, when=at(40 - n))
            for n in range(12)]
    states = patient_states(db, team.id)
    # Unfiltered, they come newest first in one page.
    items, more = inbox.inbox(db, team.id, states, load_safety())
    assert [i.entry.id for i in items] == calm[::-1] + [worrying] and more is None

    monkeypatch.setattr(inbox, "SCAN_LIMIT", 5)
    pages, before = [], None
    while True:
        items, before = inbox.inbox(db, team.id, states, load_safety(), flag="concern",
                                    before_id=before)
        pages.append([i.entry.id for i in items])
        if before is None:
            break
    assert pages == [[], [], [worrying]]


def test_flagged_unreviewed_entries_stay_on_top_whatever_their_age(app, db, patient, team,
                                                                  team_nurse, linked):
    old_worry = add_entry(db, patient, distress=2, note="I can't go on like this", shared=True,
                          when=at(24 * 20))
    calm = [add_entry(db, patient, distress=3, note=f"calm {n}", shared=True, when=at(n))
            for n in range(1, 40)]
    client, token = client_for(app, "priya@example.com")
    html = client.get("/care").get_data(as_text=True)
    assert item_ids(html)[0] == old_worry
    assert item_ids(html).count(old_worry) == 1
    assert "Flagged and not yet reviewed (1)" in html
    # The rest follow newest first, to a full page.
    assert item_ids(html)[1:] == calm[:inbox.PAGE_SIZE - 1]
    client.post(f"/care/entries/{old_worry}/review",
                data={"csrf_token": token, "outcome": "message-left"})
    html = client.get("/care").get_data(as_text=True)
    assert "Flagged and not yet reviewed" not in html and old_worry not in item_ids(html)
    more = client.get(f"/care?before={calm[-1]}").get_data(as_text=True)
    assert "Flagged and not yet reviewed" not in more


def test_a_flagged_backlog_pins_only_the_latest_and_points_to_the_rest(app, db, patient, team,
                                                                      team_nurse, linked):
    worries = [add_entry(db, patient, distress=9, shared=True, when=at(n))
               for n in range(1, inbox.PINNED_LIMIT + 6)]
    client, _ = client_for(app, "priya@example.com")
    html = client.get("/care").get_data(as_text=True)
    ids = item_ids(html)
    # The newest flagged ones on top, each once; the page stays a page.
    assert ids[:inbox.PINNED_LIMIT] == worries[:inbox.PINNED_LIMIT]
    assert len(ids) == len(set(ids)) <= inbox.PAGE_SIZE
    assert f"Flagged and not yet reviewed (the latest {inbox.PINNED_LIMIT})" in html
    assert 'href="/care?flag=concern&amp;patient="' in html
    # The filter finds every one of them, none lost.
    found, before = [], None
    while True:
        page = client.get("/care?flag=concern" + (f"&before={before}" if before else ""))
        html = page.get_data(as_text=True)
        found += item_ids(html)
        more = re.search(r'href="/care\?before=(\d+)&amp;flag=concern', html)
        if not more:
            break
        before = more.group(1)
    assert sorted(found) == sorted(worries)


def test_a_small_flagged_list_is_all_pinned_with_no_pointer(app, db, patient, team, team_nurse,
                                                            linked):
    worries = [add_entry(db, patient, distress=9, shared=True, when=at(n)) for n in range(1, 4)]
    client, _ = client_for(app, "priya@example.com")
    html = client.get("/care").get_data(as_text=True)
    assert item_ids(html)[:3] == worries
    assert "Flagged and not yet reviewed (3)" in html
    assert "More flagged check-ins are waiting" not in html


def test_the_review_outcome_is_shown_to_the_team(app, db, patient, team, team_nurse, linked):
    entry_id = add_entry(db, patient, distress=9, shared=True)
    client, token = client_for(app, "priya@example.com")
    response = client.post(f"/care/entries/{entry_id}/review",
                           data={"csrf_token": token, "outcome": "sideways"})
    assert response.status_code == 303
    assert db.execute("SELECT COUNT(*) FROM entry_reviews").fetchone()[0] == 0
    client.post(f"/care/entries/{entry_id}/review", data={"csrf_token": token,
                                                          "outcome": "referred"})
    colleague = make_account(app, db, "sam@example.com", role="nurse", first_name="Sam")
    from journal.care import teams

    teams.put_nurse_in_team(db, colleague.id, team.id)
    other, _ = client_for(app, "sam@example.com")
    page = other.get(f"/care/patients/{linked}").get_data(as_text=True)
    assert "Reviewed by Priya on" in page and ": referred on." in page


def test_an_earlier_scans_overdue_results_still_flag_the_patient(app, db, patient, team,
                                                                 team_nurse):
    link = link_patient(db, patient, team, name="Pat Jones")
    shared = add_entry(db, patient, distress=3, shared=True, when=at(2))
    add_scan(db, patient, days_ago=30, results_days=7)  # overdue
    add_scan(db, patient, days_ago=-10)  # the newer scan, still to come

    states = patient_states(db, team.id)
    assert states[patient.id].overdue

    client, _ = client_for(app, "priya@example.com")
    assert item_ids(client.get("/care?flag=overdue").get_data(as_text=True)) == [shared]
    page = client.get(f"/care/patients/{link}").get_data(as_text=True)
    waits = page.split('<ul class="waits">')[1].split("</ul>")[0]
    assert "Results overdue, day 30 of waiting" in waits and "flag-overdue" in waits

    db.execute("UPDATE scans SET results_received_on = '2026-01-01' WHERE appointment_at < ?",
               [utc_iso(utc_now())])
    assert not patient_states(db, team.id)[patient.id].overdue


def test_pinned_entries_take_their_places_on_a_page_and_nothing_is_skipped(
        app, db, patient, team, team_nurse, linked):
    worries = [add_entry(db, patient, distress=9, shared=True, when=at(100 + n))
               for n in range(inbox.PINNED_LIMIT)]
    calm = [add_entry(db, patient, distress=3, shared=True, when=at(n)) for n in range(1, 40)]
    client, _ = client_for(app, "priya@example.com")
    html = client.get("/care").get_data(as_text=True)
    listed = inbox.PAGE_SIZE - inbox.PINNED_LIMIT

    assert item_ids(html) == worries + calm[:listed]
    more = re.search(r'href="/care\?[^"]*before=(\d+)', html)[1]
    older = item_ids(client.get(f"/care?before={more}").get_data(as_text=True))
    # The next page goes on from the last calm entry shown, and holds a full page.
    assert older == (calm[listed:] + worries)[:inbox.PAGE_SIZE]
