"""Inbox cards kept between loads (care.cards) read as freshly rendered ones do, carry the
nurse's own form token and page, and change with anything on them."""

import re
from dataclasses import replace

import pytest
from care_helpers import add_entry, calls_to, client_for, csrf_from, make_account

from journal.care import cards, inbox, teams


def inbox_section(html):
    start = html.index('<section id="inbox"')
    return html[start:html.index("</section>", start)]


def without_times(html):
    return re.sub(r"Loaded at [^.]+\.", "", html)


@pytest.fixture
def shared(db, patient, linked):
    add_entry(db, patient, distress=9, note="I can't go on like this", shared=True)
    for score in (2, 5, 7):
        add_entry(db, patient, distress=score, note=f"Felt about a {score}", shared=True)


def test_kept_cards_read_as_freshly_rendered_ones(app, team_nurse, shared, monkeypatch):
    client, _ = client_for(app, "priya@example.com")
    first = inbox_section(client.get("/care").get_data(as_text=True))
    kept = inbox_section(client.get("/care").get_data(as_text=True))
    monkeypatch.setattr(cards, "CARDS_KEPT", 0)  # every card rendered again
    app.extensions["inbox_cards"][1].clear()
    fresh = inbox_section(client.get("/care").get_data(as_text=True))

    assert len(app.extensions["inbox_cards"][1]) == 0
    assert without_times(first) == without_times(kept) == without_times(fresh)
    assert first.count('class="inbox-item') == 4


def test_items_worked_out_again_find_their_kept_cards(app, team_nurse, shared, monkeypatch):
    client, _ = client_for(app, "priya@example.com")
    client.get("/care")
    renders = calls_to(monkeypatch, cards, "_render")
    inbox.forget_kept()  # the same items, made afresh from the database
    client.get("/care")

    assert renders == []


def test_each_nurse_s_cards_carry_her_own_token_and_page(app, db, team, team_nurse, shared):
    second = make_account(app, db, "sam@example.com", role="nurse", first_name="Sam")
    teams.put_nurse_in_team(db, second.id, team.id)
    priya, _ = client_for(app, "priya@example.com")
    sam, _ = client_for(app, "sam@example.com")

    for client, url in ((priya, "/care"), (sam, "/care?flag=unreviewed"), (priya, "/care")):
        html = client.get(url).get_data(as_text=True)
        token = csrf_from(html)
        forms = re.findall(r'<form class="review".*?</form>', html, re.S)
        assert len(forms) == 4
        for form in forms:
            assert f'name="csrf_token" value="{token}"' in form
            assert f'name="next" value="{url.replace("&", "&amp;")}"' in form
        assert "card-token-" not in html and "card-next-" not in html
    assert csrf_from(priya.get("/care").get_data(as_text=True)) != csrf_from(
        sam.get("/care").get_data(as_text=True))


def review_the_first(client, token):
    """Review the first entry in the inbox as "called the patient"; returns its id."""
    html = client.get("/care").get_data(as_text=True)
    entry_id = int(re.search(r'id="item-(\d+)"', html)[1])
    client.post(f"/care/entries/{entry_id}/review",
                data={"csrf_token": token, "outcome": "called"})
    return entry_id


def test_a_reviewed_entry_s_card_changes_at_once(app, db, team_nurse, shared):
    client, token = client_for(app, "priya@example.com")
    entry_id = review_the_first(client, token)
    after = client.get("/care").get_data(as_text=True)

    card = after[after.index(f'id="item-{entry_id}"'):]
    card = card[:card.index("</article>")]
    assert "Reviewed by Priya" in card and "called the patient" in card
    assert '<form class="review"' not in card


def test_a_new_safety_rule_colours_kept_cards_again(app, db, patient, linked, team_nurse):
    add_entry(db, patient, distress=3, note="So-so", shared=True)
    client, _ = client_for(app, "priya@example.com")
    assert "band-low" in inbox_section(client.get("/care").get_data(as_text=True))

    app.extensions["safety"] = replace(app.extensions["safety"], raised_distress=3)

    assert "band-mid" in inbox_section(client.get("/care").get_data(as_text=True))


def test_the_patient_page_keeps_its_own_cards(app, db, linked, team_nurse, shared):
    client, _ = client_for(app, "priya@example.com")
    inbox_html = inbox_section(client.get("/care").get_data(as_text=True))
    first = client.get(f"/care/patients/{linked}").get_data(as_text=True)
    again = client.get(f"/care/patients/{linked}").get_data(as_text=True)

    assert without_times(first) == without_times(again)
    # The same entries as in the inbox, but dated in their headings and sent back here.
    assert 'class="who"' in inbox_html and 'class="who"' not in first
    assert first.count('name="view" value="patient"') == 4
    assert f'name="next" value="/care/patients/{linked}"' in first


def test_a_renamed_or_erased_reviewer_shows_at_once(app, db, team_nurse, shared):
    client, token = client_for(app, "priya@example.com")
    review_the_first(client, token)
    assert "Reviewed by Priya" in client.get("/care").get_data(as_text=True)

    db.execute("UPDATE users SET first_name = 'Pri' WHERE id = ?", [team_nurse.id])
    assert "Reviewed by Pri on" in client.get("/care").get_data(as_text=True)

    db.execute("UPDATE entry_reviews SET nurse_id = NULL")  # as erasing her account does
    html = client.get("/care").get_data(as_text=True)
    assert "Reviewed by" not in html and "Reviewed on" in html
