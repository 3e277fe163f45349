"""Bytes in plain tables, and what is built on them, on both backends.

The timetable (one row of int32 blobs per trip) and the firm index keep their
arrays as bytes in plain tables of the store. PostGIS once wrote such a column
as text (the bytes' repr), so travel times failed there; these tests hold both
backends to the same answers.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from layers.store import open_store

ROOT = Path(__file__).resolve().parents[1]


def test_bytes_round_trip_in_a_plain_table(new_store, six_squares):
    store = new_store()
    if new_store.backend == "postgis":
        store.upgrade()
    blobs = [b"\x00\x01'\",\\\n\r\x7f\xff", np.arange(5, dtype="<i4").tobytes(), b""]
    table = pd.DataFrame({"name": ["odd", "ints", "empty"], "data": blobs})
    store.replace_layers(
        {"areas": (six_squares, {"source": "t"}), "blob_table": (table, {})}
    )
    back = open_store(new_store.locator(store)).read_table("blob_table")
    assert [bytes(v) for v in back["data"]] == blobs
    assert back["name"].tolist() == ["odd", "ints", "empty"]


def _reach(locator):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "layers",
            "reach",
            "--from",
            "59.928309,10.956704",
            "--store",
            locator,
            "--format",
            "json",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def test_travel_times_are_the_same_on_both_backends(new_store, default_store):
    store = new_store()
    locator = new_store.locator(store)
    subprocess.run(
        [sys.executable, "-m", "layers", "build", "--store", locator],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    here = _reach(locator)
    reference = _reach(str(default_store))
    assert here["stops"] and here["jobs_within"]["45"] > 0
    assert here["stops"] == reference["stops"]
    assert here["jobs_within"] == reference["jobs_within"]
    assert here["establishments_within"] == reference["establishments_within"]
