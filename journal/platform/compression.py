"""Gzip for text answers, Brotli for static files: phones on a poor connection get pages and
htmx at a third of the size or less.

BREACH needs a secret and attacker-chosen text in the same compressed body. Private pages
reflect nothing from the URL, searches travel in POST bodies behind CSRF, and Flask-WTF's
tokens carry a signature that changes every second, so compressing is safe here.
"""

from functools import lru_cache

import brotli
from flask import request
from zlib_ng import zlib_ng

TEXT_TYPES = {
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
    "text/css",
    "text/html",
    "text/javascript",
    "text/plain",
}
# Below this the gzip header and a round of CPU cost more than they save.
MIN_SIZE = 500
# Level 5 of zlib-ng: the nurses' inbox (74.5 KB) took 0.18 ms and 8,695 bytes, where
# zlib's level 5 took 0.45 ms and 8,643 bytes (docs/PERFORMANCE.md, round eight).
LEVEL = 5
# A gzip wrapper around the deflate stream, as zlib's wbits say it.
GZIP_WBITS = 31


def accepts(accept_encoding, coding):
    """True when an Accept-Encoding header value allows this coding ("gzip" or "br")."""
    for part in (accept_encoding or "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in (coding, "*"):
            quality = params.strip().lower().removeprefix("q=")
            return quality not in ("0", "0.0", "0.00", "0.000")
    return False


def worth_compressing(mimetype, status, size, already_encoded):
    """True for a text answer with a body big enough to gain from gzip."""
    return (
        mimetype in TEXT_TYPES
        and status >= 200
        and status not in (204, 206, 304)
        and not already_encoded
        and size >= MIN_SIZE
    )


def compress(body):
    """Gzip bytes with no timestamp in the header, so the same body gives the same bytes
    from one request to the next."""
    return zlib_ng.compress(body, LEVEL, GZIP_WBITS)


@lru_cache(maxsize=64)
def brotli_static(etag, body):
    """A static file at Brotli's smallest (quality 11): slow to make, so made once a version.
    Keyed by the file's ETag too, so an edited file is compressed again."""
    return brotli.compress(body, quality=11)


def init_app(app):
    @app.after_request
    def gzip_text(response):
        response.vary.add("Accept-Encoding")
        offered = request.headers.get("Accept-Encoding")
        static = request.endpoint == "static"
        coding = ("br" if static and accepts(offered, "br")
                  else "gzip" if accepts(offered, "gzip") else None)
        if coding is None:
            return response
        size = response.content_length
        if size is None and not response.is_streamed:
            size = len(response.get_data())
        if not worth_compressing(
            response.mimetype, response.status_code, size or 0,
            "Content-Encoding" in response.headers,
        ):
            return response
        # Static files arrive as a file wrapper; read them so they can be compressed.
        response.direct_passthrough = False
        etag, _ = response.get_etag()
        body = response.get_data()
        response.set_data(brotli_static(etag, body) if coding == "br" else compress(body))
        response.headers["Content-Encoding"] = coding
        if etag:
            # Same content, other bytes: a weak tag still matches for revalidation.
            response.set_etag(etag, weak=True)
        return response
