"""Tests of the premises importer (layers.sources.premises)."""

from datetime import UTC, date, datetime
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
from shapely.geometry import Point

from layers.errors import InputError
from layers.schemas import CRS, SCHEMAS
from layers.sources.premises import (
    check_url,
    normalise_status,
    normalise_type,
    parse_date,
    parse_number,
    read_premises,
)

DATA = Path(__file__).parent / "data" / "premises"
NOW = datetime(2025, 1, 15, 9, 30, tzinfo=UTC)
HEADER = (
    "tittel",
    "adresse",
    "lat",
    "lon",
    "type",
    "areal_m2",
    "leie_kr_m2_aar",
    "ledig_fra",
    "status",
    "kontakt",
    "lenke",
)
GOOD = {
    "tittel": "Kontor A",
    "adresse": "Skårersletta 12B",
    "lat": "59,93",
    "lon": "10,95",
    "type": "kontor",
    "areal_m2": "250",
    "leie_kr_m2_aar": "1 800",
    "ledig_fra": "01.03.2025",
    "status": "ledig",
    "kontakt": "Ola Nordmann",
    "lenke": "https://example.no/a",
}


def write_csv(tmp_path, *rows, header=HEADER, name="lokaler.csv"):
    """Write a semicolon CSV of GOOD rows updated with ``rows``; return its path."""
    lines = [";".join(header)]
    lines += [";".join({**GOOD, **row}.get(c, "") for c in header) for row in rows]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_error(path, **kwargs):
    """Return the InputError raised when reading ``path``."""
    with pytest.raises(InputError) as info:
        read_premises(path, now=NOW, **kwargs)
    return info.value


def register():
    """A two-address register as layers.sources.addresses.read_addresses returns it."""
    return gpd.GeoDataFrame(
        {
            "street": ["Skårersletta", "Solheimveien"],
            "number": [12, 4],
            "letter": ["B", ""],
            "postcode": ["1473", "1473"],
            "kommunenummer": ["3222", "3222"],
        },
        geometry=[Point(10.9584, 59.9276), Point(10.9600, 59.9290)],
        crs=CRS,
    )


def test_bom_semicolon_csv_with_decimal_commas():
    """A UTF-8 BOM semicolon file with "1 250,5" and "1.150,50" is read."""
    gdf = read_premises(DATA / "lokaler_semikolon_bom.csv", now=NOW)
    assert list(gdf.columns) == [*SCHEMAS["premises"], "geometry"]
    assert gdf["title"].tolist() == ["Kontor i Lørenskog sentrum", "Lager ved Visperud"]
    assert gdf["size_m2"].tolist() == [1250.5, 800.0]
    assert gdf["rent_nok_m2_year"].tolist() == [2150.0, 1150.5]
    assert gdf["type"].tolist() == ["kontor", "lager/logistikk"]
    assert gdf["address"][1] == "Visperudveien 5; bygg C"
    assert gdf.crs == CRS and gdf.geometry[0].equals(Point(10.9584, 59.9276))


def test_dates_and_immediate_availability():
    """DD.MM.YYYY becomes ISO; "umiddelbart" becomes today's date."""
    gdf = read_premises(DATA / "lokaler_semikolon_bom.csv", now=NOW)
    assert gdf["available_from"].tolist() == ["2025-03-01", "2025-01-15"]


def test_cp1252_comma_csv_with_english_headers(tmp_path):
    """A Windows-1252 comma file with English headers keeps æøå."""
    path = tmp_path / "premises.csv"
    path.write_text(
        "Title,Address,Lat,Lon,Type,Size_m2,Rent_NOK_m2_year,Available_from,Status\n"
        'Butikk på Løvenstad,Storgata 1,59.93,10.95,retail,"1 250,5",,2025-04-01,'
        "Available\n",
        encoding="cp1252",
    )
    gdf = read_premises(path, now=NOW)
    assert gdf["title"][0] == "Butikk på Løvenstad"
    assert (gdf["type"][0], gdf["status"][0]) == ("handel", "ledig")
    assert gdf["size_m2"][0] == 1250.5


def test_xlsx_with_excel_dates(tmp_path):
    """An XLSX workbook with numeric cells and a date cell is read."""
    book = openpyxl.Workbook()
    book.active.append(["tittel", "lat", "lon", "type", "areal_m2", "ledig_fra", "id"])
    book.active.append(["Lab", 59.93, 10.99, "Lab", 420, datetime(2025, 6, 1), 17])
    path = tmp_path / "lokaler.xlsx"
    book.save(path)
    gdf = read_premises(path, now=NOW)
    assert gdf["available_from"][0] == "2025-06-01"
    assert (gdf["premises_id"][0], gdf["type"][0]) == ("17", "helse/lab")


def test_geojson_points():
    """GeoJSON point features are read with their properties and ids."""
    gdf = read_premises(DATA / "lokaler.geojson", now=NOW)
    assert gdf["premises_id"].tolist() == ["ahus-1", "fjh-7"]
    assert gdf["size_m2"].tolist() == [420.0, 2000.0]
    assert gdf.geometry[1].equals(Point(11.0020, 59.9330))


def test_missing_status_means_ledig(tmp_path):
    """A file without a status column gives status "ledig"."""
    header = tuple(c for c in HEADER if c != "status")
    gdf = read_premises(write_csv(tmp_path, {}, header=header), now=NOW)
    assert gdf["status"][0] == "ledig"


def test_updated_at_defaults_to_now_in_utc(tmp_path):
    """Without an "oppdatert" column, updated_at is ``now`` as ISO UTC."""
    gdf = read_premises(write_csv(tmp_path, {}), now=NOW)
    assert gdf["updated_at"][0] == "2025-01-15T09:30:00Z"


def test_updated_at_from_file_is_converted_to_utc(tmp_path):
    """An "oppdatert" value with an offset is written in UTC."""
    path = write_csv(
        tmp_path,
        {"oppdatert": "2024-12-01T10:00:00+01:00"},
        header=(*HEADER, "oppdatert"),
    )
    assert read_premises(path, now=NOW)["updated_at"][0] == "2024-12-01T09:00:00Z"


def test_derived_ids_are_stable(tmp_path):
    """Rows without an id get the same 12-hex id on every import."""
    path = write_csv(tmp_path, {}, {"tittel": "Kontor B"})
    first = read_premises(path, now=NOW)["premises_id"].tolist()
    again = read_premises(path, now=datetime(2026, 1, 1))["premises_id"].tolist()
    assert first == again and first[0] != first[1]
    assert all(len(i) == 12 and int(i, 16) >= 0 for i in first)


def test_places_by_address_with_the_real_register(tmp_path):
    """Rows without lat/lon are placed through layers.sources.addresses.geocode."""
    path = write_csv(tmp_path, {"lat": "", "lon": "", "adresse": "Skårersletta 12B"})
    gdf = read_premises(path, addresses=register(), now=NOW)
    assert gdf.geometry[0].equals(Point(10.9584, 59.9276))


def test_register_may_be_given_as_a_file(tmp_path):
    """A Kartverket address CSV path is read with layers.sources.addresses."""
    book = tmp_path / "adresser.csv"
    book.write_text(
        "kommunenummer;adressenavn;nummer;bokstav;postnummer;EPSG-kode;Nord;Øst\n"
        "3222;Skårersletta;12;B;1473;4258;59.9276;10.9584\n",
        encoding="utf-8",
    )
    row = {"lat": "", "lon": "", "adresse": "Skårersletta 12 B, 1473 Lørenskog"}
    gdf = read_premises(write_csv(tmp_path, row), addresses=book, now=NOW)
    assert gdf.geometry[0].distance(Point(10.9584, 59.9276)) < 1e-6


def test_unmatched_address_is_an_error(tmp_path):
    """A well-formed address not in the register is reported on its row."""
    row = {"lat": "", "lon": "", "adresse": "Solheimveien 99"}
    err = import_error(write_csv(tmp_path, row), addresses=register())
    assert (err.row, err.field) == (1, "adresse") and "not found" in str(err)


def test_no_coordinates_and_no_register_is_an_error(tmp_path):
    """A file with addresses only needs an address register."""
    header = tuple(c for c in HEADER if c not in ("lat", "lon"))
    err = import_error(write_csv(tmp_path, {}, header=header))
    assert err.field == "adresse" and "address register" in str(err)


def test_missing_column_is_named(tmp_path):
    """A missing required column is named, with the file."""
    header = tuple(c for c in HEADER if c != "areal_m2")
    err = import_error(write_csv(tmp_path, {}, header=header))
    assert err.field == "areal_m2" and "lokaler.csv" in str(err)


@pytest.mark.parametrize(
    ("row", "field", "fragment"),
    [
        ({"areal_m2": "mange"}, "areal_m2", "expected a number"),
        ({"areal_m2": "0"}, "areal_m2", "greater than 0"),
        ({"areal_m2": "250 000"}, "areal_m2", "implausible"),
        ({"leie_kr_m2_aar": "-5"}, "leie_kr_m2_aar", "greater than 0"),
        ({"leie_kr_m2_aar": "25 000"}, "leie_kr_m2_aar", "implausible"),
        ({"type": "slott"}, "type", "unknown type"),
        ({"status": "solgt"}, "status", "unknown status"),
        ({"ledig_fra": "31.02.2025"}, "ledig_fra", "expected a date"),
        ({"tittel": " "}, "tittel", "title is empty"),
        ({"lat": "10,95", "lon": "59,93"}, "lat/lon", "swapped"),
        ({"lat": "6650000", "lon": "270000"}, "lat/lon", "projected"),
        ({"lat": "48,85", "lon": "2,35"}, "lat/lon", "outside Norway"),
        ({"lat": "59,93", "lon": ""}, "lat/lon", "missing"),
        ({"lenke": "javascript:alert(1)"}, "lenke", "http"),
        ({"lenke": "data:text/html,<b>x</b>"}, "lenke", "http"),
        ({"lenke": "ftp://example.no/x"}, "lenke", "http"),
        ({"kontakt": "Ola\x1b[31m"}, "kontakt", "control character"),
    ],
)
def test_bad_value_names_file_row_and_field(tmp_path, row, field, fragment):
    """Each bad value is reported with the file, the row and the column."""
    err = import_error(write_csv(tmp_path, {"tittel": "OK"}, {**GOOD, **row}))
    assert (err.row, err.field) == (2, field)
    assert fragment in err.message and "lokaler.csv, row 2" in str(err)


def test_duplicate_ids_are_rejected(tmp_path):
    """Two rows with the same id are an error on the second row."""
    header = (*HEADER, "id")
    err = import_error(
        write_csv(tmp_path, {"id": "a"}, {"id": "a", "tittel": "B"}, header=header)
    )
    assert (err.row, err.field) == (2, "id") and "duplicate id" in err.message


def test_same_title_and_address_twice_is_rejected(tmp_path):
    """Two rows without id but with the same title and address collide."""
    err = import_error(write_csv(tmp_path, {}, {}))
    assert err.row == 2 and "duplicate listing" in err.message


def test_all_problems_are_collected(tmp_path):
    """Every bad row is listed in one error; the first is in its attributes."""
    path = write_csv(tmp_path, {"type": "slott"}, {"tittel": "B", "areal_m2": "x"})
    err = import_error(path)
    assert (err.row, err.field) == (1, "type") and len(err.problems) == 2
    assert "row 2, field 'areal_m2'" in err.message


def test_shifted_columns_are_reported(tmp_path):
    """An unquoted decimal comma in a comma file is caught, not misread."""
    path = tmp_path / "p.csv"
    path.write_text("title,lat,lon,type,size_m2\nA,59.93,10.95,kontor,12,5\n")
    assert "header has 5 columns" in import_error(path).message


def test_unsupported_file_type(tmp_path):
    """A file that is not CSV, XLSX or GeoJSON is refused by name."""
    path = tmp_path / "lokaler.pdf"
    path.write_bytes(b"%PDF")
    assert "unsupported file type" in str(import_error(path))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 250,5", 1250.5),
        ("1\u00a0250,5", 1250.5),
        ("1.250,5", 1250.5),
        ("1250.5", 1250.5),
        ("1,250.5", 1250.5),
        ("1 250,-", 1250.0),
        ("", None),
        (420, 420.0),
    ],
)
def test_parse_number(text, expected):
    """Norwegian and English number spellings are parsed."""
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["12 5", "1.2.3", "abc", "5."])
def test_parse_number_rejects_garbage(text):
    """Text that is not a number is refused."""
    with pytest.raises(InputError):
        parse_number(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-01", "2025-03-01"),
        ("1.3.2025", "2025-03-01"),
        ("Straks", "2025-01-15"),
        (None, "2025-01-15"),
        (45717, "2025-03-01"),
    ],
)
def test_parse_date(value, expected):
    """ISO, Norwegian, Excel and "immediately" dates are parsed."""
    assert parse_date(value, today=date(2025, 1, 15)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kontor", "kontor"),
        ("logistikk", "lager/logistikk"),
        ("Warehouse", "lager/logistikk"),
        ("butikk", "handel"),
        ("helse", "helse/lab"),
        ("kontor/lager", "kombinert"),
        ("Lager / Logistikk", "lager/logistikk"),
    ],
)
def test_normalise_type(text, expected):
    """Types and their synonyms map to the known set."""
    assert normalise_type(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Available", "ledig"), ("reserved", "reservert"), ("let", "utleid"),
     ("Withdrawn", "trukket"), ("", "ledig")],
)  # fmt: skip
def test_normalise_status(text, expected):
    """English statuses map to Norwegian; empty is "ledig"."""
    assert normalise_status(text) == expected


def test_check_url_keeps_http_links_verbatim():
    """An https link is returned unchanged apart from surrounding spaces."""
    assert check_url(" https://example.no/a?b=<c> ") == "https://example.no/a?b=<c>"
