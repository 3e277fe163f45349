"""Edits of single listings: add, update, change status, renew (each a new version)."""

from __future__ import annotations

import json
import math
import uuid

from layers.errors import InputError
from layers.register.tables import (
    COLUMNS,
    FORM_FIELDS,
    HISTORY_TABLE,
    PREMISES_TABLE,
    _fetch,
    _today,
    reading,
    writing,
)
from layers.register.validation import (
    FormErrors,
    _check_user,
    _status,
    check_transition,
    validate_listing,
)
from layers.sources.premises import (
    premises_id,
)
from layers.store.base import timestamp


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
        error = InputError(code="listing.duplicate", params={"premises_id": pid})
        raise FormErrors({"title": error})
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
        and address like ``layers.sources.premises`` ids.

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
        raise InputError(
            code="listing.not_found", params={"premises_id": pid}, field="premises_id"
        )
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
        raise FormErrors({"status": exc}) from None
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
