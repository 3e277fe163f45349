"""A kommune's dashboard on a whole-country database vs a kommune-only one, one run.

Two PostGIS stores serve Lørenskog with the same data:

- **alone**: the default store copied into a schema of its own (a database that
  holds only this kommune);
- **national**: a schema holding the whole country's establishments (the default
  store's 4 512 in 3222, plus generated ones in other kommuner up to
  ``--national``, 1.2 M by default: the default store's establishments drawn with
  replacement, jittered as in ``scale_store.py`` and moved to one of 356 places
  spread over Norway, each its own kommunenummer), and Lørenskog's own layers
  (boundary, areas, register …) in the kommune's schema, opened with
  ``?kommune=3222`` (``layers/store/national.py``).

Measured in process on one app whose store is switched between the two request by
request (interleaved): the callbacks of ``bench_postgis.py`` (filter change and
area selection on map and profile, finder pages), median per request; and a cold
read of the establishments layer (memo emptied). Reported: national / alone
(budget <= 1.2: the cost must not grow with the country).

PostgreSQL: ``--database-url`` (an empty database with PostGIS), or a throw-away
cluster (``tests/pg/cluster.py``; ``make pg-deps``).

Usage::

    python bench/bench_national.py                 # 1.2 M establishments
    python bench/bench_national.py --national 200000 --runs 50
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BUDGET = 1.2
PLACES = 356  # kommuner in Norway, 2024
KOMMUNE = "3222"


def national_establishments(base, n, seed=7):
    """The country's establishments: ``base`` (the kommune's) plus generated ones.

    Parameters
    ----------
    base : geopandas.GeoDataFrame
        The kommune's establishments (kept as they are).
    n : int
        Rows in all.
    seed : int

    Returns
    -------
    geopandas.GeoDataFrame
    """
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    from scale_store import scaled_establishments

    others = scaled_establishments(base, max(n - len(base), 0), seed=seed)
    rng = np.random.default_rng(seed)
    place = rng.integers(0, PLACES, size=len(others))
    # Places over Norway's extent, none within 0.5 degrees of the kommune.
    lon = rng.uniform(5.0, 30.0, size=PLACES)
    lat = rng.uniform(58.0, 70.5, size=PLACES)
    centre = base.geometry.union_all().centroid
    far = (np.abs(lon - centre.x) > 0.5) | (np.abs(lat - centre.y) > 0.5)
    lon, lat = np.where(far, lon, lon + 3.0), lat
    placed = others.geometry.notna() & ~others.geometry.is_empty
    geom = others.geometry.copy()
    pts = others.loc[placed].geometry
    dx = lon[place[placed.to_numpy()]] - centre.x
    dy = lat[place[placed.to_numpy()]] - centre.y
    geom.loc[placed] = gpd.points_from_xy(pts.x + dx, pts.y + dy, crs=base.crs)
    others = others.set_geometry(geom)
    others["kommunenummer"] = [f"{5001 + p:04d}" for p in place]
    others["orgnr"] = [f"{800000000 + k:09d}" for k in range(len(others))]
    out = pd.concat([base, others], ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=base.crs)


def set_up(gpkg, base_url, n):
    """Return ``(alone URL, national kommune URL, national rows)``."""
    from layers.store import KommuneStore, PostGISStore, open_store
    from layers.store.migrate import copy_store

    sep = "&" if "?" in base_url else "?"
    alone = f"{base_url}{sep}schema=bench_alone"
    national = f"{base_url}{sep}schema=bench_national"
    source = open_store(gpkg)
    copy_store(source, open_store(alone), replace=True)
    est = source.read_layer("establishments")
    meta = source.layer_info("establishments").to_dict()
    country = national_establishments(est, n)
    t = time.perf_counter()
    PostGISStore(national).replace_layers({"establishments": (country, meta)})
    print(f"national layer: {len(country):,} rows in {time.perf_counter() - t:.0f} s")
    del country
    own = KommuneStore(national, KOMMUNE)
    copy_store(source, own, replace=True)
    # The kommune reads the national layer: drop its own copy.
    with own.transaction() as con:
        table = con.execute(
            "SELECT table_name FROM store_layers WHERE name = 'establishments'"
        ).fetchone()[0]
        con.execute("DELETE FROM store_layers WHERE name = 'establishments'")
        con.execute(f'DROP TABLE "{table}"')
    kommune_url = f"{national}&kommune={KOMMUNE}"
    got = len(open_store(kommune_url).read_layer("establishments"))
    assert got == len(est), (got, len(est))
    return alone, kommune_url, n


def bench(gpkg, stores, runs):
    """Median seconds per request and store (interleaved), and cold reads."""
    from bench_postgis import interleaved

    from layers.frames import MEMO
    from layers.store import open_store

    warm, names = interleaved(gpkg, stores, runs)
    cold = {s: [] for s in stores}
    for _ in range(max(5, runs // 10)):
        for label, store in stores.items():
            MEMO.clear()
            s = open_store(store)
            t = time.perf_counter()
            s.read_layer("establishments")
            cold[label].append(time.perf_counter() - t)
    return warm, {s: statistics.median(v) for s, v in cold.items()}, names


def report(warm, cold, names, rows):
    """The figures as text."""
    out = [
        f"Lørenskog ({KOMMUNE}) on a database of {rows:,} establishments "
        "vs one of the kommune's alone (median per request, in process)",
        f"{'':22}{'alone':>10}{'national':>10}{'ratio':>8}",
    ]
    worst = 0.0
    for name in names:
        a, b = warm[("alone", name)], warm[("national", name)]
        ratio = b / a
        if name != "echo":
            worst = max(worst, ratio)
        out.append(f"{name:22}{a * 1e3:9.1f}ms{b * 1e3:9.1f}ms{ratio:7.2f}×")
    a, b = cold["alone"], cold["national"]
    out.append(
        f"{'cold read, firms':22}{a * 1e3:9.1f}ms{b * 1e3:9.1f}ms{b / a:7.2f}×"
        " (after an import)"
    )
    verdict = "within" if worst <= BUDGET else "OVER"
    out.append(f"worst callback ratio {worst:.2f}× ({verdict} the {BUDGET}× budget)")
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an empty PostGIS database")
    parser.add_argument("--national", type=int, default=1_200_000)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args(argv)
    from bench_postgis import _build

    cluster = None
    if args.database_url:
        base_url = args.database_url
    else:
        from tests.pg import cluster as pg

        cluster = pg.start()
        base_url = cluster.url
    try:
        with tempfile.TemporaryDirectory(prefix="bench_national_") as tmp:
            gpkg = _build(Path(tmp))
            alone, national, rows = set_up(gpkg, base_url, args.national)
            stores = {"alone": alone, "national": national}
            warm, cold, names = bench(gpkg, stores, args.runs)
            print(report(warm, cold, names, rows))
    finally:
        if cluster is not None:
            cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
