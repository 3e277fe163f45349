"""One per-area engine: cards, comparison, exports and `stats` show the same figures.

Checked on the default store and on a second store with other data: another
demonstration seed, estimated employee counts (1-4 employees, no number), two
industry code standards, unplaced firms, and premises and stops moved outside the
municipality.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from shapely.geometry import Point

from components import exports
from layers import aggregates, register
from layers.build import default_layers
from layers.schemas import AREA_IDS, REST_ID, TOTAL_ID
from layers.store import GeoPackageStore

ROOT = Path(__file__).resolve().parents[1]
CARD_FIGURES = (
    "establishments",
    "jobs",
    "jobs_estimated",
    "premises_available",
    "premises_m2",
    "median_rent_nok_m2",
    "stops",
    "lines",
    "departures_peak_hour",
)
OUTSIDE_POINT = Point(10.75, 59.91)  # Oslo sentrum, outside Lørenskog


@pytest.fixture(scope="module")
def other_store(tmp_path_factory):
    """A store built from another seed, with the real sources' peculiarities."""
    layers = default_layers(seed=20261201)
    est, meta = layers["establishments"]
    est = est.copy()
    small = est.index[est["employees"].between(5, 9) & est["placed"]][:60]
    est.loc[small, "employees"] = 2
    est.loc[small, "employees_estimated"] = True
    largest = est["employees"].idxmax()
    est.loc[largest, "employees"] += 100  # the totals differ from the calibration
    est["nace_standard"] = "SN2007"
    est.loc[small, "nace_standard"] = "SN2025"
    unplaced = est.index[est["placed"] & ~est.index.isin(small)][:7]
    est.loc[unplaced, "placed"] = False
    est.loc[unplaced, "geometry"] = None
    layers["establishments"] = (est, meta)
    stops, stop_meta = layers["transit_stops"]
    stops = stops.copy()
    stops.loc[stops.index[:3], "geometry"] = OUTSIDE_POINT
    layers["transit_stops"] = (stops, stop_meta)
    premises, _ = layers.pop("premises")
    premises = premises.copy()
    avail = premises.index[premises["status"] == "ledig"]
    premises.loc[avail[:4], "geometry"] = OUTSIDE_POINT
    store = GeoPackageStore(tmp_path_factory.mktemp("other") / "other.gpkg")
    store.replace_layers(layers)
    register.seed_register(store, premises, user="test", demonstration=True)
    store.expected_unplaced = int((~est["placed"]).sum())
    store.expected_estimated = int(
        est.loc[est["employees_estimated"], "employees"].sum()
    )
    return store


@pytest.fixture(params=["default", "other"])
def store(request, default_store, other_store):
    """Each store in turn."""
    if request.param == "default":
        return GeoPackageStore(default_store)
    return other_store


def _same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return a == pytest.approx(b)
    return a == b


def test_the_second_store_differs(other_store, default_store):
    """The second store really has other figures, estimates and outside points."""
    rows = {r["area_id"]: r for r in aggregates.store_rows(other_store)}
    base = {
        r["area_id"]: r for r in aggregates.store_rows(GeoPackageStore(default_store))
    }
    assert rows[TOTAL_ID]["jobs"] != base[TOTAL_ID]["jobs"]
    assert rows[TOTAL_ID]["jobs_estimated"] == other_store.expected_estimated
    assert rows[TOTAL_ID]["jobs_estimated"] != base[TOTAL_ID]["jobs_estimated"]
    assert rows[TOTAL_ID]["industry_standard"] == ["SN2007", "SN2025"]
    assert rows[TOTAL_ID]["unplaced_establishments"] == other_store.expected_unplaced
    assert other_store.expected_unplaced >= base[TOTAL_ID]["unplaced_establishments"]
    fr = aggregates.frames(other_store)
    assert (fr.premises["area_id"] == aggregates.OUTSIDE).sum() >= 4
    assert list(fr.stops["area_id"][:3]) == [aggregates.OUTSIDE] * 3


def test_cards_and_comparison_agree_with_stats(store):
    """Every figure of the profile cards and the comparison equals the stats row."""
    rows = {r["area_id"]: r for r in aggregates.store_rows(store)}
    fr = aggregates.frames(store)
    for area in (*AREA_IDS, REST_ID, None):
        card = aggregates.summary(fr, area)
        row = rows[area or TOTAL_ID]
        for fig in CARD_FIGURES:
            assert _same(card[fig], row[fig]), (area, fig, card[fig], row[fig])
    assert fr.unplaced == rows[TOTAL_ID]["unplaced_establishments"]
    for comp in aggregates.comparison(fr):
        row = rows[comp["area_id"]]
        for fig in CARD_FIGURES:
            assert _same(comp[fig], row[fig]), (comp["area_id"], fig)
    areas_and_rest = sum(rows[a]["jobs_estimated"] for a in (*AREA_IDS, REST_ID))
    assert areas_and_rest == rows[TOTAL_ID]["jobs_estimated"]


def test_stats_command_prints_the_engine_rows(store):
    """`python -m layers stats --format json` prints exactly the engine's rows."""
    out = subprocess.run(
        [sys.executable, "-m", "layers", "stats", "--format", "json"]
        + ["--store", str(store.path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    printed = json.loads(out)
    expected = json.loads(json.dumps(aggregates.store_rows(store)))
    assert printed == expected
    assert all("jobs_estimated" in r and "industry_standard" in r for r in printed)


def test_xlsx_comparison_shows_the_engine_rows(store):
    """The comparison workbook's cells are the engine's figures."""
    rows = aggregates.store_rows(store)
    ws = openpyxl.load_workbook(io.BytesIO(exports.xlsx_comparison(rows))).active
    for r, row in enumerate(rows, 2):
        assert ws.cell(r, 1).value == row["area_id"]
        for col, fig in enumerate(exports.XLSX_FIGURES, 3):
            value = ws.cell(r, col).value
            assert _same(value, row.get(fig)), (row["area_id"], fig, value)


def test_pdf_overview_shows_the_engine_rows(store):
    """The PDF's overview table prints the engine's figures of every area."""
    rows = aggregates.store_rows(store)
    layers = exports.read_layers(store)
    pdf = exports.pdf_profiles(layers, rows)
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    text = text.replace("\xa0", " ")
    for row in rows:
        for fig in exports.TABLE_FIGURES:
            shown = exports.figure_text(row, fig, "nb", unit=False).replace("\xa0", " ")
            assert shown in text, (row["area_id"], fig, shown)
