"""Markup that screen readers rely on: the scale's hint, one fixed live region for search
counts, an error summary with links to the fields, and undo's time in words."""

import re

HTMX = {"HX-Request": "true"}


def test_the_scale_group_is_described_by_its_hint(client, signed_in):
    page = client.get("/home").get_data(as_text=True)
    assert '<fieldset class="scale" aria-describedby="distress-hint">' in page
    # Home folds the hint away visually; screen readers still hear it with the scale.
    assert re.search(r'<p class="hint[^"]*" id="distress-hint">0 means no distress at all.', page)


def test_a_check_in_error_is_summarised_with_a_link_to_the_scale(client, signed_in):
    response = client.post("/check-in", data={"csrf_token": signed_in}, headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="error-summary"' in body and "autofocus" in body
    assert '<a href="#d0">Choose a number from 0 to 10, or write a note.</a>' in body
    assert 'aria-describedby="distress-hint distress-error"' in body
    # Without htmx the whole page comes back, its title marked.
    page = client.post("/check-in", data={"csrf_token": signed_in}).get_data(as_text=True)
    assert "<title>Error: Home · Waiting Well</title>" in page


def test_search_counts_are_read_from_the_fixed_live_region_not_a_replaced_one(
        client, signed_in):
    client.post("/check-in", data={"csrf_token": signed_in, "distress": "3",
                                   "note": "A fish tank."})
    body = client.post("/timeline/search", data={"csrf_token": signed_in, "q": "fish"},
                       headers=HTMX).get_data(as_text=True)
    assert '<section id="results">' in body
    assert "aria-live" not in body
    assert "<h2 data-announce>1 entry found</h2>" in body


def test_delete_with_htmx_says_until_when_undo_lasts(client, db, signed_in):
    client.post("/check-in", data={"csrf_token": signed_in, "distress": "3"})
    entry_id = db.execute("SELECT max(id) FROM entries").fetchone()[0]
    body = client.post(f"/entries/{entry_id}/delete", data={"csrf_token": signed_in},
                       headers=HTMX).get_data(as_text=True)
    assert re.search(r"Entry deleted\. You can undo this until \d{1,2}:\d\d[ap]m\.", body)
    assert "data-focus" in body
