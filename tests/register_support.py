"""Helpers for tests that log in, pass the CSRF check and call Dash callbacks.

Every POST to ``/_dash-update-component`` needs the CSRF header the Dash renderer
sends (see ``components/auth.py``). With Flask's test client::

    from tests.register_support import dash_post
    response = dash_post(client, payload)   # GETs "/" first for the cookie

``callback_payload`` builds a request body from the app's own
``/_dash-dependencies``, the way the renderer does, so tests need not copy the
output strings (which carry ``@hash`` suffixes for duplicate outputs).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from layers import sessions, users
from layers.store import open_store

ROOT = Path(__file__).resolve().parent.parent
CSRF_COOKIE = "_csrf_token"
CSRF_HEADER = "X-CSRFToken"
UPDATE = "/_dash-update-component"

# Test accounts (passwords only ever live in the test stores).
EDITOR = ("kari", "kari-passord-2026")
EDITOR2 = ("ola", "ola-passord-2026")


def store_with_users(source, folder):
    """Copy the store ``source`` into ``folder`` and add the two test editors."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "store.gpkg"
    shutil.copyfile(source, path)
    store = open_store(path)
    for name, password in (EDITOR, EDITOR2):
        users.add_user(store, name, password, "editor")
    return path


def session_fields(store_path, username, role="editor"):
    """Cookie-session fields of a fresh login of ``username`` (recorded in the store).

    For tests that fake a login inside ``test_request_context``: every request
    checks its session against the store's session records.
    """
    import secrets

    sid = secrets.token_urlsafe(16)
    sessions.start_session(open_store(store_path), username, sid, lifetime_s=3600)
    now = int(time.time())
    return {"user": username, "role": role, "login_at": now, "seen": now, "sid": sid}


# --------------------------------------------------------------------------
# Flask test client.
# --------------------------------------------------------------------------


def csrf_headers(client, page="/"):
    """Return the CSRF header for ``client``, loading ``page`` once for the cookie."""
    cookie = client.get_cookie(CSRF_COOKIE)
    if cookie is None:
        client.get(page)
        cookie = client.get_cookie(CSRF_COOKIE)
    return {CSRF_HEADER: cookie.value}


def dash_post(client, payload, headers=None):
    """POST a Dash callback request with the CSRF header (or with ``headers``)."""
    return client.post(
        UPDATE,
        json=payload,
        headers=csrf_headers(client) if headers is None else headers,
    )


def login(client, username, password, *, lang=None):
    """Log in through the form (reading its hidden CSRF field); return the response."""
    query = "?lang=en" if lang == "en" else ""
    page = client.get("/login" + query).get_data(as_text=True)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
    return client.post(
        "/login" + query,
        data={
            "username": username,
            "password": password,
            "_csrf_token": token,
            "next": "/lokaler/register",
        },
    )


def _split_outputs(output):
    if output.startswith(".."):
        parts = output[2:-2].split("...")
    else:
        parts = [output]
    out = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        out.append({"id": ident, "property": prop.split("@")[0]})
    return out, output.startswith("..")


def find_callback(dependencies, output_has):
    """The dependency (callback spec) whose output string contains ``output_has``."""
    found = [d for d in dependencies if output_has in d["output"]]
    if len(found) != 1:
        raise LookupError(f"{len(found)} callbacks output {output_has!r}")
    return found[0]


def callback_payload(dependencies, output_has, values, changed):
    """Build a ``/_dash-update-component`` body like the renderer does.

    Parameters
    ----------
    dependencies : list
        ``/_dash-dependencies`` of the app.
    output_has : str
        Part of the output string naming the callback (``"register-version.data"``).
    values : dict
        ``"id.prop"`` -> value for inputs and state; missing ones are None.
    changed : list of str
        The ``"id.prop"`` that triggered the call.
    """
    dep = find_callback(dependencies, output_has)
    outputs, multi = _split_outputs(dep["output"])

    def fill(items):
        return [
            {**item, "value": values.get(f"{item['id']}.{item['property']}")}
            for item in items
        ]

    return {
        "output": dep["output"],
        "outputs": outputs if multi else outputs[0],
        "inputs": fill(dep["inputs"]),
        "state": fill(dep["state"]),
        "changedPropIds": list(changed),
    }


def response_props(response):
    """``{id: {prop: value}}`` of a callback response (``{}`` for 204)."""
    if response.status_code == 204:
        return {}
    body = json.loads(response.get_data(as_text=True))
    return body.get("response", {})


# --------------------------------------------------------------------------
# A real server: gunicorn with two workers, and a cookie-keeping HTTP client.
# --------------------------------------------------------------------------


def free_port():
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(
    store,
    instance=None,
    *,
    workers=2,
    secret="register-test-key",
    access_log=None,
    module="app:server",
    env=None,
    args=(),
    ready_path="/health",
    wait_s=60,
):
    """Start ``gunicorn module`` on ``store``; return (process, base URL).

    The one way tests and benches start the app. The process leads its own
    process group, so a caller can kill master and workers together. With
    ``access_log`` (a path) each request is logged as "<worker pid> <method>
    <path> <status>". ``env`` adds settings, ``args`` adds gunicorn options
    (``--preload``, ``--log-level warning``); the call returns once
    ``ready_path`` answers, or raises with the end of gunicorn's stderr after
    ``wait_s`` seconds.
    """
    port = free_port()
    env = {
        **os.environ,
        "NARING_STORE": str(store),
        "NARING_SECRET_KEY": secret,
        **({"NARING_INSTANCE": str(instance)} if instance else {}),
        **(env or {}),
    }
    log_args = (
        [
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(p)s %(m)s %(U)s %(s)s",
        ]
        if access_log
        else []
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            module,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
            *log_args,
            *args,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + wait_s
    while True:
        try:
            urllib.request.urlopen(url + ready_path, timeout=2).read()
            return proc, url
        except Exception:
            if proc.poll() is not None or time.time() > deadline:
                kill_group(proc)
                raise RuntimeError(proc.stderr.read().decode()[-2000:]) from None
            time.sleep(0.3)


def worker_pids(access_log, start=0):
    """Worker pids of the callback requests logged after line ``start``."""
    lines = Path(access_log).read_text().splitlines()[start:]
    return [line.split()[0].strip("<>") for line in lines if f" POST {UPDATE} " in line]


def log_length(access_log):
    """Number of lines in the access log."""
    path = Path(access_log)
    return len(path.read_text().splitlines()) if path.exists() else 0


def kill_group(proc, sig=signal.SIGKILL):
    """Send ``sig`` to the process group of ``proc`` (gunicorn master and workers)."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        pass


def stop_gunicorn(proc):
    """Stop gunicorn gracefully, then forcibly."""
    if proc.poll() is None:
        kill_group(proc, signal.SIGTERM)
    if proc.poll() is None:
        kill_group(proc)


class HttpSession:
    """A browser-like HTTP client: keeps cookies, sends the CSRF header."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar)
        )
        self._deps = None

    def cookie(self, name):
        """The value of cookie ``name``, or None."""
        return next((c.value for c in self.jar if c.name == name), None)

    def request(self, path, *, data=None, headers=None, method=None, timeout=30):
        """Return (status, headers, body text); HTTP errors are returned too."""
        req = urllib.request.Request(
            self.base + path, data=data, headers=headers or {}, method=method
        )
        try:
            with self.opener.open(req, timeout=timeout) as resp:
                return resp.status, resp.headers, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read().decode()

    def get(self, path):
        """GET ``path``."""
        return self.request(path)

    def login(self, username, password):
        """Log in through the form; return the final status (after redirects)."""
        _status, _h, page = self.get("/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode(
            {
                "username": username,
                "password": password,
                "_csrf_token": token,
                "next": "/lokaler/register",
            }
        ).encode()
        status, _h, _body = self.request(
            "/login",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        return status

    def dependencies(self):
        """The app's ``/_dash-dependencies`` (fetched once)."""
        if self._deps is None:
            self._deps = json.loads(self.get("/_dash-dependencies")[2])
        return self._deps

    def callback(self, output_has, values, changed, *, timeout=30):
        """Call a Dash callback; return (status, ``{id: {prop: value}}``)."""
        if self.cookie(CSRF_COOKIE) is None:
            self.get("/")
        payload = callback_payload(self.dependencies(), output_has, values, changed)
        status, _h, body = self.request(
            UPDATE,
            data=json.dumps(payload).encode(),
            headers={
                "Content-Type": "application/json",
                CSRF_HEADER: self.cookie(CSRF_COOKIE) or "",
            },
            timeout=timeout,
        )
        if status != 200:
            return status, {}
        return status, json.loads(body).get("response", {})
