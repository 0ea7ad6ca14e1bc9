"""One Chromium for the whole run, a live server per test, screenshots as artifacts."""

import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.base import AXE_SCRIPT, AxeResults
from werkzeug.serving import WSGIRequestHandler, make_server

from journal import create_app
from tests.conftest import fresh_database

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts"))
# Screenshots are for people to look at (`make screenshots`); `make test` skips them, as
# they were about a tenth of the browser tests' time on the run's critical path.
SCREENSHOTS = os.environ.get("SCREENSHOTS") == "1"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Every site in its own process is a desktop default (Chrome on Android isolates only
    # some sites); the app is one origin with no frames from others, and without the extra
    # processes the browser tests took about a tenth less CPU (docs/PERFORMANCE.md).
    "--disable-site-isolation-trials",
]


# Chromium opens two pages of its own for the address bar's pop-up (chrome://omnibox-popup)
# in every new window, and Playwright opens a window for every context: those pages were
# about a sixth of the browser tests' CPU, and no test uses the address bar. Chromium reads
# only the last --disable-features it is given, and Playwright gives its own first, so
# ours repeats Playwright's list (read from its driver, whose version is pinned).
UNUSED_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup")


def playwright_disabled_features():
    """The features Playwright's driver turns off in Chromium, from its own source."""
    import playwright

    bundle = Path(playwright.__file__).parent / "driver" / "package" / "lib" / "coreBundle.js"
    found = re.search(r"disabledFeatures = \[(.*?)\]\.filter\(Boolean\)", bundle.read_text(),
                      re.DOTALL)
    if found is None:
        pytest.fail(f"Playwright's list of disabled Chromium features not found in {bundle}")
    return re.findall(r'"([A-Za-z0-9]+)"', re.sub(r"//[^\n]*", "", found.group(1)))


def pytest_collection_modifyitems(items):
    # One worker takes them all (tests/conftest.py chooses it), so one Chromium serves the run.
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
    items[:] = page_by_page(items)


def page_by_page(items):
    """Tests a module names in CHECKS_IN_TURN, each parametrized by "spec" (a page), run page
    by page: every check of one page, in the order named, before the next page. A check can
    then look at the page the one before it opened rather than open it again. The other
    tests keep their places."""
    def checks(item):
        return getattr(getattr(item, "module", None), "CHECKS_IN_TURN", ())

    places = [i for i, item in enumerate(items)
              if item.originalname in checks(item) and "spec" in item.callspec.params]
    pages = {}  # by identity: a page spec may hold unhashable fields
    for i in places:
        pages.setdefault(id(items[i].callspec.params["spec"]), len(pages))
    ordered = sorted((items[i] for i in places), key=lambda item: (
        pages[id(item.callspec.params["spec"])], checks(item).index(item.originalname)))
    result = list(items)
    for i, item in zip(places, ordered, strict=True):
        result[i] = item
    return result


def _missing_browser(reason):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser required but unavailable: {reason}")
    pytest.skip(reason)


def _only_browser_of_the_run(worker_id, tmp_path_factory):
    """Fail if another xdist worker of this run has already started a Chromium."""
    if worker_id == "master":
        return
    # Each worker's temporary folder sits in one folder of the run's own.
    claim = tmp_path_factory.getbasetemp().parent / "chromium-started-by"
    try:
        with claim.open("x") as file:
            file.write(worker_id)
    except FileExistsError:
        pytest.fail(f"a second Chromium in one run: {claim.read_text()} has one already")


@pytest.fixture(scope="session")
def browser(worker_id, tmp_path_factory):
    _only_browser_of_the_run(worker_id, tmp_path_factory)
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        _missing_browser(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        _missing_browser(f"playwright not installed: {error}")
    with sync_playwright() as playwright:
        features = [*playwright_disabled_features(), *UNUSED_FEATURES]
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=[*LAUNCH_ARGS, "--disable-features=" + ",".join(features)],
        )
        yield browser
        browser.close()


class ClosingHandler(WSGIRequestHandler):
    """Closes the answer when the browser drops the connection: werkzeug skips the close
    if reading the rest of the request fails, leaving a static file open."""

    def connection_dropped(self, error, environ=None):
        answer = environ.pop("tests.answer", None) if environ else None
        if hasattr(answer, "close"):
            answer.close()


def _keeping_answer(app):
    def wsgi(environ, start_response):
        environ["tests.answer"] = answer = app(environ, start_response)
        return answer
    return wsgi


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, _keeping_answer(app), threaded=True,
                                  request_handler=ClosingHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        # Stopping waits for the serving loop's next look at its flag: every half second by
        # default, which was most of each browser test's teardown.
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def live_app(tmp_path, migrated_database):
    return create_app({"MODE": "test",
                       "JOURNAL_DB": fresh_database(migrated_database, tmp_path)})


@pytest.fixture
def server(live_app):
    with LiveServer(live_app) as live:
        yield live


def _context(browser, viewport, color_scheme, **options):
    context = browser.new_context(
        viewport=viewport, color_scheme=color_scheme, locale="en-GB",
        timezone_id="Europe/London", is_mobile=viewport is PHONE, has_touch=viewport is PHONE,
        **options,
    )
    context.set_default_timeout(10_000)
    return context


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    # The console errors are judged as the test body left them. Fixtures are torn down in
    # reverse order, so a test's server can stop before its phone closes; the service worker
    # still fetching the offline page then meets a reset connection that is no fault of the app.
    yield
    errors = getattr(item, "console_errors", None)
    if errors is not None:
        item.console_errors_at_end = list(errors)


@pytest.fixture
def phone(browser, request):
    """A fresh phone-sized page; console errors during the test fail it."""
    context = _context(browser, PHONE, "light")
    page = context.new_page()
    errors = request.node.console_errors = []
    page.on(
        "console",
        lambda msg: msg.type == "error" and errors.append(f"{msg.text} at {page.url}"),
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    errors = getattr(request.node, "console_errors_at_end", errors)
    expected = request.node.get_closest_marker("console_errors_expected")
    assert expected or not errors, f"console errors: {errors}"


@pytest.fixture
def desktop(browser):
    context = _context(browser, DESKTOP, "light")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shoot(request):
    """Save a screenshot named after the test into the artifacts folder (with
    SCREENSHOTS=1); returns its path, or None when screenshots are off."""

    def take(page, name, full_page=True):
        if not SCREENSHOTS:
            return None
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


def run_axe(page, options=None):
    """axe-core on the page as it stands, as AxeResults holding its violations. axe goes
    into each document once, and only the violations come back: the library's own run
    puts the 570 KB script in again and sends back every rule's result each time."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    violations = page.evaluate("options => axe.run(document, options).then(r => r.violations)",
                               options or {"resultTypes": ["violations"]})
    return AxeResults({"violations": violations})


def axe_in_both_themes(page, label):
    """No axe violations on the page as it stands, in light and then in dark (the colour
    scheme switched in place), leaving it light."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        results = run_axe(page)
        assert results.violations_count == 0, f"{label} ({scheme}):\n{results.generate_report()}"
    page.emulate_media(color_scheme="light")


# Phone-ready (issue 5): a server shared by a module's read-only tests, accounts made
# straight in the database, and signing in through the real form.
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One live server for a whole module, for tests that only read: quicker than one each."""
    folder = tmp_path_factory.mktemp("shared")
    app = create_app({"MODE": "test", "JOURNAL_DB": str(folder / "journal.db")})
    with LiveServer(app) as live:
        yield live


def add_account(app, email, role="patient", first_name="Sam", notes=()):
    """Make an account (and check-ins with these notes) in the server's database."""
    from journal.accounts import consent
    from journal.accounts import users as accounts
    from journal.diary import entries
    from journal.platform.db import connect

    db = connect(app.config["JOURNAL_DB"])
    try:
        password_hash = app.extensions["passwords"].hash(PASSWORD)
        user_id = accounts.create_user(db, email, password_hash, role=role,
                                       first_name=first_name)
        if role == "patient":
            consent.agree(db, user_id)  # as sign-up does, so pages open without the notice step
        ids = [
            entries.create(db, user_id, {"distress": 4, "feelings": ["anxious"],
                                         "topics": ["results"], "note": note})
            for note in notes
        ]
    finally:
        db.close()
    return user_id, ids


def sign_in_through_form(page, server, email, then="/home"):
    """Sign in with the real form and wait until the browser lands on `then`."""
    page.goto(server.url + "/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server.url + then)


@pytest.fixture(scope="session")
def make_account():
    """add_account, for tests (conftest modules are not imported by name)."""
    return add_account


@pytest.fixture(scope="session")
def sign_in_form():
    """sign_in_through_form, for tests."""
    return sign_in_through_form


@pytest.fixture(scope="session")
def make_context(browser):
    """make_context("phone" or "desktop", "light" or "dark", **options): a fresh context
    shaped like the phone and desktop fixtures; the caller closes it."""

    def make(size, color_scheme="light", **options):
        return _context(browser, {"phone": PHONE, "desktop": DESKTOP}[size], color_scheme,
                        **options)

    return make


@pytest.fixture(scope="session")
def sign_in_cookie():
    """sign_in_cookie(context, server, email): sign in without the form, by giving the
    browser a fresh session cookie; quick, for tests about what comes after sign-in."""
    from journal.accounts import sessions
    from journal.accounts import users as accounts
    from journal.platform.db import connect

    def sign_in(context, server, email):
        app = server.app
        db = connect(app.config["JOURNAL_DB"])
        try:
            token = sessions.start(db, accounts.user_by_email(db, email)["id"])
        finally:
            db.close()
        value = app.session_interface.get_signing_serializer(app).dumps(
            {"token": token, "_permanent": True}
        )
        # Host and path, not a URL: Chromium refuses a __Host- cookie given for http://.
        context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": value,
                              "domain": urlsplit(server.url).hostname, "path": "/",
                              "httpOnly": True, "secure": True, "sameSite": "Lax"}])

    return sign_in
