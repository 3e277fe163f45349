"""The map at scale: stores of 4 512, 100 000 and 1 000 000 establishments.

Per store, with gunicorn (``app:server``, one worker, ``--preload`` and the app's
warm-up, as the Procfile runs it) on 127.0.0.1:

- start-up: seconds from launch to the first answer (the warm-up in the master);
- page bytes of ``/`` (as served, uncompressed and gzip);
- cold page build: the first ``/`` after start, and a view never seen before
  (``/?nace=C&size=1-6``, a figure-memo miss); warm: the same ``/`` again;
- without warm-up (``NARING_WARM=0``): the first ``/`` (what a worker pays when
  the memo is empty: frames, cells, figure), under the deliberate 120 s timeout;
- worker RSS (VmRSS of the worker, after the requests);
- callback latency (median of N POSTs): area selection, section and size filter,
  sent to all the stores' servers in turn, round by round (noise falls alike).

Goals at 1 000 000 against 4 512: page bytes and callback latency <= 1.5x, cold
build < 3 s, worker RSS < 700 MB, no timeout.

    python bench/bench_scale.py [--sizes 4512,100000,1000000] [--dir /tmp/scale]
        [--n 30]

Stores missing in ``--dir`` are generated with ``bench/scale_store.py``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_dashboard import (  # noqa: E402
    callback_body,
    map_values,
    post,
    session,
)

from tests.register_support import start_gunicorn, stop_gunicorn  # noqa: E402

TIMEOUT_S = 120  # as in the Procfile


def ensure_store(directory, n):
    """The store of ``n`` establishments in ``directory`` (built when missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    base = directory / "s4512.gpkg"
    if not base.exists():
        subprocess.run(
            [sys.executable, "-m", "layers", "build", "--store", str(base)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    if n == 4512:
        return base
    path = directory / f"s{n}.gpkg"
    if not path.exists():
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "scale_store.py"),
                "--n",
                str(n),
                "--base",
                str(base),
                "--out",
                str(path),
            ],
            cwd=ROOT,
            check=True,
        )
    return path


def start(store, warm=True):
    """gunicorn app:server, one worker; return (process, base URL, seconds to up)."""
    t0 = time.perf_counter()
    proc, base = start_gunicorn(
        store,
        workers=1,
        secret="bench-secret",
        env={"NARING_WARM": "1" if warm else "0"},
        args=("--preload", "--log-level", "warning"),  # timeout 120 s as TIMEOUT_S
        wait_s=600,  # the warm-up runs before the first answer
    )
    return proc, base, time.perf_counter() - t0


def get(base, path, gz=False):
    """(status, seconds, bytes) of a GET."""
    headers = {"Accept-Encoding": "gzip"} if gz else {}
    req = urllib.request.Request(base + path, headers=headers)
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S + 10) as resp:
            body = resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    return status, time.perf_counter() - t0, body


def worker_rss_mb(proc):
    """VmRSS of gunicorn's worker (the master's one child), in MB."""
    kids = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    rss = 0
    for pid in kids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = max(rss, int(line.split()[1]))
    return rss / 1024


def page(base, headers, deps, search=""):
    """(status, seconds, body) of the map page: the router's callback for ``/``.

    The shell (``/_dash-layout``) is small; the page itself, with the map figure,
    comes from this callback, as the browser fetches it.
    """
    from components import ids

    body = callback_body(
        deps,
        f"{ids.PAGE_CONTENT}.children",
        {f"{ids.PAGE_URL}.pathname": "/", f"{ids.PAGE_URL}.search": search},
        [f"{ids.PAGE_URL}.pathname"],
    )
    req = urllib.request.Request(
        base + "/_dash-update-component",
        data=json.dumps(body).encode(),
        headers={**headers, "Content-Type": "application/json"},
        method="POST",
    )
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S + 10) as resp:
            text, status = resp.read(), resp.status
    except urllib.error.HTTPError as exc:
        text, status = exc.read(), exc.code
    except (TimeoutError, urllib.error.URLError, ConnectionError):
        text, status = b"", 599  # no answer within the timeout
    return status, time.perf_counter() - t0, text


def callback_bodies(deps):
    """The callbacks timed on every store: name -> request body."""
    return {
        "area selection": callback_body(
            deps,
            "map-graph.figure",
            map_values(**{"map-area.value": "visperud"}),
            ["map-area.value"],
        ),
        "section filter": callback_body(
            deps,
            "map-graph.figure",
            map_values(**{"map-sections.value": ["G"]}),
            ["map-sections.value"],
        ),
        "size filter": callback_body(
            deps,
            "map-graph.figure",
            map_values(**{"map-size.value": [2, 7]}),
            ["map-size.value"],
        ),
    }


def pages(out, base, headers, deps):
    """Cold, fresh and warm page builds and the page's size, into ``out``."""
    status, cold, _ = page(base, headers, deps)
    out["cold page build s"] = cold
    status2, fresh, _ = page(base, headers, deps, "?nace=C&size=1-6")
    out["never-seen view s"] = fresh
    out["status"] = max(status, status2)
    times = []
    for _ in range(3):
        _s, dt, body = page(base, headers, deps)
        times.append(dt)
    out["warm page build s"] = statistics.median(times)
    out["page bytes (map page JSON)"] = len(body)
    out["page bytes gzip"] = len(gzip.compress(body, 6))
    out["firm points on the page"] = firm_points(json.loads(body))


def measure_all(stores, n_posts):
    """Every measure of every store; the callbacks interleaved across the stores.

    All servers run at once (warm, one worker each) and each round sends one
    request to each store in turn, so the machine's noise falls on every store
    alike and the ratios compare like with like.
    """
    results = {n: {} for n in stores}
    servers = {}
    try:
        for n, store in stores.items():
            proc, base, up = start(store)
            servers[n] = (proc, base)
            results[n]["start-up s (warm-up in master)"] = up
        sessions = {}
        for n, (_proc, base) in servers.items():
            headers = session(base)
            deps = json.loads(
                urllib.request.urlopen(base + "/_dash-dependencies").read()
            )
            sessions[n] = (headers, deps)
            pages(results[n], base, headers, deps)
        for name in callback_bodies(sessions[next(iter(stores))][1]):
            times = {n: [] for n in stores}
            for k in range(n_posts + 1):
                for n, (_proc, base) in servers.items():
                    headers, deps = sessions[n]
                    dt = post(base, callback_bodies(deps)[name], headers)
                    if k:  # the first round fills the memo
                        times[n].append(dt)
            for n in stores:
                results[n][f"{name} ms"] = 1000 * statistics.median(times[n])
        for n, (proc, _base) in servers.items():
            results[n]["worker RSS MB"] = worker_rss_mb(proc)
    finally:
        for proc, _base in servers.values():
            stop_gunicorn(proc)
    for n, store in stores.items():
        proc, base, _up = start(store, warm=False)
        try:
            headers = session(base)
            deps = json.loads(
                urllib.request.urlopen(base + "/_dash-dependencies").read()
            )
            status, dt, _ = page(base, headers, deps)
            results[n]["no warm-up: first page s"] = dt
            results[n]["status"] = max(results[n]["status"], status)
        finally:
            stop_gunicorn(proc)
    return results


def firm_points(node):
    """Points of the map's firms trace in a layout JSON (0 if none)."""
    if isinstance(node, dict):
        if node.get("meta") == ["firms", ""] and "lat" in node:
            return len(node["lat"])
        return max((firm_points(v) for v in node.values()), default=0)
    if isinstance(node, list):
        return max((firm_points(v) for v in node), default=0)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="4512,100000,1000000")
    parser.add_argument("--dir", default="/tmp/naring-scale")
    parser.add_argument("--n", type=int, default=30, help="POSTs per callback")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    stores = {n: ensure_store(Path(args.dir), n) for n in sizes}
    results = measure_all(stores, args.n)
    ref = results[sizes[0]]
    names = [k for k in ref if k != "status"]
    print()
    head = "".join(f"{n:>14,}" for n in sizes)
    print(f"{'measure':<36}{head}  ratio last/first")
    print("-" * (38 + 14 * len(sizes) + 16))
    for name in names:
        vals = "".join(f"{results[n][name]:>14,.2f}" for n in sizes)
        last = results[sizes[-1]][name]
        ratio = last / ref[name] if ref[name] else float("nan")
        print(f"{name:<36}{vals}  {ratio:>8.2f}x")
    statuses = "".join(f"{results[n]['status']:>14}" for n in sizes)
    print(f"{'worst HTTP status':<36}{statuses}")
    print()
    print(f"Goals at {sizes[-1]:,} against {sizes[0]:,}:")
    for line in goals(results[sizes[0]], results[sizes[-1]]):
        print("  " + line)
    return 0


def goals(small, big):
    """Lines ``met``/``NOT met`` for the issue's goals (largest against smallest)."""
    checks = [
        ("page bytes <= 1.5x", big["page bytes gzip"] / small["page bytes gzip"], 1.5),
        *(
            (f"{name} <= 1.5x", big[f"{name} ms"] / small[f"{name} ms"], 1.5)
            for name in ("area selection", "section filter", "size filter")
        ),
    ]
    out = [
        f"{'met' if value <= limit else 'NOT met':8} {label}: {value:.2f}x"
        for label, value, limit in checks
    ]
    cold = big["no warm-up: first page s"]
    out.append(f"{'met' if cold < 3 else 'NOT met':8} cold build < 3 s: {cold:.2f} s")
    rss = big["worker RSS MB"]
    out.append(
        f"{'met' if rss < 700 else 'NOT met':8} worker RSS < 700 MB: {rss:.0f} MB"
    )
    ok = big["status"] == 200
    out.append(f"{'met' if ok else 'NOT met':8} no timeout: HTTP {big['status']}")
    return out


if __name__ == "__main__":
    sys.exit(main())
