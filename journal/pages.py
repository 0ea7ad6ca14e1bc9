"""Public pages: the landing page and the health check."""

from flask import Blueprint, g, redirect, render_template

from .auth import home_url
from .db import get_db

bp = Blueprint("pages", __name__)


@bp.route("/")
def landing():
    if g.user:
        return redirect(home_url(g.user.role))
    return render_template("pages/landing.html")


@bp.route("/healthz")
def healthz():
    get_db().execute("SELECT 1").fetchone()
    return {"status": "ok"}
