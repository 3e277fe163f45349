"""One PostGIS database for several kommuner: a national import, one slice each.

A small national-shaped underenheter file (Lørenskog, under its current and a
former number, Rælingen, Oslo) and address file are imported once into the
database's schema; Lørenskog (3222) and Rælingen (3224) each open their slice.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from pyproj import Transformer

from layers import cli, kommune
from layers.schemas import CRS
from layers.sources.establishments import read_establishments
from layers.stats import store_figures
from layers.store import KommuneStore, PostGISStore, open_store
from layers.store.postgis import dispose
from tests.pg.fixtures import pg_store_url
from tests.test_establishments import ADDRESSES, _rec
from tests.test_kommune import _areas_file

COPIED = ("boundary", "neighbours", "areas", "landmarks")
# Places inside Rælingen's "fjerdingby" test area and one in Oslo (lon, lat).
PLACES = [
    ("3224", "RÆLINGEN", "Fjerdingbyveien", "1", "2008", 11.060, 59.905),
    ("3224", "RÆLINGEN", "Fjerdingbyveien", "3", "2008", 11.065, 59.907),
    ("0301", "OSLO", "Karl Johans gate", "1", "0154", 10.750, 59.911),
]


@pytest.fixture(autouse=True)
def _restore_kommune():
    yield
    kommune.activate(kommune.default())


def _addresses(path):
    """The Lørenskog address fixture plus addresses in Rælingen and Oslo."""
    text = ADDRESSES.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    to_utm = Transformer.from_crs(CRS, "EPSG:25833", always_xy=True)
    for n, (knr, kname, street, number, post, lon, lat) in enumerate(PLACES):
        east, north = to_utm.transform(lon, lat)
        rows.append(
            {
                **rows[0],
                "lokalid": str(900 + n),
                "adresseId": str(900 + n),
                "kommunenummer": knr,
                "kommunenavn": kname,
                "adressenavn": street,
                "nummer": number,
                "bokstav": "",
                "adresseTekst": f"{street} {number}",
                "adresseTekstUtenAdressetilleggsnavn": f"{street} {number}",
                "Nord": f"{north:.2f}",
                "Øst": f"{east:.2f}",
                "postnummer": post,
                "poststed": kname,
            }
        )
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text("\ufeff" + buf.getvalue(), encoding="utf-8")
    return path


def _record(orgnr, knr, street, post, employees):
    rec = _rec(orgnr, knr, antallAnsatte=employees)
    rec["beliggenhetsadresse"].update(adresse=[street], postnummer=post)
    return rec


RECORDS = [
    _record("910000001", "3222", "Skårersletta 12", "1473", 12),
    _record("910000002", "3222", "Skårersletta 12B", "1473", 3),
    _record("910000003", "3029", "Skårersletta 12", "1473", 8),  # former number
    _record("920000001", "3224", "Fjerdingbyveien 1", "2008", 5),
    _record("920000002", "3224", "Fjerdingbyveien 3", "2008", 7),
    _record("920000003", "3224", "Fjerdingbyveien 1", "2008", 11),
    _record("930000001", "0301", "Karl Johans gate 1", "0154", 40),
]


def _meta(name):
    return {"source": f"test {name}", "licence": "", "as_of": "2026-12-01"}


@pytest.fixture(scope="module")
def national(pg_cluster, default_store, tmp_path_factory):
    """(database URL, files): the national layer, Lørenskog and Rælingen set up."""
    tmp = tmp_path_factory.mktemp("national")
    url = pg_store_url(pg_cluster)
    under = tmp / "underenheter.json"
    under.write_text(json.dumps(RECORDS), encoding="utf-8")
    addresses = _addresses(tmp / "adresser.csv")
    est, report = read_establishments(under, addresses, kommune="all")
    assert report.kept == len(RECORDS) and report.placed == len(RECORDS)
    PostGISStore(url).replace_layers({"establishments": (est, _meta("national"))})
    # Lørenskog: its own layers from the default store (not its establishments).
    src = open_store(default_store)
    lor = KommuneStore(url, "3222")
    lor.replace_layers(
        {n: (src.read_layer(n), src.layer_info(n).to_dict()) for n in COPIED}
    )
    areas = str(_areas_file(tmp / "areas.geojson"))
    slice_url = f"{url}&kommune=3224"
    assert (
        cli.main(["init", "--kommune", "3224", "--areas", areas, "--store", slice_url])
        == 0
    )
    yield url, under, addresses, areas
    stores = [PostGISStore(url), lor, KommuneStore(url, "3224")]
    for store in stores:
        dispose(store)
        pg_cluster.psql(f'DROP SCHEMA IF EXISTS "{store.schema}" CASCADE')


def _orgnrs(store):
    return sorted(store.read_layer("establishments")["orgnr"])


def test_each_kommune_reads_only_its_own_establishments(national):
    """Rælingen's slice holds its three; Lørenskog's its three, the former number too."""
    url, *_ = national
    assert _orgnrs(open_store(url, kommune="3224")) == [
        "920000001",
        "920000002",
        "920000003",
    ]
    assert _orgnrs(open_store(f"{url}&kommune=3222")) == [
        "910000001",
        "910000002",
        "910000003",
    ]
    assert len(open_store(url).read_layer("establishments")) == len(RECORDS)


def test_the_kommune_comes_from_the_environment(national, monkeypatch):
    """``NARING_KOMMUNE`` opens the slice; ``all`` the national store."""
    url, *_ = national
    monkeypatch.setenv("NARING_KOMMUNE", "3224")
    store = open_store(url)
    assert isinstance(store, KommuneStore) and store.kommune == "3224"
    assert not isinstance(open_store(url, kommune="all"), KommuneStore)


def test_a_slice_lists_its_own_rows_and_its_own_layers(national):
    """list_layers/row_counts give the slice's rows; init wrote no empty copy."""
    url, *_ = national
    store = open_store(url, kommune="3224")
    info = store.layer_info("establishments")
    assert info.rows == 3 and info.source == "test national"
    assert store.row_counts()["establishments"] == 3
    assert store.shared_layers() == ("establishments",)
    assert kommune.for_store(store).name == "Rælingen"
    assert {i.name for i in store.list_layers()} >= {"boundary", "areas", "premises"}


def test_stats_match_a_kommune_only_database(national, pg_cluster):
    """Rælingen's figures from the national database equal a Rælingen-only one."""
    url, under, addresses, areas = national
    alone_url = pg_store_url(pg_cluster)
    try:
        assert (
            cli.main(
                ["init", "--kommune", "3224", "--areas", areas, "--store", alone_url]
            )
            == 0
        )
        alone = open_store(alone_url)
        est, _ = read_establishments(under, addresses, kommune="3224")
        alone.replace_layers({"establishments": (est, _meta("national"))})
        shared = open_store(url, kommune="3224")
        figures = {}
        for name, store in (("alone", alone), ("shared", shared)):
            kommune.activate_store(store)
            figures[name] = [dict(r) for r in store_figures(store)]
        assert figures["alone"] == figures["shared"]
        total = figures["shared"][-1]
        assert total["area_id"] == "total" and total["establishments"] == 3
        assert total["jobs"] == 5 + 7 + 11
        fjerdingby = [r for r in figures["shared"] if r["area_id"] == "fjerdingby"]
        assert fjerdingby[0]["establishments"] == 3
    finally:
        dispose(PostGISStore(alone_url))
        pg_cluster.psql(
            f'DROP SCHEMA IF EXISTS "{PostGISStore(alone_url).schema}" CASCADE'
        )


def test_a_national_import_reaches_every_slice_at_the_next_read(national, tmp_path):
    """A new national layer changes each slice's version and what it reads."""
    url, under, addresses, _ = national
    shared = open_store(url, kommune="3224")
    before = shared.version(), shared.version("establishments")
    assert len(shared.read_layer("establishments")) == 3
    more = tmp_path / "more.json"
    extra = _record("920000009", "3224", "Fjerdingbyveien 3", "2008", 2)
    more.write_text(json.dumps([*RECORDS, extra]), encoding="utf-8")
    est, _ = read_establishments(more, addresses, kommune="all")
    national_store = open_store(url)
    try:
        national_store.replace_layers({"establishments": (est, _meta("national"))})
        after = shared.version(), shared.version("establishments")
        assert after[0] != before[0] and after[1] != before[1]
        assert "920000009" in set(shared.read_layer("establishments")["orgnr"])
        assert len(open_store(url, kommune="3222").read_layer("establishments")) == 3
    finally:
        est, _ = read_establishments(under, addresses, kommune="all")
        national_store.replace_layers({"establishments": (est, _meta("national"))})


def test_the_national_layer_is_indexed_on_kommune_and_geometry(national, pg_cluster):
    """The establishments table has a kommunenummer index and a GiST index."""
    url, *_ = national
    store = open_store(url)
    table = store._table_of("establishments", "layer")
    out = pg_cluster.psql(
        f"SELECT indexdef FROM pg_indexes WHERE schemaname = '{store.schema}' "
        f"AND tablename = '{table}'"
    )
    assert "(kommunenummer)" in out and "gist (geometry)" in out


def test_the_national_import_from_the_command_line(national, pg_cluster):
    """`import addresses/establishments --kommune all` fill a national store once."""
    _, under, addresses, areas = national
    url = pg_store_url(pg_cluster)
    try:
        for layer, path in (("addresses", addresses), ("establishments", under)):
            args = ["import", layer, str(path), "--kommune", "all", "--store", url]
            assert cli.main(args) == 0
        init = ["init", "--kommune", "3224", "--areas", areas]
        assert cli.main([*init, "--store", f"{url}&kommune=3224"]) == 0
        assert len(open_store(url).read_layer("establishments")) == len(RECORDS)
        slice_ = KommuneStore(url, "3224")
        assert _orgnrs(slice_) == ["920000001", "920000002", "920000003"]
        assert set(slice_.read_layer("addresses")["kommunenummer"]) == {"3224"}
    finally:
        for store in (PostGISStore(url), KommuneStore(url, "3224")):
            dispose(store)
            pg_cluster.psql(f'DROP SCHEMA IF EXISTS "{store.schema}" CASCADE')


def test_the_national_feed_is_imported_once_for_every_kommune(
    pg_cluster, tmp_path, default_store
):
    """`import gtfs --kommune all`: one timetable, each kommune reads its stops by place.

    The feed is clipped to the kommuner set up in the database (each boundary box
    plus ~3 km), not to one of them.
    """
    from tests.gtfs_fixtures import write_feed

    url = pg_store_url(pg_cluster)
    stores = [PostGISStore(url), KommuneStore(url, "3222"), KommuneStore(url, "3224")]
    feed = write_feed(tmp_path / "gtfs.zip")
    try:
        args = ["import", "gtfs", str(feed), "--kommune", "all", "--store", url]
        assert cli.main(args) == 2  # no kommune set up yet: refused, nothing written
        assert not PostGISStore(url).exists() or (
            PostGISStore(url).version("transit_stops") == (None,)
        )
        areas = str(_areas_file(tmp_path / "areas.geojson"))
        src = open_store(default_store)  # Lørenskog: its own layers, no transit
        stores[1].replace_layers(
            {n: (src.read_layer(n), src.layer_info(n).to_dict()) for n in COPIED}
        )
        init = ["init", "--kommune", "3224", "--areas", areas]
        assert cli.main([*init, "--store", f"{url}&kommune=3224"]) == 0
        assert cli.main(args) == 0
        national, lor, rae = stores
        details = national.layer_info("transit_stops").details
        bbox = (json.loads(details) if isinstance(details, str) else details)["bbox"]
        for k in (lor, rae):
            west, south, east, north = k.read_layer("boundary").total_bounds
            assert bbox[0] < west and bbox[1] < south
            assert bbox[2] > east and bbox[3] > north
            assert {"transit_stops", "transit_lines"} <= set(k.shared_layers())
        # Lørenskog's slice has the feed's stop places in Lørenskog.
        assert {"NSR:StopPlace:1", "NSR:StopPlace:2"} <= set(
            lor.read_layer("transit_stops")["stop_id"]
        )
        # One timetable in the database, read by every kommune.
        from layers.timetable import TABLES

        for name in TABLES:
            assert national._table_of(name, "table") is not None
            assert lor._table_of(name, "table") is None
            assert lor.read_table(name).equals(national.read_table(name))
            assert rae.read_table(name).equals(national.read_table(name))
    finally:
        for store in stores:
            dispose(store)
            pg_cluster.psql(f'DROP SCHEMA IF EXISTS "{store.schema}" CASCADE')


def test_a_national_import_gives_each_kommune_its_firm_index(national):
    """`import establishments --kommune all` writes each kommune's firm index from
    its slice, so a kommune's pages read no establishment."""
    from layers import aggregates, firm_index

    url, under, addresses, _areas = national
    rc = cli.main(
        ["import", "establishments", str(under), "--addresses", str(addresses)]
        + ["--kommune", "all", "--store", url]
    )
    assert rc in (0, None)
    fjerdingby = KommuneStore(url, "3224")
    index = firm_index.load(fjerdingby)
    assert index is not None and len(index) == 3
    fr = aggregates.frames(fjerdingby)
    layer = fjerdingby.read_layer("establishments")
    assert int(fr.firm_jobs.sum()) == int(layer["employees"].sum())
    assert sorted(index.name.take(range(3))) == sorted(layer["name"])
