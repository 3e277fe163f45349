"""Whole lists: seeding the register, and previewing and applying a broker's list."""

from __future__ import annotations

import math

from layers.errors import InputError
from layers.register.edits import _diff, _insert, _log, _update
from layers.register.tables import (
    FORM_FIELDS,
    PREMISES_TABLE,
    _fetch,
    _fetch_all,
    reading,
    writing,
)
from layers.register.validation import _check_user
from layers.schemas import (
    PREMISES_STATUSES,
    PREMISES_TYPES,
    conform,
)
from layers.store.base import timestamp


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
            code="import.duplicate_ids",
            params={"ids": ", ".join(duplicates)},
            file="import",
            field="premises_id",
        )
    return records


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
