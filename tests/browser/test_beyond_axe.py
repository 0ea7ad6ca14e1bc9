"""What axe cannot see: where focus goes after each htmx swap, error summaries, forced
colours, focus-ring contrast, the inbox's live updates, the idle warning, late undo, and
text at 200% and 400% with WCAG text spacing."""

import base64
import re
import time
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from journal import create_app
from journal.care import teams
from journal.diary import entries
from journal.platform.clock import utc_iso, utc_now
from journal.platform.db import connect

PATIENT = "pat@example.com"
NURSE = "priya@example.com"


@pytest.fixture
def live_app(tmp_path, request):
    """A fresh app; the nurse inbox polls every second so a test sees it quickly, and a
    test marked `idle_minutes(n)` has staff signed out after n idle minutes."""
    marker = request.node.get_closest_marker("idle_minutes")
    config = {"MODE": "test", "JOURNAL_DB": str(tmp_path / "journal.db"),
              "CARE_POLL_SECONDS": 1}
    if marker:
        config["STAFF_IDLE_MINUTES"] = marker.args[0]
    return create_app(config)


@pytest.fixture
def world(server, make_account):
    """A patient with 25 check-ins (two pages of timeline), connected to a team whose
    nurse has one shared check-in to review."""
    app = server.app
    patient_id, ids = make_account(app, PATIENT, first_name="Pat",
                                   notes=[f"Note number {n}." for n in range(25)])
    nurse_id, _ = make_account(app, NURSE, role="nurse", first_name="Priya")
    db = connect(app.config["JOURNAL_DB"])
    try:
        team_id = teams.create_team(db, "Breast Care Team")
        teams.put_nurse_in_team(db, nurse_id, team_id)
        db.execute("INSERT INTO care_links (team_id, patient_id, held_name, held_dob,"
                   " held_hospital_number, connected_at) VALUES (?, ?, 'Sam Taylor',"
                   " '1971-04-12', 'RX4471', ?)", [team_id, patient_id, utc_iso(utc_now())])
        db.execute("UPDATE entries SET shared = 1 WHERE id = ?", [ids[0]])
    finally:
        db.close()
    return {"patient": patient_id, "entries": ids, "team": team_id}


def run_sql(server, sql, params=()):
    db = connect(server.app.config["JOURNAL_DB"])
    try:
        db.execute(sql, list(params))
    finally:
        db.close()


def open_as(make_context, sign_in_cookie, server, email, path, size="phone", theme="light",
            **options):
    context = make_context(size, theme, **options)
    sign_in_cookie(context, server, email)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    page.goto(server.url + path)
    return page


ACTIVE = """() => {
  const el = document.activeElement;
  return {tag: el.tagName.toLowerCase(), id: el.id || '', cls: el.className || '',
          text: el.textContent.trim(), name: el.getAttribute('name') || '',
          checked: !!el.checked, entry: el.closest('.entry') ? el.closest('.entry').id : '',
          summary: !!el.closest('[data-error-summary]')};
}"""


def focus_becomes(page, check, timeout=5000):
    """Wait until `check(active)` holds for the focused element; returns it."""
    waited, focus = 0, None
    while waited <= timeout:
        focus = page.evaluate(ACTIVE)
        if check(focus):
            return focus
        page.wait_for_timeout(50)
        waited += 50
    raise AssertionError(f"focus is on {focus}")


def test_focus_follows_every_swap_on_the_timeline(make_context, sign_in_cookie, server, world,
                                                  shoot):
    page = open_as(make_context, sign_in_cookie, server, PATIENT, "/timeline")
    first_page = page.locator(".entry").evaluate_all("els => els.map(e => e.id)")
    entry = page.locator(".entry").first
    entry_id = first_page[0]
    number = entry_id.split("-")[1]

    # Edit: the form's first field, which is the chosen number.
    entry.get_by_role("link", name=re.compile("^Edit")).click()
    focus = focus_becomes(page, lambda f: f["tag"] == "input")
    assert (focus["name"], focus["checked"], focus["id"]) == ("distress", True, f"e{number}-d4")

    # Save changes: the saved message, inside the entry.
    page.get_by_role("button", name="Save changes").click()
    focus = focus_becomes(page, lambda f: "saved" in f["cls"])
    assert (focus["text"], focus["entry"]) == ("Your changes are saved.", entry_id)
    expect(page.locator("#announce")).to_have_text("Your changes are saved.")

    # Cancel: back on the Edit button it came from.
    page.locator(f"#{entry_id}").get_by_role("link", name=re.compile("^Edit")).click()
    page.get_by_role("link", name="Cancel").click()
    focus_becomes(page, lambda f: f["tag"] == "a" and f["entry"] == entry_id
                  and f["text"].startswith("Edit"))

    # Delete (a button now): the Undo button, and the time undo lasts until.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#{entry_id}").get_by_role("button", name=re.compile("^Delete")).click()
    focus = focus_becomes(page, lambda f: f["tag"] == "button" and f["text"].startswith("Undo"))
    expect(page.locator(f"#{entry_id}")).to_contain_text(
        re.compile(r"Entry deleted\. You can undo this until \d{1,2}:\d\d[ap]m\."))

    # Undo: the message that it is back.
    page.get_by_role("button", name=re.compile("^Undo")).click()
    focus = focus_becomes(page, lambda f: "saved" in f["cls"])
    assert (focus["text"], focus["entry"]) == ("Entry restored.", entry_id)

    # Share: the switch in its new state.
    page.locator(f"#{entry_id}").get_by_role(
        "button", name=re.compile("Share with your care team")).click()
    focus = focus_becomes(page, lambda f: f["tag"] == "button" and f["entry"] == entry_id
                          and f["text"].startswith("Make private"))

    # Show older entries: the first entry that was not there before.
    page.get_by_role("link", name="Show older entries").click()
    focus = focus_becomes(page, lambda f: f["tag"] == "article")
    assert focus["entry"] and focus["entry"] not in first_page
    shoot(page, "older-entries", full_page=False)
    assert page.console_errors == []
    page.context.close()


def test_check_in_errors_summarised_focused_announced_and_in_the_title(
        make_context, sign_in_cookie, server, world, shoot):
    page = open_as(make_context, sign_in_cookie, server, PATIENT, "/home")
    title = page.title()
    page.get_by_role("button", name="Save check-in").click()

    focus = focus_becomes(page, lambda f: f["summary"])
    assert focus["id"] == "error-summary"
    summary = page.locator("#error-summary")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text(
        "Choose a number from 0 to 10, or write a note.")
    # htmx focuses the summary (autofocus) as it swaps, and app.js marks the title when the
    # swap settles, a moment later: wait for the title.
    expect(page).to_have_title("Error: " + title)
    expect(page.locator("#announce")).to_contain_text("There is a problem.")
    box = summary.bounding_box()
    assert 0 <= box["y"] < 844, "the summary is on screen"
    shoot(page, "error-summary", full_page=False)

    # Its link goes to the scale itself.
    summary.get_by_role("link").click()
    focus = focus_becomes(page, lambda f: f["name"] == "distress")
    assert focus["id"] == "d0"

    # Put right and saved: the saved message, and the title is plain again.
    page.locator("label[for=d5]").click()
    page.get_by_role("button", name="Save check-in").click()
    focus = focus_becomes(page, lambda f: "saved" in f["cls"])
    assert focus["text"].startswith("Saved at")
    expect(page).to_have_title(title)
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_sign_in_errors_are_summarised_and_focused_on_a_full_page(browser, server, world,
                                                                  javascript):
    context = browser.new_context(viewport={"width": 390, "height": 844},
                                  java_script_enabled=javascript)
    page = context.new_page()
    page.goto(server.url + "/sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title("Error: Sign in · Waiting Well")
    summary = page.locator("#error-summary")
    expect(summary.get_by_role("link")).to_have_text(["Enter your email address.",
                                                     "Enter your password."])
    # `autofocus` puts focus on the summary, with or without JavaScript.
    assert page.evaluate(ACTIVE)["id"] == "error-summary"
    summary.get_by_role("link", name="Enter your password.").click()
    assert page.evaluate(ACTIVE)["id"] == "password"
    context.close()


def test_nurse_mark_reviewed_keeps_focus_on_the_item(make_context, sign_in_cookie, server,
                                                     world):
    page = open_as(make_context, sign_in_cookie, server, NURSE, "/care", size="desktop")
    item = page.locator(".inbox-item").first
    expect(item.get_by_role("heading")).to_contain_text("Sam Taylor")
    # Each heading names the check-in, not only the patient.
    heading = item.get_by_role("heading").text_content()
    assert re.search(r"Sam Taylor, \w+day \d+ \w+, \d{1,2}:\d\d[ap]m", heading)
    item.get_by_role("button", name=re.compile("Mark reviewed")).click()
    focus = focus_becomes(page, lambda f: "reviewed" in f["cls"])
    assert focus["text"].startswith("Reviewed by Priya")
    page.context.close()


def test_a_poll_leaves_an_item_alone_while_its_review_is_out(make_context, sign_in_cookie,
                                                             server, world):
    page = open_as(make_context, sign_in_cookie, server, NURSE, "/care", size="desktop")
    item = page.locator(".inbox-item").first
    expect(item.get_by_role("heading")).to_contain_text("Sam Taylor")

    def held(route):
        # The review is stored at once, so the polls see it; its answer comes late.
        answer = route.fetch()
        time.sleep(2.5)
        route.fulfill(response=answer)

    page.route("**/care/entries/*/review", held)
    item.get_by_role("button", name=re.compile("Mark reviewed")).click()
    # Nothing focused inside the item: only its request out keeps a poll from replacing it.
    page.evaluate("document.activeElement.blur()")
    focus = focus_becomes(page, lambda f: "reviewed" in f["cls"], timeout=8000)
    assert focus["text"].startswith("Reviewed by Priya")
    page.context.close()


def test_inbox_updates_never_move_focus_and_can_be_paused(make_context, sign_in_cookie, server,
                                                          world):
    page = open_as(make_context, sign_in_cookie, server, NURSE, "/care", size="desktop")
    pause = page.get_by_role("button", name="Pause updates")
    expect(pause).to_be_visible()
    expect(page.locator(".inbox-item")).to_have_count(1)
    button = page.locator(".inbox-item").first.get_by_role("button",
                                                           name=re.compile("Mark reviewed"))
    button.focus()
    # The very element, not a copy of it: a replaced list would lose this mark.
    button.evaluate("el => { el.dataset.mine = 'yes'; }")

    ids = world["entries"]
    run_sql(server, "UPDATE entries SET shared = 1 WHERE id IN (?, ?, ?)", ids[1:4])
    expect(page.locator(".inbox-item")).to_have_count(4, timeout=8000)
    expect(page.locator("#announce")).to_have_text("3 new check-ins.")
    assert page.evaluate("document.activeElement.dataset.mine") == "yes"

    # Paused: nothing more arrives, however long it waits.
    pause.click()
    expect(pause).to_have_attribute("aria-pressed", "true")
    run_sql(server, "UPDATE entries SET shared = 1 WHERE id = ?", [ids[4]])
    page.wait_for_timeout(2500)
    expect(page.locator(".inbox-item")).to_have_count(4)
    pause.click()
    expect(page.locator(".inbox-item")).to_have_count(5, timeout=8000)
    expect(page.locator("#announce")).to_have_text("1 new check-in.")
    # Focus stays on the pause button.
    assert page.evaluate(ACTIVE)["text"] == "Pause updates"
    assert page.console_errors == []
    page.context.close()


@pytest.mark.idle_minutes(2)
def test_staff_are_warned_before_an_idle_sign_out_and_can_stay(make_context, sign_in_cookie,
                                                               server, world):
    # Signed out after 2 idle minutes, so the warning is due as soon as the page opens.
    page = open_as(make_context, sign_in_cookie, server, NURSE, "/care/codes", size="desktop")
    warning = page.get_by_role("region", name="Are you still there?")
    expect(warning).to_be_visible(timeout=5000)
    expect(warning).to_contain_text("you will be signed out in 2 minutes")
    expect(page.locator("#announce")).to_contain_text("You will be signed out in 2 minutes")
    focus = page.evaluate(ACTIVE)
    assert focus["text"] == "Stay signed in"

    with page.expect_response(re.compile(r"/session/stay$")) as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 204
    expect(warning).to_be_hidden()
    expect(page.locator("#announce")).to_have_text("You are still signed in.")
    assert page.console_errors == []
    page.context.close()


@pytest.mark.parametrize("how", ["past-its-time", "already-erased"])
def test_a_late_undo_says_so_in_place(make_context, sign_in_cookie, server, world, how):
    page = open_as(make_context, sign_in_cookie, server, PATIENT, "/timeline")
    entry_id = page.locator(".entry").first.get_attribute("id")
    number = int(entry_id.split("-")[1])
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#{entry_id}").get_by_role("button", name=re.compile("^Delete")).click()
    undo = page.get_by_role("button", name=re.compile("^Undo"))
    expect(undo).to_be_visible()

    eleven_minutes_ago = utc_iso(utc_now() - entries.UNDO_WINDOW - timedelta(minutes=1))
    if how == "past-its-time":
        run_sql(server, "UPDATE entries SET deleted_at = ? WHERE id = ?",
                [eleven_minutes_ago, number])
    else:
        run_sql(server, "DELETE FROM entries WHERE id = ?", [number])
    undo.click()

    message = page.locator(f"#{entry_id}")
    expect(message).to_have_text(
        "That entry can no longer be brought back. Its 10 minutes to undo have passed.")
    focus = focus_becomes(page, lambda f: "undo-expired" in f["cls"])
    assert focus["entry"] == entry_id
    # The timeline was not swapped into the entry: one page, no repeated ids.
    assert page.locator("h1").count() == 1
    ids = page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids))
    page.context.close()


# ---- Forced colours and focus rings ----

def differing_fraction(context, png_a, png_b):
    """The share of pixels that differ clearly between two screenshots of one size."""
    scratch = context.new_page()  # about:blank: no CSP, so the images load as data URLs
    try:
        return scratch.evaluate("""async ([a, b]) => {
          const load = src => new Promise(done => {
            const img = new Image(); img.onload = () => done(img);
            img.src = 'data:image/png;base64,' + src; });
          const [x, y] = await Promise.all([load(a), load(b)]);
          const w = Math.min(x.width, y.width), h = Math.min(x.height, y.height);
          const pixels = img => { const c = document.createElement('canvas');
            c.width = w; c.height = h; const g = c.getContext('2d'); g.drawImage(img, 0, 0);
            return g.getImageData(0, 0, w, h).data; };
          const p = pixels(x), q = pixels(y);
          let differ = 0;
          for (let i = 0; i < p.length; i += 4) {
            const d = Math.abs(p[i] - q[i]) + Math.abs(p[i + 1] - q[i + 1])
              + Math.abs(p[i + 2] - q[i + 2]);
            if (d > 90) differ += 1;
          }
          return differ / (w * h);
        }""", [base64.b64encode(png_a).decode(), base64.b64encode(png_b).decode()])
    finally:
        scratch.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_forced_colours_show_the_chosen_number_and_the_current_range(
        make_context, sign_in_cookie, server, world, theme, shoot):
    page = open_as(make_context, sign_in_cookie, server, PATIENT, "/home", theme=theme)
    page.emulate_media(forced_colors="active")
    assert page.evaluate("matchMedia('(forced-colors: active)').matches")

    five = page.locator("label[for=d5]")
    five.scroll_into_view_if_needed()
    plain = five.screenshot()
    five.click()
    page.evaluate("document.activeElement.blur()")
    chosen = five.screenshot()
    # Chosen and not chosen must look clearly different, not only in a dropped fill.
    assert differing_fraction(page.context, plain, chosen) > 0.3
    shoot(page, f"forced-colours-home-{theme}", full_page=False)

    page.goto(server.url + "/trends")
    page.emulate_media(forced_colors="active")
    current = page.locator(".ranges a[aria-current=true]")
    current_id = current.get_attribute("id")
    was_current = page.locator(f"#{current_id}").screenshot()
    shoot(page, f"forced-colours-trends-{theme}")
    other = page.locator(".ranges a:not([aria-current])").first
    other.click()
    expect(page.locator(f"#{current_id}")).not_to_have_attribute("aria-current", "true")
    page.evaluate("document.activeElement.blur()")
    now_plain = page.locator(f"#{current_id}").screenshot()
    assert differing_fraction(page.context, was_current, now_plain) > 0.3
    page.context.close()


RING = """() => {
  const el = document.activeElement;
  const shown = el.matches('input[type=radio], input[type=checkbox]') && el.labels.length
    ? el.labels[0] : el;
  const style = getComputedStyle(shown);
  // The ring is drawn outside the element (outline-offset): what is behind it is the
  // nearest ancestor's background.
  let node = shown.parentElement, behind = null;
  while (node && !behind) {
    const colour = getComputedStyle(node).backgroundColor;
    if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') behind = colour;
    node = node.parentElement;
  }
  return {what: (el.id || el.tagName) + ' ' + el.textContent.trim().slice(0, 30),
          ring: style.outlineColor, style: style.outlineStyle,
          behind: behind || getComputedStyle(document.documentElement).backgroundColor};
}"""


def luminance(colour):
    channels = [int(v) / 255 for v in re.findall(r"[\d.]+", colour)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    light, dark = sorted([luminance(a), luminance(b)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_helper_matches_known_pairs():
    assert contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(21)
    assert contrast("rgb(179, 92, 0)", "rgb(31, 95, 91)") == pytest.approx(1.56, abs=0.01)


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("path", ["/home", "/trends", "/timeline"])
def test_every_focus_ring_is_at_least_3_to_1_against_what_surrounds_it(
        make_context, sign_in_cookie, server, world, theme, path):
    page = open_as(make_context, sign_in_cookie, server, PATIENT, path, theme=theme)
    low, seen = [], 0
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break  # past the last control
        seen += 1
        ring = page.evaluate(RING)
        if ring["style"] == "none":
            low.append((ring["what"], "no ring"))
        elif contrast(ring["ring"], ring["behind"]) < 3:
            low.append((ring["what"], round(contrast(ring["ring"], ring["behind"]), 2)))
    assert seen >= 10
    assert low == []
    page.context.close()


# ---- Text at 200% and 400%, and WCAG text spacing ----

BROKEN_WORDS = """(selector) => {
  const broken = [];
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const parent = node.parentElement;
      if (!parent || parent.closest('.visually-hidden, [hidden], option, template')) continue;
      if (!parent.getClientRects().length) continue;
      // A break after a hyphen or slash is a fair place to wrap; inside a word it is not.
      const words = /[^\\s\\-\\/]+/g;
      let match;
      while ((match = words.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0)
          .map(r => Math.round(r.bottom)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""

CUT_OFF = """(selector) => {
  const ruler = document.createElement('canvas').getContext('2d');
  // A date or time field draws its value itself (no scrollWidth to read): the widest
  // value it shows, plus its picker icon and padding, must fit inside it.
  const widest = {date: '00/00/0000', time: '00:00 AM'};
  return [...document.querySelectorAll(selector + ' *')].filter(el => {
    const style = getComputedStyle(el);
    if (el.closest('.visually-hidden') || !el.getClientRects().length) return false;
    if (el.matches('input[type=date], input[type=time]')) {
      ruler.font = style.font;
      const needed = ruler.measureText(widest[el.type]).width + 1.25 * parseFloat(style.fontSize)
        + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
      return needed > el.clientWidth;
    }
    const clips = el.matches('input, select, textarea') || style.overflowX !== 'visible';
    return clips && el.scrollWidth > el.clientWidth + 1;
  }).map(el => el.id || el.tagName);
}"""

SPACING = """* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
  word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }"""


@pytest.mark.parametrize("how", ["text-200", "zoom-400", "text-spacing"])
@pytest.mark.parametrize("path, selector", [("/home", "#checkin"), ("/scans/new", "main form")],
                         ids=["scale", "scan-form"])
def test_no_word_breaks_mid_way_and_nothing_is_cut_off(make_context, sign_in_cookie, server,
                                                       world, how, path, selector, shoot):
    page = open_as(make_context, sign_in_cookie, server, PATIENT, path, bypass_csp=True)
    if how == "text-200":
        page.evaluate("document.documentElement.style.fontSize = '200%'")
    elif how == "zoom-400":
        page.set_viewport_size({"width": 320, "height": 640})  # a 1280px screen at 400%
    else:
        page.add_style_tag(content=SPACING)
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    if path == "/scans/new":
        page.locator("#appointment_date").fill("2026-12-24")
        page.locator("#appointment_time").fill("10:30")
    page.evaluate("document.activeElement.blur()")
    assert page.evaluate(BROKEN_WORDS, selector) == []
    assert page.evaluate(CUT_OFF, selector) == []
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    if how == "text-200":
        page.locator("#appointment_date, .scale-buttons").first.evaluate(
            "el => el.scrollIntoView({block: 'center'})")
        shoot(page, "200-percent", full_page=False)
    page.context.close()
