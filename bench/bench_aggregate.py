"""Per-area aggregation of 1 000 000 establishments vs a bare geopandas.sjoin.

Budget (DESIGN.md): the whole per-area aggregation (areas, rest, total: counts and
jobs) costs at most 1.2x a bare ``geopandas.sjoin`` of the same points into the same
polygons. Both are timed in this one run, best of ``--repeat``; the ratio is what
counts, since the machines are shared and noisy.

    python bench/bench_aggregate.py [--points 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from layers.build import read_boundary  # noqa: E402
from layers.schemas import CRS, SCHEMAS, empty_layer  # noqa: E402
from layers.sources.areas import draw_indicative_areas  # noqa: E402
from layers.stats import area_figures  # noqa: E402


def make_establishments(n, seed=1):
    """n establishments spread over the municipality's bounding box (EPSG:4326)."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = read_boundary().total_bounds
    x = rng.uniform(minx, maxx, n)
    y = rng.uniform(miny, maxy, n)
    cols = {
        c: np.full(n, "", dtype=object)
        for c, k in SCHEMAS["establishments"].items()
        if k == "str"
    }
    cols["employees"] = rng.integers(0, 50, n)
    cols["placed"] = np.ones(n, dtype=bool)
    return gpd.GeoDataFrame(
        pd.DataFrame(cols), geometry=gpd.points_from_xy(x, y), crs=CRS
    )


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--points", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)

    areas = draw_indicative_areas(read_boundary())
    est = make_establishments(args.points)
    premises, stops = empty_layer("premises"), empty_layer("transit_stops")

    t_sjoin = best(
        lambda: gpd.sjoin(
            est[["geometry"]], areas[["area_id", "geometry"]], predicate="within"
        ),
        args.repeat,
    )
    t_agg = best(lambda: area_figures(areas, est, premises, stops), args.repeat)
    rows = area_figures(areas, est, premises, stops)
    joined = gpd.sjoin(
        est[["geometry"]], areas[["area_id", "geometry"]], predicate="within"
    )
    same = all(
        r["establishments"] == int((joined.area_id == r["area_id"]).sum())
        for r in rows[:6]
    )
    ratio = t_agg / t_sjoin
    print(f"points                       {args.points:>12,}")
    print(f"bare sjoin (within)          {t_sjoin:>10.3f} s")
    print(f"per-area aggregation         {t_agg:>10.3f} s")
    print(f"ratio aggregation / sjoin    {ratio:>10.2f}   (budget <= 1.20)")
    print(f"same counts as sjoin         {same!s:>10}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
