"""The premises list template (XLSX and CSV) with the columns the importer accepts.

The register offers it for download beside its upload; the README lists the same
columns. Headings are matched like every other header (case, spaces, brackets and
``m²`` folded), so the template re-imports as it is once rows are filled in.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from layers.schemas import PREMISES_STATUSES, PREMISES_TYPES
from layers.sources.premises import COLUMN_ALIASES

__all__ = ["TEMPLATE_COLUMNS", "accepted_headers", "template_bytes", "write_template"]

# (column, heading nb, heading en, required, help nb, help en, example)
TEMPLATE_COLUMNS = (
    (
        "title",
        "Tittel",
        "Title",
        "ja",
        "Kort navn på lokalet",
        "Short name",
        "Kontor i 3. etasje",
    ),
    (
        "address",
        "Adresse",
        "Address",
        "ja*",
        "Gateadresse, gjerne med postnummer; plasserer lokalet når lat/lon mangler",
        "Street address, ideally with postcode; places the listing when lat/lon are missing",
        "Skårersletta 12, 1473 Lørenskog",
    ),
    (
        "type",
        "Type",
        "Type",
        "ja",
        "Type lokale: " + ", ".join(PREMISES_TYPES),
        "Kind of premises: " + ", ".join(PREMISES_TYPES),
        "kontor",
    ),
    (
        "size_m2",
        "Areal (m²)",
        "Size (m²)",
        "ja",
        "Areal i m² (1 250,5 og 1.250 leses som tall)",
        "Floor area in m² (1 250,5 and 1.250 are read as numbers)",
        "420",
    ),
    (
        "rent_nok_m2_year",
        "Leie (kr/m²/år)",
        "Rent (NOK/m²/year)",
        "nei",
        "Kroner per m² per år; tomt, «etter avtale» eller «på forespørsel» = ikke oppgitt",
        "NOK per m² per year; empty, 'etter avtale' or 'på forespørsel' = not given",
        "1 850",
    ),
    (
        "available_from",
        "Ledig fra",
        "Available from",
        "nei",
        "Dato (2025-03-01 eller 01.03.2025) eller «umiddelbart»",
        "Date (2025-03-01 or 01.03.2025) or 'umiddelbart'",
        "01.03.2025",
    ),
    (
        "status",
        "Status",
        "Status",
        "nei",
        "Status: " + ", ".join(PREMISES_STATUSES) + " (tomt = ledig)",
        "Status: " + ", ".join(PREMISES_STATUSES) + " (empty = ledig)",
        "ledig",
    ),
    (
        "contact",
        "Kontakt",
        "Contact",
        "nei",
        "Kontaktperson, telefon eller e-post",
        "Contact person, phone or e-mail",
        "Kari Nordmann, 900 00 000",
    ),
    (
        "url",
        "Lenke",
        "Link",
        "nei",
        "Lenke til annonsen (http/https)",
        "Link to the listing (http/https)",
        "https://example.no/lokale",
    ),
    (
        "lat",
        "lat",
        "lat",
        "nei*",
        "Breddegrad (WGS84), om adressen ikke brukes",
        "Latitude (WGS84), when the address is not used",
        "59.9260",
    ),
    ("lon", "lon", "lon", "nei*", "Lengdegrad (WGS84)", "Longitude (WGS84)", "10.9570"),
    (
        "premises_id",
        "ID",
        "ID",
        "nei",
        "Egen id; tom = laget av tittel og adresse",
        "Your own id; empty = made from title and address",
        "",
    ),
    (
        "updated_at",
        "Oppdatert",
        "Updated",
        "nei",
        "Når opplysningene sist ble sjekket; tom = nå",
        "When the details were last checked; empty = now",
        "2025-01-15",
    ),
)


def accepted_headers(column):
    """Every header the importer reads as ``column`` (as matched, folded)."""
    return COLUMN_ALIASES[column]


def _headings(lang):
    return [c[2] if lang == "en" else c[1] for c in TEMPLATE_COLUMNS]


def template_bytes(fmt="xlsx", lang="nb"):
    """The template as bytes: an empty list with the accepted headings.

    Parameters
    ----------
    fmt : {"xlsx", "csv"}
        XLSX: a "Lokaler" sheet with the headings and a second sheet explaining
        each column (required, what, example, other accepted headings). CSV:
        UTF-8 with BOM, ``;``-separated, the heading row only (Excel opens it).
    lang : {"nb", "en"}

    Returns
    -------
    bytes
    """
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf, delimiter=";", lineterminator="\r\n").writerow(_headings(lang))
        return ("\ufeff" + buf.getvalue()).encode("utf-8")
    if fmt != "xlsx":
        raise ValueError(f"unknown template format {fmt!r}; expected xlsx or csv")
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Listings" if lang == "en" else "Lokaler"
    for c, heading in enumerate(_headings(lang), 1):
        cell = ws.cell(row=1, column=c, value=heading)
        cell.font = Font(bold=True)
        ws.column_dimensions[get_column_letter(c)].width = max(12, len(heading) + 4)
    ws.freeze_panes = "A2"
    help_ws = wb.create_sheet("Columns" if lang == "en" else "Kolonner")
    titles = (
        ("Column", "Required", "What", "Example", "Also accepted")
        if lang == "en"
        else ("Kolonne", "Påkrevd", "Hva", "Eksempel", "Godtas også")
    )
    for c, title in enumerate(titles, 1):
        help_ws.cell(row=1, column=c, value=title).font = Font(bold=True)
    for r, (col, nb, en, req, help_nb, help_en, example) in enumerate(
        TEMPLATE_COLUMNS, 2
    ):
        values = (
            en if lang == "en" else nb,
            {"ja": "yes", "nei": "no", "ja*": "yes*", "nei*": "no*"}.get(req, req)
            if lang == "en"
            else req,
            help_en if lang == "en" else help_nb,
            example,
            ", ".join(accepted_headers(col)),
        )
        for c, value in enumerate(values, 1):
            help_ws.cell(row=r, column=c, value=value).data_type = "s"
    note = (
        "* adresse or lat/lon: one of them places the listing."
        if lang == "en"
        else "* adresse eller lat/lon: ett av dem plasserer lokalet."
    )
    help_ws.cell(row=len(TEMPLATE_COLUMNS) + 3, column=1, value=note)
    for c, width in enumerate((18, 10, 60, 30, 60), 1):
        help_ws.column_dimensions[get_column_letter(c)].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_template(path, lang="nb"):
    """Write the template to ``path`` (``.xlsx`` or ``.csv`` by its suffix)."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    path.write_bytes(template_bytes(fmt, lang))
    return path
