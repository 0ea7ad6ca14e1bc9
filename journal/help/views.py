"""Help: the help page and "About this information", open to everyone."""

from flask import current_app, g, render_template, request

from ..accounts.sign_in import PASSIVE_ENDPOINTS, login_required
from ..guidance import loading, packs
from ..platform.clock import uk_today
from . import bp, calm, nurse_line


@bp.record_once
def _load_calm(state):
    # Read once at start, so a mistake in the file stops the start, not a person.
    state.app.extensions["calm"] = calm.load()


def calm_exercises():
    """The calming minute's two exercises, as read at start."""
    return current_app.extensions["calm"]


# Asked by a page left open, not by the person: it must not count as her using the app.
PASSIVE_ENDPOINTS.add("help.line_status_now")


@bp.route("/help/line-status")
def line_status_now():
    """The nurse line's status now, for a page left open across opening or closing time."""
    html = render_template("help/_line_status.html",
                           status=nurse_line.line_status(loading.now()))
    return html, {"Cache-Control": "no-store"}


@bp.route("/calm")
def calm_page():
    is_patient = getattr(g, "user", None) is not None and g.user.role == "patient"
    return render_template("help/calm.html", exercises=calm_exercises(), is_patient=is_patient)

# The phone's tab bar: at most five, Help always one of them; the rest sit under More.
TABS = {
    "patient": (("diary.home", "Today"), ("diary.timeline", "Timeline"),
                ("scans.my_scan", "My scan")),
    "nurse": (("care.dashboard", "Inbox"), ("care.patients", "Patients"),
              ("care.codes", "Join codes")),
    "admin": (("accounts.admin_teams", "Teams"),),
}
MORE = {
    "patient": (("trends.trends_page", "Trends"), ("scans.question_list", "Questions"),
                ("care.team", "Care team"), ("people.people", "People"),
                ("accounts.your_data", "Your data"),
                ("accounts.overview", "Account")),
    "nurse": (("accounts.overview", "Account"),),
    "admin": (("accounts.overview", "Account"),),
}


@bp.app_context_processor
def navigation():
    """The tab bar's items and the More page's links for the signed-in person."""
    role = g.user.role if getattr(g, "user", None) else None
    more = MORE.get(role, ())
    here = request.endpoint or ""
    # The More tab is current on the pages it leads to (and the account pages under them).
    under_more = here == "help.more" or here in dict(more) or here.startswith("accounts.")
    return {
        "tabs": TABS.get(role, ()),
        "more_links": lambda: more,
        "more_is_current": under_more,
    }


@bp.route("/help")
def help_page():
    return render_template("help/help.html", help_page=True)


@bp.route("/more")
@login_required
def more():
    """Everything the phone's tab bar has no room for, and signing out."""
    return render_template("help/more.html")


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
