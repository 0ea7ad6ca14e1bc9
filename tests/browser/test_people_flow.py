"""Someone beside her, on phones: the patient invites her sister and marks one check-in;
the sister opens the link (and, on another phone, the code) and sees only that one. And the
calming minute in light, dark and with reduced motion."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import run_axe

SHARED_NOTE = "Glad my sister came to the scan."
PRIVATE_NOTE = "Could not sleep at all."


@pytest.fixture
def world(server, make_account):
    """A patient with two check-ins: one she will mark for her sister, one she keeps."""
    make_account(server.app, "pat@example.com", first_name="Pat",
                 notes=[PRIVATE_NOTE, SHARED_NOTE])
    return server


def no_axe_violations(page):
    results = run_axe(page, {"resultTypes": ["violations"]})
    assert results.violations_count == 0, results.generate_report()


def test_patient_invites_her_sister_who_sees_only_the_marked_check_in(
        world, phone, make_context, sign_in_cookie, shoot):
    server = world
    sign_in_cookie(phone.context, server, "pat@example.com")
    phone.goto(server.url + "/home")
    phone.get_by_role("link", name="More", exact=True).click()
    phone.get_by_role("link", name="People", exact=True).click()
    expect(phone.locator("h1")).to_have_text("People I share with")
    phone.get_by_label("Their first name").fill("Ruth")
    phone.get_by_label("How they are related to you (optional)").fill("sister")
    expect(phone.get_by_label("Your name, as they know you")).to_have_value("Pat")
    phone.get_by_label("Your scan dates and stage").check()
    phone.get_by_label("The check-ins you mark for them").check()
    shoot(phone, "invite")
    no_axe_violations(phone)
    phone.get_by_role("button", name="Make a link").click()

    expect(phone.locator("h2#new-link-title")).to_have_text("Send this to Ruth")
    link = phone.locator(".link-box a").get_attribute("href")
    code = phone.locator("p.code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", code)
    shoot(phone, "link-made")
    no_axe_violations(phone)

    # She marks one check-in for Ruth from her timeline (htmx swaps just that control).
    phone.goto(server.url + "/timeline")
    card = phone.locator(".entry", has_text=SHARED_NOTE)
    card.get_by_role("button", name=re.compile("^Share with Ruth")).click()
    expect(card.locator(".people-sharing .shared-with")).to_have_text("Shared with Ruth")
    expect(phone.locator(".entry", has_text=PRIVATE_NOTE)
           .get_by_role("button", name=re.compile("^Share with Ruth"))).to_be_visible()

    # Ruth, on her own phone with no account, opens the link: light and dark.
    for theme in ("light", "dark"):
        context = make_context("phone", theme)
        try:
            sister = context.new_page()
            response = sister.goto(link)
            assert response.status == 200
            assert response.headers["referrer-policy"] == "no-referrer"
            assert response.headers["x-robots-tag"].startswith("noindex")
            expect(sister.locator("h1")).to_have_text("Shared by Pat")
            expect(sister.get_by_text(SHARED_NOTE)).to_be_visible()
            assert sister.get_by_text(PRIVATE_NOTE).count() == 0
            assert sister.locator("form").count() == 0
            assert sister.evaluate("document.documentElement.scrollWidth <= innerWidth")
            shoot(sister, f"relative-{theme}")
            no_axe_violations(sister)
        finally:
            context.close()

    # Another phone types the code instead.
    context = make_context("phone", "light")
    try:
        other = context.new_page()
        other.goto(server.url + "/shared")
        other.get_by_label("Code").fill(code.lower())
        other.get_by_role("button", name="Open").click()
        expect(other).to_have_url(server.url + "/shared/page")
        expect(other.get_by_text(SHARED_NOTE)).to_be_visible()
        assert other.get_by_text(PRIVATE_NOTE).count() == 0
    finally:
        context.close()

    # She sees when it was opened, and ending it works on Ruth's next visit.
    phone.goto(server.url + "/people")
    phone.get_by_role("link", name="Ruth").click()
    expect(phone.locator(".person-link").first).to_contain_text("opened today at")
    shoot(phone, "person")
    phone.get_by_role("button", name=re.compile("^End this link")).click()
    expect(phone.locator(".flash")).to_contain_text("can no longer open it")
    context = make_context("phone", "light")
    try:
        assert context.new_page().goto(link).status == 410
    finally:
        context.close()


@pytest.mark.parametrize(("theme", "motion"), [("light", "no-preference"),
                                               ("dark", "no-preference"),
                                               ("light", "reduce")])
def test_the_calming_minute_in_both_themes_and_with_reduced_motion(server, make_context,
                                                                   theme, motion, shoot):
    context = make_context("phone", theme, reduced_motion=motion)
    try:
        page = context.new_page()
        page.goto(server.url + "/calm")
        expect(page.locator("h1")).to_have_text("A calming minute")
        expect(page.get_by_text("Breathe in slowly while you count to 4.")).to_be_visible()
        expect(page.get_by_text("Name 5 things you can see.")).to_be_visible()
        page.get_by_text("Breathe along now").click()
        circle = page.locator(".breath-circle")
        if motion == "reduce":
            expect(circle).to_be_hidden()
            expect(page.get_by_text("Count slowly: in for 4, out for 6, 6 times.")).to_be_visible()
        else:
            expect(circle).to_be_visible()
            assert circle.evaluate("e => getComputedStyle(e).animationName") == "breath-circle"
            assert circle.evaluate("e => getComputedStyle(e).animationDuration") == "10s"
            page.wait_for_timeout(2000)  # part way into breathing in
        page.locator(".breathe-along").scroll_into_view_if_needed()
        shoot(page, f"{theme}-{motion}", full_page=False)
        no_axe_violations(page)
    finally:
        context.close()


def test_inviting_and_marking_work_as_plain_forms_without_javascript(
        world, make_context, sign_in_cookie):
    server = world
    context = make_context("phone", "light", java_script_enabled=False)
    try:
        sign_in_cookie(context, server, "pat@example.com")
        page = context.new_page()
        page.goto(server.url + "/people")
        page.get_by_label("Their first name").fill("Ruth")
        page.get_by_label("The check-ins you mark for them").check()
        page.get_by_role("button", name="Make a link").click()
        link = page.locator(".link-box a").get_attribute("href")
        page.goto(server.url + "/timeline")
        page.locator(".entry", has_text=SHARED_NOTE).get_by_role(
            "button", name=re.compile("^Share with Ruth")).click()
        expect(page).to_have_url(re.compile(r"/timeline#entry-\d+$"))
        expect(page.locator(".flash")).to_contain_text("Shared with Ruth.")
        page.goto(link)
        expect(page.get_by_text(SHARED_NOTE)).to_be_visible()
        assert page.get_by_text(PRIVATE_NOTE).count() == 0
    finally:
        context.close()
