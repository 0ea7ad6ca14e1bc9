"""Nothing lost on a phone: offline, a lost answer, a server error, an ended session and
signing out, each at phone (390x844) and desktop (1280x800) size."""

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from journal.accounts import sessions
from journal.platform.db import connect

# The core flows run at both sizes; the rest at phone size, to keep the suite quick.
BOTH_SIZES = pytest.mark.parametrize("patient_page", ["phone", "desktop"], indirect=True)
EMAIL = "sam@example.com"
NOTE = "The scan letter came today. Fasting from 7am."
ANSWER = "A walk by the canal."  # to the day's question, which sits above the note

# Offline and failing saves make the browser log errors on purpose.
pytestmark = pytest.mark.console_errors_expected


@pytest.fixture
def patient_page(request, server, make_context, make_account, sign_in_cookie):
    """A signed-in patient on their home page; phone size unless the test asks for more."""
    make_account(server.app, EMAIL)
    context = make_context(getattr(request, "param", "phone"))
    sign_in_cookie(context, server, EMAIL)
    page = context.new_page()
    page.goto(server.url + "/home")
    yield page
    context.close()


def stored_entries(server):
    db = connect(server.app.config["JOURNAL_DB"])
    try:
        return list(db.query(
            "SELECT id, client_id, distress, note, prompt_answer FROM entries ORDER BY id"))
    finally:
        db.close()


def end_sessions(server):
    """What an idle timeout or 'sign out everywhere' does: the server forgets the session."""
    db = connect(server.app.config["JOURNAL_DB"])
    try:
        for row in db.query("SELECT user_id FROM sessions WHERE ended_at IS NULL"):
            sessions.end_all(db, row["user_id"])
    finally:
        db.close()


def on_sign_in_page_back_to(path):
    """A URL matcher: the sign-in page, set to come back to `path`."""

    def match(url):
        parts = urlsplit(url)
        return parts.path == "/sign-in" and parse_qs(parts.query).get("next") == [path]

    return match


def drafts(page):
    return page.evaluate(
        "() => Object.keys(localStorage).filter((k) => k.startsWith('ww-draft:'))"
        ".map((k) => [k, JSON.parse(localStorage.getItem(k))])"
    )


def fill_check_in(page):
    page.locator("label[for=d7]").click()
    page.get_by_text("Add a note, feelings or what is on your mind").click()
    page.locator("label[for=f-worried]").click()
    page.locator("label[for=t-results]").click()
    page.get_by_label("Note (optional)").fill(NOTE)
    page.locator("summary", has_text="Today's question").click()
    page.locator("#prompt_answer").fill(ANSWER)
    return page.locator("input[data-client-id]").input_value()


def expect_form_kept(page):
    expect(page.get_by_label("Note (optional)")).to_have_value(NOTE)
    expect(page.locator("#prompt_answer")).to_have_value(ANSWER)
    expect(page.locator("#d7")).to_be_checked()
    expect(page.locator("#f-worried")).to_be_checked()
    expect(page.locator("#t-results")).to_be_checked()


def wait_for_service_worker(page):
    """Until the service worker is installed and in charge of the page; a worker that never
    installs (its script redirected, say) fails the test instead of hanging the suite."""
    page.evaluate(
        """async () => {
          const inCharge = (async () => {
            await navigator.serviceWorker.ready;
            if (navigator.serviceWorker.controller) return;
            await new Promise((done) =>
              navigator.serviceWorker.addEventListener("controllerchange", done, {once: true}));
          })();
          const late = new Promise((_, fail) =>
            setTimeout(() => fail(new Error("service worker not in charge after 10s")), 10000));
          await Promise.race([inCharge, late]);
        }"""
    )


def test_draft_is_kept_per_account_as_the_person_types(patient_page, server):
    page = patient_page
    client_id = fill_check_in(page)
    [(key, draft)] = drafts(page)
    account = page.locator("body").get_attribute("data-account")
    assert key == f"ww-draft:{account}:checkin"
    assert draft["clientId"] == client_id
    assert draft["values"] == {"distress": ["7"], "feelings": ["worried"], "topics": ["results"],
                               "note": [NOTE], "prompt_answer": [ANSWER], "calm_helped": []}
    page.reload()
    expect_form_kept(page)
    expect(page.locator("#checkin .form-message")).to_contain_text("not saved yet")
    expect(page.locator("#announce")).to_contain_text("We kept what you were writing")
    assert page.locator("input[data-client-id]").input_value() == client_id
    assert stored_entries(server) == []


@BOTH_SIZES
def test_offline_save_keeps_the_words_and_retry_saves_once(patient_page, server, shoot):
    page = patient_page
    client_id = fill_check_in(page)
    page.context.set_offline(True)
    page.get_by_role("button", name="Save check-in").click()
    message = page.locator("#checkin .form-message")
    expect(message).to_contain_text("Not saved yet. You seem to be offline.")
    expect(page.locator("#announce")).to_contain_text("You seem to be offline")
    expect_form_kept(page)
    shoot(page, "offline-save")
    assert stored_entries(server) == []

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(message).to_contain_text("You are back online")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator(".saved")).to_contain_text("Saved at")
    [entry] = stored_entries(server)
    assert entry["client_id"] == client_id and entry["note"] == NOTE and entry["distress"] == 7
    assert entry["prompt_answer"] == ANSWER
    assert drafts(page) == []


def test_lost_answer_then_retry_stores_one_entry(patient_page, server):
    page = patient_page
    client_id = fill_check_in(page)

    def arrive_then_drop(route):
        route.fetch()  # the server stores it ...
        route.abort("internetdisconnected")  # ... but the phone never hears back

    page.route("**/check-in", arrive_then_drop)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("#checkin .form-message")).to_contain_text("Not saved yet")
    assert len(stored_entries(server)) == 1
    page.unroute("**/check-in")

    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator(".saved")).to_contain_text("Saved at")
    [entry] = stored_entries(server)
    assert entry["client_id"] == client_id
    expect(page.locator("#latest .entry")).to_have_count(1)


def test_server_error_keeps_the_words_and_retry_works(patient_page, server, shoot):
    page = patient_page
    fill_check_in(page)
    page.route("**/check-in", lambda route: route.fulfill(status=503, body="Busy"))
    page.get_by_role("button", name="Save check-in").click()
    message = page.locator("#checkin .form-message")
    expect(message).to_contain_text("Something went wrong on our side")
    expect_form_kept(page)
    shoot(page, "server-error")
    page.unroute("**/check-in")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator(".saved")).to_contain_text("Saved at")
    assert len(stored_entries(server)) == 1


@pytest.mark.parametrize(
    ("patient_page", "how"),
    [("phone", "ended-on-server"), ("desktop", "ended-on-server"), ("phone", "cookie-gone")],
    indirect=["patient_page"],
)
def test_expired_session_goes_to_sign_in_and_back_with_the_draft(
    patient_page, server, sign_in_form, shoot, how
):
    page = patient_page
    client_id = fill_check_in(page)
    if how == "ended-on-server":
        end_sessions(server)
    else:
        page.context.clear_cookies()
    page.get_by_role("button", name="Save check-in").click()

    page.wait_for_url(on_sign_in_page_back_to("/home"))
    expect(page.locator(".form-message")).to_contain_text(
        "You were signed out, so what you wrote is not saved yet"
    )
    shoot(page, f"signed-out-{how}")
    assert stored_entries(server) == []

    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server.url + "/home")
    expect_form_kept(page)
    expect(page.locator("#checkin .form-message")).to_contain_text("We kept what you were writing")
    shoot(page, f"draft-restored-{how}")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator(".saved")).to_contain_text("Saved at")
    [entry] = stored_entries(server)
    assert entry["client_id"] == client_id and entry["note"] == NOTE
    assert drafts(page) == []


@BOTH_SIZES
def test_expired_session_while_editing_comes_back_to_the_edit_form(patient_page, server, shoot):
    page = patient_page
    fill_check_in(page)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator(".saved")).to_be_visible()
    [entry] = stored_entries(server)

    page.get_by_role("link", name="Timeline", exact=True).click()
    page.get_by_role("link", name="Edit").first.click()
    note = page.get_by_label("Note (optional)")
    note.fill("Changed my mind about the fasting.")
    end_sessions(server)
    page.get_by_role("button", name="Save changes").click()

    page.wait_for_url(on_sign_in_page_back_to(f"/entries/{entry['id']}/edit"))
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server.url + f"/entries/{entry['id']}/edit")
    expect(note).to_have_value("Changed my mind about the fasting.")
    shoot(page, "edit-draft-restored")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(f"#entry-{entry['id']}")).to_contain_text("Changed my mind")
    [saved] = stored_entries(server)
    assert saved["note"] == "Changed my mind about the fasting."
    assert drafts(page) == []


def test_another_account_on_the_same_device_does_not_see_the_draft(
    patient_page, server, make_account, sign_in_form
):
    page = patient_page
    fill_check_in(page)
    make_account(server.app, "alex@example.com", first_name="Alex")
    end_sessions(server)
    sign_in_form(page, server, "alex@example.com")
    expect(page.get_by_label("Note (optional)")).to_have_value("")
    expect(page.locator("#checkin .form-message")).to_have_count(0)
    assert len(drafts(page)) == 1  # Sam's, kept under Sam's account until Sam signs out


def test_sign_out_clears_drafts_from_the_device(patient_page, server):
    page = patient_page
    fill_check_in(page)
    assert len(drafts(page)) == 1
    page.get_by_role("link", name="More", exact=True).click()
    with page.expect_response(lambda r: r.url.endswith("/sign-out")) as answer:
        page.get_by_role("button", name="Sign out").click()
    assert answer.value.all_headers().get("clear-site-data") == '"cache", "storage"'
    page.wait_for_url(server.url + "/")
    expect(page.locator(".flash")).to_contain_text("You have signed out")
    assert drafts(page) == []


def test_service_worker_stores_the_shell_and_never_a_private_page(patient_page, server, shoot):
    page = patient_page
    wait_for_service_worker(page)
    fill_check_in(page)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator(".saved")).to_be_visible()
    for path in ("/timeline", "/check-in", "/home"):
        page.goto(server.url + path)
    stored = page.evaluate(
        """async () => {
          const urls = [];
          for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            for (const request of await cache.keys()) urls.push(new URL(request.url).pathname
              + new URL(request.url).search);
          }
          return urls;
        }"""
    )
    assert "/offline" in stored
    others = [u for u in stored if u != "/offline"]
    assert others and all(re.fullmatch(r"/static/[\w.-]+\?v=[0-9a-f]{10}", u) for u in others)
    offline_page = page.evaluate(
        "async () => (await (await caches.match('/offline')).text())"
    )
    assert NOTE not in offline_page and "csrf" not in offline_page.lower()
    assert "Sign out" not in offline_page


@BOTH_SIZES
def test_offline_page_has_working_help_numbers(patient_page, server, shoot):
    page = patient_page
    wait_for_service_worker(page)
    page.context.set_offline(True)
    page.goto(server.url + "/timeline")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    links = {
        page.get_by_role("link", name=name).get_attribute("href")
        for name in ("0808 800 4040", "999", "111", "116 123", "Text SHOUT to 85258")
    }
    assert links == {"tel:+448088004040", "tel:999", "tel:111", "tel:116123",
                     "sms:85258?body=SHOUT"}
    shoot(page, "offline-page")
    page.context.set_offline(False)
    page.get_by_role("link", name="Try again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Sam")


def test_manifest_is_linked_and_installable_fields_are_there(patient_page, server):
    page = patient_page
    href = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = json.loads(page.request.get(server.url + href).text())
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/home"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"any", "192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert page.request.get(server.url + icon["src"]).ok
