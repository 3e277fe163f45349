"""Logins for the people who edit the premises register, and CSRF protection.

Everyone may read the dashboard; editing the register needs an account (made with
``python -m layers users add``). This module adds to the Flask server:

* ``GET/POST /login``: a plain server-rendered form (bokmål, English with
  ``?lang=en``) with a hidden CSRF token; a successful login rotates the session,
  records a server-side session (``layers.sessions.start_session``) and stores its id,
  ``user``, ``role`` and the login time in the cookie.
* ``POST /logout`` (CSRF-checked): ends the server-side session, so every copy of
  the cookie stops working; so do a password change and ``users logout-all``.
* Failed logins are throttled per account and per client address with a doubling
  wait (``layers.sessions.THROTTLE``), never a lock a stranger can impose for long;
  unknown and known accounts get the same answer after the same work.
* Session rules: signed cookie, HttpOnly, SameSite=Lax, Secure over https; an
  absolute lifetime of ``SESSION_HOURS`` and an idle timeout of ``IDLE_MINUTES``;
  every request with a login checks the server-side session.
* CSRF for every state-changing request: the session holds a token, and the same
  token is set in the readable cookie ``_csrf_token`` that the Dash renderer sends
  back in the ``X-CSRFToken`` header of each callback. A POST whose header (or,
  for the plain forms, the ``_csrf_token`` field) does not match the cookie and
  the session gets 403.

Callbacks that write call :func:`require_editor` themselves: the check runs on
the server for every request, whatever the page showed.
"""

from __future__ import annotations

import hmac
import math
import secrets
import sqlite3
import time
from datetime import timedelta
from urllib.parse import urlsplit

import flask
from flask.sessions import SecureCookieSessionInterface

from components import data
from components.i18n import lang_or_default, t
from layers import sessions, users
from layers.errors import InputError, StoreError

SESSION_HOURS = 8
IDLE_MINUTES = 60
# Refresh the idle clock at most this often, so most responses set no cookie.
SEEN_RESOLUTION_S = 60
CSRF_COOKIE = "_csrf_token"
CSRF_HEADER = "X-CSRFToken"
CSRF_FIELD = "_csrf_token"
EDIT_ROLES = ("editor", "admin")
DEFAULT_NEXT = "/lokaler/register"
MAX_FIELD = 1024
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
# Plain HTML forms post the token as a field; everything else as a header.
ADMIN_PATH = "/admin/sessions"
LOGOUT_ALL_PATH = "/admin/logout-all"
FORM_ROUTES = ("/login", "/logout", LOGOUT_ALL_PATH)
# Static files: no session work, so no "Vary: Cookie" spoils their caching.
STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/", "/_favicon.ico")
# What a broken or read-only store raises while the app runs.
STORE_FAULTS = (StoreError, sqlite3.Error, OSError)
LOGIN_KEYS = ("user", "role", "login_at", "seen", "sid")


class NotEditor(PermissionError):
    """The request does not come from a logged-in editor."""


class _Sessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, Secure whenever the request came over https."""

    def get_cookie_secure(self, app):
        secure = super().get_cookie_secure(app)
        return bool(secure or (flask.has_request_context() and flask.request.is_secure))


def register(app):
    """Add login, logout, session rules and CSRF checks to ``app`` (a Dash app)."""
    server = app.server
    server.config.update(
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # The idle clock changes the session when it moves; no other refresh.
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    server.session_interface = _Sessions()
    server.extensions["naring_dash"] = app
    server.before_request(_before_request)
    server.after_request(_after_request)
    server.add_url_rule("/login", "login", _login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", _logout, methods=["POST"])
    server.add_url_rule(ADMIN_PATH, "admin_sessions", _admin_sessions)
    server.add_url_rule(
        LOGOUT_ALL_PATH, "admin_logout_all", _admin_logout_all, methods=["POST"]
    )


# --------------------------------------------------------------------------
# Session and CSRF.
# --------------------------------------------------------------------------


def csrf_token():
    """Return the CSRF token of the current session, creating one if needed."""
    token = flask.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        flask.session["csrf"] = token
    return token


def _same(a, b):
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def csrf_ok(request, session):
    """Return True when an unsafe request carries the session's CSRF token.

    Dash callbacks (and any other script) must send the ``X-CSRFToken`` header
    equal to the ``_csrf_token`` cookie and to the token in the session; the
    plain forms of ``FORM_ROUTES`` send it as the ``_csrf_token`` field.
    """
    expected = session.get("csrf")
    if request.path in FORM_ROUTES:
        return _same(request.form.get(CSRF_FIELD), expected)
    header = request.headers.get(CSRF_HEADER)
    cookie = request.cookies.get(CSRF_COOKIE)
    return _same(header, expected) and _same(cookie, expected)


def _expired(session, now):
    login_at = session.get("login_at", 0)
    seen = session.get("seen", 0)
    return now - login_at > SESSION_HOURS * 3600 or now - seen > IDLE_MINUTES * 60


def _static():
    request = flask.request
    return request.method in SAFE_METHODS and request.path.startswith(STATIC_PREFIXES)


def _end_login(session):
    # Keep the CSRF token, so that an open page keeps working for reading.
    for key in LOGIN_KEYS:
        session.pop(key, None)
    session["expired"] = True


def _check_login(session, now):
    """Put this request's account (or None) on ``flask.g``; end dead logins."""
    flask.g.naring_account = None
    if "user" not in session:
        return
    if _expired(session, now):
        _end_login(session)
        return
    try:
        account = sessions.session_account(data.store(), session.get("sid"))
    except STORE_FAULTS as exc:
        # The store cannot say: nobody is logged in for this request, but the
        # login is kept for when the store is back (and editors are told why).
        flask.g.naring_store_fault = exc
        return
    if account is None or account["username"] != session["user"]:
        _end_login(session)
        return
    flask.g.naring_account = account
    if now - session.get("seen", 0) >= SEEN_RESOLUTION_S:
        session["seen"] = now


def _before_request():
    if _static():
        return
    session = flask.session
    now = int(time.time())
    _check_login(session, now)
    if flask.request.method not in SAFE_METHODS:
        if not csrf_ok(flask.request, session):
            flask.abort(403)
    else:
        csrf_token()


def _after_request(response):
    if _static():
        return response
    token = flask.session.get("csrf")
    if token and flask.request.cookies.get(CSRF_COOKIE) != token:
        # Readable by the Dash renderer, which copies it into X-CSRFToken.
        response.set_cookie(
            CSRF_COOKIE,
            token,
            path="/",
            httponly=False,
            samesite="Strict",
            secure=flask.request.is_secure,
        )
    return response


def current_user():
    """Return the logged-in user of this request as ``{"username", "role"}``, or None.

    The login was checked against its server-side session at the start of the
    request: an ended session (logout elsewhere, new password, deleted account)
    is nobody.
    """
    if not flask.has_request_context():
        return None
    if "naring_account" not in flask.g:
        _check_login(flask.session, int(time.time()))
    account = flask.g.naring_account
    if account is None:
        return None
    return {"username": account["username"], "role": account["role"]}


def session_expired():
    """Return True when this session's login ended by timeout (until a new login)."""
    return bool(flask.session.get("expired", False))


def require_editor():
    """Return the logged-in editor (``{"username", "role"}``) or raise :class:`NotEditor`.

    The account comes from the store with this request's session check, so a
    deleted account, a changed role or an ended session takes effect at once.
    When the store could not be read for that check, its
    :class:`~layers.errors.StoreError` is raised as it is: the database being down
    is not a refusal, and the caller says so.
    """
    user = current_user()
    fault = flask.g.get("naring_store_fault") if flask.has_request_context() else None
    if user is None and fault is not None:
        if isinstance(fault, StoreError):
            raise fault
        raise StoreError(
            code="store.unavailable", params={"store": "", "reason": str(fault)}
        )
    if user is None or user["role"] not in EDIT_ROLES:
        raise NotEditor("log in as an editor to change the register")
    return user


def safe_next(value):
    """Return ``value`` if it is a local path (``/…``), else the register page."""
    text = str(value or "")
    if (
        not text.startswith("/")
        or text.startswith(("//", "/\\"))
        or any(c in text for c in "\\\r\n\t")
        or any(ord(c) < 32 for c in text)
    ):
        return DEFAULT_NEXT
    parts = urlsplit(text)
    if parts.scheme or parts.netloc:
        return DEFAULT_NEXT
    return text


# --------------------------------------------------------------------------
# The login and logout routes.
# --------------------------------------------------------------------------

_PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} – {{ app_title }}</title>
<link rel="stylesheet" href="{{ css_app }}">
<link rel="stylesheet" href="{{ css_register }}">
</head>
<body class="auth-body">
<header class="page-header"><div class="header-bar">
<p class="app-title"><a class="auth-home" href="/">{{ app_title }}</a></p>
<nav class="lang-switch" aria-label="{{ lang_label }}">
<a class="lang-link{% if lang == 'nb' %} active{% endif %}" lang="nb"
 href="{{ url_nb }}">Norsk</a>
<a class="lang-link{% if lang == 'en' %} active{% endif %}" lang="en"
 href="{{ url_en }}">English</a>
</nav></div></header>
<main class="auth-page">
<form id="auth-form" class="auth-form" method="post" action="{{ action }}">
<h1>{{ title }}</h1>
<p class="muted">{{ intro }}</p>
{% if error %}<p id="auth-error" class="auth-error" role="alert">{{ error }}</p>{% endif %}
<input type="hidden" name="_csrf_token" value="{{ csrf }}">
<input type="hidden" name="next" value="{{ next }}">
<label for="auth-username">{{ user_label }}</label>
<input id="auth-username" name="username" type="text" autocomplete="username"
 autocapitalize="none" spellcheck="false" required maxlength="40"
 value="{{ username }}"{% if error %} aria-invalid="true"
 aria-describedby="auth-error"{% endif %}>
<label for="auth-password">{{ password_label }}</label>
<input id="auth-password" name="password" type="password"
 autocomplete="current-password" required maxlength="1024"
 {% if error %} aria-invalid="true" aria-describedby="auth-error"{% endif %}>
<button id="auth-submit" class="btn btn-primary" type="submit">{{ submit }}</button>
<p><a href="{{ back }}">{{ back_label }}</a></p>
</form>
</main>
</body>
</html>
"""


def _lang():
    return lang_or_default(flask.request.values.get("lang"))


def _with_lang(path, lang):
    if lang == "nb":
        return path
    return path + ("&" if "?" in path else "?") + "lang=" + lang


def _login_page(lang, *, next_path, username="", error="", status=200):
    app = flask.current_app
    dash_app = app.extensions.get("naring_dash")
    asset = dash_app.get_asset_url if dash_app else (lambda p: "/assets/" + p)
    query = {"next": next_path}
    html = flask.render_template_string(
        _PAGE,
        lang=lang,
        title=t("auth_title", lang),
        app_title=t("app_title", lang),
        intro=t("auth_intro", lang),
        lang_label=t("lang_label", lang),
        css_app=asset("app.css"),
        css_register=asset("register.css"),
        url_nb=flask.url_for("login", **query),
        url_en=flask.url_for("login", lang="en", **query),
        action=flask.url_for("login", **({"lang": "en"} if lang == "en" else {})),
        csrf=csrf_token(),
        next=next_path,
        username=username,
        error=error,
        user_label=t("auth_username", lang),
        password_label=t("auth_password", lang),
        submit=t("auth_submit", lang),
        back=_with_lang(next_path, lang),
        back_label=t("auth_back", lang),
    )
    response = flask.make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _client_address():
    # With ProxyFix on (settings), this is the address the proxy saw.
    return str(flask.request.remote_addr or "unknown")[:64]


def throttle_keys(username):
    """The throttle keys of a login attempt: the typed account and the address."""
    return [
        ("account:" + username[:64], "account"),
        ("address:" + _client_address(), "address"),
    ]


def _throttled(lang, next_path, username, wait):
    seconds = max(1, math.ceil(wait))
    error = t("auth_throttled", lang, seconds=seconds)
    response = _login_page(
        lang, next_path=next_path, username=username, error=error, status=429
    )
    response.headers["Retry-After"] = str(seconds)
    return response


def _store_down(lang, next_path, username):
    error = t("auth_store_fault", lang)
    return _login_page(
        lang, next_path=next_path, username=username, error=error, status=503
    )


def _login():
    lang = _lang()
    next_path = safe_next(flask.request.values.get("next"))
    if flask.request.method == "GET":
        return _login_page(lang, next_path=next_path)
    username = flask.request.form.get("username", "")[:MAX_FIELD].strip().lower()
    password = flask.request.form.get("password", "")[:MAX_FIELD]
    keys = throttle_keys(username)
    store = data.store()
    try:
        wait = sessions.login_wait(store, keys)
        if wait > 0:
            return _throttled(lang, next_path, username, wait)
        account = users.verify_password(store, username, password)
        if account is None or account["role"] not in EDIT_ROLES:
            # Unknown and known accounts: the same hash work, write and answer.
            sessions.note_login_failure(store, keys)
            error = t("auth_failed", lang)
            return _login_page(
                lang, next_path=next_path, username=username, error=error, status=401
            )
        sid = secrets.token_urlsafe(32)
        sessions.start_session(
            store, account["username"], sid, lifetime_s=SESSION_HOURS * 3600
        )
        sessions.clear_login_failures(store, keys[:1])
    except InputError:
        # The account was deleted between the check and the session.
        error = t("auth_failed", lang)
        return _login_page(
            lang, next_path=next_path, username=username, error=error, status=401
        )
    except STORE_FAULTS:
        return _store_down(lang, next_path, username)
    now = int(time.time())
    # Rotate: nothing from before the login survives, not even the CSRF token.
    flask.session.clear()
    flask.session.permanent = True
    flask.session["user"] = account["username"]
    flask.session["role"] = account["role"]
    flask.session["sid"] = sid
    flask.session["login_at"] = now
    flask.session["seen"] = now
    csrf_token()
    return flask.redirect(_with_lang(next_path, lang))


def _logout():
    lang = _lang()
    next_path = safe_next(flask.request.form.get("next"))
    sid = flask.session.get("sid")
    flask.session.clear()
    csrf_token()
    try:
        sessions.end_session(data.store(), sid)
    except STORE_FAULTS:
        # The cookie is gone here, but copies elsewhere could not be ended: say so.
        page = _message_page(
            lang, t("auth_title", lang), t("auth_logout_store_fault", lang)
        )
        return page, 503
    return flask.redirect(_with_lang(next_path, lang))


_MESSAGE_PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<link rel="stylesheet" href="{{ css_app }}"></head>
<body class="auth-body"><main class="auth-page">
<h1>{{ title }}</h1><p role="alert">{{ message }}</p>
<p><a href="{{ home }}">{{ home_label }}</a></p>
</main></body></html>
"""


def _message_page(lang, title, message):
    """A plain page with one message (for POSTs that cannot end in a redirect)."""
    app = flask.current_app
    dash_app = app.extensions.get("naring_dash")
    asset = dash_app.get_asset_url if dash_app else (lambda p: "/assets/" + p)
    response = flask.make_response(
        flask.render_template_string(
            _MESSAGE_PAGE,
            lang=lang,
            title=title,
            message=message,
            css_app=asset("app.css"),
            home=_with_lang("/", lang),
            home_label=t("app_title", lang),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# --------------------------------------------------------------------------
# Administrators: log an account out everywhere.
# --------------------------------------------------------------------------

_ADMIN_PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} – {{ app_title }}</title>
<link rel="stylesheet" href="{{ css_app }}">
<link rel="stylesheet" href="{{ css_register }}"></head>
<body class="auth-body">
<header class="page-header"><div class="header-bar">
<p class="app-title"><a class="auth-home" href="{{ home }}">{{ app_title }}</a></p>
</div></header>
<main class="auth-page"><section class="auth-form">
<h1>{{ title }}</h1>
<p class="muted">{{ intro }}</p>
{% if done %}<p id="admin-done" role="status">{{ done }}</p>{% endif %}
<table class="admin-sessions"><tbody>
{% for user in accounts %}<tr><td>{{ user.username }}</td><td>{{ user.role }}</td><td>
<form method="post" action="{{ action }}">
<input type="hidden" name="_csrf_token" value="{{ csrf }}">
<input type="hidden" name="username" value="{{ user.username }}">
<button class="btn" type="submit">{{ button }}</button>
</form></td></tr>
{% endfor %}</tbody></table>
<p><a href="{{ back }}">{{ back_label }}</a></p>
</section></main></body></html>
"""


def _require_admin(lang):
    """The logged-in admin, or a response to return (login page or 403)."""
    user = current_user()
    if user is None:
        return None, flask.redirect(
            flask.url_for("login", next=ADMIN_PATH, **_lang_arg(lang))
        )
    if user["role"] != "admin":
        page = _message_page(lang, t("admin_title", lang), t("admin_only", lang))
        return None, (page, 403)
    return user, None


def _lang_arg(lang):
    return {"lang": lang} if lang != "nb" else {}


def _admin_sessions():
    lang = _lang()
    _user, refusal = _require_admin(lang)
    if refusal is not None:
        return refusal
    accounts = users.list_users(data.store())
    done = flask.request.args.get("done", "")
    known = {a["username"] for a in accounts}
    app = flask.current_app
    dash_app = app.extensions.get("naring_dash")
    asset = dash_app.get_asset_url if dash_app else (lambda p: "/assets/" + p)
    html = flask.render_template_string(
        _ADMIN_PAGE,
        lang=lang,
        title=t("admin_title", lang),
        app_title=t("app_title", lang),
        intro=t("admin_intro", lang),
        done=t("admin_done", lang, user=done) if done in known else "",
        accounts=accounts,
        action=flask.url_for("admin_logout_all", **_lang_arg(lang)),
        csrf=csrf_token(),
        button=t("admin_logout_all", lang),
        css_app=asset("app.css"),
        css_register=asset("register.css"),
        home=_with_lang("/", lang),
        back=_with_lang(DEFAULT_NEXT, lang),
        back_label=t("admin_back", lang),
    )
    response = flask.make_response(html)
    response.headers["Cache-Control"] = "no-store"
    return response


def _admin_logout_all():
    lang = _lang()
    admin, refusal = _require_admin(lang)
    if refusal is not None:
        return refusal
    username = flask.request.form.get("username", "")[:64]
    try:
        sessions.end_sessions(data.store(), username)
    except InputError:
        flask.abort(404)
    if username == admin["username"]:
        # Their own sessions too, this one included.
        flask.session.clear()
        csrf_token()
        return flask.redirect(flask.url_for("login", **_lang_arg(lang)))
    return flask.redirect(
        flask.url_for("admin_sessions", done=username, **_lang_arg(lang))
    )
