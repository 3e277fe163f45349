"""Can exports starve the site? /health latency with 8 concurrent export downloads.

Serves the app with gunicorn (2 sync workers, as the Procfile) on 127.0.0.1 and
times ``GET /health`` (a bounded loop of sequential requests) while 8 clients
download meeting-pack exports from ``/export/<kind>`` as fast as they can (a
client that is told 503 "busy" retries after 0.2 s, as a hostile one would).
Scenarios, each on a fresh copy of the store (so a cold export cache):

* ``none``: no exports (the baseline);
* ``same``: 8 clients fetch the same PDF (all six areas), the meeting rush;
* ``varied``: 8 clients fetch different files (PDF, HTML map, XLSX; areas;
  languages), so the cache cannot help and the slot bound does the work;
* the same two with ``NARING_EXPORT_SLOTS=0`` (no cache, no bound: the behaviour
  before issue 9) for comparison.

Reports the median and 95th percentile of /health and the ratio of each to the
baseline's median, and how the export requests were answered.

    python bench/bench_export_load.py [--store PATH] [--probes 40] [--clients 8]

Nothing leaves 127.0.0.1. Not a test: the figures are ratios within one run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.register_support import start_gunicorn, stop_gunicorn  # noqa: E402

AREAS = ("sentrum", "stasjonsomradet", "fjellhamar", "visperud", "ahus", "losbydalen")


def serve(store, slots, workers=2):
    """Start gunicorn on ``store``; return (process, base URL), both workers warm."""
    proc, base = start_gunicorn(
        store,
        workers=workers,
        secret="bench-secret",
        env={"NARING_EXPORT_SLOTS": str(slots)},
        args=("--log-level", "warning"),
        wait_s=90,
    )
    # Warm both workers (the layers' first read), outside the timing.
    for _ in range(4):
        urllib.request.urlopen(base + "/health", timeout=30).read()
        urllib.request.urlopen(base + "/_dash-layout", timeout=30).read()
    return proc, base


def get(url, timeout=120):
    """Return (status, seconds)."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        exc.read()
        status = exc.code
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        status = 0
    return status, time.perf_counter() - start


def export_paths(kind, k):
    """The export URL client ``k`` fetches in scenario ``kind``."""
    if kind == "same":
        return ["/export/pdf?lang=nb"]
    paths = []
    for j, area in enumerate(AREAS):
        lang = "en" if (j + k) % 2 else "nb"
        paths += [
            f"/export/pdf?area={area}&lang={lang}",
            f"/export/html?area={area}&lang={lang}&layers=firms,transit",
            f"/export/xlsx?area={area}&lang={lang}",
        ]
    return paths[k % 3 :] + paths[: k % 3]


def run(base, scenario, probes, clients, max_downloads=200):
    """Time ``probes`` /health requests while ``clients`` download exports."""
    done = threading.Event()
    answers = []
    lock = threading.Lock()

    def client(k):
        paths = export_paths(scenario, k)
        for n in range(max_downloads):
            if done.is_set():
                return
            status, seconds = get(base + paths[n % len(paths)])
            with lock:
                answers.append((status, seconds))
            if status == 503:
                time.sleep(0.2)

    threads = []
    if scenario != "none":
        threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
        for th in threads:
            th.start()
        time.sleep(1.0)  # let the exports get going
    latencies = []
    for _ in range(probes):
        status, seconds = get(base + "/health", timeout=120)
        latencies.append(seconds if status == 200 else float("inf"))
        time.sleep(0.1)
    done.set()
    for th in threads:
        th.join(300)
    return latencies, answers


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="a built store (default: build one)")
    parser.add_argument("--probes", type=int, default=40)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        tmp = Path(tmp)
        source = Path(args.store) if args.store else tmp / "source.gpkg"
        if not args.store:
            subprocess.run(
                [sys.executable, "-m", "layers", "build", "--store", str(source)],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
        rows = []
        baseline = None
        for scenario, slots in (
            ("none", 1),
            ("same", 1),
            ("varied", 1),
            ("same", 0),
            ("varied", 0),
        ):
            folder = tmp / f"{scenario}-{slots}"
            folder.mkdir()
            store = folder / "store.gpkg"
            shutil.copyfile(source, store)
            proc, base = serve(store, slots)
            try:
                latencies, answers = run(base, scenario, args.probes, args.clients)
            finally:
                stop_gunicorn(proc)
            med = statistics.median(latencies)
            baseline = baseline or med
            codes = {}
            for status, _s in answers:
                codes[status] = codes.get(status, 0) + 1
            rows.append((scenario, slots, med, p95(latencies), med / baseline, codes))
            print(
                f"{scenario:7} slots={slots}: /health median {med * 1000:7.1f} ms, "
                f"p95 {p95(latencies) * 1000:7.1f} ms, ratio {med / baseline:6.1f}x, "
                f"exports {dict(sorted(codes.items()))}",
                flush=True,
            )
    print(
        "\n| exports running | EXPORT_SLOTS | /health median | p95 | ratio | answers |"
    )
    print("|---|---|---|---|---|---|")
    for scenario, slots, med, high, ratio, codes in rows:
        label = {
            "none": "none",
            "same": f"{args.clients} × same PDF",
            "varied": f"{args.clients} × varied",
        }
        answered = ", ".join(f"{k}: {v}" for k, v in sorted(codes.items())) or "–"
        print(
            f"| {label[scenario]} | {slots} | {med * 1000:.1f} ms | "
            f"{high * 1000:.1f} ms | {ratio:.1f}× | {answered} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
