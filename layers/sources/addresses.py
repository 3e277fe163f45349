"""Kartverket addresses ("Matrikkelen - Adresse"): reading, street keys, geocoding.

Street keys are used to match free-text addresses (Brønnøysund registers, forms)
against the official address register. See :func:`normalise_street` for the rules.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from layers import limits
from layers.errors import InputError
from layers.schemas import CRS, NORWAY_BOUNDS
from layers.sources import guard
from layers.sources.address_keys import (
    _postcodes,
    _street_keys,
    normalise_street,
    parse_address_line,
    parse_address_lines,
)

__all__ = [
    "ADDRESS_COLUMNS",
    "geocode",
    "normalise_street",
    "parse_address_line",
    "parse_address_lines",
    "read_addresses",
]

ADDRESS_COLUMNS = ("street", "number", "letter", "postcode", "kommunenummer", "key")

# Canonical column -> accepted spellings (compared after strip + casefold).
_COLUMN_ALIASES = {
    "kommunenummer": ("kommunenummer",),
    "adressenavn": ("adressenavn",),
    "nummer": ("nummer",),
    "bokstav": ("bokstav",),
    "postnummer": ("postnummer",),
    "epsg": ("epsg-kode", "epsg", "epsgkode", "epsg_kode"),
    "nord": ("nord",),
    "ost": ("øst", "ost", "oest"),
}
_REQUIRED = (
    "kommunenummer",
    "adressenavn",
    "nummer",
    "postnummer",
    "epsg",
    "nord",
    "ost",
)
_SOURCE_NAMES = {"epsg": "EPSG-kode", "nord": "Nord", "ost": "Øst"}
_CHUNK_ROWS = 250_000

# --------------------------------------------------------------------------- reading


@contextlib.contextmanager
def _open_csv(path):
    """Open ``path`` (a CSV, or a zip holding exactly one CSV) as a binary stream.

    A zip member is read through :class:`layers.sources.guard.BoundedReader`
    (size and compression-ratio limits); the text must be UTF-8.
    """
    path = Path(path)
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic != b"PK\x03\x04":
        with open(path, "rb") as f:
            guard.require_utf8(f.read(1 << 16), str(path))
            f.seek(0)
            yield f
        return
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(
            code="file.zip_unreadable", params={"reason": str(exc)}, file=str(path)
        ) from None
    with zf:
        members = [i for i in zf.infolist() if i.filename.lower().endswith(".csv")]
        if len(members) != 1:
            raise InputError(
                f"zip must hold exactly one .csv file, found {len(members)}",
                file=str(path),
            )
        info = members[0]
        if info.file_size > limits.MAX_DECOMPRESSED_BYTES:
            raise InputError(
                code="limit.decompressed",
                params={"limit_mb": limits.mib(limits.MAX_DECOMPRESSED_BYTES)},
                file=str(path),
            )
        try:
            with zf.open(info) as member:
                raw = guard.BoundedReader(member, info.compress_size, str(path))
                f = io.BufferedReader(raw, buffer_size=1 << 16)
                guard.require_utf8(f.peek(1 << 16)[: 1 << 16], str(path))
                yield f
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise InputError(
                code="file.zip_unreadable", params={"reason": str(exc)}, file=str(path)
            ) from None


def _column_map(columns, source):
    """Map canonical column names to the file's column names."""
    lookup = {}
    for col in columns:
        lookup.setdefault(str(col).strip().lstrip("\ufeff").casefold(), col)
    found = {}
    for canon, spellings in _COLUMN_ALIASES.items():
        for spelling in spellings:
            if spelling in lookup:
                found[canon] = lookup[spelling]
                break
    missing = [c for c in _REQUIRED if c not in found]
    if missing:
        names = [_SOURCE_NAMES.get(c, c) for c in missing]
        raise InputError(
            f"not a Kartverket address CSV: column(s) {', '.join(names)} missing",
            file=source,
            field=names[0],
        )
    return found


def _first_bad(mask, rows):
    """1-based file row of the first True in ``mask``."""
    return int(rows[np.flatnonzero(np.asarray(mask))[0]])


def _number_column(series, rows, *, source, field):
    """Parse decimal numbers (point or comma) and fail on the first bad value."""
    text = series.str.strip().str.replace(",", ".", regex=False)
    num = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(num)
    if bad.any():
        row = _first_bad(bad, rows)
        value = series.to_numpy()[np.flatnonzero(bad)[0]]
        if np.isnan(num[np.flatnonzero(bad)[0]]) and value.strip().lower() != "nan":
            raise InputError(
                f"expected a number, got {value!r}", file=source, row=row, field=field
            )
        raise InputError(
            code="value.not_finite",
            params={"got": value},
            file=source,
            row=row,
            field=field,
        )
    return num


def _epsg_column(series, rows, *, source, field):
    """Parse EPSG codes ("25833" or "EPSG:25833") and check pyproj knows them."""
    text = series.str.strip().str.replace(r"(?i)^epsg:", "", regex=True)
    codes = pd.to_numeric(text, errors="coerce")
    for code in pd.unique(codes):
        bad = codes.isna().to_numpy() if pd.isna(code) else (codes == code).to_numpy()
        known = not pd.isna(code) and _crs_known(int(code))
        row = _first_bad(bad, rows)
        value = series.to_numpy()[np.flatnonzero(bad)[0]]
        if known == "vertical":
            raise InputError(
                code="crs.vertical",
                params={"code": int(code)},
                file=source,
                row=row,
                field=field,
            )
        if known:
            continue
        raise InputError(
            f"unknown EPSG code {value!r}", file=source, row=row, field=field
        )
    return codes.to_numpy(dtype="int64")


def _crs_known(code):
    """True for a known horizontal CRS, "vertical" for a height system."""
    try:
        crs = pyproj.CRS.from_epsg(code)
    except pyproj.exceptions.CRSError:
        return False
    if crs.is_vertical and not (crs.is_projected or crs.is_geographic):
        return "vertical"
    return crs.is_projected or crs.is_geographic


def _check_rows(chunk, cols, rows, source):
    """Refuse malformed rows: none is dropped silently.

    Every address row of Kartverket's file has a coordinate system; a row without
    one is cut short or split by another separator than ``;`` (named when its
    first cell holds ``,`` or a tab). Text fields are bounded by ``MAX_TEXT``.
    """
    epsg = chunk[cols["epsg"]].str.strip()
    bad = (epsg == "").to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        first = str(chunk.iloc[i, 0])
        for sep in (",", "\t", "|"):
            if first.count(sep) >= 3:
                raise InputError(
                    code="file.separator",
                    params={"line": int(rows[i]), "found": sep, "expected": ";"},
                    file=source,
                    row=int(rows[i]),
                )
        raise InputError(
            "the row has no EPSG code: is it cut short, or are its fields "
            "separated by something else than ';'?",
            file=source,
            row=int(rows[i]),
            field=cols["epsg"],
        )
    for key in ("adressenavn",):
        lengths = chunk[cols[key]].str.len().to_numpy()
        long = lengths > limits.MAX_TEXT
        if long.any():
            i = int(np.flatnonzero(long)[0])
            raise InputError(
                code="limit.text_length",
                params={
                    "what": "street",
                    "n": int(lengths[i]),
                    "limit": limits.MAX_TEXT,
                },
                file=source,
                row=int(rows[i]),
                field=cols[key],
            )


def _chunk_to_frame(chunk, cols, rows, kommuner, source):
    """Validate one chunk of raw rows and return the kept rows in canonical form."""
    _check_rows(chunk, cols, rows, source)
    knr = chunk[cols["kommunenummer"]].str.strip().str.zfill(4)
    street = chunk[cols["adressenavn"]].str.strip()
    nummer = chunk[cols["nummer"]].str.strip()
    keep = (street != "") & (nummer != "")  # matrikkeladresser have no street
    if kommuner is not None:
        keep &= knr.isin(kommuner)
    keep = keep.to_numpy(dtype=bool)
    rows = rows[keep]
    sub = chunk.loc[keep]
    num = pd.to_numeric(nummer[keep], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(num) | (np.mod(num, 1) != 0) | (num < 0)
    if bad.any():
        raise InputError(
            "house number must be a whole number",
            file=source,
            row=_first_bad(bad, rows),
            field=cols["nummer"],
        )
    letter_col = cols.get("bokstav")
    letter = (
        sub[letter_col].str.strip().str.upper()
        if letter_col
        else pd.Series("", index=sub.index, dtype="str")
    )
    return pd.DataFrame(
        {
            "street": street[keep],
            "number": num.astype("int64"),
            "letter": letter,
            "postcode": _postcodes(sub[cols["postnummer"]]),
            "kommunenummer": knr[keep],
            "_epsg": _epsg_column(
                sub[cols["epsg"]], rows, source=source, field=cols["epsg"]
            ),
            "_nord": _number_column(
                sub[cols["nord"]], rows, source=source, field=cols["nord"]
            ),
            "_ost": _number_column(
                sub[cols["ost"]], rows, source=source, field=cols["ost"]
            ),
            "_row": rows,
        },
        index=sub.index,
    )


def _inside_norway(lon, lat):
    minx, miny, maxx, maxy = NORWAY_BOUNDS
    return (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy)


def _to_lonlat(frame, source):
    """Transform Nord/Øst per EPSG code to lon/lat, detecting swapped axes."""
    lon = np.full(len(frame), np.nan)
    lat = np.full(len(frame), np.nan)
    epsg = frame["_epsg"].to_numpy()
    nord = frame["_nord"].to_numpy()
    ost = frame["_ost"].to_numpy()
    rows = frame["_row"].to_numpy()
    for code in np.unique(epsg):
        sel = epsg == code
        tr = pyproj.Transformer.from_crs(int(code), 4326, always_xy=True)
        x, y = tr.transform(ost[sel], nord[sel])
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        ok = _inside_norway(x, y)
        if not ok.all():
            first = np.flatnonzero(~ok)[0]
            sx, sy = tr.transform(nord[sel][first], ost[sel][first])
            swapped = bool(_inside_norway(np.float64(sx), np.float64(sy)))
            what = (
                "looks swapped: Nord and Øst exchanged"
                if swapped
                else "lies outside Norway"
            )
            raise InputError(
                f"point Nord={nord[sel][first]}, Øst={ost[sel][first]} "
                f"(EPSG:{int(code)}) {what}",
                file=source,
                row=int(rows[sel][first]),
                field="Nord/Øst",
            )
        lon[sel], lat[sel] = x, y
    return lon, lat


def _kommune_set(kommune):
    if kommune is None:
        return None
    if isinstance(kommune, str) and kommune.strip().lower() in ("all", "*"):
        return None  # the national register
    if isinstance(kommune, str):
        return {kommune.strip().zfill(4)}
    if isinstance(kommune, Iterable):
        return {str(k).strip().zfill(4) for k in kommune}
    return {str(kommune).zfill(4)}


def read_addresses(path, *, kommune=None):
    """Read Kartverket's "Matrikkelen - Adresse" CSV into WGS84 points.

    The file is ``;``-separated UTF-8 (a BOM is allowed) with a header row, or a
    ``.zip`` holding one such CSV. Columns are found by name, case-insensitively:
    ``kommunenummer``, ``adressenavn``, ``nummer``, ``bokstav`` (optional),
    ``postnummer``, ``EPSG-kode`` (or ``epsg``), ``Nord`` and ``Øst``; other columns
    are ignored. Coordinates are in the CRS named per row by the EPSG column, in
    north/east order, and are converted to EPSG:4326. Rows without a street name or
    house number (matrikkeladresser) are skipped. The file is read in chunks, so a
    national file can be filtered to one kommune with little memory.

    Parameters
    ----------
    path : str or os.PathLike
        CSV or zip file.
    kommune : str or iterable of str, optional
        Keep only addresses in this kommune (or these kommuner). Rows outside it
        are not checked beyond the kommune number.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``street``, ``number`` (int), ``letter`` (str, ``""`` if none),
        ``postcode`` (4 digits), ``kommunenummer``, ``key`` (see
        :func:`normalise_street`) and point geometry, CRS EPSG:4326.

    Raises
    ------
    InputError
        A required column is missing, a coordinate or house number is not a
        number, an EPSG code is unknown, or a point falls outside Norway (with a
        hint when Nord and Øst look swapped). Rows are 1-based, header excluded.
    """
    source = str(path)
    kommuner = _kommune_set(kommune)
    parts = []
    cols = None
    with _open_csv(path) as f:
        try:
            reader = pd.read_csv(
                f,
                sep=";",
                dtype="str",
                keep_default_na=False,
                encoding="utf-8-sig",
                chunksize=_CHUNK_ROWS,
            )
            offset = 0
            for chunk in reader:
                if cols is None:
                    cols = _column_map(chunk.columns, source)
                rows = np.arange(offset + 1, offset + len(chunk) + 1)
                offset += len(chunk)
                parts.append(_chunk_to_frame(chunk, cols, rows, kommuner, source))
        except pd.errors.ParserError as exc:
            found = re.search(
                r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc)
            )
            if found:
                want, line, saw = (int(g) for g in found.groups())
                raise InputError(
                    f"row has {saw} fields separated by ';', the header {want}",
                    file=source,
                    row=line - 1,
                ) from None
            raise InputError(f"not a readable ';' CSV ({exc})", file=source) from exc
        except UnicodeDecodeError as exc:
            raise InputError(
                code="file.wrong_encoding",
                params={"found": "Windows-1252 or another", "expected": "UTF-8"},
                file=source,
            ) from exc
        except pd.errors.EmptyDataError as exc:
            raise InputError("file is empty", file=source) from exc
    if cols is None:  # header only
        raise InputError("file has a header but no rows", file=source)
    frame = pd.concat(parts, ignore_index=True)
    lon, lat = _to_lonlat(frame, source)
    out = frame[["street", "number", "letter", "postcode", "kommunenummer"]].copy()
    out["key"] = _street_keys(out["street"])
    return gpd.GeoDataFrame(out, geometry=shapely.points(lon, lat), crs=CRS)


# -------------------------------------------------------------------------- geocoding


def _resolve(candidates):
    """Pick one address per query: the only candidate, else the postcode match.

    ``candidates`` has one row per (query, address) pair with a ``_pc_match``
    flag. A query with several candidates and no (unique) postcode match stays
    unresolved: the address is ambiguous.
    """
    size = candidates.groupby("_q")["_q"].transform("size")
    picked = candidates[(size == 1) | candidates["_pc_match"]]
    picked = picked[~picked["_q"].duplicated(keep=False)]
    return picked.set_index("_q")["_addr"]


def _match(queries, book, letter_col):
    """Merge queries (``_q`` key, number, letter, postcode) on the address book."""
    merged = queries.merge(
        book,
        left_on=["key", "number", letter_col],
        right_on=["key", "number", "letter"],
        how="inner",
        suffixes=("", "_a"),
    )
    merged["_pc_match"] = merged["postcode"] == merged["postcode_a"]
    return _resolve(merged)


def geocode(frame, addresses, *, street_col, postcode_col):
    """Place rows of ``frame`` on address points, vectorised with merges.

    ``frame[street_col]`` holds address lines such as ``"Skårersletta 12B"`` (see
    :func:`parse_address_line`). A row matches an address with the same street
    key, number and letter. If the letter does not exist the number without a
    letter is used. If the same street and number exists under several postcodes,
    the row's postcode decides; when it does not, the row stays unplaced rather
    than being put at a guess. Each distinct (street, number, letter, postcode)
    is matched once, so millions of rows are handled with a few merges.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows to place. Not changed.
    addresses : geopandas.GeoDataFrame
        Output of :func:`read_addresses` (``key`` is computed from ``street`` if
        absent).
    street_col : str
        Column of ``frame`` with the address line.
    postcode_col : str
        Column of ``frame`` with the postcode (used only to break ties).

    Returns
    -------
    geopandas.GeoSeries
        Index of ``frame``, CRS of ``addresses``; ``None`` where unmatched.
    """
    geoms = addresses.geometry.values
    n = len(frame)
    if n == 0 or len(addresses) == 0:
        return gpd.GeoSeries([None] * n, index=frame.index, crs=addresses.crs)
    keys = (
        addresses["key"].astype("str")
        if "key" in addresses
        else _street_keys(addresses["street"])
    )
    book = pd.DataFrame(
        {
            "key": keys.to_numpy(),
            "number": pd.to_numeric(addresses["number"]).astype("int64").to_numpy(),
            "letter": addresses["letter"].fillna("").astype("str").str.upper(),
            "postcode_a": _postcodes(addresses["postcode"]).to_numpy(),
            "_addr": np.arange(len(addresses)),
        }
    )
    book = book.drop_duplicates(["key", "number", "letter", "postcode_a"])

    parsed = parse_address_lines(frame[street_col].reset_index(drop=True))
    rows = pd.DataFrame(
        {
            "key": _street_keys(parsed["street"]),
            "number": parsed["number"],
            "letter": parsed["letter"],
            "postcode": _postcodes(frame[postcode_col].reset_index(drop=True)),
        }
    )
    rows = rows[rows["number"].notna()].astype({"number": "int64"})
    cols = ["key", "number", "letter", "postcode"]
    queries = rows.drop_duplicates(cols).reset_index(drop=True)
    queries["_q"] = np.arange(len(queries))
    queries["_none"] = ""

    exact = _match(queries, book, "letter")
    rest = queries[~queries["_q"].isin(exact.index) & (queries["letter"] != "")]
    fallback = _match(rest, book, "_none")
    found = pd.concat([exact, fallback])

    queries["_addr"] = queries["_q"].map(found)
    pos = rows.reset_index().merge(queries[[*cols, "_addr"]], on=cols, how="left")
    take = np.full(n, -1, dtype="int64")
    hit = pos["_addr"].notna().to_numpy()
    take[pos["index"].to_numpy()[hit]] = pos["_addr"].to_numpy()[hit].astype("int64")
    values = geoms.take(take, allow_fill=True)
    return gpd.GeoSeries(values, index=frame.index, crs=addresses.crs)
