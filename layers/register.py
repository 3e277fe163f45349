"""The premises register that business developers keep current.

The register is a set of plain SQLite tables inside the store's GeoPackage file
(GDAL ignores tables not registered in ``gpkg_contents``), so the store stays one
file:

``register_premises``
    One row per listing: the ``premises`` schema's columns, ``lat``/``lon`` in
    degrees (EPSG:4326) and bookkeeping (``created_at``, ``created_by``,
    ``updated_by``, ``version``, ``demonstration``).
``register_history``
    One row per change: when, who, the action (``create``, ``update``, ``status``,
    ``renew``, ``import``, ``delete``) and the changed fields as JSON
    ``{field: [old, new]}``.

Every write holds the store's write lock and runs in one ``BEGIN IMMEDIATE``
transaction on a fresh connection (a layer import replaces the file). Input is
checked before the transaction starts, and any exception rolls it back, so nothing
is ever half-saved. Edits use optimistic concurrency: the caller passes the
``version`` it showed the user, and a stale version raises :class:`ConflictError`.

Text is stored verbatim (escaping is the UI's job). Timestamps are ISO strings in
UTC (``YYYY-MM-DDTHH:MM:SSZ``).
"""

from __future__ import annotations

import contextlib
import json
import math
import sqlite3
import uuid
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from layers.errors import InputError, StoreError
from layers.schemas import (
    CRS,
    METRIC_CRS,
    PREMISES_STATUSES,
    PREMISES_TYPES,
    SCHEMAS,
    check_lonlat,
    conform,
)
from layers.sources.premises import (
    check_url,
    clean_text,
    normalise_status,
    normalise_type,
    parse_date,
    parse_number,
    premises_id,
)

PREMISES_TABLE = "register_premises"
HISTORY_TABLE = "register_history"
LOCAL_TZ = "Europe/Oslo"
MAX_TEXT = 200
MAX_URL = 2000
MAX_SIZE_M2 = 200_000
MAX_RENT_NOK_M2_YEAR = 20_000
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

# Status -> statuses it may change to. A listing is reserved before it is let;
# reserved or let premises can become available again (deal fell through,
# tenant left); any listing can be withdrawn, and a withdrawn one re-listed.
TRANSITIONS = {
    "ledig": ("reservert", "trukket"),
    "reservert": ("ledig", "utleid", "trukket"),
    "utleid": ("ledig", "trukket"),
    "trukket": ("ledig",),
}

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
        lat REAL NOT NULL,
        lon REAL NOT NULL,
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


class FormErrors(InputError):
    """One or more form fields are wrong; nothing has been written.

    Parameters
    ----------
    errors : dict
        ``{field: message}``, every wrong field at once.

    Attributes
    ----------
    errors : dict
        As given. ``field`` (from :class:`InputError`) is the first wrong field.
    """

    def __init__(self, errors):
        self.errors = dict(errors)
        message = "; ".join(f"{f}: {m}" for f, m in self.errors.items())
        super().__init__(message, field=next(iter(self.errors), None))

    def __str__(self):
        return self.message


class ConflictError(Exception):
    """The listing was changed by someone else since the caller read it.

    Parameters
    ----------
    current : dict
        The listing as stored now (see :func:`get_listing`).
    expected_version : int
        The version the caller edited.

    Attributes
    ----------
    current : dict
    expected_version : int
    updated_by, updated_at : str
        Who changed the listing last, and when.
    """

    def __init__(self, current, expected_version):
        self.current = dict(current)
        self.expected_version = expected_version
        self.updated_by = current["updated_by"]
        self.updated_at = current["updated_at"]
        super().__init__(
            f"listing {current['premises_id']} was changed by {self.updated_by} at "
            f"{self.updated_at} (now version {current['version']}, you edited "
            f"version {expected_version}); reload it and make your change again"
        )


# --------------------------------------------------------------------------
# Connections and transactions.
# --------------------------------------------------------------------------


def ensure_schema(con):
    """Create the register's tables when missing (idempotent).

    Parameters
    ----------
    con : sqlite3.Connection
        A writable connection to the store file.
    """
    for sql in _SCHEMA_SQL:
        con.execute(sql)


def timestamp(now=None):
    """Return ``now`` (default: the current time) as ``YYYY-MM-DDTHH:MM:SSZ``.

    Parameters
    ----------
    now : datetime.datetime, optional
        Naive values are taken as UTC.

    Returns
    -------
    str
    """
    now = datetime.now(UTC) if now is None else now
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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


def require_store(store):
    """Raise :class:`~layers.errors.StoreError` when the store file does not exist."""
    if not store.exists():
        raise StoreError(
            f"the store {store.path} does not exist; build it with "
            "'python -m layers build'"
        )


@contextlib.contextmanager
def writing(store, schema=ensure_schema):
    """Context manager: one write transaction on the store, under its write lock.

    Commits when the block ends, rolls back on any exception.

    Parameters
    ----------
    store : layers.store.GeoPackageStore
    schema : callable
        Called with the connection inside the transaction to create tables.

    Yields
    ------
    sqlite3.Connection
        With ``sqlite3.Row`` rows.
    """
    require_store(store)
    with store.write_lock():
        con = store.connect(readonly=False)
        try:
            con.row_factory = sqlite3.Row
            con.execute("BEGIN IMMEDIATE")
            schema(con)
            yield con
            con.commit()
        except BaseException:
            if con.in_transaction:
                con.rollback()
            raise
        finally:
            con.close()


@contextlib.contextmanager
def reading(store):
    """Context manager: a read-only connection to the store (``sqlite3.Row`` rows).

    Parameters
    ----------
    store : layers.store.GeoPackageStore

    Yields
    ------
    sqlite3.Connection
    """
    require_store(store)
    recover(store)
    con = store.connect()
    try:
        con.row_factory = sqlite3.Row
        yield con
    finally:
        con.close()


def table_exists(con, name):
    """Return True when table ``name`` exists in the connected database."""
    row = con.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


# --------------------------------------------------------------------------
# Reading.
# --------------------------------------------------------------------------


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
    from layers.store import LayerInfo

    if not has_register(store):
        return None
    with reading(store) as con:
        n, demo, newest = con.execute(
            f"SELECT count(*), max(demonstration), max(updated_at) FROM {PREMISES_TABLE}"
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

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 points, sorted by ``premises_id``: the columns of
        ``SCHEMAS["premises"]`` first, then ``version`` (int), ``demonstration``
        (bool), ``created_at`` and ``updated_by`` (str). Empty (with these
        columns) when there is no register yet.
    """
    with reading(store) as con:
        rows = _fetch_all(con)
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


# --------------------------------------------------------------------------
# Validation of form input.
# --------------------------------------------------------------------------


def _text(value, *, what, required=False, limit=MAX_TEXT):
    text = clean_text(value)
    if required and not text:
        raise InputError(f"{what} is required")
    if len(text) > limit:
        raise InputError(
            f"{what} is too long ({len(text)} characters; at most {limit})"
        )
    return text


def _number(value, *, what, high, unit, required):
    number = parse_number(value)
    if number is None:
        if required:
            raise InputError(f"{what} is required")
        return None
    if not math.isfinite(number) or number <= 0:
        raise InputError(f"{what} must be greater than 0, got {number:g}")
    if number > high:
        limit = f"{high:,}".replace(",", " ")
        raise InputError(f"{what} {number:g} is implausible (more than {limit} {unit})")
    return number


def _coordinate(value, *, what):
    number = parse_number(value)
    if number is None:
        raise InputError(f"{what} is required")
    return number


def _url(value):
    text = check_url(value)
    if len(text) > MAX_URL:
        raise InputError(
            f"link is too long ({len(text)} characters; at most {MAX_URL})"
        )
    return text


def _status(value):
    if not clean_text(value):
        raise InputError(
            f"status is required; expected one of: {', '.join(PREMISES_STATUSES)}"
        )
    return normalise_status(value)


def _field_checks(today):
    return {
        "title": lambda v: _text(v, what="title", required=True),
        "address": lambda v: _text(v, what="address"),
        "type": normalise_type,
        "size_m2": lambda v: _number(
            v, what="size", high=MAX_SIZE_M2, unit="m²", required=True
        ),
        "rent_nok_m2_year": lambda v: _number(
            v, what="rent", high=MAX_RENT_NOK_M2_YEAR, unit="NOK/m²/yr", required=False
        ),
        "available_from": lambda v: parse_date(v, today=today),
        "status": _status,
        "contact": lambda v: _text(v, what="contact"),
        "url": _url,
        "lat": lambda v: _coordinate(v, what="latitude"),
        "lon": lambda v: _coordinate(v, what="longitude"),
    }


def check_inside(lon, lat, boundary, *, tolerance_m=BOUNDARY_TOLERANCE_M):
    """Check that a point lies inside the municipality, within a tolerance.

    Parameters
    ----------
    lon, lat : float
        Degrees, EPSG:4326.
    boundary : geopandas.GeoDataFrame
        The municipality's (generalised) boundary.
    tolerance_m : float
        Distance outside the boundary still accepted, in metres (EPSG:25833).

    Raises
    ------
    InputError
        The point lies farther outside.
    """
    shape = boundary.to_crs(METRIC_CRS).union_all()
    point = gpd.GeoSeries([Point(lon, lat)], crs=CRS).to_crs(METRIC_CRS).iloc[0]
    distance = shape.distance(point)
    if distance > tolerance_m:
        raise InputError(
            f"the point lies {distance:,.0f} m outside the municipality".replace(
                ",", " "
            )
        )


def check_all_inside(gdf, boundary, *, source=None, tolerance_m=BOUNDARY_TOLERANCE_M):
    """Check that every listing of ``gdf`` lies inside the municipality (vectorised).

    Raises
    ------
    InputError
        Naming the first listing (1-based row) that lies farther outside.
    """
    if len(gdf) == 0:
        return
    shape = boundary.to_crs(METRIC_CRS).union_all()
    distance = gdf.geometry.to_crs(METRIC_CRS).distance(shape).to_numpy()
    far = np.flatnonzero(distance > tolerance_m)
    if len(far):
        k = int(far[0])
        raise InputError(
            f"the listing lies {distance[k]:,.0f} m outside the municipality".replace(
                ",", " "
            ),
            file=None if source is None else str(source),
            row=k + 1,
            field="lat/lon",
        )


def validate_listing(values, *, boundary=None, today=None):
    """Check and normalise the fields of a listing entered in a form.

    Parameters
    ----------
    values : dict
        Field -> value as entered (text or numbers); keys are ``FORM_FIELDS``,
        other keys are ignored, a missing key counts as empty. Type and status
        accept the synonyms of ``layers.premises`` (case-insensitive).
        ``available_from`` accepts ``YYYY-MM-DD`` or ``DD.MM.YYYY``; empty or
        "umiddelbart" mean ``today``. Rent may be empty.
    boundary : geopandas.GeoDataFrame, optional
        The municipality; when given, the point must lie inside it (with a
        ``BOUNDARY_TOLERANCE_M`` margin).
    today : datetime.date, optional
        Default: today in Oslo.

    Returns
    -------
    dict
        ``FORM_FIELDS`` -> normalised value: text stripped (otherwise verbatim),
        numbers as float (rent None when empty), the date as ``YYYY-MM-DD``.

    Raises
    ------
    FormErrors
        With a message for every wrong field. A coordinate pair that is wrong as
        a pair (swapped, outside Norway or the municipality) is reported under
        both ``lat`` and ``lon``.
    """
    checks = _field_checks(today or _today())
    out, errors = {}, {}
    for field, check in checks.items():
        try:
            out[field] = check(values.get(field))
        except InputError as exc:
            errors[field] = exc.message
    if "lat" not in errors and "lon" not in errors:
        try:
            check_lonlat(out["lon"], out["lat"])
            if boundary is not None:
                check_inside(out["lon"], out["lat"], boundary)
        except InputError as exc:
            errors["lat"] = errors["lon"] = exc.message
    if errors:
        raise FormErrors(errors)
    return out


def check_transition(old, new):
    """Check that a listing may change status from ``old`` to ``new``.

    Parameters
    ----------
    old, new : str
        Statuses of ``PREMISES_STATUSES``; see ``TRANSITIONS``.

    Raises
    ------
    FormErrors
        Under ``status``, naming the statuses allowed from ``old``.
    """
    allowed = TRANSITIONS.get(old, PREMISES_STATUSES)
    if new == old:
        raise FormErrors({"status": f"the listing is already '{old}'"})
    if new not in allowed:
        raise FormErrors(
            {
                "status": f"a listing that is '{old}' cannot become '{new}'; "
                f"allowed: {', '.join(allowed)}"
            }
        )


def _check_user(user):
    if not isinstance(user, str) or not user.strip():
        raise InputError("the user making the change is not named", field="user")
    return user.strip()


# --------------------------------------------------------------------------
# Writing single listings.
# --------------------------------------------------------------------------


def _log(con, pid, *, at, user, action, changes):
    con.execute(
        f'INSERT INTO {HISTORY_TABLE} (premises_id, at, "user", action, changes) '
        "VALUES (?, ?, ?, ?, ?)",
        (
            pid,
            at,
            user,
            action,
            json.dumps(changes, ensure_ascii=False, sort_keys=True),
        ),
    )


def _insert(con, row):
    names = ", ".join(COLUMNS)
    marks = ", ".join("?" for _ in COLUMNS)
    values = [int(row[c]) if c == "demonstration" else row[c] for c in COLUMNS]
    con.execute(f"INSERT INTO {PREMISES_TABLE} ({names}) VALUES ({marks})", values)


def _update(con, pid, fields):
    sets = ", ".join(f"{c} = ?" for c in fields)
    con.execute(
        f"UPDATE {PREMISES_TABLE} SET {sets} WHERE premises_id = ?",
        [*fields.values(), pid],
    )


def _diff(old, new, fields=FORM_FIELDS):
    return {f: [old[f], new[f]] for f in fields if not _same(old[f], new[f])}


def _same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        a = None if a is None or (isinstance(a, float) and math.isnan(a)) else a
        b = None if b is None or (isinstance(b, float) and math.isnan(b)) else b
    return a == b


def _new_id(con, record):
    """The id derived from title and address, or a random one when it is taken."""
    pid = premises_id(record["title"], record["address"])
    taken = _fetch(con, pid)
    if taken is None:
        return pid
    if premises_id(taken["title"], taken["address"]) == pid:
        message = f"a listing with this title and address exists already (id {pid})"
        raise FormErrors({"title": message})
    return uuid.uuid4().hex[:12]


def add_listing(store, values, *, user, boundary=None, now=None, demonstration=False):
    """Add a listing entered in a form.

    Parameters
    ----------
    store : layers.store.GeoPackageStore
    values : dict
        Form values, see :func:`validate_listing`.
    user : str
        Who adds it.
    boundary : geopandas.GeoDataFrame, optional
        The municipality, to check the point against.
    now : datetime.datetime, optional
        Time of the change (default: now).
    demonstration : bool
        Mark the listing as demonstration data.

    Returns
    -------
    dict
        The saved listing (``COLUMNS``), version 1. Its id is derived from title
        and address like ``layers.premises`` ids.

    Raises
    ------
    FormErrors
        A field is wrong, or a listing with the same title and address exists.
    """
    user = _check_user(user)
    record = validate_listing(values, boundary=boundary, today=_today(now))
    at = timestamp(now)
    with writing(store) as con:
        pid = _new_id(con, record)
        row = {
            "premises_id": pid,
            **record,
            "updated_at": at,
            "created_at": at,
            "created_by": user,
            "updated_by": user,
            "version": 1,
            "demonstration": bool(demonstration),
        }
        _insert(con, row)
        changes = {f: [None, record[f]] for f in FORM_FIELDS}
        _log(con, pid, at=at, user=user, action="create", changes=changes)
    return row


def _current(con, pid, expected_version):
    """The stored listing, checked against the version the caller edited."""
    row = _fetch(con, pid)
    if row is None:
        raise InputError(f"there is no listing with id {pid!r}", field="premises_id")
    if row["version"] != expected_version:
        raise ConflictError(row, expected_version)
    return row


def _change(con, row, fields, *, at, user, action, changes):
    """Write ``fields`` to a listing as a new version; return the saved listing."""
    fields = {**fields, "updated_at": at, "updated_by": user}
    fields["version"] = row["version"] + 1
    _update(con, row["premises_id"], fields)
    _log(con, row["premises_id"], at=at, user=user, action=action, changes=changes)
    return {**row, **fields}


def update_listing(
    store, premises_id, values, *, expected_version, user, boundary=None, now=None
):
    """Change the fields of a listing, refusing if someone else changed it first.

    Parameters
    ----------
    store : layers.store.GeoPackageStore
    premises_id : str
    values : dict
        The new form values; fields left out keep their stored value. A status
        change must be allowed by ``TRANSITIONS``.
    expected_version : int
        The version the user edited.
    user : str
    boundary : geopandas.GeoDataFrame, optional
    now : datetime.datetime, optional

    Returns
    -------
    dict
        The saved listing. When nothing changed it is returned as stored, with no
        new version and no history entry.

    Raises
    ------
    ConflictError
        The stored version is not ``expected_version``.
    FormErrors
        A field is wrong or the status change is not allowed.
    InputError
        There is no such listing.
    """
    user = _check_user(user)
    with reading(store) as con:
        before = _current(con, premises_id, expected_version)
    merged = {**{f: before[f] for f in FORM_FIELDS}, **values}
    record = validate_listing(merged, boundary=boundary, today=_today(now))
    if record["status"] != before["status"]:
        check_transition(before["status"], record["status"])
    with writing(store) as con:
        row = _current(con, premises_id, expected_version)
        changes = _diff(row, record)
        if not changes:
            return row
        fields = {f: record[f] for f in changes}
        return _change(
            con,
            row,
            fields,
            at=timestamp(now),
            user=user,
            action="update",
            changes=changes,
        )


def set_status(store, premises_id, status, *, expected_version, user, now=None):
    """Change the status of a listing along ``TRANSITIONS``.

    Parameters
    ----------
    store : layers.store.GeoPackageStore
    premises_id : str
    status : str
        A status of ``PREMISES_STATUSES`` (or a synonym).
    expected_version : int
    user : str
    now : datetime.datetime, optional

    Returns
    -------
    dict
        The saved listing.

    Raises
    ------
    FormErrors
        Unknown status, or a change ``TRANSITIONS`` does not allow.
    ConflictError, InputError
        As for :func:`update_listing`.
    """
    user = _check_user(user)
    try:
        new = _status(status)
    except InputError as exc:
        raise FormErrors({"status": exc.message}) from None
    with writing(store) as con:
        row = _current(con, premises_id, expected_version)
        check_transition(row["status"], new)
        changes = {"status": [row["status"], new]}
        return _change(
            con,
            row,
            {"status": new},
            at=timestamp(now),
            user=user,
            action="status",
            changes=changes,
        )


def renew_listing(store, premises_id, *, user, expected_version=None, now=None):
    """Confirm that a listing is still current: set ``updated_at`` to now.

    Parameters
    ----------
    store : layers.store.GeoPackageStore
    premises_id : str
    user : str
    expected_version : int, optional
        When given, refuse if the listing changed since.
    now : datetime.datetime, optional

    Returns
    -------
    dict
        The saved listing (a new version).
    """
    user = _check_user(user)
    at = timestamp(now)
    with writing(store) as con:
        row = _fetch(con, premises_id)
        expected = (
            row["version"] if row and expected_version is None else expected_version
        )
        row = _current(con, premises_id, expected)
        changes = {"updated_at": [row["updated_at"], at]}
        return _change(con, row, {}, at=at, user=user, action="renew", changes=changes)


# --------------------------------------------------------------------------
# Whole lists: seeding and importing.
# --------------------------------------------------------------------------


def _records(gdf):
    """Check a ``premises`` frame and return its rows as register records."""
    frame = conform("premises", gdf, source="import")
    records = []
    for number, row in enumerate(frame.itertuples(index=False), start=1):
        record = row._asdict()
        geom = record.pop("geometry")
        record["lon"], record["lat"] = float(geom.x), float(geom.y)
        rent = record["rent_nok_m2_year"]
        record["rent_nok_m2_year"] = None if math.isnan(rent) else float(rent)
        record["size_m2"] = float(record["size_m2"])
        _check_record(record, number)
        records.append(record)
    ids = [r["premises_id"] for r in records]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise InputError(
            f"duplicate id(s): {', '.join(duplicates)}",
            file="import",
            field="premises_id",
        )
    return records


def _check_record(record, number):
    where = {"file": "import", "row": number}
    if not record["premises_id"]:
        raise InputError("the id is empty", **where, field="premises_id")
    if record["type"] not in PREMISES_TYPES:
        raise InputError(f"unknown type {record['type']!r}", **where, field="type")
    if record["status"] not in PREMISES_STATUSES:
        raise InputError(
            f"unknown status {record['status']!r}", **where, field="status"
        )


def seed_register(store, gdf, *, user, demonstration, now=None):
    """Replace every listing of the register with those of ``gdf``.

    Used by the build (demonstration premises) and by a full premises import.
    Listings not in ``gdf`` are deleted (history action ``delete``); the others
    are written as version 1 (history action ``import``). History is kept.

    Parameters
    ----------
    store : layers.store.GeoPackageStore
    gdf : geopandas.GeoDataFrame
        A ``premises`` layer (``layers.premises.read_premises``).
    user : str
    demonstration : bool
        Mark every listing as demonstration data.
    now : datetime.datetime, optional
        Time of the change, also ``created_at`` (pass a fixed time for a
        reproducible build).

    Returns
    -------
    int
        The number of listings.
    """
    user = _check_user(user)
    records = _records(gdf)
    at = timestamp(now)
    with writing(store) as con:
        kept = {r["premises_id"] for r in records}
        for old in _fetch_all(con):
            if old["premises_id"] not in kept:
                changes = {f: [old[f], None] for f in FORM_FIELDS}
                _log(
                    con,
                    old["premises_id"],
                    at=at,
                    user=user,
                    action="delete",
                    changes=changes,
                )
        con.execute(f"DELETE FROM {PREMISES_TABLE}")
        for record in records:
            _insert(con, _imported(record, at=at, user=user, demo=demonstration))
            changes = {f: [None, record[f]] for f in FORM_FIELDS}
            _log(
                con,
                record["premises_id"],
                at=at,
                user=user,
                action="import",
                changes=changes,
            )
    return len(records)


def _imported(record, *, at, user, demo):
    return {
        **record,
        "created_at": at,
        "created_by": user,
        "updated_by": user,
        "version": 1,
        "demonstration": bool(demo),
    }


def _compare(con, records):
    out = {"added": [], "changed": [], "unchanged": []}
    for record in records:
        entry = {"premises_id": record["premises_id"], "title": record["title"]}
        old = _fetch(con, record["premises_id"])
        if old is None:
            out["added"].append(entry)
            continue
        changes = _diff(old, record)
        if changes:
            out["changed"].append({**entry, "changes": changes})
        else:
            out["unchanged"].append(entry)
    return out


def preview_import(store, gdf):
    """Compare a premises list with the register by id, writing nothing.

    Parameters
    ----------
    store : layers.store.GeoPackageStore
    gdf : geopandas.GeoDataFrame
        A ``premises`` layer.

    Returns
    -------
    dict
        ``added``, ``changed`` and ``unchanged``: lists of dicts with
        ``premises_id`` and ``title``; ``changed`` entries also have ``changes``
        (``{field: [old, new]}``). ``updated_at`` is not compared.
    """
    records = _records(gdf)
    with reading(store) as con:
        return _compare(con, records)


def apply_import(store, gdf, *, user, now=None, demonstration=False):
    """Add new listings and update changed ones from a premises list, in one step.

    Listings missing from the list are kept (nothing is deleted); unchanged ones
    are not touched. Changed ones take the list's values and ``updated_at`` and
    get a new version.

    Parameters
    ----------
    store : layers.store.GeoPackageStore
    gdf : geopandas.GeoDataFrame
        A ``premises`` layer.
    user : str
    now : datetime.datetime, optional
        Time recorded in the history and as ``created_at`` of new listings.
    demonstration : bool
        Mark added listings as demonstration data.

    Returns
    -------
    dict
        What was done, as :func:`preview_import` reports it.
    """
    user = _check_user(user)
    records = {r["premises_id"]: r for r in _records(gdf)}
    at = timestamp(now)
    with writing(store) as con:
        report = _compare(con, records.values())
        for entry in report["added"]:
            record = records[entry["premises_id"]]
            _insert(con, _imported(record, at=at, user=user, demo=demonstration))
            changes = {f: [None, record[f]] for f in FORM_FIELDS}
            _log(
                con,
                entry["premises_id"],
                at=at,
                user=user,
                action="import",
                changes=changes,
            )
        for entry in report["changed"]:
            record = records[entry["premises_id"]]
            row = _fetch(con, entry["premises_id"])
            fields = {f: record[f] for f in entry["changes"]}
            fields["updated_at"] = record["updated_at"]
            fields["updated_by"] = user
            fields["version"] = row["version"] + 1
            _update(con, row["premises_id"], fields)
            _log(
                con,
                row["premises_id"],
                at=at,
                user=user,
                action="import",
                changes=entry["changes"],
            )
    return report
