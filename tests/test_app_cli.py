"""`flask --app app export ...`: the meeting pack from the command line."""

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def _flask(args, store, cwd):
    env = {**os.environ, "NARING_STORE": str(store), "NARING_SECRET_KEY": "k"}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", str(ROOT / "app.py"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_flask_export_xlsx_matches_stats(default_store, tmp_path):
    """`flask --app app export xlsx` writes the comparison with the store's totals."""
    out = tmp_path / "sammenligning.xlsx"
    proc = _flask(["export", "xlsx", "--out", str(out)], default_store, tmp_path)
    assert proc.returncode == 0, proc.stderr
    cells = [
        c
        for row in openpyxl.load_workbook(out).active.iter_rows(values_only=True)
        for c in row
    ]
    assert 24892 in cells and 4512 in cells


def test_flask_export_html_for_one_area(default_store, tmp_path):
    """`export html --area visperud` writes a standalone map naming the area."""
    out = tmp_path / "visperud.html"
    proc = _flask(
        ["export", "html", "--area", "visperud", "--out", str(out)],
        default_store,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    assert "Visperud" in text and '<script src="http' not in text
