"""The firm index: each establishment's codes kept in the store (issue #14).

The engine's figures must be the same whether the firms come from the stored
index or from the layers, and a stale index must never be used.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

from layers import aggregates, firm_index
from layers.build import build_store
from layers.store import open_store

ROOT = Path(__file__).resolve().parents[1]
ARRAYS = (
    "firm_place",
    "firm_section",
    "firm_size",
    "firm_jobs",
    "firm_new",
    "firm_year",
    "firm_order",
    "firm_estimated",
)


@pytest.fixture
def store(default_store, tmp_path):
    path = tmp_path / "store.gpkg"
    shutil.copyfile(default_store, path)
    return open_store(path)


def _layers_only(store):
    """Frames computed from the layers, as a store without an index gets them."""
    return aggregates.build_frames(
        store.read_layer("areas"),
        store.read_layer("establishments"),
        store.read_layer("premises"),
        store.read_layer("transit_stops"),
        as_of=store.layer_info("establishments").as_of,
        boundary=store.read_layer("boundary"),
    )


def _assert_same_firms(a, b):
    for name in ARRAYS:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert np.array_equal(a.firm_lon, b.firm_lon, equal_nan=True)
    assert np.array_equal(a.firm_lat, b.firm_lat, equal_nan=True)
    assert a.unplaced == b.unplaced


def test_build_keeps_a_current_index(store):
    index = firm_index.load(store)
    assert index is not None and len(index) == 4512
    est = store.read_layer("establishments")
    # The stored arrays are the layer's own values, row by row.
    assert index.jobs.tolist() == est["employees"].tolist()
    assert index.name.take(range(len(est))) == est["name"].tolist()
    assert index.address[17] == est["address"].iloc[17]
    placed = est.geometry.notna() & ~est.geometry.is_empty
    assert np.allclose(index.lon[placed.to_numpy()], est.geometry[placed].x)
    assert np.isnan(index.lon[~placed.to_numpy()]).all()
    assert int((~index.placed).sum()) == int((~est["placed"]).sum()) == 68


def test_engine_reads_no_establishment_when_the_index_is_current(store, monkeypatch):
    read = store.read_layer

    def no_establishments(name):
        if name == "establishments":
            raise AssertionError("the engine read every establishment")
        return read(name)

    monkeypatch.setattr(store, "read_layer", no_establishments)
    fr = aggregates.frames(store)
    rows = aggregates.store_rows(store)
    monkeypatch.undo()
    total = rows[-1]
    assert (total["establishments"], total["jobs"]) == (4512, 24892)
    assert total["unplaced_establishments"] == 68
    _assert_same_firms(fr, _layers_only(store))
    assert aggregates.area_rows(
        store.read_layer("areas"),
        store.read_layer("establishments"),
        store.read_layer("premises"),
        store.read_layer("transit_stops"),
        sources={i.name: i for i in store.list_layers()},
        boundary=store.read_layer("boundary"),
    ) == list(rows)


def test_named_firms_come_from_the_index(store):
    fr = aggregates.frames(store)
    top = aggregates.top_employers(fr, np.ones(fr.n_firms, bool), n=3)
    est = store.read_layer("establishments")
    biggest = est.sort_values(["employees", "name"], ascending=[False, True]).head(3)
    assert [t["name"] for t in top] == biggest["name"].tolist()
    assert [t["address"] for t in top] == biggest["address"].tolist()
    rows = fr.firm_rows([0, 5])
    assert rows["name"].tolist() == est["name"].iloc[[0, 5]].tolist()


def test_new_areas_relocate_the_firms_without_reading_them(store, six_squares):
    # Areas that are not Lørenskog's: every firm is re-placed by the new polygons.
    areas = six_squares.copy()
    est = store.read_layer("establishments")
    minx, miny, maxx, maxy = est.total_bounds
    areas["geometry"] = [
        shapely.box(
            minx + k * (maxx - minx) / 6, miny, minx + (k + 1) * (maxx - minx) / 6, maxy
        )
        for k in range(6)
    ]
    areas["area_id"] = store.read_layer("areas")["area_id"].to_numpy()
    layers = firm_index.with_index(store, {"areas": (areas, {"source": "test"})})
    assert firm_index.TABLE in layers and "establishments" not in layers
    store.replace_layers(layers)
    index = firm_index.load(store)
    assert index is not None
    _assert_same_firms(aggregates.frames(store), _layers_only(store))
    # Every placed firm inside the six strips is now in one of them.
    counts = np.bincount(index.place[index.placed & np.isfinite(index.lon)])
    assert counts[: len(areas)].sum() >= 0.99 * np.isfinite(index.lon).sum()


def test_a_writer_without_the_index_makes_it_stale(store):
    est = store.read_layer("establishments")
    changed = est.assign(employees=est["employees"] + 1)
    # Written without with_index: no digest in the metadata.
    store.replace_layers({"establishments": (changed, {"source": "other"})})
    assert firm_index.load(store) is None
    fr = aggregates.frames(store)
    assert int(fr.firm_jobs.sum()) == 24892 + 4512  # from the layer, not the index


def test_copied_metadata_with_other_rows_is_not_trusted(store):
    est = store.read_layer("establishments")
    info = store.layer_info("establishments").to_dict()  # carries the old digest
    meta = {k: info[k] for k in ("source", "licence", "as_of", "details")}
    store.replace_layers({"establishments": (est.iloc[:100], meta)})
    assert firm_index.load(store) is None
    assert aggregates.frames(store).n_firms == 100


def test_damaged_or_foreign_tables_are_refused(store):
    table = firm_index.to_table(firm_index.load(store))
    assert firm_index.from_table(table) is not None
    short = table.copy()
    short.loc[short["name"] == "jobs", "data"] = [b"\0" * 8]
    assert firm_index.from_table(short) is None
    other = table.copy()
    other.loc[other["name"] == "meta", "data"] = [b'{"format": 99}']
    assert firm_index.from_table(other) is None
    assert firm_index.from_table(table[table["name"] != "lat"]) is None
    assert firm_index.from_table(None) is None


def test_packed_text_keeps_any_text():
    values = ["Bæ Øl & Å", "", None, "日本", "😀 <b>x</b>", "a" * 1000]
    packed = firm_index.PackedText.pack(values)
    assert len(packed) == len(values)
    assert packed.take(range(len(values))) == ["" if v is None else v for v in values]
    assert packed[-1] == "a" * 1000


def test_index_on_both_backends(new_store):
    store = new_store()
    subprocess.run(
        [sys.executable, "-m", "layers", "build", "--store", new_store.locator(store)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    store = open_store(new_store.locator(store))
    index = firm_index.load(store)
    assert index is not None and len(index) == 4512
    fr = aggregates.frames(store)
    assert int(fr.firm_jobs.sum()) == 24892
    assert aggregates.store_rows(store)[-1]["establishments"] == 4512


def test_build_stays_reproducible_with_the_index(tmp_path):
    a, b = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    build_store(open_store(a))
    build_store(open_store(b))
    assert a.read_bytes() == b.read_bytes()


def test_digest_follows_content(store):
    areas = store.read_layer("areas")
    assert firm_index.digest(areas) == firm_index.digest(areas.copy())
    moved = areas.copy()
    moved.loc[0, "name"] = "Annet navn"
    assert firm_index.digest(moved) != firm_index.digest(areas)


FILTERS = [((), (0, 7)), (("G",), (0, 7)), (("C", "F", "?"), (2, 5)), ((), (7, 7))]


@pytest.mark.parametrize(("sections", "size"), FILTERS)
def test_counted_filters_equal_a_pass_over_every_firm(store, sections, size):
    """The cube and the grid's counts give what masks over every firm give."""
    from layers import grid

    fr = aggregates.frames(store)
    for area in (None, "visperud", "rest"):
        mask = aggregates.selection(fr, area, sections, size)
        assert aggregates.summary(fr, area, sections, size) == aggregates.summary_of(
            fr, area, mask
        )
    mask = aggregates.selection(fr, None, sections, size)
    expected = [(mask & (fr.firm_place == k)) for k in range(len(aggregates.AREA_IDS))]
    density = aggregates.jobs_density(fr, sections, size)
    for k, m in enumerate(expected):
        km2 = fr.area_km2[aggregates.AREA_IDS[k]]
        assert density[k] == pytest.approx(fr.firm_jobs[m].sum() / km2)
    for size_m in grid.CELL_SIZES:
        g = grid.build_grid(fr, size_m)
        fast, slow = grid.aggregate_view(g, sections, size), grid.aggregate(fr, g, mask)
        assert np.array_equal(fast.firms, slow.firms)
        assert np.array_equal(fast.jobs, slow.jobs)
        assert np.array_equal(fast.lat, slow.lat)
        assert fast.section == slow.section and fast.area == slow.area


def test_exports_draw_the_largest_firms_and_count_every_firm(store):
    """An export reads no establishment: it draws the firms with most employees
    and takes jobs by section from the engine (every firm counts)."""
    from components.exports import html_map, largest_firms, read_layers, with_sections
    from components.exports.pdf import jobs_by_section, section_bars
    from layers.stats import store_figures

    fr = aggregates.frames(store)
    few = largest_firms(fr, 50)
    est = store.read_layer("establishments")
    placed = est[est.geometry.notna() & ~est.geometry.is_empty]
    biggest = placed.sort_values(["employees", "name"], ascending=[False, True])
    assert few["name"].tolist() == biggest["name"].head(50).tolist()
    assert few.attrs["of"] == len(placed)
    layers = read_layers(store)
    assert len(layers["establishments"]) == len(placed)  # 4 444 < 5 000: all
    rows = with_sections(store_figures(store), fr)
    visperud = next(r for r in rows if r["area_id"] == "visperud")
    inside = est[
        aggregates.locate(est.geometry, store.read_layer("areas")) == "visperud"
    ]
    assert section_bars(visperud["jobs_by_section"]) == jobs_by_section(inside)
    page = html_map({**layers, "establishments": few}, rows, layer_names=["firms"])
    of = f"{len(placed):,}".replace(
        ",", "\\u00a0"
    )  # as the layer control's JSON has it
    assert f"Virksomheter: de 50 med flest ansatte av {of}" in page
