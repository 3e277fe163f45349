"""Reading Enhetsregisteret's underenheter files record by record (any size).

The bulk download (JSON array, plain or gzip), an API page
(``_embedded.underenheter``) and the CSV download, streamed so that a national
file (~1.2 M records) never sits in memory. Split from
:mod:`layers.sources.establishments` (validation, filtering and placement).
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import os
import re
import zlib

from layers import limits
from layers.errors import InputError
from layers.sources import guard

_GZIP_MAGIC = b"\x1f\x8b"
_BOM = b"\xef\xbb\xbf"
_SNIFF_BYTES = 4096
_JSON_BUFFER = 256 * 1024

# CSV header (case-insensitive) -> canonical dotted name as in the JSON.
_CSV_NAMES = {
    n.casefold(): n
    for n in (
        "organisasjonsnummer",
        "navn",
        "organisasjonsform.kode",
        "organisasjonsform.beskrivelse",
        "naeringskode1.kode",
        "naeringskode1.beskrivelse",
        "antallAnsatte",
        "harRegistrertAntallAnsatte",
        "oppstartsdato",
        "nedleggelsesdato",
        "slettedato",
        "overordnetEnhet",
        "beliggenhetsadresse.adresse",
        "beliggenhetsadresse.postnummer",
        "beliggenhetsadresse.poststed",
        "beliggenhetsadresse.kommune",
        "beliggenhetsadresse.kommunenummer",
        "beliggenhetsadresse.land",
        "beliggenhetsadresse.landkode",
    )
}


@contextlib.contextmanager
def _open_binary(path):
    """Open ``path`` for binary reading, decompressing gzip (by magic bytes).

    A gzip stream is read through :class:`layers.sources.guard.BoundedReader`:
    refused past ``limits.MAX_DECOMPRESSED_BYTES`` or a compression bomb's ratio.
    """
    with open(path, "rb") as raw:
        if raw.read(2) == _GZIP_MAGIC:
            raw.seek(0)
            with gzip.GzipFile(fileobj=raw) as gz:
                size = os.fstat(raw.fileno()).st_size
                bounded = guard.BoundedReader(gz, size, str(path))
                f = io.BufferedReader(bounded, buffer_size=_JSON_BUFFER)
                if f.peek(len(_BOM))[: len(_BOM)] == _BOM:
                    f.read(len(_BOM))
                yield f
        else:
            raw.seek(0)
            if raw.read(len(_BOM)) != _BOM:  # a UTF-8 BOM is skipped
                raw.seek(0)
            yield raw


def _sniff(path, source):
    """Return ``"array"``, ``"object"`` or ``"csv"`` from the start of the file."""
    try:
        with _open_binary(path) as f:
            head = f.read(_SNIFF_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"cannot read file ({exc})", file=source) from exc
    guard.require_utf8(head, source)
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not text:
        raise InputError("file is empty", file=source)
    if text[:1] == b"[":
        return "array"
    if text[:1] == b"{":
        return "object"
    first_line = text.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    if "organisasjonsnummer" in first_line.casefold():
        return "csv"
    raise InputError(
        "not an underenheter file: expected a JSON array or object, or a CSV "
        "with an organisasjonsnummer column",
        file=source,
    )


def _iter_json(path, prefix, source):
    """Records at ``prefix`` (dotted, as ijson's), depth and size bounded."""
    keys = tuple(prefix.split(".")) if prefix else ()
    count = 0
    try:
        with _open_binary(path) as f:
            for rec in guard.iter_json_records(f, source, path=keys):
                count += 1
                yield rec
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(
            code="file.unreadable",
            params={"reason": str(exc)},
            file=source,
            row=count + 1,
        ) from exc


def _csv_path(name):
    canon = _CSV_NAMES.get(name.strip().casefold(), name.strip())
    return tuple(canon.split("."))


def _iter_csv(path, source):
    with _open_binary(path) as f:
        text = io.TextIOWrapper(f, encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        old_limit = csv.field_size_limit(limits.MAX_CELL)
        try:
            header = next(reader)
            paths = [_csv_path(h) for h in header]
            for number, values in enumerate(reader, 1):
                if len(values) != len(paths):
                    if not any(v.strip() for v in values):
                        continue
                    _separator_problem(values, len(paths), source, number)
                    raise InputError(
                        f"row has {len(values)} fields, header has {len(paths)}",
                        file=source,
                        row=number,
                    )
                yield _nest(paths, values)
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise InputError(
                    code="limit.cell_length",
                    params={"n": limits.MAX_CELL + 1, "limit": limits.MAX_CELL},
                    file=source,
                    row=reader.line_num,
                ) from None
            raise InputError(
                f"not a readable CSV ({exc})", file=source, row=reader.line_num
            ) from exc
        except UnicodeDecodeError as exc:
            raise InputError(
                code="file.wrong_encoding",
                params={"found": "Windows-1252 or another", "expected": "UTF-8"},
                file=source,
                row=reader.line_num,
            ) from exc
        finally:
            csv.field_size_limit(old_limit)


def _separator_problem(values, expected, source, number):
    """Raise when a row is split by another separator than the header's ','."""
    joined = ",".join(values)
    for sep in (";", "\t", "|"):
        if joined.count(sep) + 1 >= expected:
            raise InputError(
                code="file.separator",
                params={"line": number, "found": sep, "expected": ","},
                file=source,
                row=number,
            )


def _nest(paths, values):
    """Turn flattened CSV cells into a nested record like the JSON one."""
    rec = {}
    for keys, value in zip(paths, values, strict=True):
        if value == "":
            continue
        node = rec
        for key in keys[:-1]:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):  # "a" and "a.b" both present
                break
        else:
            if keys[-1] == "adresse":
                value = _split_lines(value)
            node[keys[-1]] = value
    return rec


def iter_underenheter(path):
    """Stream underenhet records from a Brønnøysund file.

    Accepted: the bulk download (a JSON array of objects, plain or gzip-compressed;
    gzip is detected by its magic bytes), an API page (an object with
    ``_embedded.underenheter``; a single underenhet object also works) and the CSV
    download (comma-separated, column names flattened with dots, e.g.
    ``beliggenhetsadresse.kommunenummer``). JSON is parsed incrementally with
    ijson (C backend when available), so memory stays flat.

    Parameters
    ----------
    path : str or os.PathLike
        File to read.

    Yields
    ------
    dict
        One record, nested as in the JSON API (CSV cells are nested by their dotted
        names; ``beliggenhetsadresse.adresse`` is split into a list of lines, empty
        cells are left out). Records are not validated here.

    Raises
    ------
    InputError
        The file is neither JSON nor an underenheter CSV, or is malformed (the
        row is the 1-based record number where reading failed).
    """
    source = str(path)
    kind = _sniff(path, source)
    if kind == "csv":
        yield from _iter_csv(path, source)
        return
    if kind == "array":
        yield from _iter_json(path, "item", source)
        return
    found = False
    for rec in _iter_json(path, "_embedded.underenheter.item", source):
        found = True
        yield rec
    if not found:  # a single record, e.g. GET /api/underenheter/{orgnr}
        for rec in _iter_json(path, "", source):
            if isinstance(rec, dict) and "organisasjonsnummer" in rec:
                yield rec


# --------------------------------------------------------------------- validation


_LINE_BREAK = re.compile(r"\r\n|[\r\n]|/n")


def _split_lines(text):
    """Address lines of one cell: split on line breaks and on a literal ``/n``.

    Some vintages of the CSV download write a multi-line address with the two
    characters ``/n`` between the lines instead of a line break.
    """
    return [part.strip() for part in _LINE_BREAK.split(text) if part.strip()]
