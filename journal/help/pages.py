"""Public pages: the landing page and the health check."""

from flask import g, redirect, render_template

from ..platform.db import get_db
from ..platform.web import home_url
from . import bp


@bp.route("/")
def landing():
    if g.user:
        return redirect(home_url(g.user.role))
    return render_template("help/landing.html")


@bp.route("/healthz")
def healthz():
    get_db().execute("SELECT 1").fetchone()
    return {"status": "ok"}
