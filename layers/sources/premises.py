"""Import premises for rent (næringslokaler) from CSV, XLSX or GeoJSON files.

Files are accepted as Norwegian offices export them: UTF-8 with or without BOM or
Windows-1252, comma, semicolon or tab separators, decimal commas with spaces or dots
as thousands separators, dates as ``YYYY-MM-DD``, ``DD.MM.YYYY`` or Excel dates.
Headers are Norwegian (``tittel``, ``areal_m2`` …) or English (``title``,
``size_m2`` …), matched case-insensitively.

Every row is checked before anything is returned. The problems found are reported
together in one :class:`~layers.errors.InputError`: its ``file``, ``row`` and
``field`` are those of the first problem, its message lists up to ``MAX_ERRORS`` of
them, and its ``problems`` attribute holds them all as separate errors. Rows are
numbered from 1, header excluded (GeoJSON: features numbered from 1).

Text is kept verbatim as data (no HTML processing), stripped of surrounding
whitespace. Control characters other than tab and line breaks, and bidirectional
override characters, are rejected. Links must be ``http`` or ``https``. Naive
timestamps are taken as UTC.

Length: this module is over 600 lines on purpose for now. Its ``InputError`` lines
are being given error codes in a parallel change (issue #10), and moving them
between files at the same time would make that change unmergeable. It falls into
three parts to split once that has landed: value parsers (``parse_*``,
``normalise_*``, ``check_url``), reading files into rows, and ``read_premises*``.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import math
import re
import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from layers import limits
from layers.errors import InputError
from layers.limits import MAX_RENT_NOK_M2_YEAR, MAX_SIZE_M2
from layers.schemas import (
    CRS,
    PREMISES_STATUSES,
    PREMISES_TYPES,
    check_lonlat,
    conform,
    empty_layer,
)
from layers.sources import guard

MAX_ERRORS = 20
LOCAL_TZ = "Europe/Oslo"

# Schema column (or lat/lon) -> accepted headers, compared after _header_key(),
# which folds case, "m²" to "m2" and brackets, slashes and spaces to "_": so
# "Areal (m²)" is areal_m2 and "Leie (kr/m²/år)" is leie_kr_m2_år. The first
# alias is the template's heading. The finder's own exports (nb and en) match.
COLUMN_ALIASES = {
    "premises_id": ("id", "premises_id", "lokale_id", "objektnummer", "ref"),
    "title": ("tittel", "title", "navn", "name", "overskrift", "lokale", "objekt"),
    "address": ("adresse", "address", "gateadresse", "beliggenhet", "street_address"),
    "lat": ("lat", "latitude", "breddegrad"),
    "lon": ("lon", "lng", "longitude", "lengdegrad"),
    "type": (
        "type",
        "type_lokale",
        "lokaletype",
        "lokale_type",
        "kategori",
        "formål",
        "bruk",
        "premises_type",
    ),
    "size_m2": (
        "areal_m2",
        "areal",
        "størrelse",
        "størrelse_m2",
        "kvm",
        "areal_kvm",
        "m2",
        "bra",
        "bta",
        "bra_m2",
        "bta_m2",
        "size_m2",
        "size",
        "floor_area_m2",
    ),
    "rent_nok_m2_year": (
        "leie_kr_m2_år",
        "leie_kr_m2_aar",
        "leie",
        "leiepris",
        "pris",
        "leie_kr_m2",
        "leie_kr_kvm",
        "leie_per_m2",
        "leie_pr_m2",
        "kr_m2",
        "kr_m2_år",
        "pris_kr_m2",
        "rent_nok_m2_year",
        "rent",
        "rent_nok_m2",
    ),
    "available_from": (
        "ledig_fra",
        "tilgjengelig_fra",
        "overtakelse",
        "ledig_dato",
        "available_from",
    ),
    "status": ("status",),
    "contact": (
        "kontakt",
        "kontaktperson",
        "megler",
        "utleier",
        "ansvarlig",
        "contact",
        "contact_person",
    ),
    "url": ("lenke", "url", "link", "nettside", "annonse", "web"),
    "updated_at": (
        "oppdatert",
        "sist_oppdatert",
        "endret",
        "updated",
        "last_updated",
        "updated_at",
    ),
}
# Rows above the header (an export's title and filter lines) are skipped: the
# header is the first of this many non-blank rows that names two known columns.
HEADER_SEARCH_ROWS = 30

# Canonical value -> synonyms, "|"-separated, compared after _key().
_TYPE_SYNONYMS = {
    "kontor": "kontor|kontorer|kontorlokale|kontorlokaler|kontorbygg|office|offices",
    "lager/logistikk": "lager|lagerlokale|lagerbygg|logistikk|warehouse|storage|"
    "logistics|warehouse/logistics|lager og logistikk",
    "handel": "handel|butikk|butikklokale|forretning|forretningslokale|detaljhandel|"
    "retail|shop|store",
    "industri": "industri|produksjon|verksted|industrial|industry|production|"
    "manufacturing|workshop",
    "servering": "servering|restaurant|kafé|kafe|kantine|café|cafe|hospitality|"
    "food and drink",
    "helse/lab": "helse|lab|laboratorium|klinikk|legekontor|health|healthcare|"
    "laboratory|medical|clinic|health/lab",
    "kombinert": "kombinert|kombinasjon|kombinasjonsbygg|flerbruk|mixed|mixed use|"
    "mixed-use|combined",
    "annet": "annet|andre|diverse|other|misc",
}
_STATUS_SYNONYMS = {
    "ledig": "ledig|tilgjengelig|available|vacant|free|to let",
    "reservert": "reservert|under forhandling|reserved|pending|under offer",
    "utleid": "utleid|leid ut|let|leased|rented|occupied",
    "trukket": "trukket|trukket tilbake|withdrawn|off market|off-market",
}


def _synonyms(table):
    pairs = {word: t for t, words in table.items() for word in words.split("|")}
    return {**pairs, **{t: t for t in table}}


TYPE_SYNONYMS = _synonyms(_TYPE_SYNONYMS)
STATUS_SYNONYMS = _synonyms(_STATUS_SYNONYMS)
IMMEDIATE_WORDS = frozenset(
    ("umiddelbart", "straks", "snarest", "nå", "omgående", "immediately", "now")
)
RENT_ON_REQUEST = frozenset(
    ("etter avtale", "på forespørsel", "ta kontakt", "on request", "negotiable")
)
_EMPTY_MARKS = frozenset(("-", "–", "—"))
# C0 and C1 controls except tab, LF, CR; bidirectional embedding/override/isolate.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)
_NUMBER = re.compile(r"\d+|\d{1,3}(?:(?P<sep>[ .,'])\d{3})(?:(?P=sep)\d{3})*")
_ISO_DATE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::[\d.]+)?Z?)?"
)
_NO_DATE = re.compile(
    r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)


class _Row(NamedTuple):
    number: int
    values: dict
    point: tuple | None = None
    problem: str | None = None


# --------------------------------------------------------------------------
# Value parsers, shared with the in-app register form.
# --------------------------------------------------------------------------


def parse_number(value):
    """Parse a number as Norwegian (and English) spreadsheets write it.

    Decimal comma or point; spaces, non-breaking spaces, dots, commas or
    apostrophes as thousands separators in groups of three ("1 250,5", "1.250,5",
    "1,250.5" and "1250.5" all give 1250.5). A single separator is the decimal
    separator ("1,250" is 1.25, "1.250" is 1.25). A trailing ",-" is ignored.

    Parameters
    ----------
    value : str, int, float or None
        The text or a number already read from a spreadsheet.

    Returns
    -------
    float or None
        None when the value is empty (blank, NaN or a dash).

    Raises
    ------
    InputError
        The text is not a number.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise InputError(code="value.number", params={"got": repr(value)})
    if isinstance(value, (int, float)):
        return None if math.isnan(value) else float(value)
    text = re.sub(r"\s+", " ", str(value)).strip().replace("\u2212", "-")
    if text in _EMPTY_MARKS or not text:
        return None
    body = text.removesuffix(",-").removesuffix(".-").strip()
    sign = body[:1] if body[:1] in "+-" else ""
    body = body[len(sign) :].strip()
    decimal = _decimal_separator(body)
    whole, frac = body.rsplit(decimal, 1) if decimal else (body, "0")
    whole_ok = _NUMBER.fullmatch(whole) if whole else frac
    if not (whole_ok and frac.isdigit()):
        raise InputError(code="value.number", params={"got": _show(value)})
    return float(f"{sign}{re.sub(r'[^0-9]', '', whole) or 0}.{frac}")


_UNIT_WORDS = re.compile(
    r"(?i)\b(?:nok|kr|kroner)\b\.?|,-|\.-|(?:per|pr\.?)\s*(?:m2|m²|kvm|år|aar|year)\b"
    r"|/\s*(?:m2|m²|kvm|år|aar|year|mnd|måned)\b|\b(?:m2|m²|kvm|sqm)\b|m²"
    r"|\b(?:eks|ekskl|inkl)\.?\s*mva\b"
)
_THOUSANDS_ONLY = re.compile(r"\d{1,3}(?:[. ]\d{3})+")


def parse_amount(value):
    """Parse a rent or a size as people write them in a broker's list.

    Currency and units around the number are dropped ("kr 1 850",
    "1850 kr/m²", "1.850,-", "250 m²"), and a dot or space before exactly three
    digits is a thousands separator, the Norwegian way: "1.850" and "12.500" are
    1 850 and 12 500 (plain :func:`parse_number` reads "1.850" as 1.85, which is
    right for coordinates but not for rents). A comma is the decimal separator
    ("1 250,5" is 1 250.5).

    Parameters
    ----------
    value : str, int, float or None

    Returns
    -------
    float or None
        None when the value is empty.

    Raises
    ------
    InputError
        The text is not a number.
    """
    if value is None or isinstance(value, (int, float)) and not isinstance(value, bool):
        return parse_number(value)
    text = re.sub(r"\s+", " ", str(value)).strip()
    body = _UNIT_WORDS.sub(" ", text)
    body = re.sub(r"\s+", " ", body).strip().rstrip("/").strip()
    if body and _THOUSANDS_ONLY.fullmatch(body):
        return float(re.sub(r"[. ]", "", body))
    if not body and text:
        raise InputError(code="value.number", params={"got": _show(value)})
    return parse_number(body)


def _decimal_separator(body):
    if "," in body and "." in body:
        return "," if body.rfind(",") > body.rfind(".") else "."
    for sep in ",.":
        if body.count(sep) == 1:
            return sep
    return None


def parse_date(value, *, today):
    """Parse an availability date.

    Parameters
    ----------
    value : str, datetime.date, datetime.datetime, int, float or None
        ``YYYY-MM-DD`` (a time part is ignored), ``DD.MM.YYYY``, a date or an Excel
        day number. Empty, "umiddelbart", "straks" (and English "immediately",
        "now") mean ``today``.
    today : datetime.date
        The date used for "now".

    Returns
    -------
    str
        ISO date ``YYYY-MM-DD``.

    Raises
    ------
    InputError
        The value is not a date or its year is outside 1900-2100.
    """
    if isinstance(value, datetime):
        return _checked_date(value.date(), value)
    if isinstance(value, date):
        return _checked_date(value, value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if math.isnan(value):
            return today.isoformat()
        return _checked_date(_from_excel(value).date(), value)
    text = "" if value is None else str(value).strip()
    if not text or text.casefold().rstrip(".!") in IMMEDIATE_WORDS:
        return today.isoformat()
    iso, nor = _ISO_DATE.fullmatch(text), _NO_DATE.fullmatch(text)
    try:
        if iso:
            day = date(*(int(x) for x in iso.groups()))
        elif nor:
            d, m, y = (int(x) for x in nor.groups()[:3])
            day = date(y, m, d)
        else:
            raise ValueError(text)
    except ValueError:
        raise InputError(code="value.date", params={"got": _show(value)}) from None
    return _checked_date(day, value)


def _checked_date(day, value):
    if not 1900 <= day.year <= 2100:
        raise InputError(code="value.date_year", params={"got": _show(value)})
    return day.isoformat()


def _from_excel(serial):
    from openpyxl.utils.datetime import from_excel

    if not 1 <= serial < 2_958_466:
        raise InputError(code="value.excel_date", params={"got": repr(serial)})
    return from_excel(serial)


def parse_timestamp(value, *, now):
    """Parse an "updated" value to an ISO UTC timestamp.

    Parameters
    ----------
    value : str, datetime.date, datetime.datetime, int, float or None
        An ISO date or date-time, ``DD.MM.YYYY [HH:MM[:SS]]``, a date or an Excel
        date. Empty means ``now``. Naive values are taken as UTC.
    now : datetime.datetime
        Timezone-aware time used when the value is empty.

    Returns
    -------
    str
        ``YYYY-MM-DDTHH:MM:SSZ``.

    Raises
    ------
    InputError
        The value is not a date or time.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return _iso_utc(now)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = now if math.isnan(value) else _from_excel(value)
    if isinstance(value, datetime):
        return _iso_utc(value)
    if isinstance(value, date):
        return _iso_utc(datetime(value.year, value.month, value.day))
    text = str(value).strip()
    nor = _NO_DATE.fullmatch(text)
    try:
        if nor:
            d, m, y, hh, mm, ss = (int(x or 0) for x in nor.groups())
            stamp = datetime(y, m, d, hh, mm, ss)
        else:
            stamp = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(code="value.timestamp", params={"got": _show(value)}) from None
    _checked_date(stamp.date(), value)
    return _iso_utc(stamp)


def _iso_utc(stamp):
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _key(value):
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    return " ".join(text.casefold().split())


def normalise_type(value):
    """Map a premises type, or a synonym of one, to ``schemas.PREMISES_TYPES``.

    Case-insensitive. Norwegian and English synonyms are accepted ("lager" and
    "warehouse" give "lager/logistikk", "butikk" gives "handel"). Several types
    joined by "/", "+", "&", "," or "og"/"and" give "kombinert" ("kontor/lager"),
    or the one type they all mean ("lager og logistikk").

    Parameters
    ----------
    value : str
        The type as written.

    Returns
    -------
    str

    Raises
    ------
    InputError
        The value is empty or not a known type.
    """
    key = _key(value)
    if key in TYPE_SYNONYMS:
        return TYPE_SYNONYMS[key]
    parts = [p for p in re.split(r"\s*(?:[/+&,]|\bog\b|\band\b)\s*", key) if p]
    found = {TYPE_SYNONYMS.get(p) for p in parts}
    if len(parts) > 1 and None not in found:
        return found.pop() if len(found) == 1 else "kombinert"
    choices = ", ".join(PREMISES_TYPES)
    if not key:
        raise InputError(code="premises.type_empty", params={"choices": choices})
    raise InputError(
        code="premises.type_unknown", params={"got": _show(value), "choices": choices}
    )


def normalise_status(value):
    """Map a listing status to ``schemas.PREMISES_STATUSES``.

    Parameters
    ----------
    value : str or None
        ledig, reservert, utleid or trukket, or English available, reserved, let
        (leased, rented) or withdrawn; case-insensitive. Empty means "ledig".

    Returns
    -------
    str

    Raises
    ------
    InputError
        The value is not a known status.
    """
    key = _key(value)
    if not key:
        return "ledig"
    if key in STATUS_SYNONYMS:
        return STATUS_SYNONYMS[key]
    raise InputError(
        code="premises.status_unknown",
        params={"got": _show(value), "choices": ", ".join(PREMISES_STATUSES)},
    )


def clean_text(value):
    """Return a text field stripped of surrounding whitespace.

    Parameters
    ----------
    value : object
        The cell value; None and NaN give "", whole floats are written without
        ".0" (spreadsheet numbers such as phone numbers).

    Returns
    -------
    str

    Raises
    ------
    InputError
        The text holds a control character (other than tab or a line break) or a
        bidirectional override character.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    bad = _FORBIDDEN.search(text)
    if bad:
        raise InputError(
            code="value.control_character",
            params={"char": f"U+{ord(bad.group()):04X}"},
        )
    return text


def check_url(value):
    """Return a cleaned link, allowing only absolute ``http``/``https`` URLs.

    Parameters
    ----------
    value : str or None
        The link; empty is allowed and gives "".

    Returns
    -------
    str

    Raises
    ------
    InputError
        The link has another scheme (javascript:, data:, ftp: …), no host, or
        contains whitespace.
    """
    text = bounded_text(value, "link", limits.MAX_URL)
    if not text:
        return ""
    parts = urlsplit(text)
    if re.search(r"\s", text) or parts.scheme.lower() not in ("http", "https"):
        raise InputError(code="link.scheme", params={"got": _show(text)})
    if not parts.hostname:
        raise InputError(code="link.no_host", params={"got": _show(text)})
    return text


def _show(value, limit=60):
    text = repr(value if not isinstance(value, str) else value.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def premises_id(title, address):
    """Return the stable id of a listing without one: 12 hex chars of a SHA-1.

    Parameters
    ----------
    title, address : str
        Compared case-insensitively, with whitespace collapsed.

    Returns
    -------
    str
    """
    data = f"{_key(title)}\n{_key(address)}".encode()
    return hashlib.sha1(data).hexdigest()[:12]


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


# --------------------------------------------------------------------------
# Columns and rows.
# --------------------------------------------------------------------------


def _header_key(name):
    text = _key(name).strip("\ufeff").replace("m²", "m2").replace("²", "2")
    return re.sub(r"[\s\-()\[\]/.,:]+", "_", text).strip("_")


def match_columns(header, *, source=None):
    """Map the columns we know to the header names used in the file.

    Parameters
    ----------
    header : list of str
        Header names as in the file.
    source : str, optional
        File name for messages.

    Returns
    -------
    dict
        Schema column (or "lat"/"lon") -> header name.

    Raises
    ------
    InputError
        Two headers give the same column (e.g. both "tittel" and "title").
    """
    lookup = {a: col for col, aliases in COLUMN_ALIASES.items() for a in aliases}
    columns = {}
    for name in header:
        col = lookup.get(_header_key(name))
        if col is None:
            continue
        if col in columns:
            raise InputError(
                code="file.same_column",
                params={"first": columns[col], "second": name},
                file=source,
                field=name,
            )
        columns[col] = name
    return columns


def _check_columns(columns, header, *, has_geometry, has_register, source):
    missing = [
        n for c, n in (("title", "tittel"), ("type", "type")) if c not in columns
    ]
    missing += [] if "size_m2" in columns else ["areal_m2"]
    located = {"lat", "lon"} & set(columns)
    if not (has_geometry or located or "address" in columns):
        missing.append("lat/lon or adresse")
    if len(located) == 1:
        missing.append(({"lat", "lon"} - located).pop())
    if missing:
        found = ", ".join(h for h in header if h) or "none"
        raise InputError(
            code="file.missing_columns",
            params={"columns": ", ".join(missing), "found": found},
            file=source,
            field=missing[0],
        )
    if not (has_geometry or located or has_register):
        raise InputError(
            code="file.no_location_columns",
            file=source,
            field=columns["address"],
        )


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


def bounded_text(value, what, limit=limits.MAX_TEXT):
    """:func:`clean_text`, refused past ``limit`` characters (the register's)."""
    text = clean_text(value)
    if len(text) > limit:
        raise InputError(
            code="value.too_long", params={"what": what, "n": len(text), "limit": limit}
        )
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


def split_address(text):
    """Split an address line into the street part and a postcode.

    Parameters
    ----------
    text : str
        E.g. "Skårersletta 12B, 1473 Lørenskog" or "Skårersletta 12B".

    Returns
    -------
    tuple of str
        ("Skårersletta 12B", "1473"); the postcode is "" when none is given.
    """
    text = text.strip()
    street, comma, rest = text.partition(",")
    if comma:
        postcode = re.search(r"\b(\d{4})\b", rest)
        return street.strip(), postcode.group(1) if postcode else ""
    match = re.fullmatch(r"(.+?)\s+(\d{4})\s+\D.*", text)
    return (match.group(1), match.group(2)) if match else (text, "")


def _geocode(addresses, register):
    """Return (lon, lat) or None for each address, placed with the register."""
    from layers.sources import addresses as address_register

    if not isinstance(register, gpd.GeoDataFrame):
        register = address_register.read_addresses(register)
    streets, postcodes = zip(*map(split_address, addresses), strict=True)
    frame = pd.DataFrame({"street": list(streets), "postcode": list(postcodes)})
    found = address_register.geocode(
        frame, register, street_col="street", postcode_col="postcode"
    )
    crs = getattr(found, "crs", None) or register.crs or CRS
    geoms = [
        g if isinstance(g, BaseGeometry) and not g.is_empty else None for g in found
    ]
    points = gpd.GeoSeries(geoms, crs=crs).to_crs(CRS)
    # 6 decimals (about 0.1 m), as the register's form shows and saves them, so a
    # listing placed by address is unchanged when it is saved from the form.
    return [
        None if g is None else (round(g.centroid.x, 6), round(g.centroid.y, 6))
        for g in points
    ]


def place_addresses(addresses, register):
    """Place address lines with an address register: what "Finn adressen" needs.

    Parameters
    ----------
    addresses : list of str
        Address lines as typed ("Skårersletta 12B, 1473 Lørenskog").
    register : geopandas.GeoDataFrame or str or pathlib.Path
        The store's ``addresses`` layer, or a Kartverket address file.

    Returns
    -------
    list of (float, float) or None
        ``(lon, lat)`` in EPSG:4326 (6 decimals) per line; None when the address
        is not in the register or is ambiguous.
    """
    if not addresses:
        return []
    return _geocode(list(addresses), register)


def _place_by_address(pending, register, columns, source):
    """Place rows (number, address); return ({number: point}, errors)."""
    if not pending:
        return {}, []
    points = _geocode([a for _, a in pending], register)
    placed, errors = {}, []
    for (number, address), point in zip(pending, points, strict=True):
        if point is None:
            errors.append(
                InputError(
                    code="premises.address_not_found",
                    params={"address": _show(address)},
                    file=source,
                    row=number,
                    field=columns["address"],
                )
            )
        else:
            placed[number] = point
    return placed, errors


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
        columns) and the ``reason``. Not an error: the user places them on the map.
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
                unplaced[row.number] = "no address and no lat/lon"
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
            unplaced[e.row] = "address not found in the address register"
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
            {"row": n, **r, "reason": unplaced[n]} for n, r in final if n in unplaced
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
