"""A broker's list as it comes: human headers, Norwegian numbers, addresses only.

Also the finder's own CSV/XLSX export re-imported unchanged, and the template.
"""

import math
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest

from components import finder
from components.exports import sheets
from layers import register
from layers.errors import InputError
from layers.schemas import PREMISES_STATUSES
from layers.sources.addresses import read_addresses
from layers.sources.premises import parse_amount, read_premises, read_premises_table
from layers.sources.premises_template import (
    TEMPLATE_COLUMNS,
    template_bytes,
    write_template,
)
from layers.store import open_store

ADDRESSES = Path(__file__).parent / "data" / "addresses" / "adresser_3222.csv"
NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def book():
    return read_addresses(ADDRESSES, kommune="3222")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.850,-", 1850.0),
        ("12.500", 12500.0),
        ("1 250,5", 1250.5),
        ("kr 1 850", 1850.0),
        ("1850 kr/m²", 1850.0),
        ("1.850", 1850.0),  # thousands dot, the Norwegian way
        ("1 850 kr/m²/år", 1850.0),
        ("250 m²", 250.0),
        ("1,5", 1.5),
        ("", None),
        (1850, 1850.0),
    ],
)
def test_amounts_read_the_norwegian_way(text, value):
    """Currency, units and thousands dots around rents and sizes."""
    assert parse_amount(text) == value


def test_amount_that_is_not_a_number_is_refused():
    with pytest.raises(InputError, match="expected a number"):
        parse_amount("kr")


BROKER_CSV = (
    "Objekt;Adresse;Type lokale;Areal (m²);Leie (kr/m²/år);Ledig fra;Kontaktperson\r\n"
    "Kontor 3. etg;Skårersletta 12, 1473 Lørenskog;Kontorlokaler;1.850;"
    "1.850,-;01.03.2025;Kari Nordmann\r\n"
    "Lager;Hasselveien 6;lager;12.500;kr 1 250;umiddelbart;Ola\r\n"
    "Butikk;Skårersletta 12B;butikk;1 250,5;1850 kr/m²;;\r\n"
    "Verksted;Skårersletta 55;verksted;300;etter avtale;;\r\n"
    "Ukjent;Finnesikkeveien 99;kontor;100;på forespørsel;;\r\n"
)


def test_broker_list_with_human_headers_and_addresses_only(tmp_path, book):
    """Human headers, Norwegian numbers, placed by address; unknown one aside."""
    path = tmp_path / "megler.csv"
    path.write_bytes(("\ufeff" + BROKER_CSV).encode("utf-8"))
    result = read_premises_table(path, addresses=book, now=NOW)
    layer = result.layer
    assert layer["title"].tolist() == ["Kontor 3. etg", "Lager", "Butikk", "Verksted"]
    assert layer["size_m2"].tolist() == [1850.0, 12500.0, 1250.5, 300.0]
    rents = layer["rent_nok_m2_year"].tolist()
    assert rents[:3] == [1850.0, 1250.0, 1850.0] and math.isnan(rents[3])
    assert layer["type"].tolist() == ["kontor", "lager/logistikk", "handel", "industri"]
    assert layer["available_from"].tolist()[:2] == ["2025-03-01", "2025-01-15"]
    assert layer["contact"].tolist()[0] == "Kari Nordmann"
    # the address not in the register is kept aside, not a reason to refuse
    assert [(u["row"], u["title"]) for u in result.unplaced] == [(5, "Ukjent")]
    assert "not found" in result.unplaced[0]["reason"]
    assert math.isnan(result.unplaced[0]["rent_nok_m2_year"])
    # the preview shows each cell's text beside how it was read
    first = result.preview[0]
    assert first["raw"]["size_m2"] == "1.850" and first["value"]["size_m2"] == 1850.0
    assert first["raw"]["rent_nok_m2_year"] == "1.850,-"
    assert (
        first["raw"]["type"] == "Kontorlokaler" and first["value"]["type"] == "kontor"
    )
    assert first["placed"] and 10.9 < first["lon"] < 11.1
    assert not result.preview[4]["placed"] and result.preview[4]["lon"] is None
    # the strict reader (the register's upload today) refuses the unknown address
    with pytest.raises(InputError, match="row 5.*not found"):
        read_premises(path, addresses=book, now=NOW)


def test_xlsx_broker_list_with_short_headers(tmp_path, book):
    """'Areal', 'Leie', 'Størrelse'-style headers in a workbook, rows placed."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Navn", "Adresse", "Type", "Størrelse", "Leie", "Kontakt"])
    ws.append(["Kontor A", "Skårersletta 12", "kontor", "12.500", "kr 1 850", "Kari"])
    ws.append(["Kontor B", "Hasselveien 6", "kontor", 420, 1850, ""])
    path = tmp_path / "liste.xlsx"
    wb.save(path)
    layer = read_premises_table(path, addresses=book, now=NOW).layer
    assert layer["size_m2"].tolist() == [12500.0, 420.0]
    assert layer["rent_nok_m2_year"].tolist() == [1850.0, 1850.0]


def test_template_headings_are_read_back(tmp_path, book):
    """Both templates (nb, en; CSV, XLSX) carry headings the importer accepts."""
    for lang in ("nb", "en"):
        csv_text = template_bytes("csv", lang).decode("utf-8-sig")
        row = ";".join(
            {
                "title": "Kontor",
                "address": "Skårersletta 12",
                "type": "kontor",
                "size_m2": "100",
            }.get(c[0], "")
            for c in TEMPLATE_COLUMNS
        )
        path = tmp_path / f"mal_{lang}.csv"
        path.write_text(csv_text + row + "\r\n", encoding="utf-8")
        result = read_premises_table(path, addresses=book, now=NOW)
        assert len(result.layer) == 1 and result.layer["size_m2"].iloc[0] == 100.0
        assert set(result.columns) == {c[0] for c in TEMPLATE_COLUMNS}
        xlsx = write_template(tmp_path / f"mal_{lang}.xlsx", lang)
        wb = openpyxl.load_workbook(xlsx)
        ws = wb.worksheets[0]
        ws.append(["Kontor", "Skårersletta 12", "kontor", 100])
        wb.save(xlsx)
        assert len(read_premises_table(xlsx, addresses=book, now=NOW).layer) == 1
        assert len(wb.worksheets[1]["A"]) >= len(TEMPLATE_COLUMNS) + 1


# ----------------------------------------------------------------- round trip


@pytest.fixture(scope="module")
def exported(default_store):
    store = open_store(default_store)
    listings = finder.prepare(
        register.read_register(store),
        store.read_layer("areas"),
        store.read_layer("transit_stops"),
    )
    return store, listings


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_finder_export_reimports_unchanged(tmp_path, exported, fmt, lang):
    """Every listing exported by the finder comes back identical (by address)."""
    store, listings = exported
    query = finder.make_query(statuses=list(PREMISES_STATUSES))
    today = date(2024, 10, 31)
    rows = finder.export_rows(listings, query, today, lang=lang)
    assert len(rows) == len(listings.frame)
    header = finder.export_header(
        listings,
        query,
        today=today,
        now=NOW,
        source="test",
        demonstration=True,
        what="alle",
        lang=lang,
    )
    labels = finder.export_labels(lang)
    if fmt == "csv":
        data = sheets.table_csv(header, labels, rows, lang)
    else:
        data = sheets.table_xlsx(header, labels, rows)
    path = tmp_path / f"eksport.{fmt}"
    path.write_bytes(data)
    result = read_premises_table(path, addresses=store.read_layer("addresses"), now=NOW)
    assert result.unplaced == []
    plan = register.preview_import(store, result.layer)
    assert plan["added"] == [] and plan["changed"] == []
    assert len(plan["unchanged"]) == len(rows)


def test_readme_lists_the_accepted_columns():
    """Every template heading, and the human headings named in the issue, are in the
    README's table, and the importer accepts each of them."""
    from layers.sources.premises import match_columns

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for _col, heading, *_ in TEMPLATE_COLUMNS:
        assert f"`{heading}`" in readme, heading
    human = ["Areal", "Størrelse", "Leie", "Type lokale", "Ledig fra", "Kontaktperson"]
    for heading in human:
        assert heading in readme
    found = match_columns(["Areal (m²)", "Leie (kr/m²/år)", "Type lokale", "Adresse"])
    assert set(found) == {"size_m2", "rent_nok_m2_year", "type", "address"}
    assert match_columns(["Størrelse", "Leie", "Kontaktperson", "Ledig fra"]) == {
        "size_m2": "Størrelse",
        "rent_nok_m2_year": "Leie",
        "contact": "Kontaktperson",
        "available_from": "Ledig fra",
    }


def test_demonstration_freshness_is_judged_against_the_data_date(exported):
    """A demonstration listing is not stale just because today is later than the
    data's as-of date; a real listing of the same age is."""
    from layers.demo import AS_OF

    _store, listings = exported
    query = finder.make_query(statuses=list(PREMISES_STATUSES))
    later = date(AS_OF.year + 2, 1, 1)
    positions = list(range(len(listings.frame)))
    demo = finder.records(listings, positions, query, later)
    at_as_of = finder.records(listings, positions, query, AS_OF)
    assert [r["stale"] for r in demo] == [r["stale"] for r in at_as_of]
    assert 0 < sum(r["stale"] for r in demo) < len(demo)
    saved = listings.columns["demonstration"]
    listings.columns["demonstration"] = [False] * len(positions)
    try:
        real = finder.records(listings, positions, query, later)
    finally:
        listings.columns["demonstration"] = saved
    assert all(r["stale"] for r in real)


def test_place_addresses_uses_the_register(book):
    """The lookup the register's "Finn adressen" can use: found, or None."""
    from layers.sources.premises import place_addresses

    found, missing = place_addresses(
        ["Skårersletta 12, 1473 Lørenskog", "Nowhere 1"], book
    )
    assert missing is None and 10.9 < found[0] < 11.1 and 59.8 < found[1] < 60.0
    assert found == tuple(round(v, 6) for v in found)
