"""Spreadsheets: the comparison and area workbooks, and the one formula guard.

A text cell that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``,
tab, carriage return at its start) is stored as text: in XLSX as a string cell
with a quote prefix, in CSV behind a leading apostrophe. Every spreadsheet the app
writes (meeting pack and the finder's lists) goes through this module.
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from components.exports.text import (
    ExportError,
    area_name,
    available_premises,
    figure_label,
    figures_by_id,
    is_demonstration,
    source_entries,
    source_text,
)
from components.i18n import t

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def starts_formula(value):
    """True when a spreadsheet would run the text ``value`` as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def set_cell(ws, row, col, value, number_format=None):
    """Write one cell; text that would start a formula is stored as plain text.

    Parameters
    ----------
    ws : openpyxl.worksheet.worksheet.Worksheet
    row, col : int
        1-based position.
    value : str, int, float, bool or None
        Numbers stay numbers; NaN is written as an empty cell.
    number_format : str, optional

    Returns
    -------
    openpyxl.cell.Cell
    """
    if isinstance(value, float) and math.isnan(value):
        value = None
    if isinstance(value, np.generic):
        value = value.item()
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if starts_formula(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    if number_format and isinstance(value, (int, float)):
        cell.number_format = number_format
    return cell


def _number_format(figure):
    return "#,##0.0" if figure in ("premises_m2", "departures_peak_hour") else "#,##0"


XLSX_FIGURES = (
    "establishments",
    "jobs",
    "unplaced_establishments",
    "premises_available",
    "premises_m2",
    "median_rent_nok_m2",
    "stops",
    "lines",
    "departures_peak_hour",
    # Travel-time reach from the area's centroid (components.reach_views).
    "reach_jobs_15",
    "reach_jobs_30",
    "reach_jobs_45",
    "reach_establishments_15",
    "reach_establishments_30",
    "reach_establishments_45",
)


def _header(ws, row, labels):
    for col, label in enumerate(labels, 1):
        set_cell(ws, row, col, label).font = Font(bold=True)


def _widths(ws, widths):
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _sources_sheet(wb, figures, lang):
    ws = wb.create_sheet(t("export_sheet_sources", lang))
    labels = ["area_id", "figure", "source", "licence", "as_of_col", "demo"]
    _header(ws, 1, [t(f"export_{k}", lang) for k in labels])
    r = 2
    for row in figures:
        for fig, info in row.get("sources", {}).items():
            values = [
                row["area_id"],
                figure_label(fig, lang),
                info["source"],
                info["licence"],
                info["as_of"],
                t("export_yes" if info["demonstration"] else "export_no", lang),
            ]
            for col, value in enumerate(values, 1):
                set_cell(ws, r, col, value)
            r += 1
    _widths(ws, [16, 28, 50, 20, 12, 18])
    return ws


def _workbook_bytes(wb):
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_comparison(figures, *, lang="nb", sources=()):
    """Build the comparison workbook: one row per area, then rest and total.

    Sheet ``Sammenligning`` (English: ``Comparison``): a header row, one row per
    area with the figures as numbers and a demonstration column, then a note row
    with the sources and their as-of dates. A second sheet lists the source of
    every figure.

    Parameters
    ----------
    figures : list of dict
        :func:`layers.stats.area_figures`.
    lang : str
    sources : iterable of dict
        Further sources for the note row (:func:`context_sources`).

    Returns
    -------
    bytes
        The XLSX file.
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = t("export_sheet_comparison", lang)
    labels = [t("export_area_id", lang), t("export_area", lang)]
    labels += [figure_label(f, lang) for f in XLSX_FIGURES] + [t("export_demo", lang)]
    _header(ws, 1, labels)
    r = 2
    for row in figures:
        set_cell(ws, r, 1, row["area_id"])
        set_cell(ws, r, 2, area_name(row["area_id"], lang))
        for col, fig in enumerate(XLSX_FIGURES, 3):
            set_cell(ws, r, col, row.get(fig), _number_format(fig))
        set_cell(
            ws,
            r,
            len(labels),
            t("export_yes" if row.get("demonstration") else "export_no", lang),
        )
        r += 1
    entries = source_entries(figures, sources)
    note = "; ".join(source_text(s, lang) for s in entries)
    set_cell(ws, r + 1, 1, f"{t('export_sources', lang)}: {note}")
    if is_demonstration(figures):
        set_cell(ws, r + 2, 1, t("export_demo_note", lang))
    ws.freeze_panes = "C2"
    _widths(ws, [16, 26] + [14] * len(XLSX_FIGURES) + [18])
    _sources_sheet(wb, figures, lang)
    return _workbook_bytes(wb)


PREMISES_COLUMNS = (
    ("title", "export_premises_title", None),
    ("address", "export_address", None),
    ("type", "export_type", None),
    ("size_m2", "export_size", "#,##0.0"),
    ("rent_nok_m2_year", "export_rent", "#,##0"),
    ("available_from", "export_available_from", None),
    ("status", "export_status", None),
    ("contact", "export_contact", None),
    ("url", "export_url", None),
    ("updated_at", "export_updated_at", None),
)


def xlsx_area(figures, area_id, layers, *, lang="nb"):
    """Build one area's workbook: its figures with sources, and its premises.

    Parameters
    ----------
    figures : list of dict
        :func:`layers.stats.area_figures`.
    area_id : str
        An area id (or ``rest``/``total``).
    layers : dict
        Layer frames; uses ``areas`` and ``premises``.
    lang : str

    Returns
    -------
    bytes
        The XLSX file.
    """
    rows = figures_by_id(figures)
    if area_id not in rows:
        raise ExportError(f"unknown area {area_id!r}")
    row = rows[area_id]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = t("export_sheet_figures", lang)
    set_cell(ws, 1, 1, area_name(area_id, lang)).font = Font(bold=True, size=14)
    keys = ["figure", "value", "source", "licence", "as_of_col", "demo"]
    _header(ws, 2, [t(f"export_{k}", lang) for k in keys])
    r = 3
    for fig in XLSX_FIGURES:
        if fig not in row:
            continue
        info = row.get("sources", {}).get(fig, {})
        set_cell(ws, r, 1, figure_label(fig, lang))
        set_cell(ws, r, 2, row[fig], _number_format(fig))
        set_cell(ws, r, 3, info.get("source", ""))
        set_cell(ws, r, 4, info.get("licence", ""))
        set_cell(ws, r, 5, info.get("as_of", ""))
        set_cell(
            ws,
            r,
            6,
            t("export_yes" if info.get("demonstration") else "export_no", lang),
        )
        r += 1
    _widths(ws, [30, 14, 50, 20, 12, 18])
    ps = wb.create_sheet(t("export_sheet_premises", lang))
    _header(ps, 1, [t(key, lang) for _c, key, _f in PREMISES_COLUMNS])
    premises = available_premises(layers, area_id)
    records = [] if premises is None else premises.to_dict("records")
    for k, rec in enumerate(records, 2):
        for col, (name, _key, fmt) in enumerate(PREMISES_COLUMNS, 1):
            set_cell(ps, k, col, rec.get(name), fmt)
    _widths(ps, [40, 30, 16, 12, 14, 12, 10, 30, 40, 22])
    return _workbook_bytes(wb)


# --- lists: a few header lines, a blank row, a table (the finder's exports) -------


def table_xlsx(header_lines, labels, rows, *, sheet="Lokaler", widths=()):
    """Write a workbook: the header lines, a blank row, the table. Return its bytes.

    Text that a spreadsheet would read as a formula is stored as text
    (:func:`set_cell`); numbers keep a thousands format.

    Parameters
    ----------
    header_lines : list of str
        The first is set in bold.
    labels : list of str
        Column headings.
    rows : iterable of sequence
    sheet : str
    widths : sequence of float
        Column widths, from the first column.

    Returns
    -------
    bytes
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r, line in enumerate(header_lines, 1):
        cell = set_cell(ws, r, 1, line)
        if r == 1:
            cell.font = Font(bold=True, size=13)
    top = len(header_lines) + 2
    for c, label in enumerate(labels, 1):
        set_cell(ws, top, c, label).font = Font(bold=True)
    for r, row in enumerate(rows, top + 1):
        for c, value in enumerate(row, 1):
            number = not isinstance(value, bool | np.bool_)
            set_cell(ws, r, c, value, "#,##0" if number else None)
    ws.freeze_panes = ws.cell(row=top + 1, column=1)
    for c, width in enumerate(widths[: len(labels)], 1):
        ws.column_dimensions[get_column_letter(c)].width = width
    return _workbook_bytes(wb)


def csv_value(value, lang="nb"):
    """One CSV cell as text: numbers with the language's decimal mark, yes/no, and a
    leading apostrophe before text a spreadsheet would run as a formula."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return t("finder_yes" if value else "finder_no", lang)
    if isinstance(value, int | float | np.number):
        value = float(value)
        text = f"{value:.0f}" if value.is_integer() else f"{value:.2f}"
        return text.replace(".", ",") if lang != "en" else text
    text = str(value)
    return "'" + text if starts_formula(text) else text


def table_csv(header_lines, labels, rows, lang="nb"):
    """Write a list as CSV (UTF-8 with BOM, ``;``-separated, for Excel).

    Header lines come first, one per row, then a blank row and the table.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    for line in header_lines:
        writer.writerow([csv_value(line, lang)])
    writer.writerow([])
    writer.writerow([csv_value(label, lang) for label in labels])
    for row in rows:
        writer.writerow([csv_value(v, lang) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
