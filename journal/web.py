"""Small helpers shared by the blueprints: htmx-aware rendering and paging."""

from flask import render_template, request
from jinja2_fragments.flask import render_blocks

from .converters import whole_number


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
