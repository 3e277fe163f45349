"""Two editors on two gunicorn workers, and writes surviving kill -9 of the server.

Each test starts its own gunicorn (2 workers) on its own copy of the default store,
and talks to it over HTTP with cookies and the CSRF header, as a browser does.
"""

import contextlib
import sqlite3
import threading
import time

import pytest

from components import ids
from layers import register
from layers.store import open_store
from tests.register_support import (
    EDITOR,
    EDITOR2,
    HttpSession,
    kill_group,
    log_length,
    start_gunicorn,
    stop_gunicorn,
    store_with_users,
    worker_pids,
)

pytestmark = pytest.mark.slow

SAVE = f"{ids.REGISTER_SAVE}.n_clicks"
CHOOSE = f"{ids.REGISTER_LISTING}.value"
EDITOR_OUT = f"{ids.REGISTER_VERSION}.data"
BASE = {
    "address": "Skårersletta 40",
    "type": "kontor",
    "size_m2": "250",
    "status": "ledig",
    "lat": "59.9275",
    "lon": "10.9583",
}


@pytest.fixture
def served(default_store, tmp_path):
    """(base URL, store path, gunicorn process, access log) on a fresh copy."""
    path = store_with_users(default_store, tmp_path / "store")
    log = tmp_path / "access.log"
    proc, url = start_gunicorn(path, tmp_path / "instance", access_log=log)
    yield url, path, proc, log
    stop_gunicorn(proc)


def editor_values(values=None, version=None, listing=None, trigger=SAVE):
    """Inputs and state of the editor callback."""
    out = {f"{ids.REGISTER_FIELDS[f]}.value": v for f, v in (values or {}).items()}
    out[f"{ids.REGISTER_VERSION}.data"] = version
    out[f"{ids.REGISTER_LANG}.data"] = "nb"
    out[CHOOSE] = listing
    if trigger != CHOOSE:
        out[trigger] = 1
    return out


def load(session, pid):
    """Load listing ``pid`` into the form as the dropdown would; return the outputs."""
    status, props = session.callback(
        EDITOR_OUT, editor_values(listing=pid, trigger=CHOOSE), [CHOOSE]
    )
    assert status == 200
    return props


def form(props):
    """The form values shown, as ``{field: value}``."""
    return {f: props[i]["value"] for f, i in ids.REGISTER_FIELDS.items()}


def message(props):
    """The editor's message text."""
    return props[ids.REGISTER_MESSAGE]["children"]


def logged_in(url, user):
    """An HTTP session logged in as ``user``."""
    session = HttpSession(url)
    assert session.login(*user) == 200  # after the redirect to the register page
    return session


def test_editors_see_each_others_changes(served):
    """A's edit on one worker is what B reads next, whichever worker answers."""
    url, _path, _proc, log = served
    a, b = logged_in(url, EDITOR), logged_in(url, EDITOR2)
    # Every worker has read the listing before the change (and cached what it may).
    for _ in range(10):
        assert form(load(b, "demo-001"))["size_m2"] == "629"
    shown = load(a, "demo-001")
    values = {**form(shown), "size_m2": "777"}
    status, props = a.callback(
        EDITOR_OUT, editor_values(values, shown[ids.REGISTER_VERSION]["data"]), [SAVE]
    )
    assert status == 200 and "er lagret" in message(props)
    time.sleep(0.3)  # let the worker log A's request
    start = log_length(log)
    for _ in range(60):
        seen = load(b, "demo-001")
        assert form(seen)["size_m2"] == "777"
        assert seen[ids.REGISTER_VERSION]["data"]["version"] == 2
        assert "kari" in seen[ids.REGISTER_META]["children"]
        time.sleep(0.05)
        if len(set(worker_pids(log, start))) == 2:
            break
    # Both workers answered B after the change: one of them did not make it.
    assert len(set(worker_pids(log, start))) == 2


def test_same_version_one_wins_one_conflicts(served):
    """Two editors saving the same version at once: one succeeds, one gets the conflict."""
    url, path, _proc, _log = served
    a, b = logged_in(url, EDITOR), logged_in(url, EDITOR2)
    shown_a, shown_b = load(a, "demo-002"), load(b, "demo-002")
    version = shown_a[ids.REGISTER_VERSION]["data"]
    assert version == shown_b[ids.REGISTER_VERSION]["data"]
    results = {}
    barrier = threading.Barrier(2)

    def save(name, session, shown, size):
        barrier.wait()
        values = {**form(shown), "size_m2": size}
        results[name] = session.callback(
            EDITOR_OUT, editor_values(values, version), [SAVE]
        )

    threads = [
        threading.Thread(target=save, args=("kari", a, shown_a, "111")),
        threading.Thread(target=save, args=("ola", b, shown_b, "222")),
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    texts = {name: message(props) for name, (_status, props) in results.items()}
    winners = [n for n, text in texts.items() if "er lagret" in text]
    losers = [n for n, text in texts.items() if "Lokalet ble endret av" in text]
    assert len(winners) == 1 and len(losers) == 1, texts
    assert f"endret av {winners[0]} kl. " in texts[losers[0]]
    assert "last inn på nytt" in texts[losers[0]]
    stored = register.get_listing(open_store(path), "demo-002")
    assert stored["version"] == version["version"] + 1
    assert stored["updated_by"] == winners[0]
    assert stored["size_m2"] == (111 if winners[0] == "kari" else 222)


def test_acknowledged_adds_survive_kill_9(served):
    """Kill -9 of gunicorn's master and workers mid-stream loses no acknowledged add."""
    url, path, proc, _log = served
    sessions = [logged_in(url, EDITOR), logged_in(url, EDITOR2)]
    for s in sessions:
        s.dependencies()
    acknowledged, lock = [], threading.Lock()
    stop = threading.Event()

    def stream(k, session):
        n = 0
        while not stop.is_set():
            title = f"Varig lokale {k}-{n}"
            n += 1
            with contextlib.suppress(Exception):
                status, props = session.callback(
                    EDITOR_OUT,
                    editor_values({**BASE, "title": title}),
                    [SAVE],
                    timeout=10,
                )
                if status == 200 and "er lagt inn" in message(props):
                    with lock:
                        acknowledged.append(title)

    threads = [
        threading.Thread(target=stream, args=(k, s)) for k, s in enumerate(sessions)
    ]
    for th in threads:
        th.start()
    deadline = time.time() + 60
    while len(acknowledged) < 8 and time.time() < deadline:
        time.sleep(0.05)
    kill_group(proc)  # SIGKILL to the whole group: master and both workers
    stop.set()
    for th in threads:
        th.join(30)
    assert len(acknowledged) >= 8
    store = open_store(path)
    titles = set(register.read_register(store)["title"])
    assert set(acknowledged) <= titles
    with contextlib.closing(sqlite3.connect(path)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = register.read_register(store)
    for pid in rows[rows["title"].isin(acknowledged)]["premises_id"]:
        assert register.history(store, pid)[-1]["action"] == "create"
