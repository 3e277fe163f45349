"""Matching a premises list's headers to the schema's columns."""

from __future__ import annotations

import re

from layers.errors import InputError
from layers.sources.premises.values import _key

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
