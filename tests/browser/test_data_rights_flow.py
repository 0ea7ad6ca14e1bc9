"""A patient on a phone downloads their data, deletes their account, and the phone forgets
them; and a check-in that cannot be saved keeps its words on screen."""

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from journal.platform import db as journal_db
from tests.browser.conftest import axe_in_both_themes

PASSWORD = "quiet morning walks"


def sign_up(page, server, email="robin@example.com"):
    page.goto(server.url + "/sign-up")
    page.get_by_label("First name (optional)").fill("Robin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/account/recovery-codes/keep$"))
    page.get_by_label("I have kept my recovery codes somewhere safe").check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/home$"))


def check_in(page, note):
    page.locator("label[for=d5]").click()
    page.get_by_text("Add a note, feelings or what is on your mind").click()
    page.get_by_label("Note (optional)").fill(note)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator(".saved")).to_contain_text("Saved at")


@pytest.mark.console_errors_expected  # the wrong password answers 422 on purpose
def test_download_then_delete_account_and_the_phone_forgets(phone, server, shoot):
    page = phone
    sign_up(page, server)
    check_in(page, "Fed the ducks at the lake.")
    page.evaluate("localStorage.setItem('draft:test', 'words on this phone')")

    page.get_by_role("link", name="More", exact=True).click()
    page.get_by_role("link", name="Your data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    axe_in_both_themes(page, "your data")
    shoot(page, "your-data")
    page.emulate_media(color_scheme="dark")
    shoot(page, "your-data-dark")
    page.emulate_media(color_scheme="light")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    assert re.fullmatch(r"waiting-well-data-\d{4}-\d{2}-\d{2}\.zip",
                        download.value.suggested_filename)
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    data = json.loads(archive.read("journal.json"))
    assert [r["note"] for r in data["entries"]] == ["Fed the ducks at the lake."]
    # The printable journal opens in the same browser and reads cleanly on a phone.
    journal_page = page.context.new_page()
    journal_page.set_content(archive.read("journal.html").decode("utf-8"))
    expect(journal_page.get_by_role("heading", level=1)).to_have_text("My Waiting Well journal")
    expect(journal_page.get_by_text("Fed the ducks at the lake.")).to_be_visible()
    assert journal_page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(journal_page, "export-journal-html")
    journal_page.close()

    page.get_by_role("link", name="Delete my account").click()
    page.get_by_label("Your password").fill("not the password")
    page.get_by_role("button", name="Delete my account for good").click()
    expect(page.locator("#password-error")).to_contain_text("That password is not right")
    axe_in_both_themes(page, "delete account, wrong password")
    shoot(page, "delete-wrong-password")

    signed_in_cookie = {c["name"]: c["value"] for c in page.context.cookies()}["__Host-ww_session"]
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account for good").click()
    expect(page).to_have_url(re.compile(r"/account/deleted$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account has been deleted")
    axe_in_both_themes(page, "account deleted")
    shoot(page, "account-deleted")

    # Clear-Site-Data: the phone keeps no stored draft and not the signed-in cookie (the
    # goodbye page may start a new, empty one for its own forms).
    assert page.evaluate("localStorage.getItem('draft:test')") is None
    assert signed_in_cookie not in [c["value"] for c in page.context.cookies()]
    page.goto(server.url + "/home")
    expect(page).to_have_url(re.compile(r"/sign-in"))


@pytest.fixture
def read_only_database(monkeypatch):
    def switch_on():
        real_connect = journal_db.connect

        def connect(path, **options):
            db = real_connect(path, **options)
            db.execute("PRAGMA query_only = ON")
            return db

        monkeypatch.setattr(journal_db, "connect", connect)
        journal_db.forget_connections()  # idle connections were opened writable

    yield switch_on
    journal_db.forget_connections()


@pytest.mark.console_errors_expected  # the 503 is the point
def test_check_in_on_a_read_only_database_keeps_the_words_on_screen(phone, server, shoot,
                                                                    read_only_database):
    page = phone
    sign_up(page, server, email="kai@example.com")
    read_only_database()

    page.locator("label[for=d7]").click()
    page.get_by_text("Add a note, feelings or what is on your mind").click()
    page.get_by_label("Note (optional)").fill("Could not sleep again.")
    with page.expect_response(lambda r: r.url.endswith("/check-in")) as answer:
        page.get_by_role("button", name="Save check-in").click()
    assert answer.value.status == 503

    expect(page.locator("#checkin .error-summary")).to_contain_text("Your words are still here")
    expect(page.get_by_label("Note (optional)")).to_have_value("Could not sleep again.")
    expect(page.locator("#d7")).to_be_checked()
    axe_in_both_themes(page, "check-in not saved")
    shoot(page, "check-in-not-saved")
