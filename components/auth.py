"""Logins for the people who edit the premises register, and CSRF protection.

Everyone may read the dashboard; editing the register needs an account (made with
``python -m layers users add``). This module adds to the Flask server:

* ``GET/POST /login``: a plain server-rendered form (bokmål, English with
  ``?lang=en``) with a hidden CSRF token; a successful login rotates the session
  and stores ``user``, ``role`` and the login time in it.
* ``POST /logout`` (CSRF-checked).
* Session rules: signed cookie, HttpOnly, SameSite=Lax, Secure over https; an
  absolute lifetime of ``SESSION_HOURS`` and an idle timeout of ``IDLE_MINUTES``.
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
import secrets
import time
from datetime import timedelta
from urllib.parse import urlsplit

import flask
from flask.sessions import SecureCookieSessionInterface

from components import data
from components.i18n import lang_or_default, t
from layers import users

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
FORM_ROUTES = ("/login", "/logout")
# Static files: no session work, so no "Vary: Cookie" spoils their caching.
STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/", "/_favicon.ico")


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


def _before_request():
    if _static():
        return
    session = flask.session
    now = int(time.time())
    if "user" in session:
        if _expired(session, now):
            # Keep the CSRF token, so that an open page keeps working for reading.
            for key in ("user", "role", "login_at", "seen"):
                session.pop(key, None)
            session["expired"] = True
        elif now - session.get("seen", 0) >= SEEN_RESOLUTION_S:
            session["seen"] = now
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
    """Return the logged-in user of this request as ``{"username", "role"}``, or None."""
    session = flask.session
    if "user" not in session:
        return None
    return {"username": session["user"], "role": session.get("role", "")}


def session_expired():
    """Return True when this session's login ended by timeout (until a new login)."""
    return bool(flask.session.get("expired", False))


def require_editor():
    """Return the logged-in editor (``{"username", "role"}``) or raise :class:`NotEditor`.

    The account is looked up again in the store, so a deleted account or a
    changed role takes effect at once; when the store cannot be read, its
    :class:`~layers.errors.StoreError` is raised as it is.
    """
    user = current_user()
    if user is None or user["role"] not in EDIT_ROLES:
        raise NotEditor("log in as an editor to change the register")
    # A StoreError (the database is down) is not a refusal: the caller says so.
    accounts = {u["username"]: u for u in users.list_users(data.store())}
    account = accounts.get(user["username"])
    if account is None or account["role"] not in EDIT_ROLES:
        raise NotEditor("the account no longer may edit")
    return {"username": account["username"], "role": account["role"]}


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


def _login():
    lang = _lang()
    next_path = safe_next(flask.request.values.get("next"))
    if flask.request.method == "GET":
        return _login_page(lang, next_path=next_path)
    username = flask.request.form.get("username", "")[:MAX_FIELD].strip().lower()
    password = flask.request.form.get("password", "")[:MAX_FIELD]
    try:
        account = users.authenticate(data.store(), username, password)
    except users.LockedError as exc:
        until = _local_time(exc.until)
        error = t("auth_locked", lang, minutes=users.LOCK_MINUTES, until=until)
        return _login_page(
            lang, next_path=next_path, username=username, error=error, status=429
        )
    if account is None or account["role"] not in EDIT_ROLES:
        error = t("auth_failed", lang)
        return _login_page(
            lang, next_path=next_path, username=username, error=error, status=401
        )
    now = int(time.time())
    # Rotate: nothing from before the login survives, not even the CSRF token.
    flask.session.clear()
    flask.session.permanent = True
    flask.session["user"] = account["username"]
    flask.session["role"] = account["role"]
    flask.session["login_at"] = now
    flask.session["seen"] = now
    csrf_token()
    return flask.redirect(_with_lang(next_path, lang))


def _logout():
    lang = _lang()
    next_path = safe_next(flask.request.form.get("next"))
    flask.session.clear()
    csrf_token()
    return flask.redirect(_with_lang(next_path, lang))


def _local_time(stamp):
    """``2026-11-29T18:05:00Z`` -> ``19:05`` (Oslo time)."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    try:
        when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        return when.astimezone(ZoneInfo("Europe/Oslo")).strftime("%H:%M")
    except (ValueError, TypeError, KeyError):
        return str(stamp)
