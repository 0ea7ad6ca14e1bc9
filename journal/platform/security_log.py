"""Security events in the log, for whoever watches for attacks: what happened, to which
account, from which address, on which path. Never a password, code, email address or
anything a person wrote: only ids."""

import logging
import time

from flask import g, has_request_context, request
from flask.logging import wsgi_errors_stream

from .web import client_address

logger = logging.getLogger("journal.security")

# Answers that say a request was refused, logged whatever view gave them.
REFUSALS = {403: "refused", 422: "input_rejected"}
# URL parts that are secrets in themselves (a set-password link): logged as the rule.
SECRET_ARGS = {"token"}


def event(what, user_id=None, level=logging.INFO, **details):
    """Log one security event; `user_id` defaults to whoever is signed in."""
    if has_request_context():
        if user_id is None:
            user = getattr(g, "user", None)
            user_id = user.id if user is not None else None
        g.security_logged = True
        where = f"address={_address()} {request.method} {_path()!r}"
    else:  # an operator's command
        where = "address=- command"
    extra = "".join(f" {key}={value!r}" if isinstance(value, str) else f" {key}={value}"
                    for key, value in sorted(details.items()))
    # The path is quoted so that a crafted URL cannot forge a log line.
    logger.log(level, "%s user=%s %s%s", what, user_id or "-", where, extra)


def warn(what, user_id=None, **details):
    event(what, user_id, level=logging.WARNING, **details)


def _address():
    return client_address()


def _path():
    if request.url_rule is not None and SECRET_ARGS & set(request.view_args or {}):
        return request.url_rule.rule
    return request.path


def handler():
    """Standard error, one line per event, with the time in UTC."""
    # Flask's stream: the server's error log during a request (gunicorn's), else whatever
    # sys.stderr is at that moment, never a stream that was swapped out and closed.
    stream = logging.StreamHandler(wsgi_errors_stream)
    formatter = logging.Formatter("%(asctime)sZ %(levelname)s %(name)s %(message)s",
                                  "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    stream.setFormatter(formatter)
    return stream


def init_app(app):
    # Written whatever the rest of the logging does: info and up, to standard error (which
    # gunicorn or systemd collect), and not passed up to be written twice.
    logger.setLevel(logging.INFO)
    if not logger.handlers:
        logger.addHandler(handler())
    logger.propagate = False

    @app.after_request
    def log_refusals(response):
        what = REFUSALS.get(response.status_code)
        if response.status_code == 404 and getattr(g, "user", None) is not None:
            # A signed-in person asking for something that is not theirs answers 404 too.
            what = "not_found"
        if what and not getattr(g, "security_logged", False):
            event(what, status=response.status_code, endpoint=request.endpoint)
        return response
