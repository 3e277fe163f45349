"""Logins, sessions and CSRF protection (components/auth.py), through Flask's client."""

import contextlib
import re
import sqlite3
import time

import pytest

from components import auth
from layers import sessions, users
from layers.store import open_store
from tests.register_support import (
    EDITOR,
    callback_payload,
    dash_post,
    login,
    store_with_users,
)

WRONG = "Feil brukernavn eller passord."


@pytest.fixture
def reg_store(default_store, tmp_path):
    """A copy of the default store with two editors."""
    return store_with_users(default_store, tmp_path / "store")


@pytest.fixture
def client(dash_app, reg_store, monkeypatch):
    """Test client of the app, pointed at the copy with users."""
    monkeypatch.setitem(dash_app.server.config, "NARING_STORE", str(reg_store))
    return dash_app.server.test_client()


def page_payload(client):
    """The router's callback (read-only), as the renderer would send it."""
    deps = client.get("/_dash-dependencies").get_json()
    return callback_payload(
        deps,
        "page-content.children",
        {"page-url.pathname": "/lokaler/register", "page-url.search": ""},
        ["page-url.pathname"],
    )


def cookie_header(response, name):
    """The Set-Cookie header of ``response`` for cookie ``name``."""
    return next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")
    )


def test_login_form_has_csrf_field(client):
    """GET /login is a plain form with a hidden CSRF token, in bokmål by default."""
    page = client.get("/login").get_data(as_text=True)
    assert 'name="_csrf_token"' in page
    assert "Brukernavn" in page and "Passord" in page
    assert 'lang="nb"' in page


def test_login_form_in_english(client):
    """?lang=en gives the English form."""
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert "User name" in page and 'lang="en"' in page


def test_login_success_rotates_session(client):
    """A good login redirects to next, sets user and role, and renews the CSRF token."""
    client.get("/")
    before = client.get_cookie("_csrf_token").value
    response = login(client, *EDITOR)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/lokaler/register")
    with client.session_transaction() as session:
        assert session["user"] == "kari" and session["role"] == "editor"
        assert session.permanent
        assert session["csrf"] != before
    assert client.get_cookie("_csrf_token").value == session["csrf"]


def test_session_cookie_flags(client):
    """The session cookie is HttpOnly and SameSite=Lax; the CSRF cookie readable, Strict."""
    response = login(client, *EDITOR)
    session_cookie = cookie_header(response, "session")
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "Secure" not in session_cookie
    csrf_cookie = cookie_header(response, "_csrf_token")
    assert "HttpOnly" not in csrf_cookie and "SameSite=Strict" in csrf_cookie


def test_cookies_secure_over_https(client):
    """Over https both cookies are Secure."""
    response = client.get("/login", base_url="https://localhost")
    assert "Secure" in cookie_header(response, "session")
    assert "Secure" in cookie_header(response, "_csrf_token")


@pytest.mark.parametrize(
    "username, password",
    [("kari", "not-the-password"), ("nobody", "kari-passord-2026")],
)
def test_login_failure_is_generic(client, username, password):
    """Wrong password and unknown user get the same message, and no session."""
    response = login(client, username, password)
    assert response.status_code == 401
    assert WRONG in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "user" not in session


def _age_failures(store, seconds):
    """Move every recorded failure ``seconds`` into the past."""
    with contextlib.closing(sqlite3.connect(store)) as con:
        con.execute("UPDATE login_throttle SET last_at = last_at - ?", (seconds,))
        con.commit()


def test_failures_slow_down_without_locking(client, reg_store):
    """After five free failures the next attempt must wait; after the wait it works."""
    for _ in range(6):
        assert login(client, "kari", "wrong-password").status_code == 401
    response = login(client, *EDITOR)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert "Vent" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "user" not in session
    _age_failures(reg_store, sessions.THROTTLE["account"]["cap"] + 1)
    assert login(client, *EDITOR).status_code == 302


def test_stranger_cannot_lock_an_editor_out_for_long(client, reg_store):
    """However many failures a stranger causes, the account's wait is at most the cap."""
    for _ in range(40):
        login(client, "kari", "wrong-password")
        _age_failures(reg_store, 3600)  # the attacker always waits its turn
    store = open_store(reg_store)
    with contextlib.closing(sqlite3.connect(reg_store)) as con:
        failures, last_at = con.execute(
            "SELECT failures, last_at FROM login_throttle WHERE key = 'account:kari'"
        ).fetchone()
    assert failures == 40
    wait = sessions.login_wait(store, [("account:kari", "account")], now=last_at)
    assert 0 < wait <= sessions.THROTTLE["account"]["cap"]


def test_unknown_and_known_accounts_answer_alike(client, reg_store):
    """A wrong password and an unknown user get the same status and page."""
    first = login(client, "kari", "wrong-password")
    second = login(client, "nobody-here", "wrong-password")
    assert first.status_code == second.status_code == 401
    a = first.get_data(as_text=True).replace("kari", "X")
    b = second.get_data(as_text=True).replace("nobody-here", "X")
    strip = re.compile(r'value="[^"]{20,}"')
    assert strip.sub("", a) == strip.sub("", b)


def test_unknown_account_is_hashed_too(client, monkeypatch):
    """An unknown user name costs one password hash check, like a known one."""
    calls = []
    real = users.check_password_hash

    def counting(hashed, password):
        calls.append(hashed)
        return real(hashed, password)

    monkeypatch.setattr(users, "check_password_hash", counting)
    login(client, "nobody-here", "wrong-password")
    login(client, "kari", "wrong-password")
    assert len(calls) == 2 and calls[0] != calls[1]


def test_address_throttle_covers_many_accounts(client, reg_store):
    """Guessing across many user names from one address is slowed down too."""
    free = sessions.THROTTLE["address"]["free"]
    for k in range(free + 1):
        assert login(client, f"guess{k:03d}", "wrong-password").status_code == 401
    assert login(client, "ola", "ola-passord-2026").status_code == 429


def test_login_post_without_csrf_is_403(client):
    """A login POST without (or with a wrong) token is refused before the password."""
    client.get("/login")
    data = {"username": "kari", "password": EDITOR[1], "next": "/"}
    assert client.post("/login", data=data).status_code == 403
    bad = {**data, "_csrf_token": "forged"}
    assert client.post("/login", data=bad).status_code == 403
    with client.session_transaction() as session:
        assert "user" not in session


@pytest.mark.parametrize(
    "value, expected",
    [
        ("/lokaler?id=demo-001", "/lokaler?id=demo-001"),
        ("https://evil.example/", auth.DEFAULT_NEXT),
        ("//evil.example/x", auth.DEFAULT_NEXT),
        ("/\\evil.example", auth.DEFAULT_NEXT),
        ("javascript:alert(1)", auth.DEFAULT_NEXT),
        ("", auth.DEFAULT_NEXT),
    ],
)
def test_safe_next(value, expected):
    """Only local paths are followed after a login."""
    assert auth.safe_next(value) == expected


def test_login_ignores_offsite_next(client):
    """next=https://… sends the user to the register page instead."""
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="_csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/login",
        data={
            "username": EDITOR[0],
            "password": EDITOR[1],
            "_csrf_token": token,
            "next": "https://evil.example/",
        },
    )
    assert response.headers["Location"] == "/lokaler/register"


def test_logout_needs_post_and_csrf(client):
    """GET /logout does nothing, POST without token is 403, with it the login ends."""
    login(client, *EDITOR)
    client.get("/logout")
    assert client.post("/logout").status_code == 403
    with client.session_transaction() as session:
        assert session["user"] == "kari"
    with client.session_transaction() as session:
        token = session["csrf"]
    response = client.post("/logout", data={"_csrf_token": token})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "user" not in session


def test_callback_without_csrf_header_is_403(client):
    """A callback POST without the header, or with a wrong one, gets 403."""
    payload = page_payload(client)
    assert dash_post(client, payload, headers={}).status_code == 403
    wrong = {"X-CSRFToken": "forged"}
    assert dash_post(client, payload, headers=wrong).status_code == 403


def test_callback_needs_the_cookie_too(client):
    """The header alone (cookie missing) is not enough."""
    payload = page_payload(client)
    token = client.get_cookie("_csrf_token").value
    client.delete_cookie("_csrf_token")
    response = dash_post(client, payload, headers={"X-CSRFToken": token})
    assert response.status_code == 403


def test_callback_from_another_session_is_403(dash_app, client):
    """A token of one session does not work in another."""
    other = dash_app.server.test_client()
    other.get("/")
    stolen = other.get_cookie("_csrf_token").value
    payload = page_payload(client)
    assert dash_post(client, payload, headers={"X-CSRFToken": stolen}).status_code == (
        403
    )


def test_read_only_callback_works_with_header(client):
    """With the cookie sent back as the header, as the renderer does, callbacks run."""
    response = dash_post(client, page_payload(client))
    assert response.status_code == 200
    assert "Lokaleregister" in response.get_data(as_text=True)


def test_idle_session_expires(client):
    """After IDLE_MINUTES without requests the login is gone."""
    login(client, *EDITOR)
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - auth.IDLE_MINUTES * 60 - 5
    client.get("/")
    with client.session_transaction() as session:
        assert "user" not in session and session["csrf"]


def test_session_expires_after_lifetime(client):
    """A login older than SESSION_HOURS ends even when the user stayed active."""
    login(client, *EDITOR)
    with client.session_transaction() as session:
        session["login_at"] = int(time.time()) - auth.SESSION_HOURS * 3600 - 5
    client.get("/")
    with client.session_transaction() as session:
        assert "user" not in session


def test_activity_keeps_session(client):
    """A request refreshes the idle clock."""
    login(client, *EDITOR)
    old = int(time.time()) - 30 * 60
    with client.session_transaction() as session:
        session["seen"] = old
    client.get("/")
    with client.session_transaction() as session:
        assert session["user"] == "kari" and session["seen"] > old


def test_login_page_escapes_username(client):
    """What was typed is shown back escaped."""
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="_csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/login",
        data={
            "username": '"><script>x</script>',
            "password": "p",
            "_csrf_token": token,
        },
    )
    text = response.get_data(as_text=True)
    assert "<script>x</script>" not in text and "&lt;script&gt;" in text


def test_static_files_carry_no_cookies(client):
    """Assets are served without session work (no Set-Cookie, no Vary: Cookie)."""
    response = client.get("/assets/register.css")
    assert response.status_code == 200
    assert not response.headers.getlist("Set-Cookie")
    assert "Cookie" not in response.headers.get("Vary", "")


def _copy_of(dash_app, client):
    """A second client holding a copy of ``client``'s cookies (a stolen cookie)."""
    other = dash_app.server.test_client()
    for name in ("session", "_csrf_token"):
        cookie = client.get_cookie(name)
        other.set_cookie(name, cookie.value)
    return other


def _logged_in(client):
    client.get("/")
    with client.session_transaction() as session:
        return session.get("user")


def test_logout_ends_every_copy_of_the_session(dash_app, client):
    """After logout, a copy of the cookie taken before it is logged out too."""
    login(client, *EDITOR)
    copy = _copy_of(dash_app, client)
    assert _logged_in(copy) == "kari"
    with client.session_transaction() as session:
        token = session["csrf"]
    assert client.post("/logout", data={"_csrf_token": token}).status_code == 302
    assert _logged_in(copy) is None


def test_new_password_ends_sessions(dash_app, client, reg_store):
    """A password change (CLI `users passwd`) ends every session of the user."""
    login(client, *EDITOR)
    assert _logged_in(client) == "kari"
    sessions.change_password(open_store(reg_store), "kari", "a-new-password-2026")
    assert _logged_in(client) is None


def test_password_change_alone_ends_sessions(client, reg_store):
    """Even a bare set_password makes old sessions invalid (the hash changed)."""
    login(client, *EDITOR)
    users.set_password(open_store(reg_store), "kari", "a-new-password-2026")
    assert _logged_in(client) is None


def test_logout_everywhere(dash_app, client, reg_store):
    """`users logout-all NAME` ends that user's sessions, not other users'."""
    login(client, *EDITOR)
    other = dash_app.server.test_client()
    login(other, "ola", "ola-passord-2026")
    assert sessions.end_sessions(open_store(reg_store), "kari") == 1
    assert _logged_in(client) is None
    assert _logged_in(other) == "ola"


def test_deleted_account_is_logged_out(client, reg_store):
    """Deleting an account ends its login at the next request."""
    login(client, *EDITOR)
    users.delete_user(open_store(reg_store), "kari")
    assert _logged_in(client) is None


def test_forged_session_without_record_is_nobody(client):
    """A signed cookie naming a user but no recorded session logs nobody in."""
    client.get("/")
    now = int(time.time())
    with client.session_transaction() as session:
        session.update(user="kari", role="editor", login_at=now, seen=now, sid="x")
    assert _logged_in(client) is None


ADMIN = ("anne.admin", "anne-passord-2026")


def _form_token(client, path):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)


def test_admin_logs_an_editor_out_everywhere(dash_app, client, reg_store):
    """An admin's "log out everywhere" ends the editor's sessions, not the admin's."""
    users.add_user(open_store(reg_store), *ADMIN, "admin")
    editor = dash_app.server.test_client()
    login(editor, *EDITOR)
    login(client, *ADMIN)
    page = client.get(auth.ADMIN_PATH)
    assert page.status_code == 200 and "Logg ut overalt" in page.get_data(True)
    token = _form_token(client, auth.ADMIN_PATH)
    response = client.post(
        auth.LOGOUT_ALL_PATH, data={"_csrf_token": token, "username": "kari"}
    )
    assert response.status_code == 302 and "done=kari" in response.headers["Location"]
    assert _logged_in(editor) is None
    assert _logged_in(client) == "anne.admin"


def test_admin_page_is_for_admins_only(client):
    """Readers are sent to the login; editors get 403; a forged POST is 403."""
    response = client.get(auth.ADMIN_PATH)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(client, *EDITOR)
    assert client.get(auth.ADMIN_PATH).status_code == 403
    assert client.post(auth.LOGOUT_ALL_PATH, data={"username": "ola"}).status_code == (
        403
    )
    with client.session_transaction() as session:
        token = session["csrf"]
    response = client.post(
        auth.LOGOUT_ALL_PATH, data={"_csrf_token": token, "username": "ola"}
    )
    assert response.status_code == 403
