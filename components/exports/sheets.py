"""Spreadsheets: the comparison and area workbooks, and the one formula guard.

A text cell that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``,
tab, carriage return at its start) is stored as text: in XLSX as a string cell
with a quote prefix, in CSV behind a leading apostrophe. Every spreadsheet the app
writes (meeting pack and the finder's lists) goes through this module.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import re

import numpy as np
import openpyxl
import pandas as pd
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
from components.i18n import status_name, t
from components.i18n.map import premises_type_name
from components.i18n.sources import source_label

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Text written as a real date / date and time (a spreadsheet can sort and filter it).
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"
)
DAY_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
# Only these become clickable links; anything else stays text.
LINK = re.compile(r"https?://[^\s<>\"'\\]{1,2000}", re.IGNORECASE)


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
    value = _as_date(value)
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if starts_formula(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    elif isinstance(value, str) and LINK.fullmatch(value):
        cell.hyperlink = value
        cell.style = "Hyperlink"
    if isinstance(value, datetime.datetime):
        cell.number_format = TIME_FORMAT
    elif isinstance(value, datetime.date):
        cell.number_format = DAY_FORMAT
    elif number_format and isinstance(value, (int, float)):
        cell.number_format = number_format
    return cell


def _as_date(value):
    """An ISO day or timestamp (text or pandas) as a date / naive UTC datetime."""
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return None
        if value.tzinfo is not None:
            value = value.tz_convert("UTC").tz_localize(None)
        return value.to_pydatetime()
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC).replace(tzinfo=None)
    if not isinstance(value, str) or len(value) > 40:
        return value
    try:
        if ISO_DAY.fullmatch(value):
            return datetime.date.fromisoformat(value)
        if ISO_TIME.fullmatch(value):
            return _as_date(
                datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            )
    except ValueError:
        return value
    return value


def autofilter(ws, header_row, n_cols, last_row):
    """An autofilter on the header row ``header_row`` over the table below it."""
    if n_cols:
        end = get_column_letter(n_cols)
        ws.auto_filter.ref = f"A{header_row}:{end}{max(last_row, header_row)}"


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
                source_label(info["source"], lang),
                source_label(info["licence"], lang),
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
    autofilter(ws, 1, len(labels), r - 1)
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
    autofilter(ws, 2, len(keys), r - 1)
    _widths(ws, [30, 14, 50, 20, 12, 18])
    ps = wb.create_sheet(t("export_sheet_premises", lang))
    _header(ps, 1, [t(key, lang) for _c, key, _f in PREMISES_COLUMNS])
    premises = available_premises(layers, area_id)
    records = [] if premises is None else premises.to_dict("records")
    for k, rec in enumerate(records, 2):
        shown = {
            **rec,
            "type": premises_type_name(rec.get("type"), lang),
            "status": status_name(rec.get("status"), lang),
        }
        for col, (name, _key, fmt) in enumerate(PREMISES_COLUMNS, 1):
            set_cell(ps, k, col, shown.get(name), fmt)
    autofilter(ps, 1, len(PREMISES_COLUMNS), len(records) + 1)
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
    autofilter(ws, top, len(labels), ws.max_row)
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
