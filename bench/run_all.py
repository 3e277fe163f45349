"""Run every benchmark in bench/ (``bench_*.py``) one after another and print its report.

Each benchmark measures its budget as a ratio within its own run, so the figures can
be compared across machines; none of them is a pass/fail test of speed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main():
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n=== {script.name}", flush=True)
        code = subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode
        if code:
            failed.append(script.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
