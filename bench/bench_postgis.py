"""Benchmark the PostGIS backend against the GeoPackage backend, in one run.

1. Callbacks (area selection, filter change, finder page; map and profile) in
   process, on one app whose store is switched between the two backends request by
   request (interleaved), on the same data: the default store, copied into PostGIS
   with ``migrate``. Reported: the median per request and the ratio PostGIS /
   GeoPackage (goal <= 1.3). Also a cold read of every layer (caches emptied).
2. Ingest: the national-size underenheter file of ``bench_ingest.py`` (1.2 M
   records) read and written into each backend in a child process each, and a bulk
   write of a national-size ``establishments`` layer (1.2 M rows, COPY on
   PostGIS): records/s and the child's own peak RSS (budget 1 GB).

PostgreSQL: ``--database-url`` (an empty database with PostGIS), or without it a
throw-away cluster is started (``tests/pg/cluster.py``; needs
``postgresql-15-postgis-3``, see ``make pg-deps``).

Usage::

    python bench/bench_postgis.py                      # everything, full size
    python bench/bench_postgis.py --records 200000 --runs 100
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BUDGET_MB = 1024
GOAL = 1.3


# --- 1. callbacks ---------------------------------------------------------------


def _bodies(client):
    """Request bodies: echo, filter change, area selection, finder pages."""
    from bench_dashboard import callback_body, map_values
    from bench_finder import ECHO_OUT, find_dep, payload

    from components import finder_panel, ids

    deps = client.get("/_dash-dependencies").get_json()
    section = map_values(**{"map-sections.value": ["G"]})
    area = map_values(**{"map-area.value": "visperud"})
    out = {
        "echo": [payload(find_dep(deps, f"{ECHO_OUT}.children"), ["hello"])],
        "filter: map": [
            callback_body(deps, "map-graph.figure", section, ["map-sections.value"])
        ],
        "filter: profile": [
            callback_body(
                deps, "profile-content.children", section, ["map-sections.value"]
            )
        ],
        "area: map": [
            callback_body(deps, "map-graph.figure", area, ["map-area.value"])
        ],
        "area: profile": [
            callback_body(deps, "profile-content.children", area, ["map-area.value"])
        ],
    }
    broad = [[], [], None, None, None, None, "keep", None, ["ledig"], None, None]
    query = finder_panel._query_data(finder_panel.query_from_controls(*broad))
    rows_dep = find_dep(deps, f"{ids.FINDER_GRID}.getRowsResponse")
    request = {
        "startRow": 0,
        "endRow": 20,
        "sortModel": [{"colId": "walk", "sort": "asc"}],
    }
    out["finder: page"] = [
        payload(rows_dep, [request], [query, "nb"]),
        payload(rows_dep, [{**request, "startRow": 20, "endRow": 40}], [query, "nb"]),
    ]
    return out


def interleaved(gpkg, stores, runs):
    """Median seconds per ``(store label, callback)``, stores interleaved.

    One in-process app (on ``gpkg``) whose store is switched request by request
    between ``stores`` (``{label: locator}``); which store goes first alternates.

    Returns
    -------
    tuple
        ``({(label, callback): seconds}, [callback names])``
    """
    from bench_finder import make_app

    app = make_app(gpkg)
    server = app.server
    client = server.test_client()
    client.get("/")
    token = client.get_cookie("_csrf_token")
    headers = {"Accept-Encoding": "gzip", "X-CSRFToken": token.value if token else ""}
    bodies = _bodies(client)

    def post(store, body):
        server.config["NARING_STORE"] = store
        t = time.perf_counter()
        resp = client.post("/_dash-update-component", json=body, headers=headers)
        elapsed = time.perf_counter() - t
        if resp.status_code != 200:
            raise SystemExit(f"{resp.status_code}: {resp.get_data(as_text=True)[:300]}")
        return elapsed

    for _ in range(5):
        for store in stores.values():
            for group in bodies.values():
                for body in group:
                    post(store, body)
    times = {(b, name): [] for b in stores for name in bodies}
    order = list(stores.items())
    for i in range(runs):
        for name, group in bodies.items():
            # Alternate which store goes first: neither gains from the other's work.
            for label, store in order if i % 2 else order[::-1]:
                times[(label, name)].append(post(store, group[i % len(group)]))
    return {k: statistics.median(v) for k, v in times.items()}, list(bodies)


def bench_callbacks(gpkg, url, runs):
    """Median seconds per request and backend, interleaved; and cold reads."""
    from layers.frames import MEMO
    from layers.schemas import SCHEMAS
    from layers.store import open_store

    stores = {"gpkg": str(gpkg), "postgis": url}
    warm, names_run = interleaved(gpkg, stores, runs)
    cold = {b: [] for b in stores}
    names = [
        n for n in SCHEMAS if n in {i.name for i in open_store(gpkg).list_layers()}
    ]
    for _ in range(max(3, runs // 20)):
        for backend, store in stores.items():
            MEMO.clear()
            s = open_store(store)
            t = time.perf_counter()
            for name in names:
                s.read_layer(name)
            cold[backend].append(time.perf_counter() - t)
    return warm, {b: statistics.median(v) for b, v in cold.items()}, names_run


# --- 2. ingest ------------------------------------------------------------------


def _child_ingest(store, underenheter, addresses):
    """Child: read the national file, write the kommune's layer; print figures."""
    from layers.establishments import read_establishments

    from layers.store import open_store

    s = open_store(store)
    t = time.perf_counter()
    gdf, _report = read_establishments(underenheter, addresses, kommune="3222")
    read_s = time.perf_counter() - t
    s.replace_layers({"establishments": (gdf, {"source": "bench"})})
    total = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {"seconds": total, "read_s": read_s, "rows": len(gdf), "peak_mb": peak}
        )
    )


def _child_bulk(store, source, rows):
    """Child: write a national-size establishments layer (``rows`` rows)."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd

    from layers.store import open_store

    base = open_store(source).read_layer("establishments")
    reps = -(-rows // len(base))
    big = pd.concat([base] * reps, ignore_index=True).iloc[:rows].copy()
    big["orgnr"] = [f"{900000000 + k}" for k in range(len(big))]
    jitter = np.random.default_rng(1).normal(0, 0.0005, size=(len(big), 2))
    xy = gpd.points_from_xy(
        big.geometry.x + jitter[:, 0], big.geometry.y + jitter[:, 1], crs=base.crs
    )
    big = big.set_geometry(xy)
    del base, xy, jitter
    import gc

    gc.collect()
    frame_mb = _rss_mb()
    target = open_store(store)
    t = time.perf_counter()
    target.replace_layers({"establishments": (big, {"source": "bench bulk"})})
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {"seconds": seconds, "rows": len(big), "peak_mb": peak, "frame_mb": frame_mb}
    print(json.dumps(out))


def _rss_mb():
    """This process's resident memory now (MB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _run_child(*args):
    proc = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT
    )
    if proc.returncode != 0:
        raise SystemExit(f"child {args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_ingest(stores, source, records, bulk_rows, tmp):
    """Ingest figures per backend: ``{backend: {"national": …, "bulk": …}}``."""
    import bench_ingest

    underenheter = tmp / "underenheter_alle.json.gz"
    addresses = tmp / "adresser_3222.csv"
    bench_ingest.write_underenheter(underenheter, records)
    bench_ingest.write_addresses(addresses)
    out = {}
    for backend, store in stores.items():
        national = _run_child(
            "--child-ingest", store, str(underenheter), str(addresses)
        )
        national["records_per_s"] = records / national["seconds"]
        bulk = _run_child("--child-bulk", store, str(source), str(bulk_rows))
        bulk["records_per_s"] = bulk["rows"] / bulk["seconds"]
        out[backend] = {"national": national, "bulk": bulk}
    return out


# --- main -------------------------------------------------------------------------


def _build(tmp):
    path = tmp / "store.gpkg"
    subprocess.run(
        [sys.executable, "-m", "layers", "build", "--store", str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return path


def _report(warm, cold, names, ingest, records, bulk_rows):
    lines = ["", "PostGIS vs GeoPackage, same data, one run (medians, ms)", ""]
    lines.append(f"{'request':18} {'GeoPackage':>11} {'PostGIS':>9} {'ratio':>7}")
    worst = 0.0
    for name in names:
        g, p = warm[("gpkg", name)] * 1000, warm[("postgis", name)] * 1000
        ratio = p / g
        if name != "echo":
            worst = max(worst, ratio)
        lines.append(f"{name:18} {g:11.2f} {p:9.2f} {ratio:7.2f}")
    g, p = cold["gpkg"] * 1000, cold["postgis"] * 1000
    lines.append(f"{'cold: all layers':18} {g:11.1f} {p:9.1f} {p / g:7.2f}")
    ok = "OK" if worst <= GOAL else "OVER GOAL"
    lines.append(f"worst callback ratio {worst:.2f} (goal <= {GOAL})  {ok}")
    if ingest:
        lines += [
            "",
            f"Ingest ({records:,} underenheter; bulk layer {bulk_rows:,} rows)",
        ]
        lines.append(
            f"{'':22} {'records/s':>10} {'seconds':>8} {'rows':>9} {'peak MB':>8}"
            f" {'write MB':>9}"
        )
        for backend, figs in ingest.items():
            for kind in ("national", "bulk"):
                f = figs[kind]
                # The bulk child builds its 1.2 M-row frame first; "write MB" is
                # what the store's write added on top of it.
                added = f["peak_mb"] - f.get("frame_mb", 0)
                flag = "" if f["peak_mb"] < BUDGET_MB else "  (peak over 1 GB)"
                lines.append(
                    f"{backend + ' ' + kind:22} {f['records_per_s']:10,.0f} "
                    f"{f['seconds']:8.1f} {f['rows']:9,} {f['peak_mb']:8.0f}"
                    f" {added:9.0f}{flag}"
                )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an empty PostGIS database")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--records", type=int, default=1_200_000)
    parser.add_argument("--bulk-rows", type=int, default=1_200_000)
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--child-ingest", nargs=3)
    parser.add_argument("--child-bulk", nargs=3)
    args = parser.parse_args(argv)
    if args.child_ingest:
        _child_ingest(*args.child_ingest)
        return 0
    if args.child_bulk:
        store, source, rows = args.child_bulk
        _child_bulk(store, source, int(rows))
        return 0

    cluster = None
    if args.database_url:
        base_url = args.database_url
    else:
        from tests.pg import cluster as pg

        cluster = pg.start()
        base_url = cluster.url
    sep = "&" if "?" in base_url else "?"
    try:
        with tempfile.TemporaryDirectory(prefix="bench_postgis_") as tmp:
            tmp = Path(tmp)
            from layers.store import open_store
            from layers.store.migrate import copy_store

            gpkg = _build(tmp)
            url = f"{base_url}{sep}schema=bench_callbacks"
            copy_store(open_store(gpkg), open_store(url), replace=True)
            warm, cold, names = bench_callbacks(gpkg, url, args.runs)
            ingest = None
            if not args.skip_ingest:
                stores = {
                    "gpkg": str(tmp / "ingest.gpkg"),
                    "postgis": f"{base_url}{sep}schema=bench_ingest",
                }
                copy_store(open_store(gpkg), open_store(stores["gpkg"]))
                copy_store(
                    open_store(gpkg), open_store(stores["postgis"]), replace=True
                )
                ingest = bench_ingest(stores, gpkg, args.records, args.bulk_rows, tmp)
            print(_report(warm, cold, names, ingest, args.records, args.bulk_rows))
    finally:
        if cluster is not None:
            cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
