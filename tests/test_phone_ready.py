"""The installable app, compression, caching, and what htmx gets when a session has ended."""

import gzip
import json
import re
import struct
from pathlib import Path

import pytest

from journal.accounts import sessions
from journal.platform.security import CLEAR_SITE_DATA, clear_site_data

HTMX = {"HX-Request": "true"}
PRIVATE_PATHS = ("/home", "/timeline", "/entries", "/check-in", "/sign-in", "/sign-up")


ROOT = Path(__file__).resolve().parent.parent


def png_size(data):
    """(width, height) from a PNG's header."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_manifest_has_what_an_install_needs(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert manifest["name"] == "Waiting Well" and manifest["short_name"]
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/home" and manifest["scope"] == "/"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    by_size = {(icon["sizes"], icon.get("purpose", "any")): icon for icon in manifest["icons"]}
    assert by_size[("any", "any")]["type"] == "image/svg+xml"
    for sizes, purpose in [("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")]:
        icon = by_size[(sizes, purpose)]
        with client.get(icon["src"]) as image:
            assert image.status_code == 200 and image.mimetype == "image/png"
            width, height = png_size(image.data)
        assert f"{width}x{height}" == sizes
    assert [s["url"] for s in manifest["shortcuts"]] == ["/check-in", "/timeline"]


def test_every_page_links_the_manifest(client):
    html = client.get("/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html


def shell_of(script):
    match = re.search(r"const SHELL = (\[.*?\]);", script)
    assert match, "service worker has no shell list"
    return json.loads(match.group(1))


def test_service_worker_stores_only_the_shell_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "no-cache" in response.headers["Cache-Control"]
    script = response.get_data(as_text=True)
    shell = shell_of(script)
    assert shell[0] == "/offline"
    assert all(re.fullmatch(r"/static/[\w.-]+\?v=[0-9a-f]{10}", url) for url in shell[1:])
    assert not any(url.startswith(PRIVATE_PATHS) for url in shell)
    for url in shell:
        with client.get(url) as answer:
            assert answer.status_code == 200
    # Pages go to the network; only versioned static files are stored as they pass.
    assert 'request.mode === "navigate"' in script and "cache.put(" in script
    assert 'credentials: "omit"' in script


def test_service_worker_changes_when_a_shell_file_does(client, app, monkeypatch):
    before = client.get("/sw.js").get_data(as_text=True)
    from journal.platform import pwa, templating

    monkeypatch.setattr(templating, "_file_version", lambda path: "0123456789")
    templating._static_url.cache_clear()  # URLs are made once per process, like versions
    try:
        after = client.get("/sw.js").get_data(as_text=True)
    finally:
        templating._static_url.cache_clear()  # later tests see the real versions again
    assert shell_of(after) != shell_of(before)
    assert re.search(r'"shell-" \+ "(\w+)"', after).group(1) != re.search(
        r'"shell-" \+ "(\w+)"', before).group(1)
    assert pwa.SHELL_FILES


def test_offline_page_shows_help_numbers_as_working_links(client):
    response = client.get("/offline")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    hrefs = re.findall(r'href="((?:tel|sms):[^"]+)"', html)
    assert hrefs == ["tel:+448088004040", "tel:999", "tel:111", "tel:116123",
                     "sms:85258?body=SHOUT"]
    assert '<meta name="robots" content="noindex">' in html
    assert "no-store" not in response.headers["Cache-Control"]


def test_offline_page_is_the_same_for_someone_signed_in(client, signed_in):
    html = client.get("/offline").get_data(as_text=True)
    assert "csrf" not in html.lower()
    assert "data-account" not in html and "Sign out" not in html and "Pat" not in html


def test_static_files_stay_cacheable_for_someone_signed_in(client, signed_in):
    with client.get("/static/app.css") as response:
        assert response.headers["Cache-Control"] == "public, max-age=31536000"
    assert client.get("/home").headers["Cache-Control"] == "no-store"


def test_text_is_gzipped_for_browsers_that_accept_it(client, signed_in):
    plain = client.get("/home")
    packed = client.get("/home", headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert packed.headers["Cache-Control"] == "no-store"
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 2
    # The page carries a fresh CSRF signature each second; the rest must match exactly.
    strip = re.compile(rb'value="[^"]+"|"X-CSRFToken": "[^"]+"')
    assert strip.sub(b"", gzip.decompress(packed.data)) == strip.sub(b"", plain.data)
    assert "Content-Encoding" not in plain.headers


def test_static_files_are_gzipped_and_revalidate(client):
    with client.get("/static/htmx-2.0.11.min.js", headers={"Accept-Encoding": "gzip"}) as first:
        assert first.headers["Content-Encoding"] == "gzip"
        assert len(first.data) < 20_000 < 50_000 < len(gzip.decompress(first.data))
        etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    with client.get("/static/htmx-2.0.11.min.js",
                    headers={"Accept-Encoding": "gzip", "If-None-Match": etag}) as again:
        assert again.status_code == 304


def test_static_files_are_brotli_for_browsers_that_accept_it(client):
    import brotli

    original = (ROOT / "static" / "htmx-2.0.11.min.js").read_bytes()
    with client.get("/static/htmx-2.0.11.min.js",
                    headers={"Accept-Encoding": "gzip, deflate, br"}) as packed:
        assert packed.headers["Content-Encoding"] == "br"
        assert brotli.decompress(packed.data) == original
        # Smaller than gzip's best, which is what a phone saves on every first visit.
        assert len(packed.data) < len(gzip.compress(original, 9))
        etag = packed.headers["ETag"]
    with client.get("/static/htmx-2.0.11.min.js",
                    headers={"Accept-Encoding": "br", "If-None-Match": etag}) as again:
        assert again.status_code == 304


def test_images_and_small_answers_are_not_gzipped(client):
    with client.get("/static/icon-192.png", headers={"Accept-Encoding": "gzip"}) as png:
        assert "Content-Encoding" not in png.headers
    health = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in health.headers


def test_sign_out_asks_the_browser_to_clear_the_device(client, signed_in, db, patient):
    response = client.post("/sign-out", data={"csrf_token": signed_in})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert db.execute(
        "SELECT count(*) FROM sessions WHERE user_id = ? AND ended_at IS NULL", [patient.id]
    ).fetchone()[0] == 0
    assert "Clear-Site-Data" not in client.get("/").headers


def test_clear_site_data_helper_marks_any_response(app):
    response = clear_site_data(app.response_class("bye"))
    assert response.headers["Clear-Site-Data"] == CLEAR_SITE_DATA


def end_every_session(db, user):
    sessions.end_all(db, user.id)


@pytest.mark.parametrize(("page", "expected_next"), [("/home", "/home"),
                                                     ("/check-in", "/check-in")])
def test_htmx_save_after_the_session_ended_goes_to_sign_in(
    client, signed_in, db, patient, page, expected_next
):
    end_every_session(db, patient)
    response = client.post(
        "/check-in",
        data={"note": "Still here", "client_id": "a1b2c3d4-0001", "csrf_token": signed_in},
        headers={**HTMX, "X-CSRFToken": signed_in, "HX-Current-URL": f"http://localhost{page}"},
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == f"/sign-in?next={expected_next}"
    assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == 0


def test_htmx_save_with_no_session_cookie_goes_to_sign_in(app, signed_in, db):
    stranger = app.test_client()  # the cookie expired: no session, so no CSRF token either
    response = stranger.post(
        "/check-in", data={"note": "Still here", "csrf_token": signed_in},
        headers={**HTMX, "X-CSRFToken": signed_in, "HX-Current-URL": "http://localhost/home"},
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/sign-in?next=/home"
    assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == 0


def test_plain_save_with_no_session_cookie_keeps_the_words(app, signed_in):
    response = app.test_client().post("/check-in", data={"note": "Still here",
                                                         "csrf_token": signed_in})
    assert response.status_code == 400
    assert 'value="Still here"' in response.get_data(as_text=True)


def test_check_in_page_shows_the_form_alone(client, signed_in):
    response = client.get("/check-in")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="checkin"' in html and 'data-draft-form="checkin"' in html
    assert 'id="latest"' not in html
    assert '<meta name="robots" content="noindex">' in html


def test_check_in_page_needs_sign_in(client):
    response = client.get("/check-in")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/check-in"


def test_check_in_page_is_for_patients(client, nurse, auth):
    auth.sign_in("nurse@example.com")
    assert client.get("/check-in").status_code == 403


def post_check_in(client, token, client_id, page="/home", note="Quiet day"):
    return client.post(
        "/check-in",
        data={"distress": "3", "note": note, "client_id": client_id, "csrf_token": token},
        headers={**HTMX, "X-CSRFToken": token, "HX-Current-URL": f"http://localhost{page}"},
    )


def test_saving_from_the_check_in_page_answers_with_the_form_only(client, signed_in, db):
    response = post_check_in(client, signed_in, "c0ffee00-0001", page="/check-in")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="checkin"' in html and "Saved at" in html
    assert "hx-swap-oob" not in html
    assert db.execute("SELECT note FROM entries").fetchone()[0] == "Quiet day"


def test_saving_from_home_also_updates_today_and_latest(client, signed_in):
    html = post_check_in(client, signed_in, "c0ffee00-0002").get_data(as_text=True)
    assert "<html" not in html
    assert html.count('hx-swap-oob="true"') == 2


def test_a_retried_save_stores_one_entry(client, signed_in, db, patient):
    first = post_check_in(client, signed_in, "c0ffee00-0003")
    second = post_check_in(client, signed_in, "c0ffee00-0003", note="Quiet day")
    assert first.status_code == second.status_code == 200
    rows = list(db.query("SELECT client_id FROM entries WHERE patient_id = ?", [patient.id]))
    assert rows == [{"client_id": "c0ffee00-0003"}]
    assert "Saved at" in second.get_data(as_text=True)


def test_forms_keep_drafts_and_sign_out_clears_them(client, signed_in, db, patient):
    home = client.get("/home").get_data(as_text=True)
    assert f'data-account="{patient.id}"' in home
    assert 'data-draft-form="checkin"' in home and "data-clear-drafts" in home
    post_check_in(client, signed_in, "c0ffee00-0004")
    entry_id = db.execute("SELECT id FROM entries").fetchone()[0]
    edit = client.get(f"/entries/{entry_id}/edit").get_data(as_text=True)
    assert f'data-draft-form="entry-{entry_id}"' in edit
    assert f'data-draft-page="/entries/{entry_id}/edit"' in edit
    assert "data-draft-discard" in edit


def test_static_files_carry_only_the_headers_that_matter_to_them(client):
    with client.get("/static/app.css") as css:
        assert css.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" not in css.headers
    with client.get("/static/icon.svg") as svg:  # an SVG opened alone is a document
        assert "Content-Security-Policy" in svg.headers
    page = client.get("/")
    assert "Content-Security-Policy" in page.headers and page.headers["X-Frame-Options"] == "DENY"
