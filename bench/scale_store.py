"""A copy of a store with N establishments, for the scale benchmarks.

The establishments of the base store (the default store: 4 512 generated ones) are
drawn with replacement and moved by a random offset (normal, 120 m standard
deviation, in EPSG:25833), so that N of them keep the base's distribution over the
areas, industries and sizes. Every other layer is copied unchanged. The layer stays
labelled as demonstration data, with the scaling noted in its details.

    python bench/scale_store.py --n 100000 --out /tmp/store-100k.gpkg [--base PATH]
        [--seed 1]

Reproducible: the same base, N and seed give the same rows.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from layers import firm_index  # noqa: E402
from layers.schemas import METRIC_CRS  # noqa: E402
from layers.store import open_store  # noqa: E402

JITTER_M = 120.0


def scaled_establishments(base, n, seed=1):
    """Return ``n`` establishments drawn from ``base`` (a GeoDataFrame), jittered.

    Parameters
    ----------
    base : geopandas.GeoDataFrame
        The base establishments (EPSG:4326); unplaced rows (no point) stay unplaced.
    n : int
        How many rows to return.
    seed : int
        Seed of the random draw.

    Returns
    -------
    geopandas.GeoDataFrame
        ``n`` rows with the base's columns, unique ``orgnr``, in the base's CRS.
    """
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(base), size=n)
    out = base.iloc[picks].reset_index(drop=True)
    placed = out.geometry.notna() & ~out.geometry.is_empty
    metric = out.loc[placed].geometry.to_crs(METRIC_CRS)
    dx = rng.normal(0.0, JITTER_M, size=len(metric))
    dy = rng.normal(0.0, JITTER_M, size=len(metric))
    moved = gpd.GeoSeries.from_xy(metric.x + dx, metric.y + dy, crs=METRIC_CRS)
    geometry = out.geometry.copy()
    geometry.loc[placed] = moved.to_crs(base.crs).values
    out = out.set_geometry(geometry)
    # Unique 9-digit numbers above any real organisation number's range start.
    out["orgnr"] = [f"{900000000 + k:09d}" for k in range(n)]
    out["name"] = [f"Skalert demofirma {k + 1}" for k in range(n)]
    return gpd.GeoDataFrame(out, geometry="geometry", crs=base.crs)


def build_default(tmp):
    path = Path(tmp) / "base.gpkg"
    subprocess.run(
        [sys.executable, "-m", "layers", "build", "--store", str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, required=True, help="establishments")
    parser.add_argument("--out", required=True, help="store to write")
    parser.add_argument("--base", help="base store (default: build the default one)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    out = Path(args.out)
    with tempfile.TemporaryDirectory() as tmp:
        base_path = Path(args.base) if args.base else build_default(tmp)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(base_path, out)
    store = open_store(out)
    base = store.read_layer("establishments")
    info = store.layer_info("establishments")
    details = json.loads(info.details or "{}")
    details["scaled"] = {"from_rows": len(base), "rows": args.n, "seed": args.seed}
    meta = {
        "source": info.source,
        "licence": info.licence,
        "as_of": info.as_of,
        "demonstration": True,
        "imported_at": info.imported_at,
        "details": details,
    }
    frame = scaled_establishments(base, args.n, args.seed)
    layers = firm_index.with_index(store, {"establishments": (frame, meta)})
    written = next(
        i for i in store.replace_layers(layers) if i.name == "establishments"
    )
    print(f"{out}: establishments {written.rows:,} (from {len(base):,})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
