"""Request bodies sent in chunks, without a length: held to the same limit as any other."""

import io


class ChunkedBodyLimit:
    """WSGI middleware: a body with no Content-Length is read here, up to one byte past the
    limit, and handed on with its length, so an oversized one gets the usual 413 page.

    Werkzeug reads such a body only up to the limit and then stops without a word, so a
    20 MB chunked form used to be parsed cut short and answered 422."""

    def __init__(self, wsgi_app, config):
        self.wsgi_app = wsgi_app
        self.config = config

    def __call__(self, environ, start_response):
        limit = self.config.get("MAX_CONTENT_LENGTH")
        if limit is not None and _is_chunked(environ):
            body = _read_up_to(environ["wsgi.input"], limit + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            # Werkzeug ignores Content-Length beside "chunked"; with the body in hand it is
            # an ordinary one, and one byte over is enough for the usual 413.
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.wsgi_app(environ, start_response)


def _is_chunked(environ):
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return True
    # A server that ends the stream itself may pass a body with no length at all.
    return bool(environ.get("wsgi.input_terminated")) and not environ.get("CONTENT_LENGTH")


def _read_up_to(stream, size):
    """Up to `size` bytes, reading until the body ends (a read may return fewer)."""
    parts, got = [], 0
    while got < size:
        part = stream.read(min(64 * 1024, size - got))
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)
