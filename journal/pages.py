"""Public pages: the landing page and the health check."""

from flask import Blueprint, g, redirect, render_template, url_for

from .db import get_db

bp = Blueprint("pages", __name__)


@bp.route("/")
def landing():
    if g.user and g.user.role == "patient":
        return redirect(url_for("journal.home"))
    return render_template("pages/landing.html")


@bp.route("/healthz")
def healthz():
    get_db().execute("SELECT 1").fetchone()
    return {"status": "ok"}
