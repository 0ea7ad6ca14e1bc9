"""Jinja filters and globals: UK dates and times, safe highlights, versioned static URLs."""

import hashlib
import json
from functools import cache, lru_cache
from pathlib import Path

from flask import current_app, has_request_context, request, url_for
from markupsafe import Markup, escape

from .clock import to_uk

# htmx 2: no inline styles or eval (CSP; settling must not copy `style` either), no
# history cache (health data must not sit in session storage), and 422 answers swapped
# so that forms show their errors; 503 too, since it brings back a form that could
# not be saved, with the draft in it (app.js swaps only the app's own 503s).
HTMX_CONFIG = json.dumps(
    {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "allowScriptTags": False,
        "historyCacheSize": 0,
        "refreshOnHistoryMiss": True,
        "attributesToSettle": ["class", "width", "height"],
        "responseHandling": [
            {"code": "204", "swap": False},
            {"code": "[23]..", "swap": True},
            {"code": "422", "swap": True},
            {"code": "503", "swap": True, "error": True},
            {"code": "[45]..", "swap": False, "error": True},
            {"code": "...", "swap": False},
        ],
    },
    separators=(",", ":"),
)


def uk_time(dt):
    """9:05am, in UK time."""
    local = to_uk(dt)
    return f"{local.hour % 12 or 12}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"


def uk_day(value):
    """Wednesday 25 November, from a date or a UTC datetime."""
    return _day_words(to_uk(value).date() if hasattr(value, "hour") else value)


def uk_day_time(dt):
    """Wednesday 25 November 9:05am, in UK time: how an entry is named to screen readers."""
    return f"{uk_day(dt)} {uk_time(dt)}"


def uk_date(value):
    """25 November 2026."""
    return _date_words(to_uk(value).date() if hasattr(value, "hour") else value)


# A timeline page names the same few days dozens of times, and strftime is slow.
@lru_cache(maxsize=1024)
def _day_words(day):
    return f"{day:%A} {day.day} {day:%B}"


@lru_cache(maxsize=1024)
def _date_words(day):
    return f"{day.day} {day:%B %Y}"


# Search wraps each match in these two control characters; `highlight` makes them <mark>.
MARK_START, MARK_END = "\x02", "\x03"


def highlight(text):
    """Escape the note, then turn the search match markers into <mark>."""
    safe = str(escape(text))
    marked = safe.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return Markup(marked)  # noqa: S704 - escaped above; only our own tags added


@cache
def _file_version(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def static_url(filename):
    """A static URL that changes whenever the file does, so it can be cached for a year."""
    root = request.script_root if has_request_context() else None
    return _static_url(root, current_app.static_folder, filename)


@cache
def _static_url(_root, folder, filename):
    # Made once per file and app root: every page links five of these, and building one
    # took longer than a page's queries (docs/PERFORMANCE.md).
    return url_for("static", filename=filename, v=_file_version(Path(folder) / filename))


# Stands in for the id when a one-id link's shape is made; no route's fixed text holds it.
_ID_MARK = 9_081_726_354_091_827
_ID_MAX = 2**63 - 1  # what the routes' int converter accepts


def link_to(endpoint, **values):
    """`url_for` for templates. A link with one id (an entry's edit, share and "this helped"
    forms) is made once in shape, with the id put in; any other link with plain values or
    none (the navigation, the footer, the inbox's filters) is kept by value per app root.
    A timeline page makes eighty of these."""
    if endpoint.startswith(".") or not has_request_context():
        return url_for(endpoint, **values)
    if len(values) == 1:
        [(name, value)] = values.items()
        if type(value) is int and 0 <= value <= _ID_MAX:
            shape = _one_id_url(request.script_root, endpoint, name)
            return shape.replace(str(_ID_MARK), str(value), 1)
    # Only these types: True and 1 are one key, but url_for writes them differently.
    if all(type(value) in _KEPT_TYPES for value in values.values()):
        return _valued_url(request.script_root, endpoint, tuple(values.items()))
    return url_for(endpoint, **values)


# The navigation's links, and the inbox's filter, poll and "Show older" links: the same
# few on every reload of a page.
_KEPT_TYPES = (str, int, type(None))


@lru_cache(maxsize=4096)
def _valued_url(_root, endpoint, key):
    return url_for(endpoint, **dict(key))


@cache
def _one_id_url(_root, endpoint, name):
    return url_for(endpoint, **{name: _ID_MARK})


def init_app(app):
    app.jinja_env.filters.update(uk_time=uk_time, uk_day=uk_day, uk_day_time=uk_day_time,
                                 uk_date=uk_date, highlight=highlight)
    app.jinja_env.globals.update(static_url=static_url, url_for=link_to,
                                 htmx_config=HTMX_CONFIG)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
