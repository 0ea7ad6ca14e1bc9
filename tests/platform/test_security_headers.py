"""Headers and caching on real responses, a POST over HTTPS with production settings,
and logs that never hold what a person wrote or their password."""

import logging
import re
from pathlib import Path

import pytest

from journal import create_app
from journal.diary import entries
from tests.conftest import PASSWORD, csrf_from, make_user

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def directives(csp):
    return dict((part.split(" ", 1) + [""])[:2] for part in csp.split("; "))


def test_strict_csp_on_every_page(client, signed_in):
    for path in ("/", "/home", "/account", "/privacy", "/sign-in/code"):
        csp = directives(client.get(path).headers["Content-Security-Policy"])
        assert csp["script-src"] == "'self'"
        assert csp["style-src"] == "'self'"
        assert csp["frame-ancestors"] == "'none'"
        assert csp["object-src"] == "'none'"
        assert "unsafe-inline" not in " ".join(csp.values())
        assert "unsafe-eval" not in " ".join(csp.values())


def test_fixed_headers(client):
    h = client.get("/").headers
    assert h["X-Content-Type-Options"] == "nosniff"
    # Not no-referrer: Flask-WTF checks the Referer of HTTPS posts.
    assert h["Referrer-Policy"] == "same-origin"
    assert "camera=()" in h["Permissions-Policy"] and "geolocation=()" in h["Permissions-Policy"]
    assert h["X-Frame-Options"] == "DENY"


def test_no_hsts_in_test_or_demo_mode(client, tmp_path):
    assert "Strict-Transport-Security" not in client.get("/").headers
    demo = create_app({"MODE": "demo", "JOURNAL_DB": str(tmp_path / "demo.db"),
                       "ARGON2": {"time_cost": 1, "memory_cost": 8, "parallelism": 1}})
    assert "Strict-Transport-Security" not in demo.test_client().get("/").headers


@pytest.fixture
def production(tmp_path):
    app = create_app(
        {"MODE": "production", "SECRET_KEY": "x" * 64, "JOURNAL_DB": str(tmp_path / "prod.db"),
         "ARGON2": {"time_cost": 1, "memory_cost": 8, "parallelism": 1}}
    )
    return app


def test_hsts_in_production(production):
    response = production.test_client().get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"


def test_sign_in_post_over_https_with_production_headers_works(production):
    with production.app_context():
        from journal.platform.db import connect

        db = connect(production.config["JOURNAL_DB"])
        make_user(production, db, "pat@example.com")
        db.close()
    client = production.test_client()
    page = client.get("/sign-in", base_url="https://localhost")
    assert page.headers["Referrer-Policy"] == "same-origin"
    data = {"email": "pat@example.com", "password": PASSWORD,
            "csrf_token": csrf_from(page.get_data(as_text=True))}
    # What a browser sends under Referrer-Policy: same-origin, for a same-origin post.
    response = client.post("/sign-in", data=data, base_url="https://localhost",
                           headers={"Referer": "https://localhost/sign-in"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/home"
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    home = client.get("/home", base_url="https://localhost")
    assert home.status_code == 200


def test_https_post_without_a_same_origin_referer_is_refused(production):
    client = production.test_client()
    page = client.get("/sign-in", base_url="https://localhost")
    data = {"email": "pat@example.com", "password": PASSWORD,
            "csrf_token": csrf_from(page.get_data(as_text=True))}
    missing = client.post("/sign-in", data=data, base_url="https://localhost")
    other = client.post("/sign-in", data=data, base_url="https://localhost",
                        headers={"Referer": "https://evil.example/sign-in"})
    # The sign-in form answers a failed CSRF check by showing itself again, unsigned-in.
    for response in (missing, other):
        assert response.status_code == 422
        assert "Please enter your password again" in response.get_data(as_text=True)
        assert "Location" not in response.headers


def test_private_pages_are_no_store_and_public_pages_may_be_cached(client, signed_in):
    for path in ("/home", "/timeline", "/account", "/account/password", "/privacy"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    anonymous = client.application.test_client()
    assert "no-store" not in anonymous.get("/").headers.get("Cache-Control", "")
    assert "no-store" not in anonymous.get("/privacy").headers.get("Cache-Control", "")
    for path in ("/sign-in", "/sign-up", "/forgotten-password"):
        assert anonymous.get(path).headers["Cache-Control"] == "no-store", path


def test_private_pages_stay_out_of_the_htmx_history_cache(client, signed_in):
    for path in ("/home", "/account"):
        html = client.get(path).get_data(as_text=True)
        assert re.search(r'<body[^>]*hx-history="false"', html)
        assert '"historyCacheSize":0' in html.replace("&#34;", '"')


def test_a_failing_check_in_logs_neither_the_note_nor_anything_typed(
    client, signed_in, caplog, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(entries, "create", broken)
    note = "my very private worry about the scan"
    with caplog.at_level(logging.DEBUG):
        response = client.post("/check-in", data={"distress": "4", "note": note,
                                                   "csrf_token": signed_in})
    assert response.status_code == 500
    assert "Unhandled error on POST '/check-in'" in caplog.text  # the log did record the fault
    assert "private worry" not in caplog.text


def test_sign_in_failures_and_password_changes_log_no_passwords(client, patient, auth, caplog):
    with caplog.at_level(logging.DEBUG):
        auth.sign_in(password="wrong secret words")
        auth.sign_in()
        client.post("/account/password", data={
            "current_password": PASSWORD, "new_password": "fresh secret words here",
            "csrf_token": auth.token("/account/password")})
    assert "secret words" not in caplog.text and PASSWORD not in caplog.text


def test_forms_that_carry_words_or_secrets_post_them_never_put_them_in_the_url():
    # Gunicorn's access log holds paths and query strings: nothing typed may go there.
    typed = re.compile(r'<(textarea|input[^>]*type="(password|text|email|search)")')
    checked = 0
    for template in TEMPLATES.rglob("*.html"):
        for form in re.findall(r"<form\b.*?</form>", template.read_text(), re.S):
            if typed.search(form):
                checked += 1
                assert re.search(r'method="post"', form), f"{template.name}: {form[:80]}"
    assert checked >= 8
