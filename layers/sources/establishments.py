"""Establishments: Brønnøysund Enhetsregisteret *underenheter*, filtered and placed.

Reads the bulk download (JSON array, plain or gzip), an API page
(``_embedded.underenheter``) or the CSV download, streaming record by record so a
national file (~1.2 M records) never sits in memory: only records located in the
chosen kommune are kept.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import geopandas as gpd
import pandas as pd

from layers import limits
from layers.errors import InputError
from layers.schemas import CRS, conform
from layers.sources import addresses as addr
from layers.sources.nace import (
    DEFAULT_NACE_STANDARD,
    NACE_STANDARDS,
    nace_section,
    nace_standard_of,
)
from layers.sources.underenheter_files import _split_lines, iter_underenheter

__all__ = [
    "KOMMUNE_ALIASES",
    "NACE_STANDARDS",
    "SMALL_FIRM_EMPLOYEES",
    "EstablishmentsReport",
    "iter_underenheter",
    "nace_section",
    "nace_standard_of",
    "read_establishments",
]

# Kommune number today -> every number the same kommune has had in the registers.
KOMMUNE_ALIASES = {"3222": frozenset({"3222", "3029", "0230"})}

# Jobs counted for an establishment in the 1-4 size class: the register publishes
# no count below 5 (``harRegistrertAntallAnsatte`` true, ``antallAnsatte`` absent).
# 2 is a stated estimate (the class's lower middle), flagged per record.
SMALL_FIRM_EMPLOYEES = 2

_ORGNR_RE = re.compile(r"\d{9}")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_FIELDS = ("oppstartsdato", "nedleggelsesdato", "slettedato")
_COLUMNS = (
    "orgnr",
    "name",
    "parent_orgnr",
    "nace",
    "nace_standard",
    "employees",
    "employees_estimated",
    "org_form",
    "start_date",
    "address",
    "postcode",
    "kommunenummer",
    "_line",
)


@dataclasses.dataclass(frozen=True)
class EstablishmentsReport:
    """Counts from one import; ``read == kept + outside_kommune + closed + duplicates``.

    Parameters
    ----------
    read : int
        Records in the file.
    kept : int
        Establishments in the result.
    outside_kommune : int
        Records (last occurrence) located in another kommune.
    closed : int
        Records in the kommune with ``nedleggelsesdato`` or ``slettedato`` set.
    duplicates : int
        Records superseded by a later record with the same organisasjonsnummer
        (counted for organisasjonsnumre seen in the kommune).
    placed, unplaced : int
        Kept establishments with and without an address point.
    employees_estimated : int
        Kept establishments in the 1-4 class, counted as
        :data:`SMALL_FIRM_EMPLOYEES` jobs each.
    nace_sn2025, nace_sn2007 : int
        Kept establishments whose industry code is read in each standard.
    nace_assumed : int
        Of those, codes that exist in both standards, given the file's prevailing
        standard (or :data:`DEFAULT_NACE_STANDARD` when no code tells).
    """

    read: int
    kept: int
    outside_kommune: int
    closed: int
    duplicates: int
    placed: int
    unplaced: int
    employees_estimated: int = 0
    nace_sn2025: int = 0
    nace_sn2007: int = 0
    nace_assumed: int = 0


def _orgnr(value, *, source, row, field):
    if value is None or value == "":
        raise InputError(
            "record has no organisasjonsnummer", file=source, row=row, field=field
        )
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InputError(
            f"organisasjonsnummer must be 9 digits, got {value!r}",
            file=source,
            row=row,
            field=field,
        )
    text = str(value).strip()
    if not _ORGNR_RE.fullmatch(text):
        raise InputError(
            f"organisasjonsnummer must be 9 digits, got {value!r}",
            file=source,
            row=row,
            field=field,
        )
    return text


_TRUE = frozenset({"true", "ja", "1", "yes"})
_FALSE = frozenset({"false", "nei", "0", "no", ""})


def _flag(value, *, source, row, field):
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(
        f"{field} must be true or false, got {value!r}",
        file=source,
        row=row,
        field=field,
    )


def _employees(rec, *, source, row):
    """Return (employees, estimated) of one record.

    ``antallAnsatte`` is the count when present. The register leaves it out for
    establishments with 1-4 employees and says only ``harRegistrertAntallAnsatte``:
    true; those count :data:`SMALL_FIRM_EMPLOYEES` jobs, flagged as estimated.
    False or absent, without a count, is 0 employees.
    """
    value = rec.get("antallAnsatte")
    registered = _flag(
        rec.get("harRegistrertAntallAnsatte"),
        source=source,
        row=row,
        field="harRegistrertAntallAnsatte",
    )
    if value is None or value == "":
        return (SMALL_FIRM_EMPLOYEES, True) if registered else (0, False)
    return _count(value, source=source, row=row), False


def _count(value, *, source, row):
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    raise InputError(
        f"antallAnsatte must be a whole number >= 0, got {value!r}",
        file=source,
        row=row,
        field="antallAnsatte",
    )


def _date(value, *, source, row, field):
    if value is None or value == "":
        return ""
    if isinstance(value, str) and _DATE_RE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise InputError(
        f"expected a date YYYY-MM-DD, got {value!r}", file=source, row=row, field=field
    )


def _text(value):
    return "" if value is None else str(value).strip()


def _sub(rec, key):
    value = rec.get(key)
    return value if isinstance(value, dict) else {}


def _lines(value):
    if value is None:
        return []
    if isinstance(value, str):
        return _split_lines(value)
    out = []
    for v in value:
        if v is not None:
            out.extend(_split_lines(str(v)))
    return out


def _kommunenummer(value):
    text = _text(value)
    return text.zfill(4) if text.isdigit() else text


def _check(rec, number, source):
    """Validate one record; return (orgnr, employees, dates) or raise InputError."""
    if not isinstance(rec, dict):
        raise InputError("record is not an object", file=source, row=number)
    orgnr = _orgnr(
        rec.get("organisasjonsnummer"),
        source=source,
        row=number,
        field="organisasjonsnummer",
    )
    employees = _employees(rec, source=source, row=number)
    dates = {
        f: _date(rec.get(f), source=source, row=number, field=f) for f in _DATE_FIELDS
    }
    return orgnr, employees, dates


def _name(rec, orgnr, source, row):
    """The record's name, bounded; the organisation number when it has none."""
    name = _text(rec.get("navn"))
    if len(name) > limits.MAX_TEXT:
        raise InputError(
            code="limit.text_length",
            params={"what": "name", "n": len(name), "limit": limits.MAX_TEXT},
            file=source,
            row=row,
            field="navn",
        )
    bad = _CONTROL.search(name)
    if bad:
        raise InputError(
            code="value.control_character",
            params={"char": f"U+{ord(bad.group()):04X}"},
            file=source,
            row=row,
            field="navn",
        )
    return name or orgnr


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _row(rec, orgnr, employees, dates, name):
    """The kept columns of one valid record."""
    loc = _sub(rec, "beliggenhetsadresse")
    lines = _lines(loc.get("adresse"))
    nace = _text(_sub(rec, "naeringskode1").get("kode"))
    return (
        orgnr,
        name,
        _text(rec.get("overordnetEnhet")),
        nace,
        nace_standard_of(nace),  # "" until the file's standard is known
        employees[0],
        employees[1],
        _text(_sub(rec, "organisasjonsform").get("kode")),
        dates["oppstartsdato"],
        ", ".join(lines),
        _text(loc.get("postnummer")),
        _kommunenummer(loc.get("kommunenummer")),
        "\n".join(lines),
    )


_OUTSIDE = "outside"
_CLOSED = "closed"


def _scan(path, kommuner, source):
    """Stream, validate and filter; return kept rows and the counts."""
    state = {}  # orgnr -> row tuple, _OUTSIDE or _CLOSED (last occurrence wins)
    read = outside = duplicates = 0
    for number, rec in enumerate(iter_underenheter(path), 1):
        read = number
        orgnr, employees, dates = _check(rec, number, source)
        knr = _kommunenummer(_sub(rec, "beliggenhetsadresse").get("kommunenummer"))
        inside = kommuner is None or knr in kommuner
        if not inside and orgnr not in state:
            outside += 1
            continue
        if state.pop(orgnr, None) is not None:
            duplicates += 1
        if not inside:
            state[orgnr] = _OUTSIDE
        elif dates["nedleggelsesdato"] or dates["slettedato"]:
            state[orgnr] = _CLOSED
        else:
            name = _name(rec, orgnr, source, number)
            state[orgnr] = _row(rec, orgnr, employees, dates, name)
    if read == 0:
        raise InputError("file holds no underenheter records", file=source)
    rows = [v for v in state.values() if isinstance(v, tuple)]
    counts = {
        "read": read,
        "kept": len(rows),
        "outside_kommune": outside + sum(v is _OUTSIDE for v in state.values()),
        "closed": sum(v is _CLOSED for v in state.values()),
        "duplicates": duplicates,
    }
    return rows, counts


def _address_book(addresses, kommuner):
    if addresses is None:
        return None
    if isinstance(addresses, gpd.GeoDataFrame):
        return addresses
    return addr.read_addresses(addresses, kommune=kommuner)


def _apply_standards(frame, nace_standard):
    """Fill ``nace_standard`` and ``nace_section`` per record, in place.

    A record's standard is the one its code can only belong to; a code that
    exists in both is read in the standard most records of the file show (a
    file is one vintage), else ``nace_standard`` or the default.
    """
    told = frame["nace_standard"]
    known = told[told != ""]
    if nace_standard not in (None, "auto"):
        if nace_standard not in NACE_STANDARDS:
            raise InputError(
                f"unknown industry standard {nace_standard!r}; "
                f"expected one of {', '.join(NACE_STANDARDS)}"
            )
        prevailing = nace_standard
    elif len(known):
        counts = known.value_counts()
        prevailing = "SN2025" if counts.get("SN2025", 0) >= counts.max() else "SN2007"
    else:
        prevailing = DEFAULT_NACE_STANDARD
    assumed = told == ""
    frame["nace_standard"] = told.where(~assumed, prevailing)
    frame["nace_section"] = [
        nace_section(code, std)
        for code, std in zip(frame["nace"], frame["nace_standard"], strict=True)
    ]
    return {
        "nace_sn2025": int((frame["nace_standard"] == "SN2025").sum()),
        "nace_sn2007": int((frame["nace_standard"] == "SN2007").sum()),
        "nace_assumed": int(assumed.sum()),
    }


def _kommuner(kommune):
    """The numbers kept: a kommune's (with its former ones), or None for all."""
    if kommune is None or str(kommune).strip().lower() in ("all", "*"):
        return None
    kommune = str(kommune).strip().zfill(4)
    return KOMMUNE_ALIASES.get(kommune, frozenset({kommune}))


def read_establishments(path, addresses, *, kommune="3222", nace_standard="auto"):
    """Read underenheter located in one kommune and place them on address points.

    Records are kept when ``beliggenhetsadresse.kommunenummer`` is the kommune or
    one of its former numbers (:data:`KOMMUNE_ALIASES`: Lørenskog is 3222, 3029 in
    2020-2023 and 0230 before 2020). Closed records (``nedleggelsesdato`` or
    ``slettedato`` set) are dropped; the bulk download holds no closed units at
    all, but API pages and older CSV files may. An establishment with
    ``harRegistrertAntallAnsatte`` true and no ``antallAnsatte`` (the 1-4 class)
    counts :data:`SMALL_FIRM_EMPLOYEES` jobs with ``employees_estimated`` True. For a repeated organisasjonsnummer the last
    occurrence wins. Establishments whose address cannot be matched are kept with
    ``placed`` False and no geometry. Every record in the file is validated, also
    those outside the kommune.

    Parameters
    ----------
    path : str or os.PathLike
        Underenheter file, see :func:`iter_underenheter`.
    addresses : geopandas.GeoDataFrame, str, os.PathLike or None
        Address points (:func:`layers.sources.addresses.read_addresses`), or a
        Kartverket address file to read (filtered to the kommune). ``None`` leaves every
        establishment unplaced.
    kommune : str or None
        Four-digit kommune number; ``"all"`` or None keeps every record (the
        national layer of a database holding several kommuner).
    nace_standard : {"auto", "SN2025", "SN2007"}
        Standard of the codes that exist in both (``auto``: the one the file's
        other codes show). Codes that exist in only one are always read in it.

    Returns
    -------
    tuple of (geopandas.GeoDataFrame, EstablishmentsReport)
        The ``establishments`` layer (see ``layers.schemas``) and the counts.

    Raises
    ------
    InputError
        The file is not an underenheter file, holds no records, or a record lacks
        a 9-digit organisasjonsnummer, has a bad antallAnsatte or a bad date; the
        message names the file, the record number and the field.
    """
    source = str(path)
    kommuner = _kommuner(kommune)
    rows, counts = _scan(path, kommuner, source)
    frame = pd.DataFrame.from_records(rows, columns=list(_COLUMNS))
    frame = frame.astype({"employees": "int64", "employees_estimated": bool})
    counts.update(_apply_standards(frame, nace_standard))
    book = _address_book(addresses, kommuner)
    if book is None or frame.empty:
        geometry = gpd.GeoSeries([None] * len(frame), index=frame.index, crs=CRS)
    else:
        geometry = addr.geocode(
            frame, book, street_col="_line", postcode_col="postcode"
        ).to_crs(CRS)
    placed = geometry.notna() & ~geometry.is_empty
    gdf = gpd.GeoDataFrame(
        frame.drop(columns="_line").assign(placed=placed.to_numpy(dtype=bool)),
        geometry=geometry.values,
        crs=CRS,
    )
    n_placed = int(placed.sum())
    report = EstablishmentsReport(
        **counts,
        placed=n_placed,
        unplaced=len(frame) - n_placed,
        employees_estimated=int(frame["employees_estimated"].sum()),
    )
    return conform("establishments", gdf, source=source), report
