"""Admins look after teams and staff accounts, never entries; staff set their password here."""

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from ..care import teams
from ..platform import security_log
from ..platform.db import get_db
from . import bp, sessions, staff, users
from .sign_in import login_required


@bp.route("/admin", endpoint="admin_teams")
@login_required(role="admin")
def teams_page():
    return render_template("accounts/admin_teams.html", teams=teams.teams_with_nurses(get_db()),
                           values={}, errors={}, editing=None)


@bp.route("/admin/teams/<int:team_id>/hours", methods=["POST"])
@login_required(role="admin")
def team_hours(team_id):
    db = get_db()
    team = teams.team_by_id(db, team_id)
    if team is None:
        abort(404)
    values, errors = teams.check_team(team.name, request.form.get("hours"))
    if errors:
        return render_template("accounts/admin_teams.html", teams=teams.teams_with_nurses(db),
                               values=values, errors=errors, editing=team.id), 422
    teams.set_working_hours(db, team.id, values["hours"])
    flash(f"Working hours saved for {team.name}.")
    return redirect(url_for("accounts.admin_teams"), code=303)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token):
    db = get_db()
    user = staff.token_user(db, token)
    if user is None:
        security_log.warn("set_password_link_refused")
        return render_template("accounts/set_password.html", user=None, error=None), 404
    error = None
    if request.method == "POST":
        password = request.form.get("password") or ""
        error = users.check_new_password(password, user.email)
        if error is None:
            hashed = current_app.extensions["passwords"].hash(password)
            if staff.use_token(db, token, hashed):
                security_log.event("password_set_with_link", user.id)
                # Whoever was signed in on this browser is not the person who just set it.
                if session.get("token"):
                    sessions.end(db, session["token"])
                session.clear()
                flash("Your password is set. Sign in with your email and new password.")
                return redirect(url_for("accounts.sign_in"), code=303)
            return render_template("accounts/set_password.html", user=None, error=None), 404
    return render_template("accounts/set_password.html", user=user, error=error), (
        422 if error else 200)
