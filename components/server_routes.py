"""Plain Flask beside the Dash app: /health, export links, limits, headers, faults.

* ``/health``: the store's state; the store's path only for logged-in users.
* ``/export/<kind>``: a meeting-pack file (``html``, ``pdf``, ``xlsx``) by link,
  cached and bounded like the buttons (:mod:`components.export_guard`); busy is
  503 with ``Retry-After``.
* Request size limits: small by default (``FORM_MAX_BYTES``); Dash callbacks of
  readers up to ``CALLBACK_MAX_BYTES``; callbacks of logged-in editors up to the
  register's upload limit (an upload travels inside a callback, base64-encoded).
* Headers on every response: a Content-Security-Policy (scripts only from this
  server plus the hashes of Dash's inline scripts), ``frame-ancestors 'none'``
  and ``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy``; HSTS over https. ``PROXY_FIX`` trusts that many proxies'
  ``X-Forwarded-*`` headers, so https behind a proxy gives Secure cookies.
* Faults: unknown component-suite paths are 404; a store that fails while the
  app runs is a clear 503 page for plain requests and a message on the page for
  callbacks (:func:`callback_error`), never a bare 500.
"""

from __future__ import annotations

import errno
import sqlite3

import flask
from dash import set_props
from dash.exceptions import DependencyException
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from components import data, export_guard
from components.i18n import lang_or_default, t
from layers.errors import StoreError
from layers.register import staging

FORM_MAX_BYTES = 64 * 1024
# The largest legitimate callback body of a reader, measured in the browser test
# of every page (tests/test_browser_csp.py), is about 5 KB: 1 MB leaves room.
CALLBACK_MAX_BYTES = 1024 * 1024
CALLBACK_PATH = "/_dash-update-component"
EXPORT_KINDS = ("html", "pdf", "xlsx")
ALERT_ID = "page-alert"
# Online basemap tiles (components/figures.py TILES): allowed only when
# ONLINE_BASEMAPS is on.
TILE_ORIGINS = ("https://cache.kartverket.no", "https://tile.openstreetmap.org")
HSTS = "max-age=31536000"


def register(app):
    """Add routes, limits, headers and fault handling to ``app`` (a Dash app).

    Call after :func:`components.auth.register`: the callback size limit depends
    on the login its hook has checked.
    """
    server = app.server
    config = server.config
    proxies = int(config.get("PROXY_FIX", 0) or 0)
    if proxies > 0:
        server.wsgi_app = ProxyFix(
            server.wsgi_app,
            x_for=proxies,
            x_proto=proxies,
            x_host=proxies,
            x_port=proxies,
            x_prefix=proxies,
        )
    if not config.get("MAX_CONTENT_LENGTH"):
        config["MAX_CONTENT_LENGTH"] = FORM_MAX_BYTES
    server.extensions["naring_csp"] = None
    server.before_request(_limit_request)
    server.after_request(_security_headers)
    server.register_error_handler(DependencyException, _not_found)
    server.register_error_handler(RequestEntityTooLarge, _too_large)
    for fault in (StoreError, sqlite3.Error, OSError):
        server.register_error_handler(fault, _store_fault)
    server.add_url_rule("/health", "health", _health)
    server.add_url_rule("/export/<kind>", "export", _export)


# --------------------------------------------------------------------------
# Routes.
# --------------------------------------------------------------------------


def _logged_in():
    from components import auth

    return auth.current_user() is not None


def _health():
    state = data.status()
    if not _logged_in():
        # Readers learn whether the store works, not where it lives.
        path = state.pop("store", "")
        state["message"] = str(state["message"]).replace(str(path), "<store>")
    return flask.jsonify(state), (200 if state["ok"] else 503)


def _export(kind):
    lang = lang_or_default(flask.request.args.get("lang"))
    if kind not in EXPORT_KINDS:
        flask.abort(404)
    args = flask.request.args
    context = {
        "area": args.get("area") or None,
        "lang": lang,
        "layers": args.get("layers", "").split(",") if args.get("layers") else [],
        "areas": args.get("areas").split(",") if args.get("areas") else None,
    }
    from components import exports

    try:
        name, content, mime = export_guard.meeting_pack_export(
            kind,
            context,
            online=bool(flask.current_app.config.get("ONLINE_BASEMAPS", False)),
        )
    except export_guard.ExportBusy as exc:
        return _busy(lang, exc.retry_after)
    except exports.ExportError as exc:
        return _text(str(exc), 400)
    response = flask.make_response(content)
    response.headers["Content-Type"] = mime
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def _text(message, status, **headers):
    response = flask.make_response(message + "\n", status)
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(headers)
    return response


def _busy(lang, retry_after):
    return _text(
        t("export_busy", lang, seconds=retry_after),
        503,
        **{"Retry-After": str(retry_after)},
    )


# --------------------------------------------------------------------------
# Limits and headers.
# --------------------------------------------------------------------------


def callback_limit(editor):
    """The largest callback body accepted (bytes): an upload's for editors."""
    if not editor:
        return CALLBACK_MAX_BYTES
    # base64 (4/3) of the file, plus the rest of the request.
    return staging.MAX_BYTES * 4 // 3 + 256 * 1024


def _limit_request():
    request = flask.request
    if request.path == CALLBACK_PATH and request.method == "POST":
        request.max_content_length = callback_limit(_logged_in())


def content_security_policy(app, *, online):
    """The CSP of every response: scripts from here and Dash's hashed inline ones.

    Parameters
    ----------
    app : dash.Dash
        After every callback is registered (clientside ones add inline scripts).
    online : bool
        Allow the online basemaps' tile servers.
    """
    tiles = list(TILE_ORIGINS) if online else []
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *app.csp_hashes()],
        # plotly.js and MapLibre set inline styles and add <style> elements.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *tiles],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'", *tiles],
        # MapLibre runs its workers from blob: URLs.
        "worker-src": ["'self'", "blob:"],
        "child-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{k} {' '.join(v)}" for k, v in directives.items())


def _policy():
    server = flask.current_app
    policy = server.extensions.get("naring_csp")
    if policy is None:
        app = server.extensions["naring_dash"]
        policy = content_security_policy(
            app, online=bool(server.config.get("ONLINE_BASEMAPS", False))
        )
        server.extensions["naring_csp"] = policy
    return policy


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", _policy())
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if flask.request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    return response


# --------------------------------------------------------------------------
# Faults.
# --------------------------------------------------------------------------


def fault_key(exc):
    """The i18n key that says what went wrong with the store in ``exc``."""
    text = str(exc).lower()
    code = getattr(exc, "errno", None)
    sqlite_code = getattr(exc, "sqlite_errorcode", None)
    if code in (errno.ENOSPC, errno.EDQUOT) or sqlite_code == 13 or "full" in text:
        return "fault_disk_full"
    if (
        code in (errno.EROFS, errno.EACCES, errno.EPERM)
        or sqlite_code == 8
        or "readonly" in text
        or "read-only" in text
    ):
        return "fault_read_only"
    return "fault_unreadable"


def fault_message(exc):
    """A bilingual message for a store fault (the page's language is not known)."""
    key = fault_key(exc)
    return f"{t(key, 'nb')} / {t(key, 'en')}"


def _is_store_fault(exc):
    return isinstance(exc, StoreError | sqlite3.Error) or (
        isinstance(exc, OSError) and not isinstance(exc, BlockingIOError)
    )


def callback_error(exc):
    """Dash's ``on_error``: a store fault becomes a message on the page.

    The callback's outputs stay as they were (nothing was changed: every write is
    one transaction). Anything else is re-raised (a 500, logged).
    """
    if not _is_store_fault(exc):
        raise exc
    flask.current_app.logger.warning("store fault in a callback: %s", exc)
    set_props(ALERT_ID, {"children": fault_message(exc), "hidden": False})
    return None  # Dash: no output changes


def _store_fault(exc):
    if flask.request.path == CALLBACK_PATH:
        # Outside a callback body (Dash's own plumbing): still no traceback.
        return _text(fault_message(exc), 503)
    flask.current_app.logger.warning("store fault: %s", exc)
    lang = lang_or_default(flask.request.args.get("lang"))
    key = fault_key(exc)
    page = flask.render_template_string(
        "<!DOCTYPE html><html lang='{{ lang }}'><head><meta charset='utf-8'>"
        "<title>{{ title }}</title></head><body><main><h1>{{ title }}</h1>"
        "<p role='alert'>{{ message }}</p></main></body></html>",
        lang=lang,
        title=t("fault_title", lang),
        message=t(key, lang),
    )
    response = flask.make_response(page, 503)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Retry-After"] = "30"
    return response


def _not_found(_exc):
    return _text("Not found", 404)


def _too_large(_exc):
    limit = flask.request.max_content_length or FORM_MAX_BYTES
    lang = lang_or_default(flask.request.args.get("lang"))
    size = f"{limit // 1024} KB" if limit < 1024 * 1024 else f"{limit >> 20} MB"
    return _text(t("too_large", lang, limit=size), 413)
