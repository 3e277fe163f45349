"""Import premises for rent (næringslokaler) from CSV, XLSX or GeoJSON files.

Files are accepted as Norwegian offices export them: UTF-8 with or without BOM or
Windows-1252, comma, semicolon or tab separators, decimal commas with spaces or dots
as thousands separators, dates as ``YYYY-MM-DD``, ``DD.MM.YYYY`` or Excel dates.
Headers are Norwegian (``tittel``, ``areal_m2`` …) or English (``title``,
``size_m2`` …), or as people write them ("Areal (m²)", "Leie (kr/m²/år)"),
matched case-insensitively.

Every row is checked before anything is returned. The problems found are reported
together in one :class:`~layers.errors.InputError`: its ``file``, ``row`` and
``field`` are those of the first problem, its message lists up to ``MAX_ERRORS`` of
them, and its ``problems`` attribute holds them all as separate errors. Rows are
numbered from 1, header excluded (GeoJSON: features numbered from 1).

Text is kept verbatim as data (no HTML processing), stripped of surrounding
whitespace. Control characters other than tab and line breaks, and bidirectional
override characters, are rejected. Links must be ``http`` or ``https``. Naive
timestamps are taken as UTC.

Modules: ``amounts`` (numbers, amounts, dates: the register form's parsers too),
``values`` (types, statuses, text, links, ids), ``columns`` (headers), ``reading``
(files into rows, within ``layers.limits``), ``rows`` (one row into a listing's
values), ``placing`` (by address), ``read`` (:func:`read_premises`,
:func:`read_premises_table`). The names below are the package's surface.
"""

from __future__ import annotations

from layers.limits import MAX_RENT_NOK_M2_YEAR, MAX_SIZE_M2
from layers.sources.premises.amounts import (
    IMMEDIATE_WORDS,
    parse_amount,
    parse_date,
    parse_number,
    parse_timestamp,
)
from layers.sources.premises.columns import (
    COLUMN_ALIASES,
    HEADER_SEARCH_ROWS,
    match_columns,
)
from layers.sources.premises.placing import place_addresses, split_address
from layers.sources.premises.read import (
    PremisesRead,
    read_premises,
    read_premises_table,
)
from layers.sources.premises.reading import sniff_delimiter
from layers.sources.premises.rows import LOCAL_TZ, MAX_ERRORS, collected_error
from layers.sources.premises.values import (
    RENT_ON_REQUEST,
    STATUS_SYNONYMS,
    TYPE_SYNONYMS,
    bounded_text,
    check_url,
    clean_text,
    normalise_status,
    normalise_type,
    premises_id,
)

__all__ = [
    "COLUMN_ALIASES",
    "HEADER_SEARCH_ROWS",
    "IMMEDIATE_WORDS",
    "LOCAL_TZ",
    "MAX_ERRORS",
    "MAX_RENT_NOK_M2_YEAR",
    "MAX_SIZE_M2",
    "RENT_ON_REQUEST",
    "STATUS_SYNONYMS",
    "TYPE_SYNONYMS",
    "PremisesRead",
    "bounded_text",
    "check_url",
    "clean_text",
    "collected_error",
    "match_columns",
    "normalise_status",
    "normalise_type",
    "parse_amount",
    "parse_date",
    "parse_number",
    "parse_timestamp",
    "place_addresses",
    "premises_id",
    "read_premises",
    "read_premises_table",
    "sniff_delimiter",
    "split_address",
]
