"""Hostile-input corpus: the verdict table and the importer's peak memory per file.

Usage: ``python bench/bench_hostile.py [--keep DIR]``. Builds a store, writes the
corpus of ``tests/hostile/corpus.py`` (82 files across the importers), runs every
file through ``python -m layers import`` in a subprocess against a fresh copy of
the store, and prints per file: the verdict, exit code, peak resident memory of
the importer (ru_maxrss of the child) and time; then the table (refused correctly
/ accepted correctly / traceback / wrong answer / store changed) and the largest
peak against the bound ``PEAK_BOUND_MB``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile import corpus, run  # noqa: E402

# Every hostile file is refused or read within this much resident memory (the
# interpreter with geopandas, pyogrio and pyproj loaded is ~250 MB of it).
PEAK_BOUND_MB = 600


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--keep", help="write the corpus here (default: a temporary folder)"
    )
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = tmp / "store.gpkg"
        subprocess.run(
            [sys.executable, "-m", "layers", "build", "--store", str(store)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        out = Path(args.keep) if args.keep else tmp / "corpus"
        cases = corpus.write_corpus(out, store=store)
        work = tmp / "work"
        work.mkdir()
        print(f"{len(cases)} files; bound {PEAK_BOUND_MB} MB peak per import\n")
        print(
            f"{'file':30} {'importer':15} {'verdict':20} {'rc':>3} {'peak MB':>8} {'s':>6}"
        )

        def show(r):
            print(
                f"{r.case.name:30} {r.case.kind:15} {r.verdict:20} {r.rc:>3} "
                f"{r.peak_mb:8.0f} {r.seconds:6.1f}  {r.message[:70]}",
                flush=True,
            )

        results = run.run_all(cases, out, store, work, progress=show)
    print()
    for line in run.table(results):
        print(line)
    worst = max(results, key=lambda r: r.peak_mb)
    print(
        f"\npeak memory: max {worst.peak_mb:.0f} MB ({worst.case.name}), "
        f"median {sorted(r.peak_mb for r in results)[len(results) // 2]:.0f} MB; "
        f"bound {PEAK_BOUND_MB} MB: "
        + ("held" if worst.peak_mb <= PEAK_BOUND_MB else "EXCEEDED")
    )
    bad = [r for r in results if r.verdict in ("traceback", "wrong answer")]
    return 1 if bad or worst.peak_mb > PEAK_BOUND_MB else 0


if __name__ == "__main__":
    sys.exit(main())
