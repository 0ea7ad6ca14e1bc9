"""Tests named in docs/HAZARDS.md: the controls for clinical safety hazards, checked."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from journal.diary import entries
from journal.help import nurse_line
from journal.people import records as people
from journal.platform.clock import utc_iso, utc_now

ROOT = Path(__file__).resolve().parents[2]
# The leaflet facts: the shared copy beside the repository where there is one, and the
# copy kept with the tests, so a clean clone checks the numbers too.
SHARED_FACTS = ROOT.parent / "shared" / "LEAFLET_FACTS.md"
KEPT_FACTS = ROOT / "tests" / "data" / "leaflet_facts.md"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def facts():
    return (SHARED_FACTS if SHARED_FACTS.exists() else KEPT_FACTS).read_text()


def test_the_kept_copy_of_the_leaflet_facts_is_up_to_date():
    if SHARED_FACTS.exists():
        assert KEPT_FACTS.read_text() == SHARED_FACTS.read_text(), (
            f"copy {SHARED_FACTS} to {KEPT_FACTS}")
    assert "0808 800 4040" in KEPT_FACTS.read_text()


def digits(text):
    return re.sub(r"\D", "", text)


def national(href):
    """The number a person dials in the UK, from a tel: or sms: link."""
    number = re.match(r"(?:tel|sms):(\+?\d+)", href).group(1)
    return "0" + number[3:] if number.startswith("+44") else number


def test_every_help_link_is_one_the_leaflet_facts_give(facts):
    fact_links = set(re.findall(r"`((?:tel|sms):[^`]+)`", facts))
    assert fact_links, "no links found in the facts"
    assert {line.href for line in nurse_line.HELP_LINES} == fact_links


@pytest.mark.parametrize("line", nurse_line.HELP_LINES, ids=lambda line: line.key)
def test_every_help_number_shown_matches_its_link_and_the_leaflet_facts(facts, line):
    shown = digits(line.number)
    assert shown == national(line.href), f"{line.name}: shows {line.number}, dials {line.href}"
    # The number, written as people see it, is the one the facts give.
    written = re.sub(r"^Text SHOUT to ", "text SHOUT to ", line.number)
    assert written in facts, f"{line.number!r} is not in the leaflet facts"


def test_nurse_line_hours_match_the_leaflet_facts(facts):
    assert "open 9am to 5pm, Monday to Friday (UK time)" in facts
    line = nurse_line.help_line("nurse-line")
    assert line.hours.startswith("9am to 5pm, Monday to Friday.")
    assert (nurse_line.OPENS.hour, nurse_line.CLOSES.hour) == (9, 17)
    assert "bank holidays" in line.hours


class Links(HTMLParser):
    """Every tel: and sms: link on a page, with its text."""

    def __init__(self):
        super().__init__()
        self.links, self._href, self._text = [], None, []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith(("tel:", "sms:")):
            self._href, self._text = href, []

    def handle_data(self, data):
        if self._href:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None


def help_links(html):
    parser = Links()
    parser.feed(html)
    return parser.links


def pages_people_see(client, auth, db, patient):
    """The pages a signed-out person and a signed-in patient see, error pages included."""
    seen = {path: client.get(path) for path in ("/", "/sign-in", "/sign-up", "/no-such-page",
                                                  "/account/deleted")}
    auth.sign_in()
    entry_id = entries.create(db, patient.id, {"distress": 9, "feelings": [], "topics": [],
                                               "note": "hard day"})
    for path in ("/home", "/timeline", "/account/data", "/account/delete",
                 f"/entries/{entry_id}", f"/entries/{entry_id}/edit"):
        seen[path] = client.get(path)
    return seen


def test_every_page_shows_the_help_panel_with_999_and_the_nurse_line(client, auth, db, patient):
    for path, response in pages_people_see(client, auth, db, patient).items():
        html = response.get_data(as_text=True)
        assert 'id="help"' in html, path
        hrefs = {href for href, _ in help_links(html)}
        assert {"tel:999", "tel:+448088004040"} <= hrefs, path


def test_every_number_on_a_page_dials_what_it_says(client, auth, db, patient):
    known = {line.href: line for line in nurse_line.HELP_LINES}
    for path, response in pages_people_see(client, auth, db, patient).items():
        for href, text in help_links(response.get_data(as_text=True)):
            assert href in known, f"{path}: unknown help link {href}"
            assert digits(text) == "" or digits(text) == national(href), (
                f"{path}: link text {text!r} does not dial {href}"
            )


def entry_routes(app):
    """Every route that takes an entry id, with its methods: new ones are covered too."""
    for rule in app.url_map.iter_rules():
        if "entry_id" in rule.arguments:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def test_another_patients_entry_is_not_found_on_every_entry_route(app, client, db, patient,
                                                                  other_patient, signed_in):
    theirs = entries.create(db, other_patient.id, {"distress": 6, "feelings": [], "topics": [],
                                                   "note": "Olu's private words"})
    db.execute("UPDATE entries SET deleted_at = ? WHERE id = ?",
               [utc_iso(utc_now()), theirs])  # so that restore is tried on a deletable entry
    mine = entries.create(db, patient.id, {"distress": 3, "feelings": [], "topics": [],
                                           "note": "my own words"})
    # A route that also names one of the patient's own people (marking an entry for them)
    # gets her own person, so only the entry is someone else's.
    person_id, _ = people.add_person(
        db, patient, {"first_name": "Sam", "relation": "", "shared_by": "Pat", "show_scan": False,
                      "show_trend": False, "show_checkins": True, "show_questions": False},
        app.secret_key)
    checked = 0
    for rule, method in entry_routes(app):
        mine_too = {"person_id": person_id} if "person_id" in rule.arguments else {}
        path = rule.build({"entry_id": theirs, **mine_too})[1]
        data = {"csrf_token": signed_in, "distress": "1", "note": "overwritten"}
        response = client.open(path, method=method, data=data if method == "POST" else None)
        if response.status_code == 403:
            # A route for another role (a nurse's review) refuses a patient whatever the
            # entry, their own included: the answer tells nothing about someone else's.
            own = rule.build({"entry_id": mine, **mine_too})[1]
            again = client.open(own, method=method, data=data if method == "POST" else None)
            assert again.status_code == 403, f"{method} {path}: 403 only for another's entry"
        else:
            assert response.status_code == 404, f"{method} {path}: {response.status_code}"
        assert "Olu's private words" not in response.get_data(as_text=True)
        checked += 1
    assert checked >= 6
    assert db.execute("SELECT note FROM entries WHERE id = ?", [mine]).fetchone()[0] == (
        "my own words")
    row = db.execute("SELECT note, distress FROM entries WHERE id = ?", [theirs]).fetchone()
    assert row == ("Olu's private words", 6)


def test_search_never_finds_another_patients_entry(client, db, patient, other_patient,
                                                   signed_in):
    entries.create(db, other_patient.id, {"distress": 2, "feelings": [], "topics": [],
                                          "note": "lighthouse walk"})
    response = client.post("/timeline/search", data={"csrf_token": signed_in, "q": "lighthouse"})
    assert response.status_code == 200
    assert "lighthouse walk" not in response.get_data(as_text=True)


def test_a_check_in_sent_twice_is_stored_once(client, db, signed_in):
    form = {"csrf_token": signed_in, "distress": "8", "note": "sent twice",
            "client_id": "retry-0001-abcd"}
    assert client.post("/check-in", data=form).status_code == 303
    assert client.post("/check-in", data=form).status_code == 303
    assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == 1


def test_every_test_the_hazard_log_names_exists():
    """docs/HAZARDS.md names tests as `tests/file.py::name` (or `::name` for the same file)."""
    log = (ROOT / "docs" / "HAZARDS.md").read_text()
    named, current = [], None
    for span in re.findall(r"`([^`]+)`", log):
        if span.startswith("tests/"):
            current, _, name = span.partition("::")
            assert (ROOT / current).exists(), current
        elif span.startswith("::") and current:
            name = span[2:]
        else:
            continue
        if name:
            named.append((current, name))
    assert len(named) >= 30
    for path, name in named:
        assert re.search(rf"^def {name}\(", (ROOT / path).read_text(), re.M), f"{path}::{name}"
