"""Benchmark a filter change in the premises finder with 10 000 listings.

Builds a copy of the default store (``python -m layers build``), seeds its
register with generated listings inside the municipality
(``layers.register.seed_register``), then drives the real app in process with
Flask's test client: POST ``/_dash-update-component`` with the JSON payloads the
browser sends. Each finder callback's server time (median of N, interleaved with
the other requests in one run) is compared with a trivial echo callback that this
script adds to the same app (bench only; production code has none). It also
reports response sizes: a filter change must not carry the rows.

Budget (DESIGN.md): a filter change within 3x the echo callback.

Usage::

    python bench/bench_finder.py                      # 10 000 listings, N = 300
    python bench/bench_finder.py --listings 2000 --runs 100 --store /tmp/x.gpkg
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BUDGET = 3.0
REACH_BUDGET = 3.0  # filter with a travel-time condition / without (issue 12)
ECHO_IN, ECHO_OUT = "bench-echo-in", "bench-echo-out"
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def build_store(path, n, seed=7):
    """A default store whose register holds ``n`` generated listings."""
    import geopandas as gpd
    import shapely

    from layers import register
    from layers.schemas import CRS, METRIC_CRS, PREMISES_STATUSES, PREMISES_TYPES
    from layers.store import open_store

    path.unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, "-m", "layers", "build", "--store", str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    store = open_store(path)
    muni = store.read_layer("boundary").to_crs(METRIC_CRS).union_all()
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = muni.bounds
    shapely.prepare(muni)
    xs, ys = [], []
    while len(xs) < n:
        x = rng.uniform(minx, maxx, 4 * n)
        y = rng.uniform(miny, maxy, 4 * n)
        inside = shapely.contains_xy(muni.buffer(-60), x, y)
        xs.extend(x[inside].tolist())
        ys.extend(y[inside].tolist())
    points = gpd.GeoSeries(gpd.points_from_xy(xs[:n], ys[:n]), crs=METRIC_CRS).to_crs(
        CRS
    )
    rent = np.round(rng.uniform(700, 3500, n), -1)
    rent[rng.random(n) < 0.12] = np.nan
    first = date(2025, 1, 1)
    frame = gpd.GeoDataFrame(
        {
            "premises_id": [f"bench-{i:05d}" for i in range(n)],
            "title": [f"Benchlokale {i}" for i in range(n)],
            "address": [f"Benchveien {i % 400 + 1}" for i in range(n)],
            "type": rng.choice(PREMISES_TYPES, n),
            "size_m2": np.round(rng.lognormal(6.5, 0.8, n)).clip(20, 50_000),
            "rent_nok_m2_year": rent,
            "available_from": [
                (first + timedelta(days=int(d))).isoformat()
                for d in rng.integers(0, 730, n)
            ],
            "status": rng.choice(PREMISES_STATUSES, n, p=[0.7, 0.1, 0.1, 0.1]),
            "contact": "bench@example.invalid",
            "url": "https://example.invalid/bench",
            "updated_at": [
                (NOW - timedelta(days=int(d))).strftime("%Y-%m-%dT%H:%M:%SZ")
                for d in rng.integers(0, 400, n)
            ],
        },
        geometry=points.values,
        crs=CRS,
    )
    register.seed_register(store, frame, user="bench", demonstration=True, now=NOW)
    return store


def make_app(store_path):
    """The production app on the bench store, plus a bench-only echo callback."""
    import dash

    from app import create_app

    app = create_app({"NARING_STORE": str(store_path), "SECRET_KEY": "bench"})

    @dash.callback(
        dash.Output(ECHO_OUT, "children"),
        dash.Input(ECHO_IN, "value"),
        prevent_initial_call=True,
    )
    def echo(value):
        return value

    return app


def payload(dep, inputs, state=None, changed=None):
    """The body the Dash renderer POSTs for callback ``dep`` with these values."""
    outputs = [
        {"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]}
        for o in dep["output"].strip(".").split("...")
    ]
    return {
        "output": dep["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [
            {**i, "value": v} for i, v in zip(dep["inputs"], inputs, strict=True)
        ],
        "state": [
            {**s, "value": v} for s, v in zip(dep["state"], state or [], strict=True)
        ],
        "changedPropIds": changed
        or [f"{dep['inputs'][0]['id']}.{dep['inputs'][0]['property']}"],
    }


def find_dep(deps, output_part):
    """The dependency whose output names ``output_part``."""
    hits = [d for d in deps if output_part in d["output"]]
    if len(hits) != 1:
        raise SystemExit(
            f"expected one callback writing {output_part}, got {len(hits)}"
        )
    return hits[0]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--store", type=Path, default=Path("/tmp/finder-bench.gpkg"))
    parser.add_argument("--reuse", action="store_true", help="keep an existing store")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    if not (args.reuse and args.store.exists()):
        build_store(args.store, args.listings)
    build_s = time.perf_counter() - t0

    from components import finder_panel, ids
    from components.finder_panel import version_key

    app = make_app(args.store)
    client = app.server.test_client()
    client.get("/lokaler")
    token = client.get_cookie("_csrf_token")
    headers = {"Accept-Encoding": "gzip"}
    if token is not None:
        headers["X-CSRFToken"] = token.value
    deps = client.get("/_dash-dependencies").get_json()

    with app.server.test_request_context("/"):
        t0 = time.perf_counter()
        listings = finder_panel.listings()
        prepare_s = time.perf_counter() - t0
        key = version_key()
        n = len(listings)
        levels = len(listings.levels)

    echo_dep = find_dep(deps, f"{ECHO_OUT}.children")
    results_dep = find_dep(deps, f"{ids.FINDER_MATCH}.data")
    rows_dep = find_dep(deps, f"{ids.FINDER_GRID}.getRowsResponse")

    # Two searches, alternated: the call ("Visperud or the rest, warehouse or
    # mixed use, 800-1 500 m², near a stop") and a broad one (all available).
    narrow = [
        ["visperud", "rest"],
        ["lager/logistikk", "kombinert"],
        800,
        1500,
        None,
        None,
        "keep",
        "2027-03-01",
        ["ledig"],
        800,
        4,
        None,  # reach: minutes
        None,  # reach: from
    ]
    broad = [[], [], None, None, None, None, "keep", None, ["ledig"], None, None]
    broad += [None, None]
    # The same searches within 30 min by public transport of Lørenskog stasjon
    # (the travel times per origin are computed once, then cached).
    reach_from = "NSR:StopPlace:5497"
    narrow_reach = [*narrow[:-2], 30, reach_from]
    broad_reach = [*broad[:-2], 30, reach_from]
    state = [key, None, "nb"]
    bodies = {
        "echo": [payload(echo_dep, ["hello"])],
        "filter": [
            payload(results_dep, narrow, state, [f"{ids.FINDER_SIZE_MAX}.value"]),
            payload(results_dep, broad, state, [f"{ids.FINDER_AREAS}.value"]),
        ],
        "reach": [
            payload(results_dep, narrow_reach, state, [f"{ids.FINDER_SIZE_MAX}.value"]),
            payload(results_dep, broad_reach, state, [f"{ids.FINDER_AREAS}.value"]),
        ],
    }
    queries = {
        name: finder_panel._query_data(finder_panel.query_from_controls(*values))
        for name, values in (("narrow", narrow), ("broad", broad))
    }
    request = {
        "startRow": 0,
        "endRow": 20,
        "sortModel": [{"colId": "walk", "sort": "asc"}],
    }
    bodies["page"] = [
        payload(rows_dep, [request], [queries["broad"], "nb"]),
        payload(
            rows_dep,
            [{**request, "startRow": 4000, "endRow": 4020}],
            [queries["broad"], "nb"],
        ),
    ]

    def post(body):
        t = time.perf_counter()
        resp = client.post("/_dash-update-component", json=body, headers=headers)
        elapsed = time.perf_counter() - t
        if resp.status_code != 200:
            raise SystemExit(f"{resp.status_code}: {resp.get_data(as_text=True)[:400]}")
        return elapsed, resp

    for _ in range(20):  # warm up every path (caches, imports)
        for group in bodies.values():
            for body in group:
                post(body)

    times = {name: [] for name in bodies}
    sizes = {}
    for i in range(args.runs):
        for name, group in bodies.items():
            elapsed, resp = post(group[i % len(group)])
            times[name].append(elapsed)
            if i < len(group):
                raw = (
                    gzip.decompress(resp.data)
                    if resp.headers.get("Content-Encoding") == "gzip"
                    else resp.data
                )
                sizes.setdefault(name, []).append((len(raw), len(resp.data), raw))

    echo_ms = statistics.median(times["echo"]) * 1000
    print(
        f"\nPremises finder bench: {n} listings, {levels} stop thresholds, "
        f"{args.runs} runs per request (interleaved)"
    )
    print(
        f"store build {build_s:.1f} s, prepare (per store version) "
        f"{prepare_s * 1000:.0f} ms\n"
    )
    head = (
        f"{'request':34} {'median ms':>9} {'p90 ms':>8} {'x echo':>7} "
        f"{'bytes':>8} {'gzip':>7}"
    )
    print(head)
    print("-" * len(head))
    labels = {
        "echo": "echo callback (baseline)",
        "filter": "filter change (update_results)",
        "reach": "same + within 30 min by transit",
        "page": "grid page of 20 (update_rows)",
    }
    for name, label in labels.items():
        ms = statistics.median(times[name]) * 1000
        p90 = float(np.percentile(times[name], 90)) * 1000
        raw, gz = max(s[0] for s in sizes[name]), max(s[1] for s in sizes[name])
        print(f"{label:34} {ms:9.2f} {p90:8.2f} {ms / echo_ms:7.2f} {raw:8d} {gz:7d}")

    both = [f + p for f, p in zip(times["filter"], times["page"], strict=True)]
    ms = statistics.median(both) * 1000
    print(
        f"{'filter change + first page (sum)':34} {ms:9.2f} "
        f"{float(np.percentile(both, 90)) * 1000:8.2f} {ms / echo_ms:7.2f}"
    )

    ratio = statistics.median(times["filter"]) * 1000 / echo_ms
    worst = max(s[2] for s in sizes["filter"]).decode()
    leaked = sum(worst.count(f"bench-{i:05d}") for i in range(n))
    print(
        f"\nfilter change / echo = {ratio:.2f} (budget <= {BUDGET:.0f}x): "
        f"{'OK' if ratio <= BUDGET else 'OVER BUDGET'}"
    )
    reach_ratio = statistics.median(times["reach"]) / statistics.median(times["filter"])
    print(
        f"filter change with travel time / without = {reach_ratio:.2f} "
        f"(budget <= {REACH_BUDGET:.0f}x): "
        f"{'OK' if reach_ratio <= REACH_BUDGET else 'OVER BUDGET'}"
    )
    print(
        f"filter change response: {max(s[0] for s in sizes['filter'])} bytes, "
        f"listing ids in it: {leaked} (rows are fetched a page at a time)"
    )
    return 0 if ratio <= BUDGET and leaked == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
