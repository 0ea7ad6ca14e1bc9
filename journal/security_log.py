"""Security events in the log, for whoever watches for attacks: what happened, to which
account, from which address, on which path. Never a password, code, email address or
anything a person wrote: only ids."""

import logging

from flask import g, request

logger = logging.getLogger("journal.security")

# Answers that say a request was refused, logged whatever view gave them.
REFUSALS = {403: "refused", 422: "input_rejected"}


def event(what, user_id=None, level=logging.INFO, **details):
    """Log one security event; `user_id` defaults to whoever is signed in."""
    if user_id is None:
        user = getattr(g, "user", None)
        user_id = user.id if user is not None else None
    g.security_logged = True
    extra = "".join(f" {key}={value!r}" if isinstance(value, str) else f" {key}={value}"
                    for key, value in sorted(details.items()))
    # The path is quoted so that a crafted URL cannot forge a log line.
    logger.log(level, "%s user=%s address=%s %s %r%s", what, user_id or "-",
               _address(), request.method, request.path, extra)


def warn(what, user_id=None, **details):
    event(what, user_id, level=logging.WARNING, **details)


def _address():
    from .guard import client_address

    return client_address()


def init_app(app):
    # The app's logger shows warnings only; security events are worth keeping at info.
    logger.setLevel(logging.INFO)

    @app.after_request
    def log_refusals(response):
        what = REFUSALS.get(response.status_code)
        if response.status_code == 404 and getattr(g, "user", None) is not None:
            # A signed-in person asking for something that is not theirs answers 404 too.
            what = "not_found"
        if what and not getattr(g, "security_logged", False):
            event(what, status=response.status_code, endpoint=request.endpoint)
        return response
