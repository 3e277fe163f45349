"""Run every corpus file through the CLI in a subprocess against a copy of a store.

For each case: the exit code, whether stderr holds a Python traceback, whether the
store's bytes changed (a refused import must leave them as they were), the peak
memory of the child (``ru_maxrss`` from ``wait4``) and the wall time.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 300


@dataclass
class Outcome:
    case: object
    rc: int
    traceback: bool
    store_changed: bool
    peak_mb: float
    seconds: float
    message: str

    @property
    def verdict(self):
        """refused correctly / accepted correctly / traceback / wrong answer."""
        if self.traceback:
            return "traceback"
        if self.case.expect == "refuse" and self.rc == 2 and not self.store_changed:
            return "refused correctly"
        if self.case.expect == "accept" and self.rc == 0:
            return "accepted correctly"
        return "wrong answer"


def _digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# Runs the importer as its child and reports the child's peak memory (wait4's
# ru_maxrss, KiB on Linux) on stdout, with the child's exit code as its own.
_WRAPPER = r"""
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
print(ru.ru_maxrss)
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def run_case(case, corpus, store, work):
    """Import one case into a fresh copy of ``store``; return an :class:`Outcome`."""
    target = Path(work) / "store.gpkg"
    shutil.copyfile(store, target)
    before = _digest(target)
    cmd = [sys.executable, "-m", "layers", "import", case.kind, str(corpus / case.name)]
    cmd += [*case.args, "--store", str(target)]
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRAPPER, *cmd],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    try:
        out, err = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    seconds = time.monotonic() - started
    rc = proc.returncode
    rc = rc - 256 if rc > 128 else rc  # killed by a signal: negative, as Popen's
    text = err.decode("utf-8", "replace")
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    peak = out.decode().strip().splitlines()
    for leftover in Path(work).glob(".store.gpkg.*"):
        leftover.unlink()
    return Outcome(
        case=case,
        rc=rc,
        traceback="Traceback (most recent call last)" in text,
        store_changed=_digest(target) != before,
        peak_mb=int(peak[-1]) / 1024.0 if peak and peak[-1].isdigit() else 0.0,
        seconds=seconds,
        message=(lines[0] if lines else "")[:160],
    )


def run_all(cases, corpus, store, work, *, progress=None):
    """Run every case; ``progress(outcome)`` is called after each."""
    results = []
    for case in cases:
        out = run_case(case, Path(corpus), store, work)
        if progress:
            progress(out)
        results.append(out)
    return results


def table(results):
    """Return the counts per importer and verdict as printable lines."""
    verdicts = ("refused correctly", "accepted correctly", "traceback", "wrong answer")
    kinds = sorted({r.case.kind for r in results})
    lines = [
        f"{'importer':15}"
        + "".join(f"{v:>20}" for v in verdicts)
        + f"{'store changed':>15}"
    ]
    for kind in [*kinds, "all"]:
        rs = [r for r in results if kind in ("all", r.case.kind)]
        row = f"{kind:15}" + "".join(
            f"{sum(r.verdict == v for r in rs):>20}" for v in verdicts
        )
        row += f"{sum(r.store_changed and r.case.expect == 'refuse' for r in rs):>15}"
        lines.append(row)
    return lines
