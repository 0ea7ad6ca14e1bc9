"""A patient on a phone: sign up, check in, find it on the timeline, search for it."""

import re

from playwright.sync_api import expect


def sign_up(page, server, email="sam@example.com", name="Sam"):
    page.goto(server.url + "/")
    page.get_by_role("link", name="Create your journal").click()
    page.get_by_label("First name (optional)").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("quiet morning walks")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/account/recovery-codes/keep$"))
    page.get_by_label("I have kept my recovery codes somewhere safe").check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/home$"))


def test_sign_up_check_in_timeline_and_search(phone, server, shoot):
    page = phone
    page.goto(server.url + "/")
    shoot(page, "landing")
    sign_up(page, server)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Sam")
    expect(page.locator("#today")).to_contain_text("You have not checked in today")
    shoot(page, "home")

    page.locator("label[for=d6]").click()
    page.get_by_text("Add a note, feelings or what is on your mind").click()
    page.locator("label[for=f-anxious]").click()
    page.get_by_label("Note (optional)").fill("The waiting room had a fish tank.")
    shoot(page, "check-in")
    page.get_by_role("button", name="Save check-in").click()

    # htmx swapped the form in place: no navigation, the saved message and the new entry.
    expect(page.locator(".saved")).to_contain_text("Saved at")
    expect(page.locator("#today")).to_contain_text("You checked in today")
    expect(page.locator("#latest .entry")).to_have_count(1)
    expect(page.locator("#announce")).to_contain_text("Saved at")

    page.get_by_role("link", name="Timeline", exact=True).click()
    entry = page.locator(".entry").first
    expect(entry).to_contain_text("Distress 6 out of 10")
    expect(entry).to_contain_text("Anxious")
    expect(entry).to_contain_text("fish tank")
    shoot(page, "timeline")

    page.get_by_label("Search your journal").fill("fish")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results mark")).to_have_text("fish")
    expect(page.locator("#results")).to_contain_text("1 entry found")
    shoot(page, "search")
