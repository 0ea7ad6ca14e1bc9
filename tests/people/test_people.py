"""People I share with: inviting, every state of a link, the short code, what the page
shows, and marks kept per person."""

import re
from datetime import timedelta

import pytest
from care_helpers import add_entry, link_patient

from journal.people import codes, shared
from journal.platform.clock import utc_iso, utc_now
from tests.helpers import csrf_from

ALL = {"show_scan": "1", "show_trend": "1", "show_checkins": "1", "show_questions": "1"}


def invite(client, token, first_name="Sam", shared_by="Pat", **choices):
    """Invite someone through the form; returns (person id, link path, short code)."""
    response = client.post("/people", data={
        "csrf_token": token, "first_name": first_name, "relation": "sister",
        "shared_by": shared_by, **(choices or ALL)})
    assert response.status_code == 303
    person_id = int(response.headers["Location"].rsplit("/", 1)[1])
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    path = re.search(r'href="http://localhost(/shared/[^"]+)"', body)[1]
    code = re.search(r'<p class="code"[^>]*>([^<]+)</p>', body)[1]
    return person_id, path, code


@pytest.fixture
def holder(app):
    """A browser with no account: the person the link was sent to."""
    return app.test_client()


def test_inviting_shows_the_link_and_code_once_and_stores_only_their_hashes(client, db,
                                                                          signed_in):
    person_id, path, code = invite(client, signed_in)
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 43
    row = db.execute("SELECT token_hash, code_hash, expires_at, created_at FROM person_links"
                     " WHERE person_id = ?", [person_id]).fetchone()
    assert row[0] == codes.token_digest(token)
    stored = " ".join(str(v) for r in db.execute("SELECT * FROM person_links") for v in r)
    assert token not in stored and code.replace("-", "") not in stored
    assert (utc_now() + timedelta(days=29)).isoformat() < row[2]
    # Shown once: the next visit to the person's page no longer has it.
    again = client.get(f"/people/{person_id}").get_data(as_text=True)
    assert token not in again and code not in again


def test_an_incomplete_invite_is_answered_with_the_form_and_stores_nothing(client, db,
                                                                           signed_in):
    response = client.post("/people", data={"csrf_token": signed_in, "first_name": "",
                                            "shared_by": "Pat"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Enter their first name." in body and "Choose at least one thing" in body
    assert db.execute("SELECT COUNT(*) FROM people").fetchone()[0] == 0


def test_a_live_link_opens_without_an_account_and_keeps_out_of_search_caches_and_referrers(
        client, db, signed_in, patient, holder):
    db.execute("INSERT INTO questions (patient_id, text, created_at) VALUES (?, ?, ?)",
               [patient.id, "Who rings with results?", utc_iso(utc_now())])
    _, path, _ = invite(client, signed_in)
    response = holder.get(path)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Shared by Pat" in body and "Last updated today at" in body
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert '<meta name="robots" content="noindex">' in body
    # Read-only, so no-referrer cannot break a form's CSRF check: there is no form.
    assert "<form" not in body
    # The help numbers are there.
    assert 'href="tel:' in body


def test_ending_a_link_takes_effect_on_the_next_request_and_leaves_her_other_links(
        client, db, signed_in, holder):
    person_id, first, _ = invite(client, signed_in)
    client.post(f"/people/{person_id}/links", data={"csrf_token": signed_in})
    second = re.search(r'href="http://localhost(/shared/[^"]+)"',
                       client.get(f"/people/{person_id}").get_data(as_text=True))[1]
    assert holder.get(first).status_code == 200
    link_id = db.execute("SELECT id FROM person_links WHERE token_hash = ?",
                         [codes.token_digest(first.rsplit("/", 1)[1])]).fetchone()[0]

    response = client.post(f"/people/{person_id}/links/{link_id}/end",
                           data={"csrf_token": signed_in})

    assert response.status_code == 303
    gone = holder.get(first)
    assert gone.status_code == 410
    assert "Shared by" not in gone.get_data(as_text=True)
    assert gone.headers["Cache-Control"] == "no-store"
    assert holder.get(second).status_code == 200
    page = client.get(f"/people/{person_id}").get_data(as_text=True)
    assert "You ended it on" in page


def test_an_expired_link_no_longer_opens(client, db, signed_in, holder):
    _, path, _ = invite(client, signed_in)
    db.execute("UPDATE person_links SET expires_at = ?",
               [utc_iso(utc_now() - timedelta(seconds=1))])
    response = holder.get(path)
    assert response.status_code == 410
    assert "This link does not work" in response.get_data(as_text=True)


@pytest.mark.parametrize("change", ["one letter", "cut short", "made up"])
def test_a_wrong_token_opens_nothing(client, signed_in, holder, change):
    _, path, _ = invite(client, signed_in)
    token = path.rsplit("/", 1)[1]
    wrong = {"one letter": token[:-1] + ("A" if token[-1] != "A" else "B"),
             "cut short": token[:20], "made up": codes.make_token()}[change]
    response = holder.get(f"/shared/{wrong}")
    assert response.status_code == 404
    assert "Shared by" not in response.get_data(as_text=True)
    assert response.headers["X-Robots-Tag"].startswith("noindex")


def test_another_patients_link_shows_only_their_own(app, client, db, signed_in, patient,
                                                    other_patient, holder):
    add_entry(db, patient, note="Pat's marked words")
    invite(client, signed_in)
    db.execute("INSERT INTO person_entries (person_id, entry_id, patient_id)"
               " SELECT 1, id, patient_id FROM entries")
    other = app.test_client()
    other.post("/sign-in", data={"email": "other@example.com", "password":
                                 "correct horse battery",
                                 "csrf_token": csrf_from(other.get("/sign-in").get_data(
                                     as_text=True))})
    token = csrf_from(other.get("/people").get_data(as_text=True))
    _, path, _ = invite(other, token, first_name="Kim", shared_by="Olu")
    body = holder.get(path).get_data(as_text=True)
    assert "Kim" in body
    assert "Pat's marked words" not in body and "Shared by Pat" not in body


@pytest.mark.parametrize(("method", "path", "data"), [
    ("GET", "/people/{person}", {}),
    ("POST", "/people/{person}", {"show_scan": "1"}),
    ("POST", "/people/{person}/links", {}),
    ("POST", "/people/{person}/links/{link}/end", {}),
    ("POST", "/people/{person}/entries/{entry}", {"shared": "1"}),
])
def test_a_patient_cannot_reach_another_patients_people(app, client, db, signed_in,
                                                        other_patient, method, path, data):
    from journal.people import records

    person_id, made = records.add_person(
        db, other_patient, {"first_name": "Kim", "relation": "", "shared_by": "Olu",
                            "show_scan": True, "show_trend": False, "show_checkins": True,
                            "show_questions": False}, app.secret_key)
    entry_id = add_entry(db, other_patient, note="Olu's words")
    before = [list(db.execute(f"SELECT * FROM {t}")) for t in ("people", "person_links",
                                                               "person_entries")]
    url = path.format(person=person_id, link=made.id, entry=entry_id)
    response = (client.get(url) if method == "GET"
                else client.post(url, data={**data, "csrf_token": signed_in}))
    assert response.status_code == 404
    assert "Kim" not in response.get_data(as_text=True)
    assert [list(db.execute(f"SELECT * FROM {t}")) for t in ("people", "person_links",
                                                             "person_entries")] == before


def test_the_page_names_nothing_she_did_not_choose(client, db, signed_in, patient, team,
                                                   holder, add_scan):
    link_patient(db, patient, team)
    add_scan(patient.id, hospital="St Elsewhere", letter_notes="bring the blue folder",
             appointment_at=utc_now() - timedelta(days=2))
    db.execute("INSERT INTO questions (patient_id, text, created_at) VALUES (?, ?, ?)",
               [patient.id, "Who rings with results?", utc_iso(utc_now())])
    marked = add_entry(db, patient, note="marked for Sam")
    add_entry(db, patient, note="kept to myself")
    add_entry(db, patient, note="shared with my team", shared=True)
    person_id, path, _ = invite(client, signed_in, show_checkins="1")
    client.post(f"/people/{person_id}/entries/{marked}",
                data={"csrf_token": signed_in, "shared": "1"})

    body = holder.get(path).get_data(as_text=True)

    assert "marked for Sam" in body
    for unchosen in ("kept to myself", "shared with my team", "Who rings with results?",
                     "St Elsewhere", "bring the blue folder", "pat@example.com",
                     "Breast Care Team", "The scan", "How Pat has been feeling"):
        assert unchosen not in body, unchosen


def test_what_she_chooses_shows_and_a_change_applies_on_the_next_visit(
        client, db, signed_in, patient, holder, add_scan):
    add_scan(patient.id, appointment_at=utc_now() - timedelta(days=2))
    db.execute("INSERT INTO questions (patient_id, text, created_at) VALUES (?, ?, ?)",
               [patient.id, "Who rings with results?", utc_iso(utc_now())])
    add_entry(db, patient, distress=6, note="unmarked")
    person_id, path, _ = invite(client, signed_in)
    body = holder.get(path).get_data(as_text=True)
    assert "The scan" in body and "Waiting for results" in body
    assert "Who rings with results?" in body
    assert "How Pat has been feeling" in body and "<svg" in body
    assert "unmarked" not in body

    response = client.post(f"/people/{person_id}", data={"csrf_token": signed_in,
                                                         "show_questions": "1"})
    assert response.status_code == 303
    body = holder.get(path).get_data(as_text=True)
    assert "Who rings with results?" in body
    assert "The scan" not in body and "<svg" not in body

    refused = client.post(f"/people/{person_id}", data={"csrf_token": signed_in})
    assert refused.status_code == 422
    assert "Who rings with results?" in holder.get(path).get_data(as_text=True)


def test_each_open_goes_to_the_audit_and_shows_the_patient_when_each_link_was_opened(
        client, db, signed_in, holder):
    person_id, first, _ = invite(client, signed_in)
    client.post(f"/people/{person_id}/links", data={"csrf_token": signed_in})
    assert "not opened yet" in client.get(f"/people/{person_id}").get_data(as_text=True)

    holder.get(first)
    holder.get(first)

    rows = db.execute("SELECT actor_id, actor_role, patient_id, link_id FROM audit"
                      " WHERE action = 'open-person-link'").fetchall()
    assert len(rows) == 2 and rows[0][:2] == (None, "person") and rows[0][2] is not None
    page = client.get(f"/people/{person_id}").get_data(as_text=True)
    assert re.search(r"Sam's link from [^<]+</strong>,\s*opened today at \d", page)
    assert page.count("not opened yet") == 1
    overview = client.get("/people").get_data(as_text=True)
    assert "Sam" in overview


def test_a_check_in_marked_for_a_person_is_not_shared_with_the_team_nor_the_other_way(
        client, db, signed_in, patient, team, holder):
    link_patient(db, patient, team)
    for_sam = add_entry(db, patient, note="for Sam only")
    for_team = add_entry(db, patient, note="for the team only", shared=True)
    person_id, path, _ = invite(client, signed_in, show_checkins="1")

    client.post(f"/people/{person_id}/entries/{for_sam}",
                data={"csrf_token": signed_in, "shared": "1"})

    assert db.execute("SELECT shared FROM entries WHERE id = ?", [for_sam]).fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM person_entries WHERE entry_id = ?",
                      [for_team]).fetchone()[0] == 0
    body = holder.get(path).get_data(as_text=True)
    assert "for Sam only" in body and "for the team only" not in body
    # The entry's sharing control shows both, each on its own.
    timeline = client.get("/timeline").get_data(as_text=True)
    card = timeline[timeline.index(f'id="entry-{for_sam}"'):]
    card = card[:card.index("</li>")]
    assert "Share with your care team" in card and "Shared with Sam" in card
    card = timeline[timeline.index(f'id="entry-{for_team}"'):]
    card = card[:card.index("</li>")]
    assert "Shared with Breast Care Team" in card and "Share with Sam" in card

    client.post(f"/people/{person_id}/entries/{for_sam}",
                data={"csrf_token": signed_in, "shared": "0"})
    assert "for Sam only" not in holder.get(path).get_data(as_text=True)
    actions = [r[0] for r in db.execute("SELECT action FROM audit WHERE entry_id = ?"
                                        " ORDER BY id", [for_sam])]
    assert actions == ["share-with-person", "unshare-with-person"]


def test_marking_with_htmx_answers_with_the_entrys_people_only(client, db, signed_in,
                                                               patient):
    entry_id = add_entry(db, patient, note="a note")
    person_id, _, _ = invite(client, signed_in, show_checkins="1")
    response = client.post(f"/people/{person_id}/entries/{entry_id}",
                           data={"csrf_token": signed_in, "shared": "1"},
                           headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and f'id="people-{entry_id}"' in body
    assert "Stop sharing with Sam" in body and "Shared with Sam." in body


def test_a_person_who_may_not_see_check_ins_cannot_be_given_one(client, db, signed_in,
                                                                patient):
    entry_id = add_entry(db, patient, note="a note")
    person_id, _, _ = invite(client, signed_in, show_scan="1")
    response = client.post(f"/people/{person_id}/entries/{entry_id}",
                           data={"csrf_token": signed_in, "shared": "1"})
    assert response.status_code == 303
    assert db.execute("SELECT COUNT(*) FROM person_entries").fetchone()[0] == 0
    assert "Share with Sam" not in client.get("/timeline").get_data(as_text=True)


# The short code ------------------------------------------------------------


def type_code(holder, code):
    token = csrf_from(holder.get("/shared").get_data(as_text=True))
    return holder.post("/shared", data={"csrf_token": token, "code": code})


def test_the_short_code_opens_the_page_for_that_browser_until_the_link_ends(
        client, db, signed_in, holder):
    person_id, _, code = invite(client, signed_in)
    response = type_code(holder, code.lower().replace("-", " "))
    assert response.status_code == 303 and response.headers["Location"] == "/shared/page"
    page = holder.get("/shared/page")
    assert page.status_code == 200 and "Shared by Pat" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert db.execute("SELECT COUNT(*) FROM sign_in_failures").fetchone()[0] == 0

    link_id = db.execute("SELECT id FROM person_links").fetchone()[0]
    client.post(f"/people/{person_id}/links/{link_id}/end", data={"csrf_token": signed_in})

    assert holder.get("/shared/page").status_code == 410
    # The session forgot it, so the next visit asks for a code again.
    assert holder.get("/shared/page").headers["Location"] == "/shared"
    refused = type_code(holder, code)
    assert refused.status_code == 422
    assert "no longer works" in refused.get_data(as_text=True)


def test_the_code_form_keeps_its_referrer_for_the_csrf_check(holder):
    response = holder.get("/shared")
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Robots-Tag"].startswith("noindex")


def test_a_wrong_code_is_refused_and_counted(client, db, signed_in, holder):
    invite(client, signed_in)
    response = type_code(holder, "ACD-EFG")
    assert response.status_code == 422
    assert "We could not find that code" in response.get_data(as_text=True)
    assert db.execute("SELECT COUNT(*) FROM sign_in_failures").fetchone()[0] == 1


def test_a_malformed_code_is_not_counted(db, holder):
    response = type_code(holder, "hello")
    assert response.status_code == 422
    assert "like KD4-7PM" in response.get_data(as_text=True)
    assert db.execute("SELECT COUNT(*) FROM sign_in_failures").fetchone()[0] == 0


def test_too_many_wrong_codes_from_one_address_wait_even_for_the_right_one(
        client, signed_in, holder):
    _, _, code = invite(client, signed_in)
    for _ in range(shared.CODE_TRIES.failures):
        assert type_code(holder, "ACD-EFG").status_code == 422
    response = type_code(holder, code)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Please wait" in response.get_data(as_text=True)
    assert holder.get("/shared/page").headers["Location"] == "/shared"


def test_wrong_codes_do_not_lock_the_address_out_of_signing_in(client, db, signed_in,
                                                               holder):
    for _ in range(3):
        type_code(holder, "ACD-EFG")
    addresses = {r[0] for r in db.execute("SELECT address FROM sign_in_failures")}
    assert addresses == {"person-code:127.0.0.1"}


def test_her_data_download_has_her_people_but_no_token_or_code_hashes(client, signed_in):
    invite(client, signed_in)
    from journal.platform import personal_data

    db_path = client.application.config["JOURNAL_DB"]
    from journal.platform.db import connect

    database = connect(db_path)
    try:
        data = personal_data.collect(database, 1)
    finally:
        database.close()
    records = data["other_records"]
    assert records["people"][0]["first_name"] == "Sam"
    assert records["person_links"]
    for link in records["person_links"]:
        assert "token_hash" not in link and "code_hash" not in link
