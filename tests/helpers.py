"""Helpers shared by the test modules (fixtures live in conftest.py)."""

import re

PASSWORD = "correct horse battery"


def csrf_from(html):
    """The CSRF token from a rendered page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)
