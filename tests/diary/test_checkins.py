import html
import json
import re
from datetime import timedelta

import pytest

from journal.platform.clock import parse_utc, utc_iso, utc_now
from journal.platform.templating import uk_day

HTMX = {"HX-Request": "true"}
STALE_MESSAGE = "This page was open for a long time, so it was not saved yet."


def add_entry(db, patient_id, when=None, note="", distress=4, feelings=(), deleted_at=None):
    """Store an entry directly, as if made at `when`."""
    cursor = db.execute(
        "INSERT INTO entries (patient_id, created_at, distress, feelings, topics, note, deleted_at)"
        " VALUES (?, ?, ?, ?, '[]', ?, ?)",
        [patient_id, utc_iso(when or utc_now()), distress, json.dumps(list(feelings)), note,
         utc_iso(deleted_at) if deleted_at else None],
    )
    return cursor.lastrowid


def row(db, entry_id):
    rows = list(db.query("SELECT * FROM entries WHERE id = ?", [entry_id]))
    return rows[0] if rows else None


def all_entries(db, patient_id):
    return list(db.query("SELECT * FROM entries WHERE patient_id = ? ORDER BY id", [patient_id]))


def entry_ids(page):
    return [int(i) for i in re.findall(r'<li class="entry" id="entry-(\d+)">', page)]


def text(response):
    return response.get_data(as_text=True)


def assert_fragment(response):
    body = text(response)
    assert "<html" not in body
    assert "<body" not in body
    return body


# Check-in


def test_check_in_without_javascript_saves_and_goes_home(client, db, patient, signed_in):
    response = client.post(
        "/check-in",
        data={"distress": "6", "feelings": ["anxious", "tired", "made-up"], "topics": ["sleep"],
              "note": "  Woke at 4am.  ", "csrf_token": signed_in},
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/home"
    [stored] = all_entries(db, patient.id)
    assert stored["distress"] == 6
    assert json.loads(stored["feelings"]) == ["anxious", "tired"]
    assert json.loads(stored["topics"]) == ["sleep"]
    assert stored["note"] == "Woke at 4am."
    assert stored["deleted_at"] is None
    home = text(client.get("/home"))
    assert "Saved. Your check-in is on your timeline." in home
    assert "Woke at 4am." in home


def test_check_in_with_htmx_returns_the_form_and_out_of_band_updates(client, db, patient,
                                                                     signed_in):
    response = client.post(
        "/check-in", data={"distress": "3", "note": "Calmer today.", "csrf_token": signed_in},
        headers=HTMX,
    )

    assert response.status_code == 200
    body = assert_fragment(response)
    [stored] = all_entries(db, patient.id)
    assert '<form id="checkin"' in body
    assert 'class="saved" role="status">Saved at' in body
    assert f'href="/timeline#entry-{stored["id"]}"' in body
    assert re.search(r'<section id="today" class="today" hx-swap-oob="true">\s*<p>You checked in '
                     r'today', body)
    assert '<section id="latest" class="latest" aria-labelledby="latest-title" ' \
           'hx-swap-oob="true">' in body
    assert "Calmer today." in body
    # The fresh form is empty, ready for the next check-in.
    assert "<textarea" in body and "Calmer today.</textarea>" not in body


@pytest.mark.parametrize("fields", [{"note": "Only a note."}, {"feelings": "tired"}],
                         ids=["note-only", "feelings-only"])
def test_check_in_without_a_score_is_saved_with_no_distress(client, db, patient, signed_in,
                                                            fields):
    response = client.post("/check-in", data={**fields, "csrf_token": signed_in})
    assert response.status_code == 303
    [stored] = all_entries(db, patient.id)
    assert stored["distress"] is None


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_invalid_check_in_shows_messages_beside_fields_and_keeps_the_note(client, db, patient,
                                                                          signed_in, headers):
    note = "n" * 5990 + " kept words"
    response = client.post(
        "/check-in", data={"distress": "11", "note": note, "csrf_token": signed_in},
        headers=headers,
    )

    assert response.status_code == 422
    body = text(response)
    assert ('<p class="error" id="distress-error"><span class="visually-hidden">Error: </span>'
            "Choose a number from 0 to 10.</p>") in body
    assert ('<p class="error" id="note-error"><span class="visually-hidden">Error: </span>'
            "Your note is 6,001 characters long.") in body
    assert 'aria-describedby="note-hint note-error" aria-invalid="true"' in body
    assert f">{note}</textarea>" in body
    assert all_entries(db, patient.id) == []
    if headers:
        assert_fragment(response)
        assert body.lstrip().startswith('<form id="checkin"')
    else:
        assert "<html" in body


def test_oversized_check_in_gets_the_friendly_413_page(client, db, patient, signed_in):
    response = client.post(
        "/check-in", data={"note": "x" * (6 * 1024 * 1024), "csrf_token": signed_in}
    )

    assert response.status_code == 413
    body = text(response)
    assert "That was too much to send at once" in body
    assert "Notes can be up to 5,000 characters" in body
    assert all_entries(db, patient.id) == []


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_stale_check_in_keeps_the_note_and_says_what_to_do(app, client, db, patient, signed_in,
                                                          headers):
    other_browser = app.test_client()
    stale_token = re.search(r'name="csrf_token" value="([^"]+)"',
                            text(other_browser.get("/sign-in"))).group(1)

    response = client.post(
        "/check-in", data={"distress": "5", "note": "Words I do not want to lose.",
                           "csrf_token": stale_token},
        headers=headers,
    )

    assert response.status_code == 422
    body = text(response)
    assert STALE_MESSAGE in body
    assert "Words I do not want to lose.</textarea>" in body
    assert all_entries(db, patient.id) == []


def test_same_client_id_posted_twice_stores_one_entry(client, db, patient, signed_in):
    data = {"distress": "4", "note": "Sent on a shaky connection.",
            "client_id": "3f2b8c1e-6a4d-4e7f-9b0a-1c2d3e4f5a6b", "csrf_token": signed_in}

    first = client.post("/check-in", data=data)
    second = client.post("/check-in", data=data, headers=HTMX)

    assert first.status_code == 303
    assert second.status_code == 200
    [stored] = all_entries(db, patient.id)
    assert stored["client_id"] == data["client_id"]


def test_check_ins_without_client_id_are_separate_entries(client, db, patient, signed_in):
    for _ in range(2):
        client.post("/check-in", data={"distress": "4", "csrf_token": signed_in})
    assert len(all_entries(db, patient.id)) == 2


def test_home_says_whether_the_patient_checked_in_today(client, signed_in):
    before = text(client.get("/home"))
    assert "You have not checked in today" in before
    assert "You checked in today" not in before

    client.post("/check-in", data={"distress": "2", "csrf_token": signed_in})

    after = text(client.get("/home"))
    assert "You checked in today at" in after
    assert "You have not checked in today" not in after


def test_yesterdays_check_in_does_not_count_for_today(client, db, patient, signed_in):
    add_entry(db, patient.id, utc_now() - timedelta(days=1, hours=2))
    assert "You have not checked in today" in text(client.get("/home"))


# Timeline


@pytest.fixture
def forty_five(db, patient):
    """45 entries, 7 hours apart and so over several UK days; newest first."""
    start = utc_now() - timedelta(hours=7 * 45)
    ids = [add_entry(db, patient.id, start + timedelta(hours=7 * i), note=f"entry number {i}")
           for i in range(45)]
    return list(reversed(ids))


def headings_and_entries(page):
    """The day headings and entry ids in page order."""
    return re.findall(r'<h2 class="day">([^<]+)</h2>|<li class="entry" id="entry-(\d+)">', page)


def older_link(page):
    match = re.search(r'<a class="button secondary" href="([^"]+)"[^>]*>Show older entries</a>',
                      page)
    return html.unescape(match.group(1)) if match else None


def test_timeline_pages_through_all_entries_newest_first_without_gaps(client, db, patient,
                                                                      signed_in, forty_five):
    pages, url = [], "/timeline"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(text(response))
        url = older_link(pages[-1])

    assert [len(entry_ids(p)) for p in pages] == [20, 20, 5]
    assert [i for p in pages for i in entry_ids(p)] == forty_five
    assert "Show older entries" not in pages[-1]
    assert older_link(pages[0]).startswith(f"/timeline?before={forty_five[19]}&after_day=")


def test_timeline_groups_entries_under_their_uk_day_across_pages(client, db, patient, signed_in,
                                                                 forty_five):
    stored = {r["id"]: parse_utc(r["created_at"]) for r in all_entries(db, patient.id)}
    seen_headings, current = [], None
    url = "/timeline"
    while url:
        page = text(client.get(url))
        for heading, entry_id in headings_and_entries(page):
            if heading:
                assert heading not in seen_headings, "a day's heading is shown twice"
                seen_headings.append(heading)
                current = heading
            else:
                assert current == uk_day(stored[int(entry_id)])
        url = older_link(page)

    expected_days = []
    for entry_id in forty_five:
        day = uk_day(stored[entry_id])
        if day not in expected_days:
            expected_days.append(day)
    assert seen_headings == expected_days


def test_timeline_load_more_with_htmx_returns_a_fragment(client, signed_in, forty_five):
    url = older_link(text(client.get("/timeline")))

    response = client.get(url, headers=HTMX)

    assert response.status_code == 200
    body = assert_fragment(response)
    assert entry_ids(body) == forty_five[20:40]
    assert 'id="load-more"' in body
    assert "Your timeline" not in body


def test_timeline_of_a_new_patient_invites_a_first_check_in(client, signed_in):
    page = text(client.get("/timeline"))
    assert "Nothing here yet." in page
    assert "Show older entries" not in page


# Edit


@pytest.fixture
def entry_id(db, patient):
    return add_entry(db, patient.id, utc_now() - timedelta(hours=2), note="Original words.",
                     distress=5, feelings=["worried"])


def test_edit_form_shows_the_entry(client, signed_in, entry_id):
    response = client.get(f"/entries/{entry_id}/edit")

    assert response.status_code == 200
    page = text(response)
    assert f'action="/entries/{entry_id}" method="post"' in page
    assert "Original words.</textarea>" in page
    assert f'id="e{entry_id}-d5" value="5" checked' in page
    assert f'id="e{entry_id}-f-worried" value="worried" checked' in page


def test_edit_form_with_htmx_is_a_fragment(client, signed_in, entry_id):
    response = client.get(f"/entries/{entry_id}/edit", headers=HTMX)
    assert response.status_code == 200
    body = assert_fragment(response)
    assert body.lstrip().startswith(f'<li class="entry editing" id="entry-{entry_id}">')


def test_saving_an_edit_updates_the_entry_and_returns_to_the_timeline(client, db, signed_in,
                                                                      entry_id):
    before = row(db, entry_id)

    response = client.post(
        f"/entries/{entry_id}",
        data={"distress": "2", "note": "Better words.", "csrf_token": signed_in},
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"/timeline#entry-{entry_id}"
    after = row(db, entry_id)
    assert after["note"] == "Better words."
    assert after["distress"] == 2
    assert json.loads(after["feelings"]) == []
    assert after["updated_at"] is not None
    assert after["created_at"] == before["created_at"]
    page = text(client.get("/timeline"))
    assert "Your changes are saved." in page
    assert "Better words." in page and "Original words." not in page


def test_saving_an_edit_with_htmx_returns_the_entry_card(client, db, signed_in, entry_id):
    response = client.post(
        f"/entries/{entry_id}", data={"distress": "1", "note": "Edited inline.",
                                      "csrf_token": signed_in},
        headers=HTMX,
    )

    assert response.status_code == 200
    body = assert_fragment(response)
    assert body.lstrip().startswith(f'<li class="entry" id="entry-{entry_id}">')
    assert "Edited inline." in body
    assert "Distress 1 out of 10" in body
    assert "Edited " in body
    assert row(db, entry_id)["note"] == "Edited inline."


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_invalid_edit_keeps_the_typed_text_and_changes_nothing(client, db, signed_in, entry_id,
                                                               headers):
    before = row(db, entry_id)

    response = client.post(
        f"/entries/{entry_id}",
        data={"distress": "eleven", "note": "My new words.", "csrf_token": signed_in},
        headers=headers,
    )

    assert response.status_code == 422
    body = text(response)
    assert "Choose a number from 0 to 10." in body
    assert "My new words.</textarea>" in body
    assert row(db, entry_id) == before
    if headers:
        assert_fragment(response)


# Delete and undo


def test_delete_asks_for_confirmation_first(client, db, signed_in, entry_id):
    response = client.get(f"/entries/{entry_id}/delete")

    assert response.status_code == 200
    page = text(response)
    assert "Delete this entry?" in page
    assert f'action="/entries/{entry_id}/delete" method="post"' in page
    assert "Original words." in page
    assert row(db, entry_id)["deleted_at"] is None


def test_delete_hides_the_entry_and_offers_undo(client, db, signed_in, entry_id):
    response = client.post(f"/entries/{entry_id}/delete", data={"csrf_token": signed_in})

    assert response.status_code == 303
    assert response.headers["Location"] == "/timeline"
    assert row(db, entry_id)["deleted_at"] is not None
    page = text(client.get("/timeline"))
    assert "Entry deleted." in page
    assert f'action="/entries/{entry_id}/restore" method="post"' in page
    assert entry_id not in entry_ids(page)
    assert client.get(f"/entries/{entry_id}").status_code == 404


def test_delete_with_htmx_returns_the_undo_stub(client, db, signed_in, entry_id):
    response = client.post(f"/entries/{entry_id}/delete", data={"csrf_token": signed_in},
                           headers=HTMX)

    assert response.status_code == 200
    body = assert_fragment(response)
    assert body.lstrip().startswith(f'<li class="entry deleted" id="entry-{entry_id}">')
    assert "Entry deleted." in body
    assert f'hx-post="/entries/{entry_id}/restore"' in body
    assert "Original words." not in body
    assert row(db, entry_id)["deleted_at"] is not None


def test_restore_within_ten_minutes_brings_the_entry_back(client, db, signed_in, entry_id):
    client.post(f"/entries/{entry_id}/delete", data={"csrf_token": signed_in})

    response = client.post(f"/entries/{entry_id}/restore", data={"csrf_token": signed_in})

    assert response.status_code == 303
    assert response.headers["Location"] == f"/timeline#entry-{entry_id}"
    assert row(db, entry_id)["deleted_at"] is None
    page = text(client.get("/timeline"))
    assert "Entry restored." in page
    assert entry_id in entry_ids(page)
    assert "You deleted an entry." not in page


def test_restore_with_htmx_returns_the_entry_card(client, db, signed_in, entry_id):
    client.post(f"/entries/{entry_id}/delete", data={"csrf_token": signed_in}, headers=HTMX)

    response = client.post(f"/entries/{entry_id}/restore", data={"csrf_token": signed_in},
                           headers=HTMX)

    assert response.status_code == 200
    body = assert_fragment(response)
    assert body.lstrip().startswith(f'<li class="entry" id="entry-{entry_id}">')
    assert "Original words." in body
    assert row(db, entry_id)["deleted_at"] is None


def test_after_ten_minutes_a_deleted_entry_is_purged_and_cannot_be_restored(client, db, patient,
                                                                            signed_in, entry_id):
    client.post(f"/entries/{entry_id}/delete", data={"csrf_token": signed_in})
    db.execute("UPDATE entries SET deleted_at = ? WHERE id = ?",
               [utc_iso(utc_now() - timedelta(minutes=11)), entry_id])

    too_late = client.post(f"/entries/{entry_id}/restore", data={"csrf_token": signed_in})

    assert too_late.status_code == 303
    assert row(db, entry_id)["deleted_at"] is not None
    page = text(client.get("/timeline"))  # visiting the timeline purges expired deletions
    assert "That entry can no longer be brought back." in page
    assert "You deleted an entry." not in page
    assert row(db, entry_id) is None
    indexed = list(db.query("SELECT rowid FROM entries_fts WHERE entries_fts MATCH 'original'"))
    assert indexed == []
    gone = client.post(f"/entries/{entry_id}/restore", data={"csrf_token": signed_in})
    assert gone.status_code == 404


def test_a_new_check_in_purges_expired_deletions_only(client, db, patient, signed_in):
    expired = add_entry(db, patient.id, note="old", deleted_at=utc_now() - timedelta(minutes=11))
    recent = add_entry(db, patient.id, note="recent", deleted_at=utc_now() - timedelta(minutes=9))

    client.post("/check-in", data={"distress": "3", "csrf_token": signed_in})

    assert row(db, expired) is None
    assert row(db, recent) is not None


# Search


def search(client, token, words, headers=None):
    return client.post("/timeline/search", data={"q": words, "csrf_token": token},
                       headers=headers or {})


def test_search_highlights_matches_in_the_patients_notes(client, db, patient, signed_in):
    match = add_entry(db, patient.id, note="The scan letter came today.")
    add_entry(db, patient.id, note="Nothing about it here.")

    response = search(client, signed_in, "letter")

    assert response.status_code == 200
    page = text(response)
    assert "1 entry found" in page
    assert "The scan <mark>letter</mark> came today." in page
    assert entry_ids(page) == [match]
    assert 'value="letter"' in page


def test_search_escapes_html_in_notes(client, db, patient, signed_in):
    add_entry(db, patient.id, note="<script>alert(1)</script> hello")

    page = text(search(client, signed_in, "hello"))

    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>hello</mark>" in page
    assert "<script>alert(1)" not in page


def test_search_only_finds_the_patients_own_entries(client, db, patient, other_patient,
                                                    signed_in):
    own = add_entry(db, patient.id, note="hello from me")
    add_entry(db, other_patient.id, note="hello from Olu zanzibar")

    page = text(search(client, signed_in, "hello"))

    assert entry_ids(page) == [own]
    assert "zanzibar" not in page


def test_search_skips_deleted_entries(client, db, patient, signed_in):
    add_entry(db, patient.id, note="hello gone", deleted_at=utc_now())
    page = text(search(client, signed_in, "hello"))
    assert "0 entries found" in page
    assert "No entries have those words." in page


def test_search_with_htmx_returns_the_results_fragment(client, db, patient, signed_in):
    add_entry(db, patient.id, note="hello there")

    response = search(client, signed_in, "hello", headers=HTMX)

    assert response.status_code == 200
    body = assert_fragment(response)
    assert body.lstrip().startswith('<section id="results"')
    assert "<mark>hello</mark>" in body


@pytest.mark.parametrize("words", ["NOT", "hello OR", "NEAR(", "*", "a:b", "'", "(", "hello*"])
def test_search_treats_query_syntax_as_plain_words(client, db, patient, signed_in, words):
    add_entry(db, patient.id, note="hello there")
    response = search(client, signed_in, words)
    assert response.status_code == 200
    assert "found" in text(response)


@pytest.mark.parametrize("words", ['"', '""'])
def test_search_of_only_quotes_finds_nothing_rather_than_failing(client, db, patient, signed_in,
                                                                 words):
    add_entry(db, patient.id, note="hello there")
    response = search(client, signed_in, words)
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/timeline", "/timeline/search"])
def test_search_forms_post_so_words_never_reach_a_url(client, signed_in, path):
    page = text(client.get(path))
    forms = re.findall(r'<form class="search"[^>]*>', page)
    assert forms
    for form in forms:
        assert 'action="/timeline/search" method="post"' in form
        assert "hx-get" not in form


def test_search_words_in_the_address_are_ignored(client, db, patient, signed_in):
    add_entry(db, patient.id, note="hello there")
    page = text(client.get("/timeline/search?q=hello"))
    assert "found" not in page
    assert "<mark>" not in page


def test_the_scale_names_its_ends_inside_their_buttons(client, signed_in):
    html = client.get("/home").get_data(as_text=True)
    assert '<label for="d0">0 <span class="scale-word">none</span></label>' in html
    assert '<label for="d10">10 <span class="scale-word">extreme</span></label>' in html
    assert "scale-words" not in html
