"""Whole lists: seeding the register, and previewing and applying a broker's list."""

from __future__ import annotations

import hashlib
import json
import math

import geopandas as gpd
import pandas as pd

from layers.errors import InputError
from layers.register.edits import _diff, _insert, _log, _update
from layers.register.tables import (
    COLUMNS,
    FORM_FIELDS,
    HISTORY_TABLE,
    PREMISES_TABLE,
    _fetch_all,
    reading,
    writing,
)
from layers.register.validation import _check_user
from layers.schemas import (
    CRS,
    PREMISES_STATUSES,
    PREMISES_TYPES,
    SCHEMAS,
    conform,
)
from layers.store.base import timestamp


def _records(gdf, unplaced=()):
    """Check a ``premises`` frame (and unplaced rows) and return register records.

    ``unplaced`` holds listings without a point (``PremisesRead.unplaced``): they
    are checked like the others and get ``lat``/``lon`` None. Linear in the
    number of rows (the duplicate check is one pass over a set).
    """
    frame = conform("premises", gdf, source="import")
    records = []
    for number, row in enumerate(frame.itertuples(index=False), start=1):
        record = row._asdict()
        geom = record.pop("geometry")
        record["lon"], record["lat"] = float(geom.x), float(geom.y)
        records.append(_typed(record, number))
    for number, record in enumerate(_unplaced_records(unplaced), start=len(records)):
        records.append(_typed(record, number + 1))
    seen, duplicates = set(), set()
    for record in records:
        pid = record["premises_id"]
        (duplicates if pid in seen else seen).add(pid)
    if duplicates:
        raise InputError(
            code="import.duplicate_ids",
            params={"ids": ", ".join(sorted(duplicates))},
            file="import",
            field="premises_id",
        )
    return records


def _typed(record, number):
    rent = record["rent_nok_m2_year"]
    missing = rent is None or isinstance(rent, float) and math.isnan(rent)
    record["rent_nok_m2_year"] = None if missing else float(rent)
    record["size_m2"] = float(record["size_m2"])
    _check_record(record, number)
    return record


def _unplaced_records(unplaced):
    """Conform unplaced rows to the schema's types; their point is None.

    The schema's conform needs a geometry, so each row gets a stand-in point
    while its values are typed; the point is dropped again.
    """
    if not unplaced:
        return []
    rows = [{c: u.get(c) for c in SCHEMAS["premises"]} for u in unplaced]
    stand_in = gpd.points_from_xy([10.0] * len(rows), [60.0] * len(rows), crs=CRS)
    frame = conform(
        "premises",
        gpd.GeoDataFrame(pd.DataFrame.from_records(rows), geometry=stand_in),
        source="import",
    )
    out = []
    for row in frame.drop(columns="geometry").itertuples(index=False):
        record = row._asdict()
        record["lon"] = record["lat"] = None
        out.append(record)
    return out


def _check_record(record, number):
    where = {"file": "import", "row": number}
    if not record["premises_id"]:
        raise InputError(code="import.empty_id", **where, field="premises_id")
    if record["type"] not in PREMISES_TYPES:
        raise InputError(
            code="import.unknown_type",
            params={"got": record["type"]},
            **where,
            field="type",
        )
    if record["status"] not in PREMISES_STATUSES:
        raise InputError(
            code="import.unknown_status",
            params={"got": record["status"]},
            **where,
            field="status",
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
        A ``premises`` layer (``layers.sources.premises.read_premises``).
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


PROGRESS_EVERY = 500  # rows between two progress reports
_WITHOUT_POINT = tuple(f for f in FORM_FIELDS if f not in ("lat", "lon"))


class StaleImport(Exception):
    """The register changed between the preview the editor saw and the commit.

    Raised inside the commit's transaction (which then writes nothing);
    ``report`` is the preview as the register gives it now.
    """

    def __init__(self, report):
        self.report = report
        super().__init__("the register changed since the preview; nothing imported")


def digest(report):
    """Return a digest of a preview report (equal reports, equal digests).

    The report names the version of every listing it compares with, so an edit
    of one of them since the preview changes the digest (optimistic check).
    """
    text = json.dumps(report, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _existing(con):
    """Every listing of the register by id, read in one query."""
    return {r["premises_id"]: r for r in _fetch_all(con)}


def _compare(con, records, progress=None, existing=None):
    """Sort records into added/changed/unchanged against the register, linearly.

    An unplaced record (no point) never removes a listing's point: a listing
    placed on the map since an earlier import of the same list keeps it.
    Entries of listings already in the register carry their ``version``.
    """
    existing = _existing(con) if existing is None else existing
    out = {"added": [], "changed": [], "unchanged": [], "unplaced": []}
    total = len(records)
    for n, record in enumerate(records, start=1):
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress("compare", n, total)
        entry = {"premises_id": record["premises_id"], "title": record["title"]}
        old = existing.get(record["premises_id"])
        placed = record["lat"] is not None
        if not placed and (old is None or old["lat"] is None):
            out["unplaced"].append(entry)
        if old is None:
            out["added"].append(entry)
            continue
        entry["version"] = old["version"]
        fields = FORM_FIELDS if placed else _WITHOUT_POINT
        changes = _diff(old, record, fields)
        if changes:
            out["changed"].append({**entry, "changes": changes})
        else:
            out["unchanged"].append(entry)
    return out


def preview_import(store, gdf, unplaced=(), *, progress=None):
    """Compare a premises list with the register by id, writing nothing.

    Parameters
    ----------
    store : layers.store.Store
    gdf : geopandas.GeoDataFrame
        A ``premises`` layer.
    unplaced : list of dict, optional
        Listings without a point (``PremisesRead.unplaced``), imported unplaced.
    progress : callable, optional
        ``progress(phase, done, total)``, called every ``PROGRESS_EVERY`` rows.

    Returns
    -------
    dict
        ``added``, ``changed`` and ``unchanged``: lists of dicts with
        ``premises_id`` and ``title`` (and the stored ``version`` for listings
        already in the register); ``changed`` entries also have ``changes``
        (``{field: [old, new]}``). ``unplaced`` lists the added or kept listings
        that will have no point. ``updated_at`` is not compared. Linear in the
        number of rows (one query, then dictionary look-ups).
    """
    records = _records(gdf, unplaced)
    with reading(store) as con:
        return _compare(con, records, progress)


_INSERT = (
    f"INSERT INTO {PREMISES_TABLE} ({', '.join(COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in COLUMNS)})"
)
_LOG = (
    f'INSERT INTO {HISTORY_TABLE} (premises_id, at, "user", action, changes) '
    "VALUES (?, ?, ?, ?, ?)"
)


def _changes_json(changes):
    return json.dumps(changes, ensure_ascii=False, sort_keys=True)


def apply_import(
    store,
    gdf,
    unplaced=(),
    *,
    user,
    now=None,
    demonstration=False,
    progress=None,
    expected_digest=None,
):
    """Add new listings and update changed ones from a premises list, in one step.

    Listings missing from the list are kept (nothing is deleted); unchanged ones
    are not touched. Changed ones take the list's values and ``updated_at`` and
    get a new version; every write has its history entry (action ``import``).
    Everything is written in one transaction: a failure (or a killed worker)
    leaves the register as it was.

    Parameters
    ----------
    store : layers.store.Store
    gdf : geopandas.GeoDataFrame
        A ``premises`` layer.
    unplaced : list of dict, optional
        Listings without a point, added with ``lat``/``lon`` empty.
    user : str
    now : datetime.datetime, optional
        Time recorded in the history and as ``created_at`` of new listings.
    demonstration : bool
        Mark added listings as demonstration data.
    progress : callable, optional
        ``progress(phase, done, total)`` (phase ``compare``), and
        ``progress("write", 0, n)`` once before the writes.
    expected_digest : str, optional
        The :func:`digest` of the preview the editor confirmed. Checked inside
        the transaction: when the register now gives another preview (a listing
        was edited, added or imported since), :class:`StaleImport` is raised and
        nothing is written.

    Returns
    -------
    dict
        What was done, as :func:`preview_import` reports it.
    """
    user = _check_user(user)
    records = {r["premises_id"]: r for r in _records(gdf, unplaced)}
    at = timestamp(now)
    with writing(store) as con:
        existing = _existing(con)
        report = _compare(con, list(records.values()), progress, existing)
        if expected_digest is not None and digest(report) != expected_digest:
            raise StaleImport(report)
        if progress is not None:
            progress("write", 0, len(report["added"]) + len(report["changed"]))
        new_rows, logs = [], []
        for entry in report["added"]:
            pid = entry["premises_id"]
            row = _imported(records[pid], at=at, user=user, demo=demonstration)
            new_rows.append(
                [int(row[c]) if c == "demonstration" else row[c] for c in COLUMNS]
            )
            changes = {f: [None, row[f]] for f in FORM_FIELDS}
            logs.append((pid, at, user, "import", _changes_json(changes)))
        if new_rows:
            con.executemany(_INSERT, new_rows)
        for entry in report["changed"]:
            pid = entry["premises_id"]
            record, row = records[pid], existing[pid]
            fields = {f: record[f] for f in entry["changes"]}
            fields["updated_at"] = record["updated_at"]
            fields["updated_by"] = user
            fields["version"] = row["version"] + 1
            _update(con, pid, fields)
            logs.append((pid, at, user, "import", _changes_json(entry["changes"])))
        if logs:
            con.executemany(_LOG, logs)
    return report
