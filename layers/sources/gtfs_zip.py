"""Opening an Entur GTFS zip and reading or streaming its members (for :mod:`gtfs`).

The zip is never extracted: members are checked against a zip-bomb guard (total
unpacked size and compression ratio) and read with pyarrow, whole or streamed in
batches that keep only the rows a regional read needs.
"""

from __future__ import annotations

import csv
import zipfile
import zlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from layers.errors import InputError

ROUTE_TYPE_MIN, ROUTE_TYPE_MAX = 0, 1700
MAX_COMPRESSION_RATIO = 100
RATIO_MIN_BYTES = 1_000_000
# Unpacked size limits (zip bomb guard). A regional read streams the big members, so
# it accepts the national feed (about 4 GB unpacked in 2025) with room to grow.
MAX_UNPACKED_BYTES = 2_000_000_000
MAX_UNPACKED_BYTES_BBOX = 10_000_000_000
# CSV bytes per streamed batch: a few times this is the working memory of a stream.
STREAM_BLOCK_BYTES = 1 << 20
WEEKDAYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
TUESDAY = 1

# member -> (required columns, optional columns); optional ones read as "" if absent.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "agency.txt": (("agency_name",), ()),
    "stops.txt": (
        ("stop_id", "stop_name", "stop_lat", "stop_lon"),
        ("location_type", "parent_station"),
    ),
    "routes.txt": (
        ("route_id", "route_type"),
        ("route_short_name", "route_long_name", "route_color"),
    ),
    "trips.txt": (("route_id", "service_id", "trip_id"), ("shape_id",)),
    "stop_times.txt": (
        ("trip_id", "arrival_time", "departure_time", "stop_id"),
        ("pickup_type", "drop_off_type", "stop_sequence"),
    ),
    "calendar.txt": (("service_id", *WEEKDAYS, "start_date", "end_date"), ()),
    "calendar_dates.txt": (("service_id", "date", "exception_type"), ()),
    "shapes.txt": (
        ("shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"),
        (),
    ),
    "feed_info.txt": (
        (),
        (
            "feed_publisher_name",
            "feed_publisher_url",
            "feed_lang",
            "feed_version",
            "feed_start_date",
            "feed_end_date",
        ),
    ),
}
REQUIRED_FILES = (
    "agency.txt",
    "stops.txt",
    "routes.txt",
    "trips.txt",
    "stop_times.txt",
)
CALENDAR_FILES = ("calendar.txt", "calendar_dates.txt")


# the pyarrow CSV reader is several times faster on large stop_times.txt
_CSV_ENGINE = "pyarrow"


def _where(zip_name, member):
    return f"{zip_name}/{member}"


def _open_zip(path, zip_name):
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InputError("file not found", file=zip_name) from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(
            f"not a zip file or the zip is corrupt ({exc})", file=zip_name
        ) from None


def _check_unpacked_size(infos, zip_name, max_unpacked_bytes):
    total = sum(info.file_size for info in infos)
    if total > max_unpacked_bytes:
        raise InputError(
            f"unpacked size {total:,} bytes exceeds the limit of "
            f"{max_unpacked_bytes:,} bytes; refusing to read it (zip bomb guard)",
            file=zip_name,
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise InputError(
                f"member compresses {ratio:,.0f}:1, more than "
                f"{MAX_COMPRESSION_RATIO}:1; refusing to read it (zip bomb guard)",
                file=_where(zip_name, info.filename),
            )


def _member_index(infos):
    """Map member base names to zip entries, preferring entries at the root."""
    index = {}
    for info in sorted(infos, key=lambda i: i.filename.count("/")):
        if info.is_dir():
            continue
        index.setdefault(info.filename.rsplit("/", 1)[-1].lower(), info)
    return index


def _check_required_files(members, zip_name):
    missing = [name for name in REQUIRED_FILES if name not in members]
    if missing:
        raise InputError(
            f"not a complete GTFS feed: lacks {', '.join(missing)}", file=zip_name
        )
    if not any(name in members for name in CALENDAR_FILES):
        raise InputError(
            "not a complete GTFS feed: lacks both calendar.txt and calendar_dates.txt",
            file=zip_name,
        )


def _read_member(zf, members, zip_name, member):
    """Read the known columns of a member as strings; ``None`` if it is absent."""
    if member not in members:
        return None
    info = members[member]
    where = _where(zip_name, member)
    required, optional = COLUMNS[member]
    try:
        with zf.open(info) as fh:
            header = _header(fh.readline(), where)
        usecols = [raw for raw in header if raw.strip() in required + optional]
        with zf.open(info) as fh:
            frame = pd.read_csv(
                fh,
                usecols=usecols,
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
                engine=_CSV_ENGINE,
            )
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise InputError(f"corrupt zip member ({exc})", file=where) from None
    except RuntimeError as exc:  # encrypted member
        raise InputError(f"cannot read member ({exc})", file=where) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=where) from None
    except pd.errors.ParserError as exc:
        raise InputError(f"not valid CSV ({exc})", file=where) from None
    frame.columns = [c.strip() for c in frame.columns]
    for col in required:
        if col not in frame.columns:
            raise InputError("required column is missing", file=where, field=col)
    for col in optional:
        if col not in frame.columns:
            frame[col] = ""
    return frame.reset_index(drop=True)


def _read_member_rows(zf, members, zip_name, member, key, keep, *, on_batch=None):
    """Stream a member in batches, keeping the rows whose ``key`` is in ``keep``.

    Only the kept rows of the known columns are held, as strings, so memory
    follows what is kept and not the size of the member.

    Parameters
    ----------
    zf : zipfile.ZipFile
    members : dict
        From :func:`_member_index`; ``member`` must be in it.
    zip_name, member : str
    key : str
        Column matched against ``keep`` (exact strings, as in the file).
    keep : array-like of str
    on_batch : callable, optional
        Called with every ``pyarrow.RecordBatch`` before filtering.

    Returns
    -------
    frame : pandas.DataFrame
        The kept rows; the index is the 0-based data row in the file, so errors
        name the file's row.
    rows_read : int
        Data rows in the member.
    """
    where = _where(zip_name, member)
    required, optional = COLUMNS[member]
    value_set = pa.array(pd.unique(np.asarray(keep, dtype=object)), pa.string())
    pieces, positions, rows_read = [], [], 0
    columns = None
    for batch in _member_batches(zf, members[member], where, required, optional):
        columns = batch.schema.names
        if on_batch is not None:
            on_batch(batch)
        mask = pc.is_in(batch.column(key), value_set=value_set)
        mask = pc.fill_null(mask, False)
        kept = batch.filter(mask)
        if kept.num_rows:
            pieces.append(kept)
            flags = mask.to_numpy(zero_copy_only=False)
            positions.append(rows_read + np.flatnonzero(flags))
        rows_read += batch.num_rows
    if columns is None:  # header only
        names = _member_columns(zf, members[member], where)
        columns = [c for c in required + optional if c in names]
    if pieces:
        frame = pa.Table.from_batches(pieces).to_pandas()
        frame.index = np.concatenate(positions)
    else:
        frame = pd.DataFrame({c: pd.Series([], dtype=str) for c in columns})
    for col in optional:
        if col not in frame.columns:
            frame[col] = ""
    return frame, rows_read


def _member_columns(zf, info, where):
    """Header names of a member, stripped and made unique."""
    with zf.open(info) as fh:
        header = _header(fh.readline(), where)
    names, seen = [], set()
    for i, raw in enumerate(header):
        name = raw.strip()
        if name in seen:
            name = f"{name}#{i}"
        seen.add(name)
        names.append(name)
    return names


def _member_batches(zf, info, where, required, optional):
    """Yield a member's known columns as ``pyarrow.RecordBatch`` of strings."""
    known = required + optional
    try:
        names = _member_columns(zf, info, where)
        for col in required:
            if col not in names:
                raise InputError("required column is missing", file=where, field=col)
        present = [c for c in known if c in names]
        with zf.open(info) as fh:
            reader = pacsv.open_csv(
                fh,
                read_options=pacsv.ReadOptions(
                    column_names=names,
                    skip_rows=1,
                    block_size=STREAM_BLOCK_BYTES,
                ),
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    include_columns=present,
                    column_types={c: pa.string() for c in present},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            yield from reader
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise InputError(f"corrupt zip member ({exc})", file=where) from None
    except RuntimeError as exc:  # encrypted member
        raise InputError(f"cannot read member ({exc})", file=where) from None
    except pa.ArrowInvalid as exc:
        text = str(exc)
        if "UTF8" in text or "UTF-8" in text:
            raise InputError("not UTF-8 text", file=where) from None
        raise InputError(f"not valid CSV ({text})", file=where) from None


def _unknown_stop_check(stop_ids, where):
    """A batch callback refusing a stop time whose stop is not in stops.txt.

    With a bbox, stop times of stops outside it are streamed past; one naming a
    stop that stops.txt does not have at all is an error, not a silent drop.
    """
    known = pa.array(pd.unique(stop_ids.to_numpy(dtype=object)), pa.string())
    seen = [0]

    def check(batch):
        present = pc.fill_null(
            pc.is_in(batch.column("stop_id"), value_set=known), False
        )
        if not pc.all(present).as_py():
            flags = present.to_numpy(zero_copy_only=False)
            pos = int(np.flatnonzero(~flags)[0])
            value = batch.column("stop_id")[pos].as_py()
            raise InputError(
                f"stop_id is not in stops.txt, got {value!r}",
                file=where,
                row=seen[0] + pos + 1,
                field="stop_id",
            )
        seen[0] += batch.num_rows

    return check


def _route_shape_pairs(batch):
    """Distinct (route_id, shape_id) pairs of a batch of trips.txt rows."""
    if "shape_id" not in batch.schema.names:
        return pd.DataFrame({"route_id": [], "shape_id": []}, dtype=str)
    table = pa.Table.from_batches([batch]).select(["route_id", "shape_id"])
    return table.group_by(["route_id", "shape_id"]).aggregate([]).to_pandas()


def _header(first_line, where):
    try:
        text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("header is not UTF-8 text", file=where) from None
    fields = next(csv.reader([text]), [])
    if not any(f.strip() for f in fields):
        raise InputError("file is empty or has no header row", file=where)
    return fields


# ------------------------------------------------------------------ value parsing
