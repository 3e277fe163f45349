"""Build the default store from the files in ``geodata/`` (and the seeded demonstration data)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd

from layers import firm_index
from layers import kommune as kommune_mod
from layers.build_kommune import (  # noqa: F401 - the other kommune's part
    _DEFAULT,
    BOUNDARY_FILE,
    EMPTY_LAYERS,
    GEODATA,
    KARTVERKET,
    KOMMUNE,
    KOMMUNER_FILE,
    LANDMARKS_FILE,
    build_other,
    kommune_layers,
    other_layers,
    read_kommuner,
    split_kommuner,
    whole_kommune_area,
)
from layers.schemas import CRS


def read_boundary(geodata=GEODATA):
    """Read the default kommune's boundary (Lørenskog, Kartverket), EPSG:4326.

    Parameters
    ----------
    geodata : pathlib.Path
        Folder with the source files.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    gdf = gpd.read_file(Path(geodata) / BOUNDARY_FILE)
    return gdf[["kommunenummer", "kommunenavn", "geometry"]].to_crs(CRS)


def read_neighbours(geodata=GEODATA):
    """Read the default kommune's neighbours (all but Lørenskog), EPSG:4326."""
    gdf = gpd.read_file(Path(geodata) / KOMMUNER_FILE)
    gdf = gdf[gdf["kommunenummer"] != KOMMUNE]
    return gdf[["kommunenummer", "kommunenavn", "geometry"]].to_crs(CRS)


def read_landmarks(geodata=GEODATA):
    """Read the landmarks that have real coordinates, with their confidence, EPSG:4326.

    Rows without coordinates (places not found) are left out, never guessed.
    """
    import pandas as pd

    df = pd.read_csv(Path(geodata) / LANDMARKS_FILE, dtype=str, keep_default_na=False)
    df = df[(df["lat"] != "") & (df["lon"] != "")]
    geometry = gpd.points_from_xy(df["lon"].astype(float), df["lat"].astype(float))
    gdf = gpd.GeoDataFrame(
        df[["name", "confidence", "source"]].reset_index(drop=True),
        geometry=geometry,
        crs=CRS,
    )
    return gdf


def default_layers(geodata=GEODATA, *, seed=None):
    """Return every layer of the default store with its metadata.

    Real files (boundary, neighbours, landmarks) are read from ``geodata``; the
    indicative areas are drawn; establishments, transit and premises come from the
    seeded demonstration dataset, written in the real formats and read back
    through the same importers as real downloads.

    Parameters
    ----------
    geodata : pathlib.Path
    seed : int, optional
        Seed of the demonstration data (default ``layers.demo.SEED``).

    Returns
    -------
    dict
        ``{layer name: (GeoDataFrame, metadata dict)}``
    """
    from layers import demo, timetable
    from layers.sources import addresses, establishments, gtfs, premises
    from layers.sources.areas import draw_indicative_areas

    boundary = read_boundary(geodata)
    out = {
        "boundary": (
            boundary,
            {**KARTVERKET, "details": kommune_mod.to_details(_DEFAULT)},
        ),
        "neighbours": (read_neighbours(geodata), dict(KARTVERKET)),
        "landmarks": (
            read_landmarks(geodata),
            {
                "source": "Wikipedia, Wikidata, OpenStreetMap, Vy's NeTEx and Ruter's "
                "stops (see geodata/README.md)",
                "licence": "Wikidata CC0; OSM © OpenStreetMap contributors, ODbL; "
                "Entur/Vy/Ruter NLOD",
                "as_of": "2026-12-01",
            },
        ),
        "areas": (
            draw_indicative_areas(boundary),
            {
                "source": "Indicative outlines drawn by this project around known "
                "points (not official plan polygons)",
                "licence": "CC BY 4.0",
                "as_of": "2024-10-31",
                "details": {"indicative": True},
            },
        ),
    }
    seed = demo.SEED if seed is None else seed
    demo_meta = {
        "licence": "CC0 (generated)",
        "as_of": demo.AS_OF.isoformat(),
        "demonstration": True,
        "imported_at": demo.AS_OF.isoformat() + "T00:00:00Z",
    }
    with tempfile.TemporaryDirectory() as tmp:
        files = demo.write_demo_sources(Path(tmp), seed=seed)
        register = addresses.read_addresses(files["addresses"], kommune=KOMMUNE)
        est, report = establishments.read_establishments(
            files["establishments"], register, kommune=KOMMUNE
        )
        feed = gtfs.read_gtfs(files["gtfs"])
        prem = premises.read_premises(
            files["premises"], addresses=register, now=_as_of_datetime(demo.AS_OF)
        )
    note = {"note_nb": demo.DEMO_NOTE_NB, "note_en": demo.DEMO_NOTE_EN, "seed": seed}
    out["establishments"] = (
        est,
        {
            **demo_meta,
            "source": "Demonstrasjonsdata i Enhetsregisterets format (underenheter)",
            "details": {**note, "report": _plain(report)},
        },
    )
    transit_meta = {
        **demo_meta,
        "as_of": feed.reference_date.isoformat(),
        "source": "Holdeplasser og jernbane: Entur/Ruter og Vy (ekte); rutetider: "
        "demonstrasjonsdata i Enturs GTFS-format",
        "licence": "NLOD (holdeplasser, jernbane); CC0 (generert rutetabell)",
        "details": {**note, "reference_date": feed.reference_date.isoformat()},
    }
    out["addresses"] = (
        register,
        {
            **demo_meta,
            "source": "Demonstrasjonsdata i Kartverkets format (Matrikkelen adresse)",
            "details": note,
        },
    )
    out["transit_stops"] = (feed.stops, transit_meta)
    out["transit_lines"] = (feed.lines, transit_meta)
    out.update(
        timetable.to_tables(feed.timetable, reference_date=transit_meta["as_of"])
    )
    out["premises"] = (
        prem,
        {**demo_meta, "source": "Demonstrasjonsdata (lokaleregister)", "details": note},
    )
    return out


def _as_of_datetime(day):
    from datetime import datetime

    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _plain(report):
    if isinstance(report, dict):
        return report
    if hasattr(report, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(report)
    return dict(vars(report))


def build_store(store, geodata=GEODATA, *, reset_register=False):
    """(Re)build ``store`` from ``geodata``, reproducibly, as the store's kommune.

    A store that records another kommune is rebuilt as that kommune
    (:func:`layers.build_kommune.build_other`). The layers are replaced in one atomic step. The premises register is then
    seeded with the demonstration listings when it is empty (or when
    ``reset_register``); an existing register, with editors' work, is kept.

    Parameters
    ----------
    store : layers.store.GeoPackageStore
    geodata : pathlib.Path
    reset_register : bool
        Replace the register's listings with the demonstration listings.

    Returns
    -------
    list of layers.store.LayerInfo
    """
    from layers import demo, register

    config = kommune_mod.for_store(store)
    if config.number != KOMMUNE:
        # A store set up for another kommune is built as that kommune.
        return build_other(store, config, reset_register=reset_register)
    layers = default_layers(geodata)
    premises, _meta = layers.pop("premises")
    # A kommune of a database holding several: the national layers stay shared.
    for name in getattr(store, "shared_layers", tuple)():
        layers.pop(name, None)
    store.replace_layers(firm_index.with_index(store, layers), reproducible=True)
    if reset_register or not register.has_register(store):
        register.seed_register(
            store,
            premises,
            user="build",
            demonstration=True,
            now=_as_of_datetime(demo.AS_OF),
        )
    return store.list_layers()


# ------------------------------------------------------------------ broken stores

# Tables of the GeoPackage itself and of the layers: rebuilt, never salvaged.
_REBUILT = ("gpkg_", "rtree_", "sqlite_", "store_layers")
_SALVAGE_CHUNK = 500
_SALVAGE_SKIPS = 200  # bounded: jumps over unreadable rowid ranges per table


def _kept_tables(con, layer_names):
    rows = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL"
    ).fetchall()
    return [
        (name, sql)
        for name, sql in rows
        if not name.startswith(_REBUILT) and name not in layer_names
    ]


def _salvage_rows(con, name):
    """Every row SQLite can still read of one table; and whether some were lost."""
    rows, last, lost, skips = [], None, False, 0
    while skips <= _SALVAGE_SKIPS:
        try:
            where = "" if last is None else f"WHERE rowid > {int(last)} "
            chunk = con.execute(
                f'SELECT rowid, * FROM "{name}" {where}ORDER BY rowid '
                f"LIMIT {_SALVAGE_CHUNK}"
            ).fetchall()
        except sqlite3.DatabaseError:
            lost, skips = True, skips + 1
            last = (last or 0) + _SALVAGE_CHUNK
            continue
        if not chunk:
            break
        rows += [r[1:] for r in chunk]
        last = chunk[-1][0]
    return rows, lost


def salvage(path, layer_names):
    """Read what SQLite can of every non-layer table (register, users, history).

    Returns
    -------
    list of dict
        ``{"name", "sql", "rows", "lost"}`` per table; empty when the file cannot
        be opened at all.
    """
    out = []
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.DatabaseError:
        return out
    with contextlib.closing(con):
        try:
            tables = _kept_tables(con, layer_names)
        except sqlite3.DatabaseError:
            return out
        for name, sql in tables:
            rows, lost = _salvage_rows(con, name)
            try:
                extra = [
                    r[0]
                    for r in con.execute(
                        "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND "
                        "type IN ('index', 'trigger') AND sql IS NOT NULL",
                        (name,),
                    )
                ]
            except sqlite3.DatabaseError:
                extra = []
            out.append(
                {"name": name, "sql": sql, "rows": rows, "lost": lost, "extra": extra}
            )
    return out


def rebuild_plan(store, geodata=GEODATA):
    """What ``rebuild`` will do to a (broken) store, before it does anything.

    Returns
    -------
    dict
        ``layers`` (rebuilt from ``geodata``), ``tables`` (name -> rows salvaged,
        and whether some could not be read), ``backup`` (where the old file is
        kept), ``seed_register`` (True when no register could be salvaged).
    """
    from layers.register.tables import PREMISES_TABLE
    from layers.schemas import SCHEMAS

    path = Path(store.path)
    tables = salvage(path, set(SCHEMAS)) if path.exists() else []
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    # The store's kommune when its metadata can still be read (else the default).
    config = kommune_mod.for_store(store)
    from layers.build_kommune import _stored_areas

    return {
        "kommune": config,
        "areas": None if config.number == KOMMUNE else _stored_areas(store),
        "store": str(path),
        "layers": sorted(n for n in SCHEMAS if n != "premises"),
        "tables": tables,
        "backup": str(path.with_name(f"{path.name}.broken-{stamp}"))
        if path.exists()
        else None,
        "seed_register": not any(t["name"] == PREMISES_TABLE for t in tables),
    }


def plan_text(plan):
    """The plan as lines for the terminal (bokmål / English)."""
    lines = [f"Plan for / plan for {plan['store']}:"]
    k = plan.get("kommune")
    if k is not None:
        lines.append(f"  kommune: {k.name} ({k.number})")
    if plan["backup"]:
        lines.append(
            f"  1. den gamle filen beholdes som / the old file is kept as "
            f"{plan['backup']}"
        )
    lines.append(
        "  2. lagene bygges på nytt fra geodata/ / the layers are rebuilt: "
        + ", ".join(plan["layers"])
    )
    if plan["tables"]:
        lines.append(
            "  3. tabeller som tas vare på / tables kept (rows SQLite can read):"
        )
        for t in plan["tables"]:
            lost = (
                "  — NOEN RADER KUNNE IKKE LESES / SOME ROWS COULD NOT BE READ"
                if t["lost"]
                else ""
            )
            lines.append(
                f"       {t['name']:24} {len(t['rows']):7d} rader / rows{lost}"
            )
    if plan["seed_register"]:
        lines.append(
            "  4. intet register kunne leses: registeret fylles med "
            "demonstrasjonsoppføringer / no register could be read: it is seeded "
            "with the demonstration listings"
        )
    return lines


def rebuild_store(store, plan, geodata=GEODATA):
    """Carry out ``plan``: a new store with fresh layers and the salvaged tables.

    The new file is written next to the old one and swapped in only when whole;
    the old file is renamed to ``plan["backup"]``, never deleted.
    """
    from layers.store.gpkg import GeoPackageStore

    path = Path(store.path)
    tmp = path.with_name(f".{path.name}.rebuild.tmp.gpkg")
    for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
        leftover.unlink(missing_ok=True)
    fresh = GeoPackageStore(tmp)
    try:
        config = plan.get("kommune") or _DEFAULT
        if config.number == KOMMUNE:
            layers = default_layers(geodata)
        else:
            layers = other_layers(config, areas=plan.get("areas"))
            if plan.get("areas") is not None:
                layers["areas"] = (plan["areas"], {"source": "", "licence": ""})
        premises, _meta = layers.pop("premises")
        fresh.replace_layers(firm_index.with_index(fresh, layers), reproducible=True)
        with contextlib.closing(sqlite3.connect(tmp)) as con, con:
            for t in plan["tables"]:
                con.execute(f'DROP TABLE IF EXISTS "{t["name"]}"')
                con.execute(t["sql"])
                if t["rows"]:
                    marks = ",".join("?" * len(t["rows"][0]))
                    con.executemany(
                        f'INSERT OR IGNORE INTO "{t["name"]}" VALUES ({marks})',
                        t["rows"],
                    )
                for sql in t.get("extra", ()):
                    with contextlib.suppress(sqlite3.DatabaseError):
                        con.execute(sql)
        if plan["seed_register"]:
            from layers import demo, register

            other = config.number != KOMMUNE  # no demonstration listings there
            register.seed_register(
                fresh,
                premises,
                user="build",
                demonstration=not other,
                now=_as_of_datetime(demo.AS_OF),
            )
        if plan["backup"] and path.exists():
            os.replace(path, plan["backup"])
            journal = Path(str(path) + "-journal")
            if journal.exists():  # kept with the old file it belongs to
                os.replace(journal, plan["backup"] + "-journal")
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            leftover.unlink(missing_ok=True)
    return store.list_layers()


def init_store(store, number, *, kommuner_file=None, areas_file=None, source=None):
    """Set ``store`` up for kommune ``number``.

    The default kommune (3222) gets the default build (demonstration data
    included); another kommune gets :func:`kommune_layers` and an empty register.

    Returns
    -------
    layers.kommune.Kommune
        The kommune the store is now for.
    """
    from layers import register
    from layers.schemas import empty_layer

    if number == KOMMUNE:
        # The default kommune: the default build, official areas if given.
        build_store(store, reset_register=True)
        if areas_file is not None:
            from layers.sources.areas import read_areas

            boundary = store.read_layer("boundary")
            areas = read_areas(areas_file, boundary=boundary)
            meta = {"source": Path(areas_file).name[:80], "licence": "", "as_of": ""}
            store.replace_layers(firm_index.with_index(store, {"areas": (areas, meta)}))
        return kommune_mod.for_store(store)
    path = kommuner_file or (GEODATA / _DEFAULT.kommuner_file)
    kommuner = read_kommuner(path)
    from layers.store.base import timestamp

    now = timestamp()
    layers, config = kommune_layers(
        number, kommuner, areas_file=areas_file, source=source, now=now
    )
    # A kommune of a database holding several: the national layers stay shared.
    for name in getattr(store, "shared_layers", tuple)():
        layers.pop(name, None)
    store.replace_layers(firm_index.with_index(store, layers))
    register.seed_register(
        store, empty_layer("premises"), user="init", demonstration=False
    )
    return config
