import hashlib
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from journal.platform.config import Production
from tests.helpers import PASSWORD, csrf_from

COOKIE = Production.SESSION_COOKIE_NAME
NO_MATCH = "That email and password do not match an account. Check them and try again."


def sign_up(client, **fields):
    token = csrf_from(client.get("/sign-up").get_data(as_text=True))
    data = {"email": "new@example.com", "password": "tea on the lawn", "first_name": "Ada",
            "agree": "yes"}
    data.update(fields)
    return client.post("/sign-up", data={**data, "csrf_token": token})


def users(db):
    return list(db.query("SELECT * FROM users ORDER BY id"))


def live_sessions(db, user_id):
    return list(
        db.query("SELECT * FROM sessions WHERE user_id = ? AND ended_at IS NULL", [user_id])
    )


def session_token(app, client):
    """The server-side session token inside the signed session cookie."""
    cookie = client.get_cookie(COOKIE)
    data = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    return data.get("token")


def replay(app, cookie_value):
    """A new browser carrying a copied session cookie."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie_value)
    return thief


def sign_out(client):
    # conftest's auth.sign_out takes its token from "/", which redirects a signed-in patient.
    token = csrf_from(client.get("/timeline").get_data(as_text=True))
    return client.post("/sign-out", data={"csrf_token": token})


def password_input(page):
    return re.search(r'<input id="password"[^>]*>', page).group(0)


def location(response):
    parts = urlsplit(response.headers["Location"])
    return parts.path, parse_qs(parts.query)


# Sign up


def test_sign_up_creates_a_patient_with_an_argon2_hash_and_signs_in(client, db):
    response = sign_up(client, email="New@Example.com ", first_name=" Ada ")

    assert response.status_code == 303
    # Recovery codes come next, as their own step.
    assert response.headers["Location"] == "/account/recovery-codes/keep"
    [user] = users(db)
    assert user["email"] == "new@example.com"
    assert user["first_name"] == "Ada"
    assert user["role"] == "patient"
    assert user["password_hash"].startswith("$argon2id$")
    assert "tea on the lawn" not in user["password_hash"]
    assert len(live_sessions(db, user["id"])) == 1

    step = client.get("/account/recovery-codes/keep").get_data(as_text=True)
    assert "Welcome. Your journal is ready." in step
    home = client.get("/home")
    assert home.status_code == 200
    assert "Hello, Ada" in home.get_data(as_text=True)


def test_sign_up_page_offers_no_choice_of_role(client):
    page = client.get("/sign-up").get_data(as_text=True)
    assert 'name="role"' not in page
    form = page[page.index('<form class="card"'):page.index("</form>")]
    assert "nurse" not in form.lower() and "admin" not in form.lower()


@pytest.mark.parametrize("role", ["nurse", "admin"])
def test_posted_role_is_ignored_and_a_patient_is_created(client, db, role):
    response = sign_up(client, role=role)
    assert response.status_code == 303
    [user] = users(db)
    assert user["role"] == "patient"


@pytest.mark.parametrize(
    ("fields", "field_error"),
    [
        pytest.param(
            {"email": "not-an-email"},
            "Enter an email address like name@example.com.",
            id="bad-email",
        ),
        pytest.param(
            {"password": "short"},
            "Use at least 8 characters. A short sentence works well.",
            id="short-password",
        ),
        pytest.param(
            {"password": "Password1"},
            "That password is too easy to guess. Try a few words together.",
            id="common-password",
        ),
    ],
)
def test_sign_up_errors_keep_what_was_typed(client, db, fields, field_error):
    response = sign_up(client, first_name="Ada", **fields)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error in page
    assert 'aria-invalid="true"' in page
    assert 'value="Ada"' in page
    assert f'value="{fields.get("email", "new@example.com")}"' in page
    assert "value" not in password_input(page)
    assert users(db) == []
    assert client.get_cookie(COOKIE) is None or session_token(client.application, client) is None


@pytest.mark.parametrize("email", ["pat@example.com", "PAT@example.com"])
def test_sign_up_with_a_taken_email_never_says_the_email_has_an_account(client, db, patient,
                                                                        email):
    response = sign_up(client, email=email, first_name="Ada")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "account with this email" not in page and "taken" not in page.lower()
    assert "We could not make an account with these details." in page
    assert 'value="pat@example.com"' in page and 'value="Ada"' in page
    assert [u["first_name"] for u in users(db)] == ["Pat"]
    # The owner hears of it once, when they next sign in.
    assert db.execute("SELECT sign_up_tried_at FROM users").fetchone()[0]


def test_the_owner_is_told_once_that_someone_tried_their_email(client, db, patient, auth):
    sign_up(client, email="pat@example.com")
    auth.sign_in()
    home = client.get("/home").get_data(as_text=True)
    assert "Someone tried to make a new account with your email on" in home
    auth.sign_out()
    auth.sign_in()
    assert "Someone tried" not in client.get("/home").get_data(as_text=True)


# Sign in


def test_sign_in_goes_home_and_records_a_session(app, client, auth, db, patient):
    response = auth.sign_in()

    assert response.status_code == 303
    assert response.headers["Location"] == "/home"
    [row] = live_sessions(db, patient.id)
    token = session_token(app, client)
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(row)  # only the hash is stored
    assert client.get("/home").status_code == 200


def test_sign_in_ignores_case_and_spaces_in_the_email(auth, patient):
    response = auth.sign_in(email="  PAT@Example.com ")
    assert response.status_code == 303
    assert response.headers["Location"] == "/home"


@pytest.mark.parametrize("next_url", ["/timeline", "/entries/3/edit", "/timeline?before=12"])
def test_sign_in_follows_next_to_a_local_page(client, auth, patient, next_url):
    response = client.post(
        "/sign-in",
        data={"email": patient.email, "password": PASSWORD, "next": next_url,
              "csrf_token": auth.token()},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == next_url


def test_sign_in_form_carries_next_from_the_address(client):
    page = client.get("/sign-in?next=/timeline").get_data(as_text=True)
    assert '<input type="hidden" name="next" value="/timeline">' in page


@pytest.mark.parametrize(
    "next_url",
    ["//evil.com", "https://evil.com", "http://evil.com/home", "javascript:alert(1)",
     "evil.com", "\\\\evil.com", "///evil.com"],
)
def test_sign_in_ignores_next_that_leaves_the_site(client, auth, patient, next_url):
    response = client.post(
        "/sign-in",
        data={"email": patient.email, "password": PASSWORD, "next": next_url,
              "csrf_token": auth.token()},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/home"


def test_backslash_next_is_escaped_so_browsers_stay_on_the_site(client, auth, patient):
    # Browsers read "/\evil.com" as "//evil.com"; the Location must not contain it raw.
    response = client.post(
        "/sign-in",
        data={"email": patient.email, "password": PASSWORD, "next": "/\\evil.com",
              "csrf_token": auth.token()},
    )
    assert response.status_code == 303
    assert not response.headers["Location"].startswith(("//", "/\\"))


@pytest.mark.parametrize(
    ("email", "password", "missing"),
    [
        pytest.param("pat@example.com", "", ["Enter your password."], id="no-password"),
        pytest.param("", "", ["Enter your email address.", "Enter your password."], id="neither"),
    ],
)
def test_sign_in_with_a_field_empty_says_what_is_missing_and_counts_no_try(
    client, auth, db, patient, email, password, missing
):
    response = auth.sign_in(email=email, password=password)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert NO_MATCH not in page
    for message in missing:
        assert page.count(message) == 2  # in the error summary and beside its field
    assert "<title>Error: Sign in" in page
    assert 'class="error-summary"' in page
    assert list(db.query("SELECT * FROM sessions")) == []
    # Not a wrong password: no try counted against the account.
    for _ in range(12):
        auth.sign_in(email="pat@example.com", password="")
    assert auth.sign_in(email="pat@example.com", password=PASSWORD).status_code == 303


def test_sign_in_page_does_not_offer_a_foreign_next(client):
    page = client.get("/sign-in?next=//evil.com").get_data(as_text=True)
    assert "evil.com" not in page


@pytest.mark.parametrize(
    ("email", "password"),
    [
        pytest.param("nobody@example.com", PASSWORD, id="unknown-email"),
        pytest.param("pat@example.com", "wrong horse battery", id="wrong-password"),
    ],
)
def test_failed_sign_in_gives_the_same_message_and_keeps_the_email(
    client, auth, db, patient, email, password
):
    response = auth.sign_in(email=email, password=password)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert NO_MATCH in page
    assert f'value="{email}"' in page
    assert "value" not in password_input(page)
    assert PASSWORD not in page
    assert list(db.query("SELECT * FROM sessions")) == []
    assert client.get("/home").status_code == 302


def test_sign_in_with_a_stale_form_keeps_the_email_and_asks_for_the_password(client, db, patient):
    stranger = client.application.test_client()
    foreign_token = csrf_from(stranger.get("/sign-in").get_data(as_text=True))
    client.get("/sign-in")

    response = client.post(
        "/sign-in",
        data={"email": "Pat@Example.com", "password": PASSWORD, "next": "/timeline",
              "csrf_token": foreign_token},
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This page was open for a long time. Please enter your password again." in page
    assert 'value="pat@example.com"' in page
    assert '<input type="hidden" name="next" value="/timeline">' in page
    assert "value" not in password_input(page)
    assert PASSWORD not in page
    assert list(db.query("SELECT * FROM sessions")) == []
    # The fresh form on that page works.
    retry = client.post(
        "/sign-in",
        data={"email": "pat@example.com", "password": PASSWORD, "next": "/timeline",
              "csrf_token": csrf_from(page)},
    )
    assert retry.status_code == 303
    assert retry.headers["Location"] == "/timeline"


def test_signed_in_patient_visiting_sign_in_goes_home(client, signed_in):
    response = client.get("/sign-in")
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"


# Fresh sessions


def test_sign_in_replaces_the_cookie_from_before(app, client, auth, patient):
    auth.token()  # an anonymous visit leaves a session cookie holding a CSRF token
    before = client.get_cookie(COOKIE).value

    auth.sign_in()

    after = client.get_cookie(COOKIE).value
    assert after != before
    # Someone who planted or copied the anonymous cookie is still anonymous.
    planted = replay(app, before)
    response = planted.get("/home")
    assert response.status_code == 302
    assert location(response)[0] == "/sign-in"


def test_each_sign_in_gets_a_new_token_and_an_old_one_does_not_come_back(app, client, auth, db,
                                                                         patient):
    auth.sign_in()
    first_cookie = client.get_cookie(COOKIE).value
    first_token = session_token(app, client)
    sign_out(client)
    auth.sign_in()

    assert session_token(app, client) != first_token
    rows = list(db.query("SELECT * FROM sessions WHERE user_id = ? ORDER BY id", [patient.id]))
    assert len(rows) == 2
    assert rows[0]["ended_at"] is not None and rows[1]["ended_at"] is None
    response = replay(app, first_cookie).get("/home")
    assert response.status_code == 302
    assert location(response)[0] == "/sign-in"


def test_a_second_sign_in_elsewhere_keeps_the_first_device_signed_in(app, client, auth, db,
                                                                     patient):
    auth.sign_in()
    phone = app.test_client()
    token = csrf_from(phone.get("/sign-in").get_data(as_text=True))
    phone.post("/sign-in", data={"email": patient.email, "password": PASSWORD,
                                 "csrf_token": token})
    assert len(live_sessions(db, patient.id)) == 2
    assert client.get("/home").status_code == 200
    assert phone.get("/home").status_code == 200


# Sign out


def test_sign_out_ends_the_session_row_and_a_copied_cookie_stops_working(app, client, auth, db,
                                                                        patient):
    auth.sign_in()
    copied = client.get_cookie(COOKIE).value
    assert replay(app, copied).get("/home").status_code == 200

    response = sign_out(client)

    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    [row] = db.query("SELECT * FROM sessions WHERE user_id = ?", [patient.id])
    assert row["ended_at"] is not None
    assert "You have signed out." in client.get("/").get_data(as_text=True)
    assert client.get("/home").status_code == 302
    replayed = replay(app, copied).get("/home")
    assert replayed.status_code == 302
    assert location(replayed) == ("/sign-in", {"next": ["/home"]})


def test_sign_out_needs_a_csrf_token(client, auth, db, patient):
    auth.sign_in()
    response = client.post("/sign-out")
    assert response.status_code == 400
    assert live_sessions(db, patient.id) != []
    assert client.get("/home").status_code == 200


def test_sign_out_is_not_a_link(client):
    assert client.get("/sign-out").status_code == 405


# Anonymous visitors


@pytest.mark.parametrize("path", ["/home", "/timeline", "/entries/1/edit", "/timeline?before=5"])
def test_anonymous_visitor_is_sent_to_sign_in_and_back(client, db, path):
    response = client.get(path)

    assert response.status_code == 302
    assert location(response) == ("/sign-in", {"next": [path]})


@pytest.mark.parametrize(
    ("current_url", "next_path"),
    [
        pytest.param("http://localhost/timeline", "/timeline", id="from-timeline"),
        pytest.param(None, "/home", id="no-current-url"),
        pytest.param("https://evil.com//evil.com", None, id="foreign-current-url"),
    ],
)
def test_anonymous_htmx_request_gets_401_with_hx_redirect_to_sign_in(client, current_url,
                                                                      next_path):
    headers = {"HX-Request": "true"}
    if current_url:
        headers["HX-Current-URL"] = current_url

    response = client.get("/timeline?before=9", headers=headers)

    assert response.status_code == 401
    assert "<html" not in response.get_data(as_text=True)
    parts = urlsplit(response.headers["HX-Redirect"])
    assert parts.path == "/sign-in"
    assert parse_qs(parts.query) == ({"next": [next_path]} if next_path else {})


# Roles


def test_nurse_cannot_open_patient_home(client, auth, nurse):
    auth.sign_in(email=nurse.email)
    response = client.get("/home")
    assert response.status_code == 403
    assert "This page is not available to you" in response.get_data(as_text=True)


def test_nurse_sign_in_lands_on_a_page_they_can_open(client, auth, nurse):
    response = auth.sign_in(email=nurse.email)
    assert response.status_code == 303
    assert client.get(response.headers["Location"]).status_code == 200
