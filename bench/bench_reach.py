"""Benchmark travel-time reach: one origin, a 2-hour window, two timetables.

1. The demonstration store (``python -m layers build``).
2. A national-size synthetic GTFS feed (about 10 M stop times, default), written
   the way ``tests/gtfs_fixtures.write_large_feed`` writes its feed (pyarrow
   columns) but with a real regional network in the Lørenskog import box: a
   jittered grid of stop places with two quays each, bus lines across it that
   run on into the rest of the country, and fast rail lines; every other trip
   runs outside the box. It is imported into a copy of the demonstration store
   with ``python -m layers import gtfs`` (clipped to the region while streaming,
   the timetable built and stored with it).

For each store a child process reports: the timetable's load (cold) and the day
schedule; the range-RAPTOR query (07:00-09:00, 120 departure minutes, max 90
min) cold and warm, the full ``reach.query`` (stops and jobs within the bands)
and its peak memory (tracemalloc: numpy's allocations included) and the child's
peak RSS; the per-area figures (six centroids); and the finder's filter with and
without a travel-time condition (``components.finder.filter_mask`` alone, and
with ``reach.travel_minutes`` for the listings once the origin's answer is
cached: budget 3x). Precomputation per store version: the timetable's build
time inside the import, its tables' size in the store, and the import's time and
peak RSS.

Usage::

    python bench/bench_reach.py                        # 10 M stop times
    python bench/bench_reach.py --stop-times 2000000 --out /tmp/bench_reach
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FINDER_BUDGET = 3.0
LISTINGS = 10_000  # premises in the register, as bench_finder.py
ORIGIN_LONLAT = (10.956704, 59.928309)  # Lørenskog bussterminal
REGION = (10.8536, 59.8095, 11.0839, 59.9849)  # the import's bbox (boundary + 3 km)
GRID_M = 650


def _peak_mb():
    """Peak RSS of this process (VmHWM: ru_maxrss would keep the parent's mark)."""
    import re

    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def _clock(max_minutes):
    import pyarrow as pa

    return pa.array([f"{m // 60:02d}:{m % 60:02d}:00" for m in range(max_minutes + 1)])


def write_national_feed(path, *, stop_times=10_000_000, seed=5):
    """Write the synthetic national feed; return counts of what it holds.

    Returns
    -------
    dict
        ``stop_times``, ``regional_stop_times`` (at stops in the region),
        ``trips``, ``stop_places``.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv
    from pyproj import Transformer

    from tests.gtfs_fixtures import HEADERS

    rng = np.random.default_rng(seed)
    to_m = Transformer.from_crs(4326, 25833, always_xy=True)
    to_ll = Transformer.from_crs(25833, 4326, always_xy=True)
    x0, y0 = to_m.transform(REGION[0], REGION[1])
    x1, y1 = to_m.transform(REGION[2], REGION[3])
    nx, ny = int((x1 - x0) // GRID_M), int((y1 - y0) // GRID_M)
    keep = rng.random((nx, ny)) < 0.7
    cell = {}
    place_ll = {}  # stop place key -> (lat, lon), for the lines' shapes
    stops = []
    for i in range(nx):
        for j in range(ny):
            if not keep[i, j]:
                continue
            x = x0 + (i + 0.5) * GRID_M + rng.normal(0, 80)
            y = y0 + (j + 0.5) * GRID_M + rng.normal(0, 80)
            lon, lat = to_ll.transform(x, y)
            key = len(cell)
            cell[(i, j)] = key
            place_ll[key] = (lat, lon)
            stops.append(f"NSR:StopPlace:{key},Sted {key},{lat:.6f},{lon:.6f},,1,,0,,")
            for q in (1, 2):
                stops.append(
                    f"NSR:Quay:{key}{q},Sted {key},{lat:.6f},{lon + q * 3e-5:.6f},,0,"
                    f"NSR:StopPlace:{key},1,,{q}"
                )
    n_far = 2000
    for f in range(n_far):
        lat, lon = 58.3 + (f % 50) * 0.03, 5.5 + (f // 50) * 0.08
        stops.append(f"F{f},Fjern {f},{lat:.4f},{lon:.4f},,0,,0,,")

    # Regional lines: random walks over the grid, each continued by 6 far stops.
    cells = list(cell)
    lines = []
    for n in range(70):
        rail = n < 6
        step = 3 if rail else 1
        i, j = cells[rng.integers(len(cells))]
        di, dj = (1, 0) if rng.random() < 0.5 else (0, 1)
        path_cells = []
        for _ in range(400):
            if (i, j) in cell and (i, j) not in path_cells:
                path_cells.append((i, j))
            if len(path_cells) >= (9 if rail else 24):
                break
            if rng.random() < 0.25:
                di, dj = dj, di
            i, j = i + step * di, j + step * dj
            if not (0 <= i < nx and 0 <= j < ny):
                di, dj = -di, -dj
                i, j = i + 2 * step * di, j + 2 * step * dj
        if len(path_cells) >= 4:
            far = [f"F{rng.integers(n_far)}" for _ in range(6)]
            lines.append((rail, [cell[c] for c in path_cells], far))
    st_trip, st_min, st_stop, trip_rows = [], [], [], []
    n_trip = 0
    regional = 0
    shapes = []  # one shape per regional line (the import keeps lines with one)
    services = {
        "WD": (330, 1470, 10, 7),
        "SA": (360, 1440, 20, 20),
        "SU": (420, 1410, 30, 30),
    }
    for n_line, (rail, places, far) in enumerate(lines):
        shape = f"S{n_line}"
        shapes += [
            f"{shape},{place_ll[p][0]:.6f},{place_ll[p][1]:.6f},{k}"
            for k, p in enumerate(places, start=1)
        ]
        for direction in (0, 1):
            seq_places = places if direction == 0 else places[::-1]
            names = [f"NSR:Quay:{p}{1 + direction}" for p in seq_places] + far
            hop = 3 if rail else 2
            offsets = np.r_[0, np.cumsum(np.full(len(names) - 1, hop))]
            for service, (first, last, headway, peak) in services.items():
                starts = []
                t = first + int(rng.integers(0, headway))
                while t < last:
                    starts.append(t)
                    is_peak = service == "WD" and (390 <= t < 540 or 900 <= t < 1050)
                    t += (peak if is_peak else headway) * (2 if rail else 1)
                for t0 in starts:
                    trip_rows.append(
                        f"R{len(trip_rows) % 50},{service},T{n_trip},x,0,{shape}"
                    )
                    st_trip.append(np.full(len(names), n_trip))
                    st_min.append(t0 + offsets)
                    st_stop.append(names)
                    regional += len(seq_places)
                    n_trip += 1
    # The rest of the country: trips on far stops only, to the total.
    per_trip = 30
    done = sum(len(s) for s in st_stop)
    n_far_trips = max(0, (stop_times - done) // per_trip)
    index = np.arange(n_far_trips * per_trip)
    far_trip = n_trip + index // per_trip
    far_min = 300 + (index // per_trip) % 1000 + (index % per_trip) * 2
    far_names = np.array([f"F{f}" for f in range(n_far)], dtype=object)
    far_stop = far_names[(index // per_trip * 7 + index % per_trip) % n_far]
    trip_rows += [f"R{50 + t % 200},WD,T{n_trip + t},x,0," for t in range(n_far_trips)]
    trips = np.concatenate([*st_trip, far_trip])
    minutes = np.concatenate([*st_min, far_min]).astype("int64")
    stop_ids = np.concatenate([np.concatenate(st_stop).astype(object), far_stop])
    seq = np.concatenate([np.arange(len(s)) for s in st_stop] + [index % per_trip])
    clock = _clock(int(minutes.max()))
    times = clock.take(pa.array(minutes))
    zeros = pa.array(np.zeros(len(trips), dtype="int8"))
    table = pa.table(
        {
            "trip_id": pa.array(np.char.add("T", trips.astype(str))),
            "arrival_time": times,
            "departure_time": times,
            "stop_id": pa.array(stop_ids, pa.string()),
            "stop_sequence": pa.array(seq),
            "pickup_type": zeros,
            "drop_off_type": zeros,
        }
    )
    buffer = io.BytesIO()
    pacsv.write_csv(
        table, buffer, pacsv.WriteOptions(quoting_style="none", batch_size=1 << 16)
    )
    routes = [f"RUT,R{r},{r},Linje {r},{100 if r < 6 else 700},," for r in range(250)]
    members = {
        "agency.txt": [HEADERS["agency.txt"], "RUT,Ruter,https://ruter.no,Europe/Oslo"],
        "stops.txt": [HEADERS["stops.txt"], *stops],
        "routes.txt": [HEADERS["routes.txt"], *routes],
        "trips.txt": [HEADERS["trips.txt"], *trip_rows],
        "calendar.txt": [
            HEADERS["calendar.txt"],
            "WD,1,1,1,1,1,0,0,20240101,20241231",
            "SA,0,0,0,0,0,1,0,20240101,20241231",
            "SU,0,0,0,0,0,0,1,20240101,20241231",
        ],
        "calendar_dates.txt": [HEADERS["calendar_dates.txt"], "WD,20240101,2"],
        "shapes.txt": [HEADERS["shapes.txt"], *shapes],
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, lines_ in members.items():
            zf.writestr(name, "\r\n".join(lines_) + "\r\n")
        zf.writestr("stop_times.txt", buffer.getvalue())
    return {
        "stop_times": len(trips),
        "regional_stop_times": regional,
        "trips": len(trip_rows),
        "stop_places": len(cell),
    }


# --------------------------------------------------------------------- child


def _child_import(store, feed):
    """Import ``feed`` into ``store`` as the CLI does, timing the timetable build."""
    from layers import cli
    from layers.sources import gtfs

    spent = {}
    real = gtfs.build_timetable

    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        out = real(*args, **kwargs)
        spent["timetable_build_s"] = time.perf_counter() - t0
        return out

    gtfs.build_timetable = timed
    t0 = time.perf_counter()
    code = cli.main(["import", "gtfs", str(feed), "--store", str(store)])
    spent["import_s"] = time.perf_counter() - t0
    spent["code"] = code
    spent["peak_rss_mb"] = _peak_mb()
    print(json.dumps(spent))


def _child_query(store_path, runs):
    """Time and measure one store's reach queries; print JSON."""
    import tracemalloc

    import pyproj

    from layers import reach, timetable
    from layers.reach.schedule import day_schedule
    from layers.store import open_store

    out = {}
    store = open_store(store_path)
    rss0 = _peak_mb()
    t0 = time.perf_counter()
    tt = timetable.load_timetable(store)
    out["load_timetable_s"] = time.perf_counter() - t0
    out["timetable"] = {
        k: tt.info[k] for k in ("places", "patterns", "trips", "stop_times")
    }
    day = reach.reference_date(tt)
    params = reach.ReachParams()
    t0 = time.perf_counter()
    ds = day_schedule(tt, day, horizon_s=9 * 3600 + 90 * 60)
    out["day_schedule_s"] = time.perf_counter() - t0
    out["trips_on_day"] = ds.trips
    origin = reach.origin_at(tt, *ORIGIN_LONLAT, params)
    window = (7 * 3600, 9 * 3600)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = reach.travel_times(
            tt, origin, day=day, window_s=window, max_s=90 * 60, params=params
        )
        times.append(time.perf_counter() - t0)
    out["raptor_s_first"] = times[0]
    out["raptor_s_median"] = statistics.median(times)
    out["places_reached"] = int((reach.percentile(result.seconds, 50) <= 5400).sum())
    lat_lon = (ORIGIN_LONLAT[1], ORIGIN_LONLAT[0])
    reach.query(store, lat_lon)  # warm the establishment points
    t0 = time.perf_counter()
    answer = reach.query(store, lat_lon)
    out["query_s"] = time.perf_counter() - t0
    tracemalloc.start()
    reach.query(store, lat_lon)
    out["query_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    out["jobs_within"] = answer.jobs_within
    t0 = time.perf_counter()
    reach.area_reach(store)
    out["area_reach_s"] = time.perf_counter() - t0
    out["finder"] = _finder_ratio(store, runs * 5)
    out["child_peak_rss_mb"] = _peak_mb()
    out["rss_after_imports_mb"] = rss0
    del pyproj
    print(json.dumps(out))


def _finder_ratio(store, runs):
    """The finder's filter as the app runs it, without and with "within 30 min".

    The listings are prepared with the same reach provider as
    ``components.data.finder_listings`` and the travel-time condition goes through
    ``finder.filter_mask`` (``Query.reach_minutes``/``reach_from``); the origin's
    premises minutes are computed once (timed apart) and then come from the cache.
    """
    from components import finder
    from layers import reach

    premises = store.read_layer("premises")
    listings = finder.prepare(
        premises,
        store.read_layer("areas"),
        store.read_layer("transit_stops"),
        reach=lambda o: reach.premises_minutes(store, o).to_numpy(),
    )
    origin = reach.stop_places(store).iloc[0]["stop_id"]
    plain_q = finder.make_query(max_walk_m=800)
    reach_q = finder.make_query(max_walk_m=800, reach_minutes=30, reach_from=origin)
    t0 = time.perf_counter()
    minutes = reach.premises_minutes(store, origin)  # per origin, then cached
    first = time.perf_counter() - t0
    assert (minutes.index == listings.frame["premises_id"].to_numpy()).all()
    expected = finder.filter_mask(listings, plain_q) & (minutes.to_numpy() <= 30)
    assert (finder.filter_mask(listings, reach_q) == expected).all()
    plain, timed = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        finder.filter_mask(listings, plain_q)
        plain.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        finder.filter_mask(listings, reach_q)
        timed.append(time.perf_counter() - t0)
    a, b = statistics.median(plain), statistics.median(timed)
    return {
        "listings": len(premises),
        "within_30": int(expected.sum()),
        "first_origin_ms": first * 1e3,
        "plain_ms": a * 1e3,
        "with_reach_ms": b * 1e3,
        "ratio": b / a,
    }


# -------------------------------------------------------------------- parent


def _run_child(*args):
    cmd = [sys.executable, __file__, *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"child failed: {' '.join(args)}\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _table_bytes(store_path):
    """Bytes the timetable tables take in the store (a store of them alone)."""
    from layers import timetable
    from layers.store import open_store

    store = open_store(store_path)
    tables = {n: (store.read_table(n), {}) for n in timetable.TABLES}
    with tempfile.TemporaryDirectory() as tmp:
        alone = open_store(Path(tmp) / "tt.gpkg")
        alone.replace_layers(tables)
        return alone.path.stat().st_size


def run(stop_times, out_dir, runs, listings=LISTINGS):
    """Build, generate, import and query; return the figures."""
    out_dir.mkdir(parents=True, exist_ok=True)
    demo = out_dir / "demo.gpkg"
    from bench.bench_finder import build_store

    build_store(demo, listings)
    figures = {"demo": _run_child("--query", str(demo), str(runs))}
    figures["demo"]["timetable_bytes"] = _table_bytes(demo)
    feed = out_dir / "national.zip"
    t0 = time.perf_counter()
    figures["feed"] = write_national_feed(feed, stop_times=stop_times)
    figures["feed"]["generate_s"] = time.perf_counter() - t0
    figures["feed"]["zip_mb"] = feed.stat().st_size / 2**20
    national = out_dir / "national.gpkg"
    shutil.copyfile(demo, national)
    figures["import"] = _run_child("--import", str(national), str(feed))
    if figures["import"]["code"] != 0:
        raise SystemExit(f"import gtfs failed: {figures['import']}")
    figures["national"] = _run_child("--query", str(national), str(runs))
    figures["national"]["timetable_bytes"] = _table_bytes(national)
    return figures


def _report(fig):
    lines = []
    f = fig["feed"]
    lines.append(
        f"national feed: {f['stop_times']:,} stop times ({f['regional_stop_times']:,} "
        f"in the region), {f['trips']:,} trips, {f['stop_places']} regional stop "
        f"places; {f['zip_mb']:.0f} MB zip, generated in {f['generate_s']:.0f} s"
    )
    imp = fig["import"]
    lines.append(
        f"import gtfs (clip, timetable, store): {imp['import_s']:.1f} s, of which "
        f"timetable build {imp['timetable_build_s']:.2f} s; peak RSS "
        f"{imp['peak_rss_mb']:.0f} MB"
    )
    for name in ("demo", "national"):
        d = fig[name]
        t = d["timetable"]
        ok = "OK" if d["finder"]["ratio"] <= FINDER_BUDGET else "OVER BUDGET"
        lines += [
            "",
            f"[{name}] timetable: {t['places']} places, {t['patterns']} patterns, "
            f"{t['trips']:,} trips, {t['stop_times']:,} stop times; "
            f"{d['timetable_bytes'] / 2**20:.1f} MB in the store",
            f"  load (cold) {d['load_timetable_s']:.2f} s; day schedule "
            f"{d['day_schedule_s']:.2f} s ({d['trips_on_day']:,} trips)",
            f"  RAPTOR 07:00-09:00, 120 minutes, max 90: first "
            f"{d['raptor_s_first'] * 1e3:.0f} ms, median {d['raptor_s_median'] * 1e3:.0f} "
            f"ms; {d['places_reached']} places within 90 min (median)",
            f"  reach.query (stops + jobs in bands): {d['query_s'] * 1e3:.0f} ms, peak "
            f"{d['query_peak_mb']:.1f} MB allocated; jobs within {d['jobs_within']}",
            f"  area_reach (6 centroids, cold): {d['area_reach_s']:.2f} s",
            f"  finder filter {d['finder']['plain_ms']:.3f} ms, with travel time "
            f"{d['finder']['with_reach_ms']:.3f} ms: ratio {d['finder']['ratio']:.2f} "
            f"(budget {FINDER_BUDGET}) {ok}; {d['finder']['listings']} listings "
            f"({d['finder']['within_30']} within 30 min), "
            f"first filter from an origin {d['finder']['first_origin_ms']:.0f} ms",
            f"  child peak RSS {d['child_peak_rss_mb']:.0f} MB "
            f"(after imports {d['rss_after_imports_mb']:.0f} MB)",
        ]
    return "\n".join(lines)


def main(argv=None):
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stop-times", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, help="directory for generated files")
    parser.add_argument("--query", nargs=2, metavar=("STORE", "RUNS"))
    parser.add_argument("--import", dest="imp", nargs=2, metavar=("STORE", "FEED"))
    args = parser.parse_args(argv)
    if args.query:
        _child_query(args.query[0], int(args.query[1]))
        return 0
    if args.imp:
        _child_import(*args.imp)
        return 0
    if args.out:
        fig = run(args.stop_times, args.out, args.runs)
    else:
        with tempfile.TemporaryDirectory(prefix="bench_reach_") as tmp:
            fig = run(args.stop_times, Path(tmp), args.runs)
    print(_report(fig))
    ok = fig["national"]["finder"]["ratio"] <= FINDER_BUDGET
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
