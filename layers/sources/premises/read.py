"""Reading a whole premises list: the layer, the unplaced rows, the preview."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
import pandas as pd

from layers import limits
from layers.errors import InputError
from layers.schemas import (
    CRS,
    conform,
    empty_layer,
)
from layers.sources import guard
from layers.sources.premises.columns import _check_columns, match_columns
from layers.sources.premises.placing import _place_by_address
from layers.sources.premises.reading import _read_table
from layers.sources.premises.rows import (
    _ids,
    _local_date,
    _parse_row,
    _utc,
    collected_error,
)

# Why a row is unplaced: its error code (text in the UI's languages) and a line
# for the command line.
_REASONS = {
    "premises.no_location": "no address and no lat/lon",
    "premises.address_not_found": "address not found in the address register",
}


@dataclasses.dataclass
class PremisesRead:
    """What :func:`read_premises_table` read, for an import and its preview.

    Attributes
    ----------
    layer : geopandas.GeoDataFrame
        The placed rows as the ``premises`` layer, in file order.
    unplaced : list of dict
        Rows that could not be placed (address not in the register, or neither
        address nor lat/lon): their ``row``, the listing's values (schema
        columns), the ``reason`` (English, for the command line) and its ``code``
        (``premises.no_location`` or ``premises.address_not_found``). Not an error: the user places them on the map.
    preview : list of dict
        One per data row: ``row``, ``premises_id``, ``placed``, ``lon``/``lat``
        (None when unplaced), ``raw`` (``{column: text as in the file}``) and
        ``value`` (``{column: interpreted value}``), so a preview shows how each
        cell was read.
    columns : dict
        Schema column (or lat/lon) -> the file's header for it.
    """

    layer: gpd.GeoDataFrame
    unplaced: list
    preview: list
    columns: dict


def read_premises(path, *, addresses=None, now=None):
    """Read a list of premises for rent into the ``premises`` layer.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.csv``, ``.xlsx`` or ``.geojson`` file. Columns (Norwegian or English,
        as people write them; see ``COLUMN_ALIASES`` and the README): tittel,
        adresse, lat, lon, type, areal, leie, ledig fra, status, kontakt, lenke,
        and optionally id and oppdatert. Title lines above the header (the
        finder's own export) are skipped.
    addresses : geopandas.GeoDataFrame or str or pathlib.Path, optional
        Address register (``layers.sources.addresses.read_addresses`` or the
        store's ``addresses`` layer), used to place rows that have an address but
        no lat/lon.
    now : datetime.datetime, optional
        Current time (default: now). Gives "today" (Oslo date) for "umiddelbart"
        and empty dates, and ``updated_at`` for rows without one. Naive is UTC.

    Returns
    -------
    geopandas.GeoDataFrame
        The ``premises`` layer in EPSG:4326, one point per row, in file order.

    Raises
    ------
    InputError
        A required column is missing or any row is wrong, including a row that
        cannot be placed; all problems are listed. (:func:`read_premises_table`
        returns unplaced rows instead.)
    """
    return read_premises_table(path, addresses=addresses, now=now, strict=True).layer


def read_premises_table(path, *, addresses=None, now=None, strict=False):
    """Read a premises list, keeping rows that cannot be placed aside.

    As :func:`read_premises`, but a row whose address is not in the register (or
    that has neither address nor lat/lon) is returned in ``unplaced`` rather than
    refusing the file, and every row's raw and interpreted values are returned for
    a preview. Other problems (a size that is not a number, a bad date, ...)
    still refuse the file, all listed.

    Parameters
    ----------
    path, addresses, now
        As :func:`read_premises`.
    strict : bool
        Unplaced rows are errors (what :func:`read_premises` does).

    Returns
    -------
    PremisesRead
    """
    path = Path(path)
    source = str(path)
    now = _utc(now)
    today = _local_date(now)
    if not path.is_file():
        raise InputError(code="file.not_found", file=source)
    guard.check_file_size(path, source, limits.MAX_PREMISES_FILE_BYTES)
    header, rows, has_geometry = _read_table(path, source)
    columns = match_columns(header, source=source)
    _check_columns(
        columns,
        header,
        has_geometry=has_geometry,
        has_register=addresses is not None,
        source=source,
    )
    records, points, pending, errors, unplaced = [], {}, [], [], {}
    for row in rows:
        record, point, row_errors = _parse_row(
            row,
            columns,
            source=source,
            today=today,
            now=now,
            has_register=addresses is not None,
        )
        records.append((row.number, record))
        if not strict:
            keep = [e for e in row_errors if not getattr(e, "unplaceable", False)]
            if len(keep) < len(row_errors):
                unplaced[row.number] = "premises.no_location"
            row_errors = keep
        errors += row_errors
        if point is not None:
            points[row.number] = point
        elif not row_errors and row.number not in unplaced:
            pending.append((row.number, record["address"]))
    placed, place_errors = _place_by_address(pending, addresses, columns, source)
    points.update(placed)
    if strict:
        errors += place_errors
    else:
        for e in place_errors:
            unplaced[e.row] = "premises.address_not_found"
    ids, id_errors = _ids(records, columns, source)
    errors += id_errors
    if errors:
        errors.sort(key=lambda e: e.row if isinstance(e.row, int) else 0)
        raise collected_error(errors, source=source)
    final = [
        (n, {**r, "premises_id": i}) for (n, r), i in zip(records, ids, strict=True)
    ]
    kept = [(n, r) for n, r in final if n in points]
    layer = _frame([r for _, r in kept], [points[n] for n, _ in kept], source)
    return PremisesRead(
        layer=layer,
        unplaced=[
            {"row": n, **r, "reason": _REASONS[unplaced[n]], "code": unplaced[n]}
            for n, r in final
            if n in unplaced
        ],
        preview=[
            _preview_row(row, r, points.get(n), columns)
            for row, (n, r) in zip(rows, final, strict=True)
        ],
        columns=columns,
    )


def _preview_row(row, record, point, columns):
    raw = {}
    for col, name in columns.items():
        value = row.values.get(name)
        raw[col] = "" if value is None else str(value)
    return {
        "row": row.number,
        "premises_id": record["premises_id"],
        "placed": point is not None,
        "lon": None if point is None else point[0],
        "lat": None if point is None else point[1],
        "raw": raw,
        "value": {c: record[c] for c in record if c in columns or c == "premises_id"},
    }


def _frame(records, points, source):
    if not records:
        return conform("premises", empty_layer("premises"), source=source)
    frame = pd.DataFrame.from_records(records)
    lon, lat = zip(*points, strict=True)
    geometry = gpd.points_from_xy(lon, lat, crs=CRS)
    return conform(
        "premises", gpd.GeoDataFrame(frame, geometry=geometry), source=source
    )
