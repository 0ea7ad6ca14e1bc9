"""Small helpers shared by the blueprints: htmx-aware rendering."""

from flask import render_template, request
from jinja2_fragments.flask import render_blocks


def is_htmx():
    """True for an htmx request that is not a boosted full-page load."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


def page(template, blocks, status=200, **context):
    """The whole page, or only the named blocks when htmx asks for part of it."""
    if is_htmx():
        return render_blocks(template, list(blocks), **context), status
    return render_template(template, **context), status
