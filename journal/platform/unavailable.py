"""When the database cannot take a write (full, read-only, busy): a calm 503 that keeps
what the person typed, instead of an error page that loses it."""

import sqlite3

from flask import current_app, render_template, request
from jinja2_fragments.flask import render_block

from .db import discard_db
from .web import is_htmx

# SQLite's primary result codes that mean "not now", not "this request is wrong".
UNAVAILABLE = ("SQLITE_FULL", "SQLITE_READONLY", "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_IOERR",
               "SQLITE_CANTOPEN")
MESSAGE = (
    "We could not save this just now. Your words are still here. "
    "Please press Save again in a few minutes."
)
RETRY_AFTER = "30"
# Marks this app's own 503, which carries what was typed: app.js swaps only these in, so a
# 503 page from a proxy in front of the app can never replace a form and the words in it.
KEPT_HEADER = "X-Typed-Kept"

# Views that show their own form again, with what was typed, when a save fails.
DRAFT_VIEWS = {}


def keeps_draft(endpoint):
    """Register a function(message) that re-renders the form for `endpoint` with the draft;
    it may return None to fall back to the generic page, which also keeps the typed fields."""

    def register(fn):
        DRAFT_VIEWS[endpoint] = fn
        return fn

    return register


def is_unavailable(error):
    """True when SQLite says the database cannot write now (full, read-only, locked...)."""
    name = getattr(error, "sqlite_errorname", "") or ""
    return name.startswith(UNAVAILABLE)


def kept_fields():
    """What the person typed, minus secrets, so it can be sent again."""
    secret = {"password", "csrf_token", "new_password", "current_password"}
    try:
        form = request.form
    except Exception:  # an unreadable body has nothing to keep
        return []
    return [(k, v) for k, vs in form.lists() if k not in secret for v in vs]


def _draft_answer():
    view = DRAFT_VIEWS.get(request.endpoint)
    if view is None:
        return None
    try:
        return view(MESSAGE)
    except sqlite3.Error:  # even reading failed: the generic page needs no database
        return None


def _generic_answer():
    resend = request.method == "POST"
    context = {"resend": resend, "form": kept_fields() if resend else []}
    if is_htmx():
        # Replace the page's main content: the target of the request may be a small part.
        body = render_block("errors/unavailable.html", "content", **context)
        return body, 503, {"HX-Retarget": "#main", "HX-Reswap": "innerHTML"}
    return render_template("errors/unavailable.html", **context), 503


def init_app(app):
    @app.errorhandler(sqlite3.OperationalError)
    def database_unavailable(error):
        discard_db()
        if not is_unavailable(error):
            current_app.logger.exception("Database error on %s %r", request.method, request.path)
            return render_template("errors/500.html"), 500
        current_app.logger.warning(
            "Database unavailable (%s) on %s %r", error.sqlite_errorname, request.method,
            request.path,
        )
        answer = _draft_answer() or _generic_answer()
        body, _, *headers = answer if isinstance(answer, tuple) else (answer, 503)
        response = current_app.make_response((body, 503, *headers))
        response.headers["Retry-After"] = RETRY_AFTER
        response.headers[KEPT_HEADER] = "1"
        return response
