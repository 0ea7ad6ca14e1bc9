"""Security headers, CSRF protection and the friendly error pages."""

from flask import g, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from . import security_log
from .bodies import ChunkedBodyLimit
from .db import discard_db

csrf = CSRFProtect()

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Pages that never hold personal data may be cached; everything else is no-store.
PUBLIC_ENDPOINTS = {"static", "help.landing", "help.healthz", "accounts.privacy_notice"}

# Answers that are the same for everyone, signed in or not, so they keep their caching.
SAME_FOR_EVERYONE = {"static", "platform.manifest", "platform.service_worker", "platform.offline"}

# Answers that never read the session: no user is looked up, no cookie is sent, and nothing
# in them varies with the cookie (a shared cache may keep one copy for everyone).
SESSIONLESS_ENDPOINTS = {"static", "help.healthz"}

# What a deliberate sign-out or account deletion wipes from the device (phones are
# shared): "storage" takes local storage with the drafts, the service worker and its
# caches. Deleting the account also takes the cookies; signing out leaves them, since the
# session cookie has already been ended on the server and replaced.
CLEAR_SITE_DATA = '"cache", "storage"'
CLEAR_SITE_DATA_AND_COOKIES = '"cache", "cookies", "storage"'


DOCUMENT_ONLY_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "Referrer-Policy",
    "Permissions-Policy",
    "Cross-Origin-Opener-Policy",
)


def varies(response):
    """Whether an answer depends on who asks: not for files and answers that are the same for
    everyone, the health check, or an empty 204 (such as the poll's "nothing new")."""
    return (request.endpoint not in SAME_FOR_EVERYONE | SESSIONLESS_ENDPOINTS
            and response.status_code != 204)


def clear_site_data(response, cookies=False):
    """Ask the browser to forget what this site stored on the device; returns the response."""
    parts = CLEAR_SITE_DATA_AND_COOKIES if cookies else CLEAR_SITE_DATA
    response.headers["Clear-Site-Data"] = parts
    return response

# Views that can show their own form again when its token went stale.
STALE_FORM_VIEWS = {}


def stale_form_view(endpoint):
    """Register a function that re-renders the form for `endpoint` after a CSRF failure;
    it may return None to fall back to the generic page that keeps the typed fields."""

    def register(fn):
        STALE_FORM_VIEWS[endpoint] = fn
        return fn

    return register


def from_another_site():
    """True when the browser says this request was started by another site's page."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return bool(origin) and origin != request.host_url.rstrip("/")


def may_write_session_cookie(app):
    """Whether this answer may set (or delete) the session cookie.

    After a failed CSRF check it may only if the request brought the cookie, or came from
    our own pages. A form posted from another site arrives without the SameSite=Lax cookie
    even when the person is signed in: a fresh cookie in the answer would overwrite theirs
    and sign them out, so none is sent and their session goes on untouched."""
    if not g.get("csrf_failed"):
        return True
    return app.config["SESSION_COOKIE_NAME"] in request.cookies or not from_another_site()


def csrf_token():
    """The request's CSRF token for templates. Flask-WTF makes it once a request and keeps
    it on `g`; reading it from there skips its settings lookups, which a timeline page,
    with a form on every entry, repeated forty times."""
    return g.get("csrf_token") or generate_csrf()


def init_app(app, load_user, to_sign_in):
    """Headers, CSRF and error pages; `load_user` and `to_sign_in` come from accounts, which
    knows who is signed in and where signing in happens."""
    csrf.init_app(app)
    app.jinja_env.globals["csrf_token"] = csrf_token  # after Flask-WTF set its own
    security_log.init_app(app)
    app.wsgi_app = ChunkedBodyLimit(app.wsgi_app, app.config)
    if hops := app.config["TRUSTED_PROXIES"]:
        # Believe X-Forwarded-For/-Proto only as far back as our own proxies reach.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    @app.after_request
    def headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        # Flask-WTF compares the Referer on HTTPS, so it must survive same-origin posts.
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
        )
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config["HSTS"]:
            h.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        private = request.endpoint not in PUBLIC_ENDPOINTS or getattr(g, "user", None)
        if private and request.endpoint not in SAME_FOR_EVERYONE:
            h["Cache-Control"] = "no-store"
        if request.endpoint == "help.healthz":
            h["Cache-Control"] = "no-store"  # a health answer is only true when it is made
        if varies(response):
            h.add("Vary", "HX-Request")
            h.add("Vary", "Cookie")
        if request.endpoint == "static" and response.mimetype != "image/svg+xml":
            # Stylesheets, scripts and images are not documents: the page's own policies
            # govern them, and each file's answer is a few hundred bytes lighter on a phone.
            for name in DOCUMENT_ONLY_HEADERS:
                h.pop(name, None)
        return response

    @app.errorhandler(CSRFError)
    def stale_form(error):
        g.csrf_failed = True
        if from_another_site():
            # Nothing from another site's form is kept or offered to send again, and the
            # session is not read: the cookie, if it came, is left exactly as it was.
            g.user = None
            security_log.warn("csrf_failed", reason=error.description, origin="another_site")
            return render_template("errors/stale.html", form=[], another_site=True), 403
        # The token is checked before the session is read, so read it now.
        if not hasattr(g, "user"):
            load_user()
        security_log.warn("csrf_failed", reason=error.description)
        # A session that ended took its token with it: htmx goes to sign in, the page stays.
        if g.user is None and request.headers.get("HX-Request"):
            return to_sign_in()
        view = STALE_FORM_VIEWS.get(request.endpoint)
        answer = view() if view is not None else None
        if answer is not None:
            return answer
        return render_template("errors/stale.html", form=kept_fields()), 400

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code in (301, 302, 303, 307, 308):
            return error
        template = {404: "errors/404.html", 413: "errors/413.html"}.get(
            error.code, "errors/error.html"
        )
        return render_template(template, error=error), error.code

    @app.errorhandler(Exception)
    def server_error(error):
        discard_db()
        app.logger.exception("Unhandled error on %s %r", request.method, request.path)
        return render_template("errors/500.html"), 500


def kept_fields():
    """What the person typed, minus secrets, so a stale form can be sent again."""
    try:
        form = request.form
    except Exception:  # an unreadable body has nothing to keep
        return []
    secret = {"password", "csrf_token", "new_password", "current_password", "code"}
    return [(k, v) for k, vs in form.lists() if k not in secret for v in vs]
