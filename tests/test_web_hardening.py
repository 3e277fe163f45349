"""The web side of hardening (issue 9): headers, limits, exports, faults, CLI, names."""

import argparse
import base64
import errno
import hashlib
import io
import json
import re
import sqlite3
import threading

import pytest
from dash import dcc

from components import (
    export_guard,
    figures,
    ids,
    layout,
    profile_panel,
    server_routes,
)
from layers import register, sessions, users, users_cli
from layers.register import staging
from layers.store import open_store
from tests.register_support import (
    EDITOR,
    callback_payload,
    dash_post,
    login,
    response_props,
    store_with_users,
)


@pytest.fixture
def reg_store(default_store, tmp_path):
    """A copy of the default store with two editors."""
    return store_with_users(default_store, tmp_path / "store")


@pytest.fixture
def client(dash_app, reg_store, monkeypatch):
    """Test client of the app, pointed at the copy with users."""
    monkeypatch.setitem(dash_app.server.config, "NARING_STORE", str(reg_store))
    return dash_app.server.test_client()


def editor_payload(client, trigger, values=None, version=None):
    """The register editor callback's body (as in test_register_panel)."""
    deps = client.get("/_dash-dependencies").get_json()
    vals = {f"{ids.REGISTER_FIELDS[f]}.value": v for f, v in (values or {}).items()}
    vals[f"{ids.REGISTER_VERSION}.data"] = version
    vals[f"{ids.REGISTER_LANG}.data"] = "nb"
    vals[f"{ids.REGISTER_LISTING}.value"] = None
    vals[trigger] = 1
    return callback_payload(deps, f"{ids.REGISTER_VERSION}.data", vals, [trigger])


GOOD = {
    "title": "Kontor ved Metro",
    "address": "Skårersletta 40",
    "type": "kontor",
    "size_m2": "250",
    "rent_nok_m2_year": "1 900",
    "available_from": "2026-03-01",
    "contact": "Megler AS",
    "url": "https://example.no/lokale",
    "lat": "59,9275",
    "lon": "10,9583",
    "status": "ledig",
}


# --- headers --------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/login", "/health", "/assets/app.css", "/assets/nope.css", "/nope"],
)
def test_security_headers_on_every_response(client, path):
    """Every response, static and error ones too, carries the security headers."""
    response = client.get(path)
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "'unsafe-eval'" not in csp and "script-src 'self' 'sha256-" in csp


def test_csp_allows_exactly_the_inline_scripts_of_the_page(client):
    """Each inline executable script of the page has its hash in script-src."""
    response = client.get("/")
    # Without HTML comments (Dash's IE warning is a conditional comment).
    page = re.sub(r"<!--.*?-->", "", response.get_data(as_text=True), flags=re.S)
    csp = response.headers["Content-Security-Policy"]
    script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", page, re.S)
    executable = [body for attrs, body in inline if "application/json" not in attrs]
    assert executable, "the page has Dash's renderer script inline"
    for body in executable:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src


def test_hsts_only_over_https(client):
    """Strict-Transport-Security is sent over https, not over plain http."""
    assert "Strict-Transport-Security" not in client.get("/login").headers
    https = client.get("/login", base_url="https://localhost")
    assert https.headers["Strict-Transport-Security"].startswith("max-age=")


def test_forwarded_proto_is_ignored_without_proxy_fix(client):
    """Without PROXY_FIX nobody can claim https by a header (no Secure cookie)."""
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and not any("Secure" in c for c in cookies)


def test_proxy_fix_behind_https_proxy_gives_secure_cookies(
    reg_store, tmp_path, monkeypatch
):
    """With NARING_PROXY_FIX=1, X-Forwarded-Proto: https makes cookies Secure."""
    from tests.register_support import HttpSession, start_gunicorn, stop_gunicorn

    monkeypatch.setenv("NARING_PROXY_FIX", "1")
    proc, url = start_gunicorn(reg_store, tmp_path / "instance", workers=1)
    try:
        session = HttpSession(url)
        _s, headers, _b = session.request(
            "/login", headers={"X-Forwarded-Proto": "https"}
        )
        cookies = headers.get_all("Set-Cookie")
        assert cookies and all("Secure" in c for c in cookies)
        assert headers["Strict-Transport-Security"]
        _s, headers, _b = HttpSession(url).request("/login")
        assert not any("Secure" in c for c in headers.get_all("Set-Cookie"))
    finally:
        stop_gunicorn(proc)


def test_settings_refuse_bad_numbers():
    """PROXY_FIX and EXPORT_SLOTS must be small whole numbers."""
    from components import settings

    with pytest.raises(ValueError, match="PROXY_FIX"):
        settings.resolve({"PROXY_FIX": "yes", "SECRET_KEY": "k"})
    with pytest.raises(ValueError, match="EXPORT_SLOTS"):
        settings.resolve({"EXPORT_SLOTS": "-1", "SECRET_KEY": "k"})
    assert settings.resolve({"PROXY_FIX": "2", "SECRET_KEY": "k"})["PROXY_FIX"] == 2


# --- /health and unknown paths -------------------------------------------------


def test_health_hides_the_store_path_from_readers(client, reg_store):
    """Readers see whether the store works; only logged-in users see its path."""
    body = client.get("/health").get_data(as_text=True)
    assert str(reg_store) not in body and str(reg_store.parent) not in body
    assert json.loads(body)["ok"] is True
    login(client, *EDITOR)
    assert json.loads(client.get("/health").get_data())["store"] == str(reg_store)


def test_health_of_a_missing_store_names_no_path(
    client, dash_app, tmp_path, monkeypatch
):
    """The message of a broken store does not leak the absolute path either."""
    missing = tmp_path / "secret-folder" / "store.gpkg"
    monkeypatch.setitem(dash_app.server.config, "NARING_STORE", str(missing))
    response = client.get("/health")
    assert response.status_code == 503
    assert "secret-folder" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/_dash-component-suites/dash/nope.js",
        "/_dash-component-suites/nope/x.js",
        "/assets/nope.js",
        "/assets/../app.py",
    ],
)
def test_unknown_asset_paths_are_404(client, path):
    """Unknown static paths are 404, not 500."""
    assert client.get(path).status_code == 404


# --- request size limits ----------------------------------------------------------


def test_big_form_post_is_413(client):
    """A form POST over the small limit is refused before it is parsed."""
    client.get("/login")
    big = {"username": "x" * (server_routes.FORM_MAX_BYTES + 10), "password": "p"}
    response = client.post("/login", data=big)
    assert response.status_code == 413
    assert "for stor" in response.get_data(as_text=True)


def test_reader_callback_body_is_bounded(client):
    """A reader's callback over CALLBACK_MAX_BYTES is 413; an editor may send more."""
    deps = client.get("/_dash-dependencies").get_json()
    payload = callback_payload(
        deps,
        "page-content.children",
        {"page-url.pathname": "/", "page-url.search": ""},
        ["page-url.pathname"],
    )
    payload["padding"] = "x" * (server_routes.CALLBACK_MAX_BYTES + 1)
    assert dash_post(client, payload).status_code == 413
    login(client, *EDITOR)
    assert dash_post(client, payload).status_code == 200
    payload["padding"] = "x" * server_routes.callback_limit(True)
    assert dash_post(client, payload).status_code == 413


# --- exports: cache and bound -----------------------------------------------------


def test_export_is_cached_per_store_content(dash_app, reg_store, monkeypatch):
    """The second identical export is not built again; a register edit rebuilds."""
    monkeypatch.setitem(dash_app.server.config, "NARING_STORE", str(reg_store))
    builds = []

    def build():
        builds.append(1)
        return "f.pdf", b"%PDF-1.4 fake", "application/pdf"

    params = {"area": None, "lang": "nb"}
    with dash_app.server.test_request_context("/"):
        assert export_guard.cached_export("pdf", params, build)[1] == b"%PDF-1.4 fake"
        export_guard.cached_export("pdf", params, build)
        assert len(builds) == 1
        export_guard.cached_export("pdf", {**params, "lang": "en"}, build)
        assert len(builds) == 2
        # A login writes the store but changes nothing an export shows.
        sessions.start_session(open_store(reg_store), "kari", "sid", lifetime_s=60)
        export_guard.cached_export("pdf", params, build)
        assert len(builds) == 2
        store = open_store(reg_store)
        register.renew_listing(store, "demo-001", user="kari")
        export_guard.cached_export("pdf", params, build)
        assert len(builds) == 3


def _hold_every_slot(dash_app, reg_store):
    """Start a build that holds the only slot until the returned event is set."""
    started, release = threading.Event(), threading.Event()

    def slow():
        started.set()
        release.wait(30)
        return "f.pdf", b"x", "application/pdf"

    def run():
        with dash_app.server.test_request_context("/"):
            export_guard.cached_export("pdf", {"hold": True}, slow)

    thread = threading.Thread(target=run)
    thread.start()
    assert started.wait(30)
    return release, thread


def test_busy_export_route_is_503_with_retry_after(client, dash_app, reg_store):
    """While every slot builds, an uncached export link answers 503 at once."""
    assert dash_app.server.config["EXPORT_SLOTS"] == 1
    release, thread = _hold_every_slot(dash_app, reg_store)
    try:
        response = client.get("/export/xlsx?lang=en")
    finally:
        release.set()
        thread.join(30)
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "Try again in" in response.get_data(as_text=True)


def test_busy_export_button_says_so(client, dash_app, reg_store):
    """The export buttons' callback shows the busy message, with no download."""
    from components import exports_panel

    prefix = "map"
    buttons = [exports_panel.button_id(prefix, k) for k in exports_panel.KINDS]
    deps = client.get("/_dash-dependencies").get_json()
    (dep,) = [d for d in deps if ids.EXPORT_DOWNLOAD in d["output"]]
    body = {
        "output": dep["output"],
        "outputs": [
            {"id": exports_panel.download_id(prefix), "property": "data"},
            {"id": exports_panel.status_id(prefix), "property": "children"},
        ],
        "inputs": [
            {
                "id": b,
                "property": "n_clicks",
                "value": 1 if b["kind"] == "pdf" else None,
            }
            for b in buttons
        ],
        "state": [
            {
                "id": exports_panel.context_id(prefix),
                "property": "data",
                "value": exports_panel.context_data(area="ahus"),
            }
        ],
        "changedPropIds": [
            json.dumps(buttons[1], sort_keys=True, separators=(",", ":")) + ".n_clicks"
        ],
    }
    release, thread = _hold_every_slot(dash_app, reg_store)
    try:
        response = dash_post(client, body)
    finally:
        release.set()
        thread.join(30)
    assert response.status_code == 200
    text = json.dumps(response_props(response), ensure_ascii=False)
    assert "Prøv igjen om" in text and '"data": null' in text


def test_export_route_serves_a_workbook(client):
    """GET /export/xlsx is an attachment of the comparison workbook."""
    response = client.get("/export/xlsx?lang=en")
    assert response.status_code == 200
    assert response.data[:2] == b"PK"
    assert "attachment" in response.headers["Content-Disposition"]
    assert client.get("/export/exe").status_code == 404


# --- faults -------------------------------------------------------------------------


def side_updates(response):
    """What a callback set with ``set_props`` (``{id: {prop: value}}``)."""
    return response.get_json().get("sideUpdate", {})


@pytest.mark.parametrize(
    "fault, expected",
    [
        (OSError(errno.ENOSPC, "No space left on device"), "disken er full"),
        (sqlite3.OperationalError("database or disk is full"), "disken er full"),
        (
            sqlite3.OperationalError("attempt to write a readonly database"),
            "kan ikke skrives",
        ),
        (OSError(errno.EROFS, "Read-only file system"), "kan ikke skrives"),
    ],
)
def test_save_fault_is_a_clear_message_and_changes_nothing(
    client, reg_store, monkeypatch, fault, expected
):
    """A full disk or read-only store on save: a message on the page, no 500."""
    store = open_store(reg_store)
    before = len(register.read_register(store))
    login(client, *EDITOR)
    payload = editor_payload(client, f"{ids.REGISTER_SAVE}.n_clicks", GOOD)

    def failing(*_a, **_k):
        raise fault

    monkeypatch.setattr(register, "add_listing", failing)
    response = dash_post(client, payload)
    assert response.status_code == 200
    alert = side_updates(response)[server_routes.ALERT_ID]
    assert expected in alert["children"] and "Ingenting er endret" in alert["children"]
    assert alert["hidden"] is False
    assert len(register.read_register(store)) == before


def test_full_disk_inside_the_transaction_changes_nothing(
    client, reg_store, monkeypatch
):
    """ENOSPC raised while the row is being written rolls the transaction back."""
    store = open_store(reg_store)
    before = len(register.read_register(store))
    login(client, *EDITOR)
    payload = editor_payload(client, f"{ids.REGISTER_SAVE}.n_clicks", GOOD)
    real_log = register.edits._log

    def log_then_fail(*args, **kwargs):
        real_log(*args, **kwargs)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(register.edits, "_log", log_then_fail)
    response = dash_post(client, payload)
    assert response.status_code == 200
    assert (
        "disken er full" in side_updates(response)[server_routes.ALERT_ID]["children"]
    )
    assert len(register.read_register(store)) == before


def test_unreadable_store_in_a_read_callback_is_a_message(client, reg_store):
    """A store that turns to garbage under a running app: callbacks say so."""
    deps = client.get("/_dash-dependencies").get_json()
    payload = callback_payload(
        deps,
        "page-content.children",
        {"page-url.pathname": "/lokaler/register", "page-url.search": ""},
        ["page-url.pathname"],
    )
    client.get("/")
    reg_store.write_bytes(b"this is not a database" * 100)
    response = dash_post(client, payload)
    assert response.status_code == 200
    alert = side_updates(response)[server_routes.ALERT_ID]["children"]
    assert "kan ikke leses" in alert and "cannot be read" in alert


def test_login_with_a_broken_store_is_503_with_a_message(client, reg_store):
    """POST /login when the store cannot be read: 503 and a clear message."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
    reg_store.write_bytes(b"garbage" * 1000)
    response = client.post(
        "/login",
        data={"username": "kari", "password": EDITOR[1], "_csrf_token": token},
    )
    assert response.status_code == 503
    assert "datalageret kan ikke leses" in response.get_data(as_text=True)


def test_read_only_store_on_login_is_503(client, reg_store, monkeypatch):
    """A store that cannot be written: logging in says so (the session is stored)."""

    def read_only(*_a, **_k):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(sessions, "start_session", read_only)
    response = login(client, *EDITOR)
    assert response.status_code == 503
    assert "kan ikke leses eller skrives" in response.get_data(as_text=True)


def test_fault_page_for_plain_requests(client, monkeypatch):
    """A store fault in a plain route is a 503 page, not a traceback."""
    from components import data

    def broken():
        raise sqlite3.DatabaseError("file is not a database")

    monkeypatch.setattr(data, "status", broken)
    response = client.get("/health")
    assert response.status_code == 503
    assert "Datalageret" in response.get_data(as_text=True)


# --- editors' names and anonymous readers -----------------------------------------


def test_readers_do_not_see_editors_names(client):
    """The register's history and 'last changed' show names only after login."""
    payload = editor_payload(client, f"{ids.REGISTER_LISTING}.value")
    payload["inputs"] = [
        {**i, "value": "demo-001"} if i["id"] == ids.REGISTER_LISTING else i
        for i in payload["inputs"]
    ]
    reader = json.dumps(response_props(dash_post(client, payload)), ensure_ascii=False)
    assert "sist endret" in reader and "history-time" in reader
    assert (
        "history-user" not in reader
        and " av " not in reader.split("sist endret")[1][:40]
    )
    login(client, *EDITOR)
    editor = json.dumps(response_props(dash_post(client, payload)), ensure_ascii=False)
    assert "history-user" in editor


# --- no cloud upload in any modebar ----------------------------------------------


def _graphs(node):
    if isinstance(node, dcc.Graph):
        yield node
    children = getattr(node, "children", None)
    if isinstance(children, list | tuple):
        for child in children:
            yield from _graphs(child)
    elif children is not None and hasattr(children, "to_plotly_json"):
        yield from _graphs(children)


def _no_cloud(config):
    config = config or {}
    if config.get("displayModeBar") is False:
        return True
    return config.get("showSendToCloud") is False and "sendChartToCloud" in (
        config.get("modeBarButtonsToRemove") or []
    )


def test_no_graph_offers_to_send_data_to_a_cloud(dash_app, reg_store, monkeypatch):
    """Every dcc.Graph of every page (and the profile's charts) hides the cloud."""
    monkeypatch.setitem(dash_app.server.config, "NARING_STORE", str(reg_store))
    found = []
    with dash_app.server.test_request_context("/"):
        for panel in layout.panels():
            for lang in ("nb", "en"):
                page = panel.layout({}, lang)
                found.extend(_graphs(page))
    assert len(found) >= 4
    for graph in found:
        assert _no_cloud(getattr(graph, "config", None)), graph.id
    assert _no_cloud(figures.MAP_GRAPH_CONFIG)
    assert _no_cloud(profile_panel.GRAPH_CONFIG)


# --- the users command line ---------------------------------------------------------


def _cli(argv, answers):
    parser = argparse.ArgumentParser()
    users_cli.add_users_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    prompts = iter(answers)
    out, err = io.StringIO(), io.StringIO()
    code = users_cli.main_users(args, getpass=lambda _: next(prompts), out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def test_cli_passwd_asks_twice_and_ends_sessions(client, reg_store):
    """`users passwd NAME` sets the password typed twice and logs the user out."""
    login(client, *EDITOR)
    new = "et-helt-nytt-passord"
    code, text = _cli(
        ["users", "passwd", "kari", "--store", str(reg_store)], [new, new]
    )
    assert code == 0 and "every session ended" in text
    store = open_store(reg_store)
    assert users.verify_password(store, "kari", new)["username"] == "kari"
    assert users.verify_password(store, "kari", EDITOR[1]) is None
    client.get("/")
    with client.session_transaction() as session:
        assert "user" not in session


def test_cli_passwd_refuses_short_and_differing_passwords(reg_store):
    """Under 12 characters, or typed differently twice: exit 2, nothing changed."""
    argv = ["users", "passwd", "kari", "--store", str(reg_store)]
    assert _cli(argv, ["elleve-tegn", "elleve-tegn"])[0] == 2
    assert _cli(argv, ["tolv-tegn-ok!", "tolv-tegn-ok?"])[0] == 2
    store = open_store(reg_store)
    assert users.verify_password(store, "kari", EDITOR[1]) is not None


def test_cli_passwd_of_unknown_user_asks_nothing(reg_store):
    """An unknown name is refused before any password is asked for."""
    code, text = _cli(["users", "passwd", "nobody", "--store", str(reg_store)], [])
    assert code == 2 and "no user" in text


def test_cli_logout_all(client, reg_store):
    """`users logout-all NAME` ends that user's sessions."""
    login(client, *EDITOR)
    code, text = _cli(["users", "logout-all", "kari", "--store", str(reg_store)], [])
    assert code == 0 and "(1 " in text
    client.get("/")
    with client.session_transaction() as session:
        assert "user" not in session


def test_cli_entry_point_runs_passwd(reg_store):
    """`python -m layers users passwd` is wired (reads two passwords from a tty)."""
    from layers.cli import _parser

    args = _parser().parse_args(
        ["users", "logout-all", "ola", "--store", str(reg_store)]
    )
    assert args.users_command == "logout-all"
    args = _parser().parse_args(["users", "passwd", "ola", "--store", str(reg_store)])
    assert args.users_command == "passwd"
    assert staging.MAX_BYTES < server_routes.callback_limit(True)


def test_backoff_doubles_and_is_capped():
    """Free failures cost nothing; then 1, 2, 4 … seconds, never above the cap."""
    waits = [sessions.backoff_seconds(n, free=5, cap=60) for n in range(0, 20)]
    assert waits[:6] == [0] * 6
    assert waits[6:10] == [1, 2, 4, 8]
    assert max(waits) == 60 and sessions.backoff_seconds(10**6, free=5, cap=60) == 60
