"""Help: the help page and "About this information", open to everyone."""

from flask import Blueprint, g, render_template

from . import content, guidance
from .clock import uk_today

bp = Blueprint("help", __name__)


@bp.route("/help")
def help_page():
    return render_template("help/help.html", help_page=True)


@bp.route("/about-information")
def about():
    today = uk_today(guidance.now())
    packs = guidance.packs_in_order()
    is_admin = getattr(g, "user", None) is not None and g.user.role == "admin"
    return render_template(
        "help/about.html",
        packs=packs,
        safety=guidance.safety(),
        today=today,
        past_review=[p for p in packs if content.pack_is_past_review(p, today)] if is_admin
        else [],
    )
