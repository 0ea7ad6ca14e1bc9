"""Plain HTTP to the app on loopback, for the benchmark's own requests (sign-ins, floods)."""

import http.client
import re
from urllib.parse import quote

from bench.workload import COOKIE_NAME as COOKIE


def fetch(port, method, path, body=None, cookie=None, headers=None, timeout=120):
    """(status, headers, text) of one request; the session cookie travels by hand,
    as the production cookie is Secure and the benchmark speaks plain HTTP on loopback."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = dict(headers or {})
    if cookie:
        headers["Cookie"] = f"{COOKIE}={cookie}"
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        conn.close()


def session_cookie(headers, current):
    """The session cookie a response set, or the one we had."""
    for value in headers.get_all("Set-Cookie") or []:
        if value.startswith(f"{COOKIE}="):
            return value.split(";", 1)[0].split("=", 1)[1]
    return current


def csrf_token(html):
    """The CSRF token of the first form on a page, or None."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return match.group(1) if match else None


def form_body(pairs):
    """A url-encoded form body."""
    return "&".join(f"{k}={quote(v)}" for k, v in pairs)
