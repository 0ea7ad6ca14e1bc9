"""The pages the benchmark drives, with their targets; the query-plan test walks the same list.

Paths may hold placeholders that the load script fills per request: {csrf} (the session's
CSRF token), {uid} (unique per request), {patient} (the care link of a patient the
signed-in nurse's team holds) and {since} (the inbox version that nurse's page already shows).
"""

from dataclasses import dataclass, field

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

# Care-team routes (issue 4) and the help page (issue 3). {patient} is the care link's id;
# {since} is the inbox's version tag, read from the poll URL on the nurse's dashboard.
HELP_PATH = "/help"
NURSE_DASHBOARD_PATH = "/care"
NURSE_PATIENT_PATH = "/care/patients/{patient}"
DASHBOARD_POLL_PATH = "/care/poll?since={since}"

COOKIE_NAME = "__Host-ww_session"  # journal.platform.config.Production.SESSION_COOKIE_NAME

# Targets on the 2-core machine at national scale (issue 20). The poll is a nurse page.
# (a) Service time: the p95 of one client alone, which no queue inflates.
SERVICE_P95_MS = {"patient": 10, "nurse": 15, "poll": 15}
# (b) Throughput as a share of the trivial endpoint's, 20 clients with no pause, same run.
THROUGHPUT_SHARE = {"patient": 0.3, "nurse": 0.15, "poll": 0.15}
# (c) Open loop: the mixed workload arriving at a fixed rate, a share of the rate the mixed
# run reached with 20 clients and no pause; its p95 from each request's planned start.
OPEN_LOOP_SHARE_OF_MIXED = 0.5
OPEN_LOOP_P95_MS = 50
WORKER_RSS_MB = 120

# Issue 7's targets, still shown beside the new ones so runs can be compared. A p95 under
# 50 ms with 20 clients that never pause needs more than 20 / 0.05 = 400 answers a second,
# on two cores, whatever the page costs: latency there is mostly the queue.
OLD_PATIENT_P95_MS = 50
OLD_NURSE_P95_MS = 100
OLD_PATIENT_RATIO = 0.5
OLD_POLL_RATIO = 0.8

SEARCH_WORDS = ("sleep", "scan results", "walk", "hospital phone", "tired")
CHECK_IN_NOTE = "Short walk and a cup of tea. Feeling a bit calmer."


@dataclass(frozen=True)
class Page:
    """One kind of request in the workload."""

    name: str
    method: str
    path: str
    role: str | None  # who is signed in: "patient", "nurse", or nobody
    kind: str  # which target applies: "patient", "nurse", "poll" or "ceiling"
    expect: tuple = (200,)
    htmx: bool = False
    form: tuple = ()  # (name, value) pairs of a POST, after the CSRF token
    variants: tuple = ()  # alternative forms, rotated (search words)
    weight: int = 1  # share of the mixed run
    fallback: "Page | None" = field(default=None, compare=False)

    @property
    def route(self):
        """The path without its query string, for matching against the app's routes."""
        return self.path.split("?", 1)[0].format(patient=1, since=1, csrf="", uid="")

    def forms(self):
        """Every body this page sends, in rotation; one empty body for a GET."""
        if self.method == "GET":
            return [()]
        return [self.form + v for v in self.variants] if self.variants else [self.form]


CEILING = Page("ceiling: /healthz", "GET", "/healthz", role=None, kind="ceiling", weight=0)

PAGES = (
    Page("patient home", "GET", "/home", "patient", "patient", weight=4),
    Page(
        "check-in POST (htmx)", "POST", "/check-in", "patient", "patient", htmx=True, weight=2,
        form=(("client_id", "bench-{uid}"), ("distress", "4"), ("feelings", "calm"),
              ("topics", "sleep"), ("note", CHECK_IN_NOTE)),
    ),
    Page("timeline", "GET", "/timeline", "patient", "patient", weight=3),
    Page(
        "search (htmx POST)", "POST", "/timeline/search", "patient", "patient", htmx=True,
        weight=2, variants=tuple((("q", w),) for w in SEARCH_WORDS),
    ),
    Page(
        "help panel", "GET", HELP_PATH, "patient", "patient", weight=1,
        fallback=Page("help panel (landing page)", "GET", "/", None, "patient", weight=1),
    ),
    # Measured and plan-checked, but outside the mixed run, which keeps the eight.
    Page("my scan", "GET", "/scans", "patient", "patient", weight=0),
    Page("trends, 30 days", "GET", "/trends", "patient", "patient", weight=0),
    Page("nurse dashboard", "GET", NURSE_DASHBOARD_PATH, "nurse", "nurse", weight=2),
    Page("nurse patient view", "GET", NURSE_PATIENT_PATH, "nurse", "nurse", weight=1),
    Page(
        "dashboard poll, nothing new", "GET", DASHBOARD_POLL_PATH, "nurse", "poll",
        expect=(204,), htmx=True, weight=4,
    ),
)


def routed(app, page):
    """True when the app answers this page's method and path."""
    adapter = app.url_map.bind("localhost")
    try:
        adapter.match(page.route, method=page.method)
    except (NotFound, MethodNotAllowed):
        return False
    except RequestRedirect:
        return True
    return True


def available(app, pages=PAGES):
    """(page to drive, or None, and the page asked for) for each page in the workload."""
    chosen = []
    for page in pages:
        if routed(app, page):
            chosen.append((page, page))
        elif page.fallback is not None and routed(app, page.fallback):
            chosen.append((page.fallback, page))
        else:
            chosen.append((None, page))
    return chosen
