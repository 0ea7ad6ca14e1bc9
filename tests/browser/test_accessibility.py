"""Accessibility on every page, in light and dark: axe-core, 44px targets, no sideways
scroll at 320px, text at 200%, reduced motion, and a whole check-in by keyboard.

PAGES lists every page once: a new page is one more line (and a new kind of account one
more entry in ACCOUNTS), and every check below then covers it.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # may use {entry}: the id of the patient's first entry
    who: str | None = None  # a key of ACCOUNTS to sign in as first
    status: int = 200
    then: Callable | None = None  # steps after opening it, to reach a state


def search_for(words):
    def steps(page):
        page.get_by_label("Words to find").fill(words)
        page.get_by_role("button", name="Search").click()
        expect(page.locator("#results h2")).to_be_visible()

    return steps


def save_empty_check_in(page):
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("#checkin .error").first).to_be_visible()


ACCOUNTS = {
    "patient": {"email": "pat@example.com", "notes": ["The waiting room had a fish tank.",
                                                      "Slept badly before the scan."]},
}

PAGES = [
    Page("landing", "/"),
    Page("sign-in", "/sign-in"),
    Page("sign-up", "/sign-up"),
    Page("offline", "/offline"),
    Page("not-found", "/no-such-page", status=404),
    Page("home", "/home", who="patient"),
    Page("check-in", "/check-in", who="patient"),
    Page("check-in-error", "/home", who="patient", then=save_empty_check_in),
    Page("timeline", "/timeline", who="patient"),
    Page("search-results", "/timeline/search", who="patient", then=search_for("fish")),
    Page("entry", "/entries/{entry}", who="patient"),
    Page("edit", "/entries/{entry}/edit", who="patient"),
    Page("delete-confirm", "/entries/{entry}/delete", who="patient"),
]
THEMES = ["light", "dark"]
SIZES = {"phone": {"width": 390, "height": 844}, "narrow": {"width": 320, "height": 640}}


@pytest.fixture(scope="module")
def site(shared_server, make_account):
    """The shared server with every account in ACCOUNTS; returns ids for PAGES' paths."""
    ids = {}
    for who, account in ACCOUNTS.items():
        _, entry_ids = make_account(shared_server.app, account["email"],
                                    role=account.get("role", who), notes=account["notes"])
        if entry_ids and "entry" not in ids:
            ids["entry"] = entry_ids[0]
    return ids


@pytest.fixture(scope="module")
def visit(make_context, shared_server, site, sign_in_cookie):
    """visit(page, theme, size): open a page in a signed-in (or anonymous) phone context
    kept for the module, checking its status and that the console stays clean."""
    pages = {}

    def open_page(spec, theme="light", size="phone"):
        key = (spec.who, theme)
        if key not in pages:
            context = make_context("phone", theme)
            if spec.who:
                sign_in_cookie(context, shared_server, ACCOUNTS[spec.who]["email"])
            page = context.new_page()
            page.errors = []
            page.on("console", lambda m, p=page: m.type == "error" and p.errors.append(m.text))
            pages[key] = page
        page = pages[key]
        page.set_viewport_size(SIZES[size])
        page.errors.clear()
        response = page.goto(shared_server.url + spec.path.format(**site))
        assert response.status == spec.status
        if spec.then:
            spec.then(page)
        return page

    yield open_page
    for page in pages.values():
        page.context.close()


def by_name(spec):
    return spec.name


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("spec", PAGES, ids=by_name)
def test_axe_finds_no_violations(visit, spec, theme, shoot):
    page = visit(spec, theme)
    shoot(page, theme)
    dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    assert dark == (theme == "dark")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    # A 422 with the form is how invalid input is answered; the browser logs it anyway.
    assert [e for e in page.errors if "status of 422" not in e and "status of 404" not in e] == []


# Every link, button, summary and field, and each label that stands in for a hidden radio
# or checkbox; inputs hidden behind their label are measured through the label.
MEASURE_TARGETS = """() => {
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
  const controls = [...document.querySelectorAll(
    'a[href], button, summary, select, textarea, input:not([type=hidden])')];
  document.querySelectorAll('label[for]').forEach((label) => {
    const input = document.getElementById(label.htmlFor);
    if (input && input.getBoundingClientRect().width <= 1) controls.push(label);
  });
  const small = [];
  for (const el of controls) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 && box.height <= 1) continue;
    if (getComputedStyle(el).visibility === 'hidden' || el.closest('.visually-hidden')) continue;
    if (box.width < 43.5 || box.height < 43.5) {
      small.push(`${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 40)}" ` +
                 `${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return {count: controls.length, small};
}"""


def overflow(page):
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def h1_font_size(page):
    return page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")


@pytest.mark.parametrize("spec", PAGES, ids=by_name)
def test_fits_a_phone_targets_320px_and_200_percent_text(visit, spec, shoot):
    page = visit(spec)
    # 44px targets at 390px; the skip link only shows when focused, so measure it then.
    page.keyboard.press("Tab")
    measured = page.evaluate(MEASURE_TARGETS)
    assert measured["count"] > 3
    assert measured["small"] == []

    # No sideways scroll at 320px.
    page.set_viewport_size(SIZES["narrow"])
    assert page.evaluate("innerWidth") == 320
    assert overflow(page) <= 0

    # Text at 200%, as a phone's text-size setting does it: the root size grows and
    # everything in rem with it. Still no sideways scroll, the heading still on screen.
    page.set_viewport_size(SIZES["phone"])
    before = h1_font_size(page)
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert h1_font_size(page) == pytest.approx(before * 2)
    assert overflow(page) <= 0
    heading = page.locator("h1").bounding_box()
    assert heading["x"] >= 0 and heading["x"] + heading["width"] <= 390
    if spec.name in ("home", "timeline"):
        page.evaluate("document.activeElement.blur()")
        shoot(page, "200-percent", full_page=False)


def transition_of_saving_hint(context, server, sign_in_cookie, email):
    """How long "Saving..." takes to fade in while a save is on its way."""
    sign_in_cookie(context, server, email)
    page = context.new_page()
    page.goto(server.url + "/home")
    page.locator("#checkin").evaluate("form => form.classList.add('htmx-request')")
    return page.locator("#checkin .htmx-indicator").evaluate(
        "el => getComputedStyle(el).transitionDuration"
    )


def test_reduced_motion_turns_off_transitions(make_context, shared_server, site, sign_in_cookie):
    email = ACCOUNTS["patient"]["email"]
    moving = make_context("phone")
    still = make_context("phone", reduced_motion="reduce")
    try:
        assert transition_of_saving_hint(moving, shared_server, sign_in_cookie, email) == "0.2s"
        assert transition_of_saving_hint(still, shared_server, sign_in_cookie, email) == "0s"
    finally:
        moving.close()
        still.close()


FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  // A hidden radio or checkbox shows its focus on its label.
  const shown = el.matches('input[type=radio], input[type=checkbox]') ? el.labels[0] : el;
  const style = getComputedStyle(shown);
  return {id: el.id || el.tagName, name: el.name || '', text: el.textContent.trim(),
          outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
}"""


def tab_to(page, match, limit=40):
    """Press Tab until `match(focus)` is true, checking every stop shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_SHOWN)
        assert focus["outline"] != "none" and focus["width"] >= 2, focus
        if match(focus):
            return focus
    raise AssertionError("focus never reached the control")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_whole_check_in_by_keyboard_with_visible_focus(
    make_context, shared_server, make_account, sign_in_cookie, shoot, size
):
    email = f"keys-{size}@example.com"
    make_account(shared_server.app, email, first_name="Kim")
    context = make_context(size)
    sign_in_cookie(context, shared_server, email)
    page = context.new_page()
    try:
        page.goto(shared_server.url + "/home")
        tab_to(page, lambda f: f["name"] == "distress")
        for _ in range(6):
            page.keyboard.press("ArrowRight")
        expect(page.locator("#d6")).to_be_checked()
        tab_to(page, lambda f: f["id"] == "SUMMARY")
        page.keyboard.press("Enter")
        tab_to(page, lambda f: f["id"] == "f-worried")
        page.keyboard.press("Space")
        expect(page.locator("#f-worried")).to_be_checked()
        tab_to(page, lambda f: f["id"] == "note")
        page.keyboard.type("Typed without a mouse.")
        focus = tab_to(page, lambda f: f["text"] == "Save check-in")
        shoot(page, "focus-on-save", full_page=False)
        assert focus["outline"] == "solid"
        page.keyboard.press("Enter")
        expect(page.locator(".saved")).to_contain_text("Saved at")
        expect(page.locator("#announce")).to_contain_text("Saved at")
        expect(page.locator("#latest .entry").first).to_contain_text("Typed without a mouse.")
        expect(page.locator("#latest .entry").first).to_contain_text("Distress 6 out of 10")
    finally:
        context.close()
