"""Small helpers shared by the blueprints: htmx-aware rendering and paging."""

from urllib.parse import urlsplit

from flask import render_template, request, session, url_for
from jinja2_fragments.flask import render_blocks
from werkzeug.exceptions import NotFound

from .converters import whole_number

# Where each role starts after signing in.
HOME_FOR_ROLE = {"patient": "diary.home", "nurse": "care.dashboard",
                 "admin": "accounts.admin_teams"}


def home_url(role):
    """The first page for someone of this role."""
    return url_for(HOME_FOR_ROLE.get(role, "diary.home"))


def client_address():
    """The client's address; behind TRUSTED_PROXIES proxies, ProxyFix has already taken it
    from X-Forwarded-For, and never from more hops than configured."""
    return request.remote_addr or "unknown"


def is_htmx():
    """True for an htmx request that is not a boosted full-page load."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


def page(template, blocks, status=200, **context):
    """The whole page, or only the named blocks when htmx asks for part of it."""
    if is_htmx():
        return render_blocks(template, list(blocks), **context), status
    return render_template(template, **context), status


def before_id():
    """The id a "show older" link pages back from (?before=), or None."""
    return whole_number(request.args.get("before"))


def safe_next(target):
    """Only follow a 'next' that stays on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read "/\evil.example" as "//evil.example", and drop tabs and line breaks.
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    return target


def deleted_row_to_restore(lookup, session_key, row_id):
    """The deleted row an Undo asks for, or None once it has been erased. Only the row this
    session deleted is told apart as gone; any other id stays a plain 404, so nobody learns
    what exists."""
    try:
        return lookup(row_id)
    except NotFound:
        if session.get(session_key) != row_id:
            raise
        return None
