"""Two app servers on one PostGIS database: edits, conflicts, kill -9, outages.

Each test copies the default store (with two editors) into a fresh schema of the
session's PostgreSQL cluster and starts two gunicorn instances on two ports
(stand-ins for two machines) against it. Marked ``slow``.
"""

import json
import threading
import time
import urllib.error
import urllib.request

import pytest

from components import ids
from layers import register
from layers.store import open_store
from layers.store.migrate import copy_store
from tests.register_support import (
    EDITOR,
    EDITOR2,
    kill_group,
    start_gunicorn,
    stop_gunicorn,
    store_with_users,
)
from tests.test_register_concurrency import (
    BASE,
    EDITOR_OUT,
    SAVE,
    editor_values,
    form,
    load,
    logged_in,
    message,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def two_servers(default_store, pg_url, tmp_path):
    """(URL of server A, URL of server B, process A, process B, store URL)."""
    source = open_store(store_with_users(default_store, tmp_path / "src"))
    copy_store(source, open_store(pg_url))
    procs, urls = [], []
    for name in ("a", "b"):
        proc, url = start_gunicorn(pg_url, tmp_path / f"instance-{name}", workers=2)
        procs.append(proc)
        urls.append(url)
    yield urls[0], urls[1], procs[0], procs[1], pg_url
    for proc in procs:
        stop_gunicorn(proc)


def health(url):
    """(status, body) of GET /health."""
    try:
        with urllib.request.urlopen(url + "/health", timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def save(session, shown, **values):
    """Save the form as shown with ``values`` changed; return the message."""
    fields = {**form(shown), **values}
    status, props = session.callback(
        EDITOR_OUT, editor_values(fields, shown[ids.REGISTER_VERSION]["data"]), [SAVE]
    )
    assert status == 200
    return message(props)


def test_an_edit_on_one_server_is_seen_on_the_other_at_the_next_request(two_servers):
    """B shows A's change at once, and /health reports the same version on both."""
    url_a, url_b, *_ = two_servers
    a, b = logged_in(url_a, EDITOR), logged_in(url_b, EDITOR2)
    for _ in range(4):  # both of B's workers have the listing cached
        assert form(load(b, "demo-001"))["size_m2"] == "629"
    before = health(url_a)[1]["version"]
    assert "er lagret" in save(a, load(a, "demo-001"), size_m2="777")
    for _ in range(4):
        seen = load(b, "demo-001")
        assert form(seen)["size_m2"] == "777"
        assert seen[ids.REGISTER_VERSION]["data"]["version"] == 2
    (sa, ha), (sb, hb) = health(url_a), health(url_b)
    assert sa == sb == 200
    assert ha["version"] == hb["version"] != before
    rows = {n: i["rows"] for n, i in ha["layers"].items()}
    assert rows == {n: i["rows"] for n, i in hb["layers"].items()}
    assert rows["premises"] > 0 and rows["establishments"] > 0


def test_the_same_listing_saved_on_both_servers_refuses_the_second(two_servers):
    """Of two saves of one version through two servers, one wins, one names who/when."""
    url_a, url_b, *_ = two_servers
    a, b = logged_in(url_a, EDITOR), logged_in(url_b, EDITOR2)
    shown_a, shown_b = load(a, "demo-002"), load(b, "demo-002")
    texts, barrier = {}, threading.Barrier(2)

    def run(name, session, shown, size):
        barrier.wait()
        texts[name] = save(session, shown, size_m2=size)

    threads = [
        threading.Thread(target=run, args=("kari", a, shown_a, "111")),
        threading.Thread(target=run, args=("ola", b, shown_b, "222")),
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    winners = [n for n, t in texts.items() if "er lagret" in t]
    losers = [n for n, t in texts.items() if "Lokalet ble endret av" in t]
    assert len(winners) == 1 and len(losers) == 1, texts
    assert f"endret av {winners[0]} kl. " in texts[losers[0]]
    stored = register.get_listing(open_store(two_servers[4]), "demo-002")
    assert stored["updated_by"] == winners[0] and stored["version"] == 2


def _stream(url, user, prefix, stop, acknowledged, lock, refused=None):
    session = logged_in(url, user)
    session.dependencies()
    n = 0
    while not stop.is_set() and n < 2000:
        title = f"{prefix} {n}"
        n += 1
        try:
            status, props = session.callback(
                EDITOR_OUT, editor_values({**BASE, "title": title}), [SAVE], timeout=15
            )
        except Exception:
            time.sleep(0.1)
            continue
        # A 200 without the editor's message would be a fault shown elsewhere:
        # counted as refused (with what came back), so the test names it.
        text = (
            message(props)
            if status == 200 and ids.REGISTER_MESSAGE in props
            else json.dumps(props)[:300]
        )
        if status == 200 and "er lagt inn" in text:
            with lock:
                acknowledged.append(title)
        elif refused is not None:
            with lock:
                refused.append((status, text))
            time.sleep(0.1)


def test_kill_9_of_one_server_loses_nothing_and_the_other_keeps_serving(two_servers):
    """SIGKILL to server A mid-stream: every acknowledged add is stored; B serves on."""
    url_a, url_b, proc_a, _proc_b, store_url = two_servers
    acknowledged, lock, stop = [], threading.Lock(), threading.Event()
    threads = [
        threading.Thread(
            target=_stream, args=(url, user, f"Lokale {k}", stop, acknowledged, lock)
        )
        for k, (url, user) in enumerate(((url_a, EDITOR), (url_b, EDITOR2)))
    ]
    for th in threads:
        th.start()
    deadline = time.time() + 90
    while len(acknowledged) < 10 and time.time() < deadline:
        time.sleep(0.05)
    kill_group(proc_a)
    after_kill = len(acknowledged)
    while len(acknowledged) < after_kill + 5 and time.time() < deadline + 60:
        time.sleep(0.05)
    stop.set()
    for th in threads:
        th.join(60)
    assert len(acknowledged) >= after_kill + 5  # B went on acknowledging adds
    assert health(url_b)[0] == 200
    titles = set(register.read_register(open_store(store_url))["title"])
    assert set(acknowledged) <= titles


def test_a_database_outage_gives_clear_messages_and_recovers(two_servers, pg_cluster):
    """PostgreSQL stopped mid-stream: no 500, nothing acknowledged lost, recovery."""
    url_a, url_b, _pa, _pb, store_url = two_servers
    acknowledged, refused = [], []
    lock, stop = threading.Lock(), threading.Event()
    th = threading.Thread(
        target=_stream,
        args=(url_a, EDITOR, "Under stans", stop, acknowledged, lock, refused),
    )
    th.start()
    deadline = time.time() + 90
    while len(acknowledged) < 5 and time.time() < deadline:
        time.sleep(0.05)
    pg_cluster.ctl("stop", "-m", "fast")
    try:
        time.sleep(1.0)
        status, body = health(url_b)
        assert status == 503
        assert (
            "cannot be reached" in body["message"] or "svarer ikke" in body["message"]
        )
        during = len(acknowledged)
        with lock:
            refused.clear()
        while len(refused) < 3 and time.time() < deadline + 60:
            time.sleep(0.1)
        with lock:
            seen = list(refused)
        assert len(acknowledged) == during  # nothing is acknowledged while it is down
    finally:
        pg_cluster.ctl("start")
    assert seen and all(s != 500 for s, _ in seen), seen
    assert any("Databasen" in text and "svarer ikke" in text for _, text in seen), seen
    while len(acknowledged) < during + 3 and time.time() < deadline + 120:
        time.sleep(0.1)
    stop.set()
    th.join(60)
    assert len(acknowledged) >= during + 3  # recovered: saving works again
    assert health(url_a)[0] == health(url_b)[0] == 200
    titles = set(register.read_register(open_store(store_url))["title"])
    assert set(acknowledged) <= titles
