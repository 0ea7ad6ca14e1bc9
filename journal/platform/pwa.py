"""The installable app: the web app manifest, the service worker and the offline page."""

import hashlib

from flask import current_app, render_template, url_for

from . import bp
from .templating import static_url

NAME = "Waiting Well"
SHORT_NAME = "Waiting Well"
THEME_COLOUR = "#1f5f5b"
BACKGROUND_COLOUR = "#f6f8f7"

# Static files the service worker keeps, so the offline page looks and works as usual.
SHELL_FILES = ("app.css", "app.js", "htmx-2.0.11.min.js", "icon.svg")


def shell_urls():
    """The versioned URLs the service worker stores on install: never a private page."""
    return [url_for("platform.offline")] + [static_url(name) for name in SHELL_FILES]


@bp.route("/manifest.webmanifest")
def manifest():
    icons = [
        {"src": static_url("icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        {"src": static_url("icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static_url("icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {"src": static_url("icon-maskable-512.png"), "sizes": "512x512", "type": "image/png",
         "purpose": "maskable"},
    ]
    body = {
        "id": "/",
        "name": NAME,
        "short_name": SHORT_NAME,
        "description": "A calm journal for people waiting for scan results.",
        "lang": "en-GB",
        "dir": "ltr",
        "start_url": url_for("diary.home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": icons,
        "shortcuts": [
            {"name": "Check in", "url": url_for("diary.check_in_page")},
            {"name": "Timeline", "url": url_for("diary.timeline")},
        ],
    }
    response = current_app.json.response(body)
    response.mimetype = "application/manifest+json"
    response.cache_control.public = True
    response.cache_control.max_age = 60 * 60 * 24
    return response


@bp.route("/sw.js")
def service_worker():
    urls = shell_urls()
    # The worker's bytes change whenever a shell file does, so browsers install the new one.
    version = hashlib.sha256("\n".join(urls).encode()).hexdigest()[:12]
    script = render_template("platform/sw.js", version=version, urls=urls)
    response = current_app.response_class(script, mimetype="text/javascript")
    response.cache_control.no_cache = True
    return response


@bp.route("/offline")
def offline():
    response = current_app.response_class(render_template("platform/offline.html"))
    response.cache_control.no_cache = True
    return response
