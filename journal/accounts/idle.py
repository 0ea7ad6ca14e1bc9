"""Staff are warned before an idle sign-out and can stay signed in (WCAG 2.2.1)."""

from datetime import timedelta

from flask import g, redirect, render_template, request

from ..platform.clock import utc_now
from ..platform.web import home_url, is_htmx
from . import bp
from .session_rules import STAFF_ROLES
from .sign_in import PASSIVE_ENDPOINTS, login_required, safe_next

# How long before an idle sign-out the warning shows.
WARNING = timedelta(minutes=2)


def seconds_left():
    """Whole seconds until this session ends if nothing more happens."""
    return max(0, int((g.session_ends_at - utc_now()).total_seconds()))


def warning_after():
    """Seconds from a page load until its warning shows; None for people not warned."""
    if g.get("user") is None or g.user.role not in STAFF_ROLES or "session_ends_at" not in g:
        return None
    return max(0, seconds_left() - int(WARNING.total_seconds()))


@bp.app_context_processor
def _idle_context():
    return {"idle_warning_after": warning_after}


def _next():
    return safe_next(request.values.get("next")) or home_url(g.user.role)


@bp.route("/session/stay", methods=["POST"])
@login_required
def stay_signed_in():
    """Carry on: this request is itself the use that starts the idle clock again."""
    if is_htmx():
        return "", 204
    return redirect(_next(), code=303)


@bp.route("/session/left")
@login_required
def time_left():
    """Seconds until an idle sign-out, for the warning; asking is not using the app."""
    return {"seconds": seconds_left()}


@bp.route("/session/warning")
@login_required
def idle_warning():
    """Without JavaScript, a staff page refreshes to this page two minutes before an idle
    sign-out; it is passive, so only "Stay signed in" keeps the session."""
    left = seconds_left()
    if left > WARNING.total_seconds() + 30:
        return redirect(_next())  # used in another tab meanwhile
    return render_template("accounts/idle_warning.html", next_url=_next(), left=left)


# Asking how long is left, or being shown the warning, must not keep a session alive.
PASSIVE_ENDPOINTS.update({"accounts.time_left", "accounts.idle_warning"})
