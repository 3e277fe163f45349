"""Spreadsheets people can work with: real dates, clickable links, an autofilter;
and numbers that meet nouns in the right number ("1 linje", "2 linjer")."""

import datetime
import io

import openpyxl
import pytest

from components.exports.sheets import set_cell, table_xlsx
from components.i18n import fmt_count, plural


def read(data):
    """The first sheet of an XLSX file."""
    return openpyxl.load_workbook(io.BytesIO(data)).active


def sample():
    """A two-row table in the finder's shape: header lines, then the table."""
    labels = ["Tittel", "Ledig fra", "Oppdatert", "Lenke", "m²"]
    rows = [
        ["Lager A", "2026-03-01", "2026-11-20T08:15:00Z", "https://example.no/a", 900],
        ["=1+1", None, "2026-11-21", "javascript:alert(1)", 1200],
    ]
    return table_xlsx(["Lokaler", "Filter: alle"], labels, rows)


def test_dates_are_real_dates():
    ws = read(sample())
    day, stamp = ws["B5"], ws["C5"]
    assert day.value == datetime.datetime(2026, 3, 1) and day.is_date
    assert day.number_format == "yyyy-mm-dd"
    assert stamp.value == datetime.datetime(2026, 11, 20, 8, 15) and stamp.is_date
    assert ws["C6"].value == datetime.datetime(2026, 11, 21)


def test_only_http_links_are_clickable():
    ws = read(sample())
    assert ws["D5"].hyperlink is not None
    assert ws["D5"].hyperlink.target == "https://example.no/a"
    assert ws["D6"].hyperlink is None and ws["D6"].value == "javascript:alert(1)"


def test_formula_guard_still_holds():
    ws = read(sample())
    assert ws["A6"].value == "=1+1" and ws["A6"].data_type == "s"
    assert ws["A6"].quotePrefix


def test_autofilter_on_the_header_row():
    ws = read(sample())
    assert ws.auto_filter.ref == "A4:E6"


def test_text_that_only_looks_like_a_date_stays_text():
    wb = openpyxl.Workbook()
    ws = wb.active
    assert set_cell(ws, 1, 1, "2026-13-45").value == "2026-13-45"
    assert set_cell(ws, 2, 1, "Bygg 2026-03-01 B").value == "Bygg 2026-03-01 B"


@pytest.mark.parametrize(
    ("n", "lang", "text"),
    [
        (1, "nb", "1 linje"),
        (2, "nb", "2 linjer"),
        (0, "nb", "0 linjer"),
        (1, "en", "1 line"),
        (3, "en", "3 lines"),
        (1500, "nb", "1\u00a0500 linjer"),
    ],
)
def test_count_with_its_noun(n, lang, text):
    assert fmt_count(n, "line", lang) == text


def test_plural_of_other_nouns():
    assert plural(1, "departure", "nb") == "avgang"
    assert plural(1.0, "stop", "nb") == "holdeplass"
    assert plural(None, "stop", "en") == "public transport stops"
    assert plural(1, "premises", "nb") == "lokale"
