"""Help: the help page and "About this information", open to everyone."""

from flask import current_app, g, render_template

from ..guidance import loading, packs
from ..platform.clock import uk_today
from . import bp, calm


@bp.record_once
def _load_calm(state):
    # Read once at start, so a mistake in the file stops the start, not a person.
    state.app.extensions["calm"] = calm.load()


def calm_exercises():
    """The calming minute's two exercises, as read at start."""
    return current_app.extensions["calm"]


@bp.route("/calm")
def calm_page():
    is_patient = getattr(g, "user", None) is not None and g.user.role == "patient"
    return render_template("help/calm.html", exercises=calm_exercises(), is_patient=is_patient)


@bp.route("/help")
def help_page():
    return render_template("help/help.html", help_page=True)


@bp.route("/about-information")
def about():
    today = uk_today(loading.now())
    in_order = loading.packs_in_order()
    is_admin = getattr(g, "user", None) is not None and g.user.role == "admin"
    return render_template(
        "help/about.html",
        packs=in_order,
        safety=loading.safety(),
        today=today,
        past_review=[p for p in in_order if packs.pack_is_past_review(p, today)] if is_admin
        else [],
    )
