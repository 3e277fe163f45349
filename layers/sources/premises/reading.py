"""Reading premises files (CSV, XLSX, GeoJSON) into rows, within limits."""

from __future__ import annotations

import csv
import io
from typing import NamedTuple

from layers import limits
from layers.errors import InputError
from layers.schemas import (
    CRS,
)
from layers.sources import guard
from layers.sources.premises.columns import (
    COLUMN_ALIASES,
    HEADER_SEARCH_ROWS,
    _header_key,
)
from layers.sources.premises.values import _show


class _Row(NamedTuple):
    number: int
    values: dict
    point: tuple | None = None
    problem: str | None = None


# --------------------------------------------------------------------------
# Reading files into rows.
# --------------------------------------------------------------------------


def _decode(data, source):
    guard.require_utf8(data[: 1 << 16], source, allow_cp1252=True)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(code="file.encoding", file=source)


def sniff_delimiter(text):
    """Return the separator of a CSV text: the one of ; , and tab the header uses most.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        ";", "," or "\\t"; "," when none occurs.
    """
    lines = [line for line in text.splitlines()[:200] if line.strip()]
    lines = lines[:HEADER_SEARCH_ROWS] or [""]
    # The header row has the most separators (title lines above an exported
    # table have few): count each separator on its busiest line.
    counts = {sep: max(line.count(sep) for line in lines) for sep in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _is_blank(cell):
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _known_headers(row):
    lookup = {a for aliases in COLUMN_ALIASES.values() for a in aliases}
    return sum(1 for h in row if h is not None and _header_key(str(h)) in lookup)


def _table(cells):
    """Split rows of cells into the header and the data rows.

    The header is the first non-blank row, unless a later one (within
    ``HEADER_SEARCH_ROWS``) names two known columns and it does not: the title
    and filter lines above an exported table are skipped.
    """
    cells = list(cells)
    filled = [i for i, row in enumerate(cells) if not all(map(_is_blank, row))]
    start = filled[0] if filled else len(cells)
    if filled and _known_headers(cells[start]) < 2:
        for i in filled[:HEADER_SEARCH_ROWS]:
            if _known_headers(cells[i]) >= 2:
                start = i
                break
    header = cells[start] if filled else []
    cells = iter(cells[start + 1 :])
    names = ["" if h is None else str(h).strip() for h in header]
    rows = []
    for number, row in enumerate(cells, start=1):
        row = list(row)
        if all(map(_is_blank, row)):
            continue
        extra = row[len(names) :]
        problem = None
        if not all(map(_is_blank, extra)):
            problem = (
                f"row has {len(row)} values but the header has {len(names)} "
                "columns (is a decimal comma unquoted in a comma-separated file?)"
            )
        values = dict(zip(names, row, strict=False))
        rows.append(_Row(number, values, None, problem))
    return names, rows


def _read_csv(path, source):
    text = _decode(path.read_bytes(), source)
    delimiter = sniff_delimiter(text)
    old_limit = csv.field_size_limit(limits.MAX_CELL)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        cells = _bounded_rows(reader, source)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise InputError(
                code="limit.cell_length",
                params={"n": limits.MAX_CELL + 1, "limit": limits.MAX_CELL},
                file=source,
                row=reader.line_num,
            ) from None
        raise InputError(
            code="file.csv_unreadable", params={"reason": str(exc)}, file=source
        ) from None
    finally:
        csv.field_size_limit(old_limit)
    names, rows = _table(cells)
    _check_separators(rows, names, delimiter, source)
    return names, rows


def _bounded_rows(rows, source):
    """The rows as a list, refused past ``MAX_PREMISES_ROWS`` (+ a title block)."""
    out = []
    for row in rows:
        out.append(row)
        if len(out) > limits.MAX_PREMISES_ROWS + HEADER_SEARCH_ROWS:
            raise InputError(
                code="limit.rows",
                params={"limit": limits.MAX_PREMISES_ROWS},
                file=source,
            )
    return out


def _check_separators(rows, names, delimiter, source):
    """Refuse a row split by another separator than the file's (one cell only)."""
    if len(names) < 3:
        return
    for row in rows:
        filled = [v for v in row.values.values() if not _is_blank(v)]
        if len(filled) != 1:
            continue
        cell = str(filled[0])
        for sep in (";", ",", "\t"):
            if sep != delimiter and cell.count(sep) >= 2:
                raise InputError(
                    code="file.separator",
                    params={"line": row.number, "found": sep, "expected": delimiter},
                    file=source,
                    row=row.number,
                )


def _read_xlsx(path, source):
    from zipfile import BadZipFile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (OSError, BadZipFile, KeyError, InvalidFileException, ValueError) as exc:
        raise InputError(
            code="file.xlsx_unreadable", params={"reason": str(exc)}, file=source
        ) from None
    try:
        sheet, raw = book.worksheets[0], formulas.worksheets[0]
        if (sheet.max_row or 0) > limits.MAX_XLSX_ROWS + HEADER_SEARCH_ROWS:
            raise InputError(  # the sheet's own dimension; rows are counted too
                code="limit.rows", params={"limit": limits.MAX_XLSX_ROWS}, file=source
            )
        values = sheet.iter_rows(values_only=True)
        cells = raw.iter_rows(values_only=True)
        rows = []
        for number, (row, written) in enumerate(
            zip(values, cells, strict=False), start=1
        ):
            if len(rows) >= limits.MAX_XLSX_ROWS + HEADER_SEARCH_ROWS:
                raise InputError(
                    code="limit.rows",
                    params={"limit": limits.MAX_XLSX_ROWS},
                    file=source,
                )
            for col, (value, formula) in enumerate(
                zip(row, written, strict=False), start=1
            ):
                if value is None and isinstance(formula, str) and formula[:1] == "=":
                    from openpyxl.utils import get_column_letter

                    raise InputError(
                        code="file.xlsx_formula",
                        params={
                            "cell": f"{get_column_letter(col)}{number}",
                            "formula": formula[:40],
                        },
                        file=source,
                        row=number,
                    )
                if isinstance(value, str) and len(value) > limits.MAX_CELL:
                    raise InputError(
                        code="limit.cell_length",
                        params={"n": len(value), "limit": limits.MAX_CELL},
                        file=source,
                        row=number,
                    )
            rows.append(row)
        return _table(rows)
    except InputError:
        raise
    except (OSError, BadZipFile, KeyError, ValueError) as exc:
        raise InputError(
            code="file.xlsx_unreadable", params={"reason": str(exc)}, file=source
        ) from None
    finally:
        book.close()
        formulas.close()


def _read_geojson(path, source):
    data = path.read_bytes()
    _decode(data, source)  # the encoding, named when it is not UTF-8 or cp1252
    try:
        data = guard.scan_json(io.BytesIO(data.removeprefix(b"\xef\xbb\xbf")), source)
    except InputError as exc:
        if exc.code != "file.json_invalid_at" or guard.sniff_encoding(data) == "utf-8":
            raise
        data = guard.scan_json(
            io.BytesIO(_decode(data, source).encode("utf-8")), source
        )
    if isinstance(data, dict) and data.get("type") == "Feature":
        features = [data]
    elif isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features") or []
    else:
        raise InputError(code="file.not_feature_collection", file=source)
    if not isinstance(features, list):
        raise InputError(code="file.not_feature_collection", file=source)
    if len(features) > limits.MAX_PREMISES_ROWS:
        raise InputError(
            code="limit.rows", params={"limit": limits.MAX_PREMISES_ROWS}, file=source
        )
    names, rows = [], []
    for number, feature in enumerate(features, start=1):
        feature = feature if isinstance(feature, dict) else {}
        props = feature.get("properties")
        props = props if isinstance(props, dict) else {}
        props = {str(k).strip(): v for k, v in props.items()}
        for key, value in props.items():
            if isinstance(value, (dict, list)):
                raise InputError(
                    f"property {key!r} is a nested {type(value).__name__}, "
                    "expected a text or a number",
                    file=source,
                    row=number,
                    field=key,
                )
        names += [k for k in props if k not in names]
        point, problem = _feature_point(feature.get("geometry"))
        rows.append(_Row(number, props, point, problem))
    return names, _to_wgs84(rows, _legacy_crs(data), source)


def _feature_point(geometry):
    if not isinstance(geometry, dict):
        return None, None
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind != "Point":
        return None, f"geometry is {kind}, expected Point"
    if not coords:
        return None, None
    try:
        return (float(coords[0]), float(coords[1])), None
    except (TypeError, ValueError, IndexError):
        return None, f"point coordinates {_show(coords)} are not numbers"


def _legacy_crs(data):
    name = ((data.get("crs") or {}).get("properties") or {}).get("name")
    if not name or "CRS84" in name.upper() or name.endswith(("4326", ":4258")):
        return None
    return name


def _to_wgs84(rows, crs, source):
    if crs is None:
        return rows
    from pyproj import Transformer
    from pyproj.exceptions import CRSError

    try:
        from pyproj import CRS as ProjCRS

        found = ProjCRS.from_user_input(crs)
        if found.is_vertical and not (found.is_projected or found.is_geographic):
            code = found.to_epsg() or crs
            raise InputError(code="crs.vertical", params={"code": code}, file=source)
        transformer = Transformer.from_crs(crs, CRS, always_xy=True)
    except CRSError:
        raise InputError(
            code="file.unknown_crs", params={"crs": crs}, file=source
        ) from None
    return [
        r._replace(point=transformer.transform(*r.point)) if r.point else r
        for r in rows
    ]


def _read_table(path, source):
    """Return (header names, rows, whether rows carry point geometries)."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return (*_read_csv(path, source), False)
    if suffix in (".xlsx", ".xlsm"):
        return (*_read_xlsx(path, source), False)
    if suffix in (".geojson", ".json"):
        return (*_read_geojson(path, source), True)
    raise InputError(
        code="file.unsupported_type",
        params={"suffix": suffix or "(none)"},
        file=source,
    )
