"""One row of a premises list checked and turned into a listing's values."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from layers.errors import InputError
from layers.limits import MAX_RENT_NOK_M2_YEAR, MAX_SIZE_M2
from layers.schemas import (
    check_lonlat,
)
from layers.sources.premises.amounts import (
    parse_amount,
    parse_date,
    parse_number,
    parse_timestamp,
)
from layers.sources.premises.values import (
    RENT_ON_REQUEST,
    _key,
    _show,
    bounded_text,
    check_url,
    clean_text,
    normalise_status,
    normalise_type,
    premises_id,
)

MAX_ERRORS = 20
LOCAL_TZ = "Europe/Oslo"

# --------------------------------------------------------------------------
# Columns and rows.
# --------------------------------------------------------------------------


def _check_range(value, *, what, high, unit):
    if value <= 0:
        raise InputError(
            code="value.not_positive", params={"what": what, "value": value}
        )
    if value > high:
        raise InputError(
            code="value.implausible",
            params={"what": what, "value": value, "limit": high, "unit": unit},
        )
    return value


def _size(value):
    size = parse_amount(value)
    if size is None:
        raise InputError(code="value.empty", params={"what": "size"})
    return _check_range(size, what="size", high=MAX_SIZE_M2, unit="m²")


def _rent(value):
    if isinstance(value, str) and _key(value).rstrip(".") in RENT_ON_REQUEST:
        return math.nan
    rent = parse_amount(value)
    if rent is None:
        return math.nan
    return _check_range(rent, what="rent", high=MAX_RENT_NOK_M2_YEAR, unit="NOK/m²/yr")


def _title(value):
    text = bounded_text(value, "title")
    if not text:
        raise InputError(code="value.empty", params={"what": "title"})
    return text


def _parse_row(row, columns, *, source, today, now, has_register):
    """Parse one row; return (record, point or None, errors)."""
    errors = []

    where = {"file": source, "row": row.number}

    def get(col, parse):
        try:
            return parse(row.values.get(columns[col]) if col in columns else None)
        except InputError as exc:
            errors.append(exc.at(**where, field=columns.get(col, col)))
            return None

    if row.problem:
        errors.append(
            InputError(
                code="file.row_problem",
                params={"problem": row.problem},
                file=source,
                row=row.number,
            )
        )
    record = {
        "premises_id": get("premises_id", clean_text),
        "title": get("title", _title),
        "address": get("address", lambda v: bounded_text(v, "address")),
        "type": get("type", normalise_type),
        "size_m2": get("size_m2", _size),
        "rent_nok_m2_year": get("rent_nok_m2_year", _rent),
        "available_from": get("available_from", lambda v: parse_date(v, today=today)),
        "status": get("status", normalise_status),
        "contact": get("contact", lambda v: bounded_text(v, "contact")),
        "url": get("url", check_url),
        "updated_at": get("updated_at", lambda v: parse_timestamp(v, now=now)),
    }
    point = None
    try:
        point = _row_point(row, columns, record["address"], has_register, where)
    except InputError as exc:
        errors.append(exc)
    return record, point, errors


def _row_point(row, columns, address, has_register, where):
    """Return (lon, lat), or None when the row is to be placed by address."""
    if row.point is not None:
        check_lonlat(*row.point, source=where["file"], row=row.number, field="geometry")
        return row.point
    field = "/".join(columns[c] for c in ("lat", "lon") if c in columns) or "lat/lon"
    lat = _coordinate(row, columns, "lat", where)
    lon = _coordinate(row, columns, "lon", where)
    if lat is not None or lon is not None:
        check_lonlat(lon, lat, source=where["file"], row=row.number, field=field)
        return lon, lat
    if not address:
        code = "premises.no_location"
    elif not has_register:
        code = "premises.no_address_register"
    else:
        return None
    error = InputError(code=code, **where, field=field)
    error.unplaceable = not address  # a row to place on the map, not a bad file
    raise error


def _coordinate(row, columns, col, where):
    try:
        return parse_number(row.values.get(columns.get(col)))
    except InputError as exc:
        raise exc.at(**where, field=columns[col]) from None


def _ids(records, columns, source):
    """Return each record's id (from the file or derived) and the duplicate errors.

    ``records`` holds (row number, record) pairs.
    """
    seen, ids, errors = {}, [], []
    derived = "/".join(columns[c] for c in ("title", "address") if c in columns)
    for number, record in records:
        given = record["premises_id"]
        pid = given or premises_id(record["title"], record["address"])
        ids.append(pid)
        if pid in seen:
            code, params = (
                ("premises.duplicate_id", {"premises_id": _show(pid)})
                if given
                else ("premises.duplicate_listing", {})
            )
            field = columns["premises_id"] if given else derived
            errors.append(
                InputError(
                    code=code,
                    params={**params, "first_row": seen[pid]},
                    file=source,
                    row=number,
                    field=field,
                )
            )
        seen.setdefault(pid, number)
    return ids, errors


def collected_error(errors, *, source=None, limit=MAX_ERRORS):
    """Return one InputError that reports all ``errors``.

    Parameters
    ----------
    errors : list of InputError
        Non-empty, in file order.
    source : str, optional
        File name for the combined error.
    limit : int
        Number of problems listed in the message.

    Returns
    -------
    InputError
        The first error's file, row and field; a message listing up to ``limit``
        problems; all of them in its ``problems`` attribute.
    """
    first = errors[0]
    if len(errors) == 1:
        error = first.at()
    else:
        lines = [
            f"- {InputError(e.message, row=e.row, field=e.field)}"
            for e in errors[:limit]
        ]
        if len(errors) > limit:
            lines.append(f"- … and {len(errors) - limit} more")
        error = InputError(
            code="premises.problems",
            params={
                "first": first.message,
                "n": len(errors),
                "lines": "\n".join(lines),
            },
            file=first.file or source,
            row=first.row,
            field=first.field,
        )
    error.problems = list(errors)
    return error


def _utc(now):
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        return now.replace(tzinfo=UTC)
    return now.astimezone(UTC)


def _local_date(now):
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return now.astimezone(ZoneInfo(LOCAL_TZ)).date()
    except ZoneInfoNotFoundError:  # no time-zone database: the UTC date will do
        return now.date()
