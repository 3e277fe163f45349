"""The register's side tables: their schema, and reading listings and history."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import geopandas as gpd
import pandas as pd

from layers import limits
from layers.schemas import (
    CRS,
    SCHEMAS,
    conform,
)
from layers.store import base
from layers.store.base import LayerInfo, table_exists

PREMISES_TABLE = "register_premises"
HISTORY_TABLE = "register_history"
LOCAL_TZ = "Europe/Oslo"
# The register's limits are the importers' (one set, in layers.limits).
MAX_TEXT = limits.MAX_TEXT
MAX_URL = limits.MAX_URL
MAX_SIZE_M2 = limits.MAX_SIZE_M2
MAX_RENT_NOK_M2_YEAR = limits.MAX_RENT_NOK_M2_YEAR
BOUNDARY_TOLERANCE_M = 200

# Fields a form (or an import) sets; the rest is bookkeeping.
FORM_FIELDS = (
    "title",
    "address",
    "type",
    "size_m2",
    "rent_nok_m2_year",
    "available_from",
    "status",
    "contact",
    "url",
    "lat",
    "lon",
)
COLUMNS = (
    "premises_id",
    *FORM_FIELDS,
    "updated_at",
    "created_at",
    "created_by",
    "updated_by",
    "version",
    "demonstration",
)
# Columns read_register adds after the premises schema's columns.
EXTRA_COLUMNS = ("version", "demonstration", "created_at", "updated_by")


_SCHEMA_SQL = (
    f"""CREATE TABLE IF NOT EXISTS {PREMISES_TABLE} (
        premises_id TEXT PRIMARY KEY NOT NULL,
        title TEXT NOT NULL,
        address TEXT NOT NULL DEFAULT '',
        type TEXT NOT NULL,
        size_m2 REAL NOT NULL,
        rent_nok_m2_year REAL,
        available_from TEXT NOT NULL,
        status TEXT NOT NULL,
        contact TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '',
        lat REAL,
        lon REAL,
        updated_at TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        demonstration INTEGER NOT NULL DEFAULT 0)""",
    f"""CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        premises_id TEXT NOT NULL,
        at TEXT NOT NULL,
        "user" TEXT NOT NULL,
        action TEXT NOT NULL,
        changes TEXT NOT NULL)""",
    f"CREATE INDEX IF NOT EXISTS {HISTORY_TABLE}_premises "
    f"ON {HISTORY_TABLE} (premises_id, id)",
)


def ensure_schema(con):
    """Create the register's tables when missing (idempotent).

    Parameters
    ----------
    con : sqlite3.Connection
        A writable connection to the store file.
    """
    for sql in _SCHEMA_SQL:
        con.execute(sql)
    _allow_unplaced(con)


def _allow_unplaced(con):
    """Let an older register table hold unplaced listings (lat/lon NULL).

    Registers made before unplaced listings existed declared ``lat``/``lon`` NOT
    NULL; SQLite cannot drop a column constraint, so the table is copied into one
    with the current declaration, in the caller's transaction (all or nothing).
    (PostGIS: migration 0003.)
    """
    cols = con.execute(f"PRAGMA table_info({PREMISES_TABLE})").fetchall()
    if not any(c[1] == "lat" and c[3] for c in cols):
        return
    old = f"{PREMISES_TABLE}_old"
    con.execute(f"ALTER TABLE {PREMISES_TABLE} RENAME TO {old}")
    con.execute(_SCHEMA_SQL[0])
    names = ", ".join(COLUMNS)
    con.execute(f"INSERT INTO {PREMISES_TABLE} ({names}) SELECT {names} FROM {old}")
    con.execute(f"DROP TABLE {old}")


def _today(now=None):
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    now = datetime.now(UTC) if now is None else now
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    try:
        return now.astimezone(ZoneInfo(LOCAL_TZ)).date()
    except ZoneInfoNotFoundError:
        return now.astimezone(UTC).date()


def recover(store):
    """Roll back a transaction left behind by a killed writer (see ``store.recover``).

    Parameters
    ----------
    store : layers.store.GeoPackageStore
    """
    store.recover()


def writing(store, schema=ensure_schema):
    """Context manager: one write transaction on the store with the register's tables.

    See :func:`layers.store.base.writing`.
    """
    return base.writing(store, schema=schema)


def reading(store):
    """Context manager: a read-only connection to the store (see the store's)."""
    return base.reading(store)


def _listing(row):
    out = {c: row[c] for c in COLUMNS}
    out["demonstration"] = bool(out["demonstration"])
    return out


def _fetch(con, pid):
    if not table_exists(con, PREMISES_TABLE):
        return None
    row = con.execute(
        f"SELECT * FROM {PREMISES_TABLE} WHERE premises_id = ?", (pid,)
    ).fetchone()
    return None if row is None else _listing(row)


def _fetch_all(con):
    if not table_exists(con, PREMISES_TABLE):
        return []
    rows = con.execute(f"SELECT * FROM {PREMISES_TABLE} ORDER BY premises_id")
    return [_listing(r) for r in rows]


def is_placed(listing):
    """Return True when a listing (a dict of ``COLUMNS``) has a point."""
    return listing["lat"] is not None and listing["lon"] is not None


def unplaced_count(store):
    """Return how many listings have no point yet ("ikke plassert")."""
    with reading(store) as con:
        if not table_exists(con, PREMISES_TABLE):
            return 0
        return con.execute(
            f"SELECT count(*) FROM {PREMISES_TABLE} WHERE lat IS NULL OR lon IS NULL"
        ).fetchone()[0]


def all_listings(store):
    """Return every listing as a dict (``COLUMNS``), sorted by id.

    Parameters
    ----------
    store : layers.store.Store

    Returns
    -------
    list of dict
    """
    with reading(store) as con:
        return _fetch_all(con)


def get_listing(store, premises_id):
    """Return one listing as a dict, or None when there is none with that id.

    Parameters
    ----------
    store : layers.store.GeoPackageStore
    premises_id : str

    Returns
    -------
    dict or None
        Keys: ``COLUMNS``; ``rent_nok_m2_year`` is None when not given.
    """
    with reading(store) as con:
        return _fetch(con, premises_id)


def has_register(store):
    """Return True when the store has a register with at least one listing.

    Parameters
    ----------
    store : layers.store.GeoPackageStore

    Returns
    -------
    bool
    """
    if not store.exists():
        return False
    with reading(store) as con:
        if not table_exists(con, PREMISES_TABLE):
            return False
        return (
            con.execute(f"SELECT 1 FROM {PREMISES_TABLE} LIMIT 1").fetchone()
            is not None
        )


def register_info(store):
    """Describe the register as a layer (source, as-of date, demonstration), or None.

    Parameters
    ----------
    store : layers.store.GeoPackageStore

    Returns
    -------
    layers.store.LayerInfo or None
        None when the store has no register with listings.
    """
    if not has_register(store):
        return None
    with reading(store) as con:
        n, demo, newest = con.execute(
            f"SELECT count(lat), max(demonstration), max(updated_at) "
            f"FROM {PREMISES_TABLE}"
        ).fetchone()
    source = (
        "Demonstrasjonsdata (lokaleregister)"
        if demo
        else "Lokaleregisteret i dashbordet"
    )
    return LayerInfo(
        name="premises",
        source=source,
        licence="",
        as_of=(newest or "")[:10],
        demonstration=bool(demo),
        imported_at=newest or "",
        rows=int(n),
        details="{}",
    )


def read_register(store):
    """Read the register as a ``premises`` layer.

    Parameters
    ----------
    store : layers.store.GeoPackageStore

    Listings without a point (imported unplaced, to be placed on the map) are
    left out: the layer feeds maps, the finder and area figures, which need a
    point. :func:`all_listings` has them all.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 points, sorted by ``premises_id``: the columns of
        ``SCHEMAS["premises"]`` first, then ``version`` (int), ``demonstration``
        (bool), ``created_at`` and ``updated_by`` (str). Empty (with these
        columns) when there is no register yet.
    """
    with reading(store) as con:
        rows = [r for r in _fetch_all(con) if is_placed(r)]
    frame = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
    geometry = gpd.points_from_xy(
        frame["lon"].astype(float), frame["lat"].astype(float), crs=CRS
    )
    out = conform(
        "premises", gpd.GeoDataFrame(frame, geometry=geometry), source="register"
    )
    extras = {
        "version": frame["version"].astype("int64"),
        "demonstration": frame["demonstration"].astype(bool),
        "created_at": frame["created_at"].astype(str),
        "updated_by": frame["updated_by"].astype(str),
    }
    for col in EXTRA_COLUMNS:
        out[col] = extras[col].to_numpy()
    return out[[*SCHEMAS["premises"], *EXTRA_COLUMNS, "geometry"]]


def history(store, premises_id):
    """Return the changes of one listing, newest first.

    Parameters
    ----------
    store : layers.store.GeoPackageStore
    premises_id : str

    Returns
    -------
    list of dict
        Keys ``id``, ``premises_id``, ``at``, ``user``, ``action`` and
        ``changes`` (``{field: [old, new]}``).
    """
    with reading(store) as con:
        if not table_exists(con, HISTORY_TABLE):
            return []
        rows = con.execute(
            f'SELECT id, premises_id, at, "user", action, changes FROM {HISTORY_TABLE} '
            "WHERE premises_id = ? ORDER BY id DESC",
            (premises_id,),
        ).fetchall()
    return [{**dict(r), "changes": json.loads(r["changes"])} for r in rows]
