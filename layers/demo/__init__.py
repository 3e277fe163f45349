"""Demonstration data in the real published formats, generated from a fixed seed.

No open data on Lørenskog's establishments, timetables or premises can be bundled
with the dashboard, so it ships *demonstration* files instead. They are written in
the formats of the real sources and are loaded through the same importers as real
downloads:

* ``underenheter_demo.json.gz`` - Brønnøysund Enhetsregisteret, *underenheter*
  bulk download (gzip'ed JSON array);
* ``adresser_demo.csv`` - Kartverket, "Matrikkelen - Adresse" CSV;
* ``gtfs_demo.zip`` - an Entur-style GTFS feed for Ruter and Vy;
* ``premises_demo.csv`` - the dashboard's own premises list.

The establishments are calibrated to the totals of the municipality's business
strategy 2025-2037: 4 512 registered enterprises (October 2024), 24 892 jobs and
706 enterprises started in 2023. Every name is fictional and starts with "Demo".
The files are byte-for-byte the same for the same seed: no wall-clock time, no file
names or times in archive headers, and sorted JSON keys.

One module per source: ``addresses``, ``establishments``, ``gtfs``, ``premises``;
``common`` holds the dates, totals, geometry and file helpers they share.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd

from layers.demo.addresses import DEMO_STREETS, _address_rows, _build_addresses
from layers.demo.common import (
    AREA_SHARES,
    AS_OF,
    BOUNDARY_PATH,
    DEMO_NEW_IN_2023,
    DEMO_NOTE_EN,
    DEMO_NOTE_NB,
    DEMO_TOTAL_ESTABLISHMENTS,
    DEMO_TOTAL_JOBS,
    DEMO_UNPLACED,
    FILE_NAMES,
    SEED,
    _csv_text,
    _largest_remainder,
    _regions,
    _rng,
    _write_gzip,
    _write_zip,
    is_valid_orgnr,
    orgnr_check_digit,
)
from layers.demo.establishments import _build_establishments
from layers.demo.gtfs import STOP_PLACES, _build_gtfs
from layers.demo.premises import _premises_rows

__all__ = [
    "AS_OF",
    "DEMO_NEW_IN_2023",
    "DEMO_NOTE_EN",
    "DEMO_NOTE_NB",
    "DEMO_STREETS",
    "DEMO_TOTAL_ESTABLISHMENTS",
    "DEMO_TOTAL_JOBS",
    "DEMO_UNPLACED",
    "FILE_NAMES",
    "SEED",
    "STOP_PLACES",
    "is_valid_orgnr",
    "orgnr_check_digit",
    "write_demo_sources",
]


# ---------------------------------------------------------------------- entry


def write_demo_sources(out_dir, *, seed=SEED, boundary=None):
    """Write the four demonstration source files into ``out_dir``.

    The files are the same byte for byte for the same seed and boundary.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Directory to write to; created if missing. Existing files of the same
        names are replaced.
    seed : int
        Random seed.
    boundary : geopandas.GeoDataFrame, optional
        Municipal boundary, any CRS; default the bundled Lørenskog boundary.

    Returns
    -------
    dict of str to pathlib.Path
        ``establishments``, ``addresses``, ``gtfs`` and ``premises`` -> file path
        (names in ``FILE_NAMES``).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if boundary is None:
        boundary = gpd.read_file(BOUNDARY_PATH)
    regions = _regions(boundary)
    counts = _largest_remainder(DEMO_TOTAL_ESTABLISHMENTS, AREA_SHARES)
    addresses = _build_addresses(_rng(seed, 1), regions, counts)
    objects, _ = _build_establishments(_rng(seed, 2), addresses)
    paths = {key: out / name for key, name in FILE_NAMES.items()}
    data = json.dumps(
        objects, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    _write_gzip(paths["establishments"], data.encode("utf-8"))
    text = _csv_text(_address_rows(addresses), delimiter=";", newline="\r\n")
    paths["addresses"].write_bytes(text.encode("utf-8-sig"))
    _write_zip(paths["gtfs"], _build_gtfs(seed))
    text = _csv_text(_premises_rows(_rng(seed, 3), addresses), delimiter=";")
    paths["premises"].write_bytes(text.encode("utf-8"))
    return paths
