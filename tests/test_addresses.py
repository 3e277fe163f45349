"""Kartverket address reading, street keys, address-line parsing and geocoding."""

import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyproj
import pytest
from shapely.geometry import Point

from layers.errors import InputError
from layers.schemas import CRS
from layers.sources.addresses import (
    geocode,
    normalise_street,
    parse_address_line,
    parse_address_lines,
    read_addresses,
)

DATA = Path(__file__).parent / "data" / "addresses"
FIXTURE = DATA / "adresser_3222.csv"
HEADER = "kommunenummer;adressenavn;nummer;bokstav;postnummer;EPSG-kode;Nord;Øst"
# Skårersletta 12, Lørenskog, in EPSG:25833 (north, east).
NORD, OST = "6650102.92", "273942.58"


def _csv(tmp_path, *rows, header=HEADER, name="adresser.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _book(*rows):
    """Address book like read_addresses: (street, number, letter, postcode, x, y)."""
    frame = pd.DataFrame(
        [r[:4] for r in rows], columns=["street", "number", "letter", "postcode"]
    )
    frame["kommunenummer"] = "3222"
    frame["key"] = frame["street"].map(normalise_street)
    points = [Point(r[4], r[5]) for r in rows]
    return gpd.GeoDataFrame(frame, geometry=points, crs=CRS)


def _lonlat(geom):
    return round(geom.x, 5), round(geom.y, 5)


# ------------------------------------------------------------------ read_addresses


def test_fixture_reads_all_street_addresses():
    """The fixture yields its nine street addresses; the matrikkeladresse is skipped."""
    gdf = read_addresses(FIXTURE)
    assert len(gdf) == 9
    assert gdf.crs == CRS
    assert list(gdf.columns) == [
        "street",
        "number",
        "letter",
        "postcode",
        "kommunenummer",
        "key",
        "geometry",
    ]


def test_bom_does_not_hide_first_column():
    """The BOM before the header does not spoil the first column name."""
    assert FIXTURE.read_bytes().startswith(b"\xef\xbb\xbf")
    assert read_addresses(FIXTURE)["kommunenummer"].iloc[0] == "3222"


def test_rows_in_25833_and_25832_land_on_the_same_place():
    """A 25832 row and 25833 rows are both converted to the right lon/lat."""
    gdf = read_addresses(FIXTURE).set_index("street")
    assert _lonlat(gdf.geometry["Solheimveien"]) == (10.95833, 59.9275)  # 25832
    assert _lonlat(gdf.geometry["Sykehusveien"]) == (10.99611, 59.93306)  # 25833


def test_kommune_filter_drops_neighbours():
    """kommune='3222' drops the Rælingen row."""
    gdf = read_addresses(FIXTURE, kommune="3222")
    assert set(gdf["kommunenummer"]) == {"3222"}
    assert "Rælingsveien" not in set(gdf["street"])


def test_letter_is_upper_case_or_empty():
    """bokstav becomes an upper-case letter, or "" when absent."""
    gdf = read_addresses(FIXTURE)
    assert sorted(gdf.loc[gdf["street"] == "Skårersletta", "letter"]) == ["", "", "B"]


def test_lowercase_mirror_columns_are_accepted(tmp_path):
    """Columns epsg/nord/øst in lower case (iaasen mirror) are found."""
    header = (
        "adresseId;kommunenummer;adressenavn;nummer;bokstav;epsg;nord;øst;postnummer"
    )
    path = _csv(
        tmp_path, f"1;3222;Skårersletta;12;;25833;{NORD};{OST};1473", header=header
    )
    assert _lonlat(read_addresses(path).geometry.iloc[0]) == (10.9545, 59.9262)


def test_postcode_is_zero_padded(tmp_path):
    """A postcode written without its leading zero becomes four digits."""
    path = _csv(tmp_path, f"0301;Ulvenveien;1;;985;25833;{NORD};{OST}")
    assert read_addresses(path)["postcode"].iloc[0] == "0985"


def test_epsg_4258_is_read_as_lat_lon(tmp_path):
    """With EPSG 4258, Nord is latitude and Øst longitude."""
    path = _csv(tmp_path, "3222;Skårersletta;12;;1473;4258;59.9262;10.9545")
    assert _lonlat(read_addresses(path).geometry.iloc[0]) == (10.9545, 59.9262)


def test_zip_with_one_csv_is_read(tmp_path):
    """A .zip holding the CSV reads like the CSV itself."""
    path = tmp_path / "Basisdata_3222_Lorenskog_25833_MatrikkelenAdresse_CSV.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.write(FIXTURE, "matrikkelenAdresse.csv")
    assert len(read_addresses(path)) == 9


def test_missing_column_names_file_and_field(tmp_path):
    """A file without the Nord column fails naming the file and Nord."""
    header = "kommunenummer;adressenavn;nummer;bokstav;postnummer;EPSG-kode;Øst"
    path = _csv(tmp_path, f"3222;Skårersletta;12;;1473;25833;{OST}", header=header)
    with pytest.raises(InputError, match=r"adresser\.csv.*field 'Nord'"):
        read_addresses(path)


def test_non_numeric_coordinate_names_row_and_field(tmp_path):
    """A non-numeric Øst on the second row is reported with row 2 and the field."""
    path = _csv(
        tmp_path,
        f"3222;Skårersletta;12;;1473;25833;{NORD};{OST}",
        f"3222;Skårersletta;14;;1473;25833;{NORD};øst",
    )
    with pytest.raises(InputError, match=r"adresser\.csv, row 2, field 'Øst'"):
        read_addresses(path)


def test_unknown_epsg_names_row_and_field(tmp_path):
    """An EPSG code pyproj does not know is reported with its row."""
    path = _csv(tmp_path, f"3222;Skårersletta;12;;1473;99999;{NORD};{OST}")
    with pytest.raises(InputError, match=r"row 1, field 'EPSG-kode'.*99999"):
        read_addresses(path)


def test_swapped_north_east_is_detected(tmp_path):
    """Nord and Øst written the other way round are reported as swapped."""
    path = _csv(tmp_path, f"3222;Skårersletta;12;;1473;25833;{OST};{NORD}")
    with pytest.raises(InputError, match=r"row 1.*swapped"):
        read_addresses(path)


def test_non_integer_house_number_is_rejected(tmp_path):
    """A house number like '12B' in the nummer column is an error."""
    path = _csv(tmp_path, f"3222;Skårersletta;12B;;1473;25833;{NORD};{OST}")
    with pytest.raises(InputError, match=r"row 1, field 'nummer'"):
        read_addresses(path)


# ---------------------------------------------------------------- normalise_street


def test_normalise_is_case_and_accent_insensitive():
    """Case and non-Norwegian accents do not change the key."""
    assert normalise_street("SOLHEIMVEIEN") == normalise_street("Solheimveien")
    assert normalise_street("Müllers gate") == normalise_street("Mullers gate")
    assert normalise_street("Rue de Café") == "ruedecafe"


def test_normalise_keeps_norwegian_letters_distinct():
    """æ, ø and å are kept (Bø is not Bo); ä and ö count as æ and ø."""
    assert normalise_street("Skårersletta") != normalise_street("Skarersletta")
    assert normalise_street("Bøveien") != normalise_street("Boveien")
    assert normalise_street("Sörli gata") == normalise_street("Sørligata")


def test_normalise_expands_abbreviations():
    """gt. -> gata, vn./v. -> veien."""
    assert normalise_street("Storgt.") == normalise_street("Storgata")
    assert normalise_street("Solheimvn.") == normalise_street("Solheimveien")
    assert normalise_street("Solheimv.") == normalise_street("Solheimveien")


def test_normalise_treats_vei_and_veg_alike():
    """vei, veg, vegen and veien give one key."""
    keys = {normalise_street(s) for s in ("Losbyvei", "Losbyveg", "Losbyvegen")}
    assert keys == {normalise_street("Losbyveien")}


def test_normalise_collapses_spaces_hyphens_and_dots():
    """Spacing, hyphens and dots do not matter."""
    assert normalise_street(" Karl-Johans  gate ") == normalise_street(
        "Karl Johans gate"
    )
    assert normalise_street("St. Olavs gate") == normalise_street("St Olavs gate")


def test_normalise_leaves_havn_alone():
    """A word ending in 'avn' is not read as the abbreviation 'vn'."""
    assert normalise_street("Nyhavn") == "nyhavn"


def test_normalise_missing_is_empty():
    """None gives an empty key."""
    assert normalise_street(None) == ""


# -------------------------------------------------------------- parse_address_line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Skårersletta 12B", ("Skårersletta", 12, "B")),
        ("Skårersletta 12 B", ("Skårersletta", 12, "B")),
        ("Solheimveien 85", ("Solheimveien", 85, "")),
        ("Hasselveien 6, 2. etg", ("Hasselveien", 6, "")),
        ("Gamleveien 88a", ("Gamleveien", 88, "A")),
        ("c/o Regnskap AS, Skårersletta 55", ("Skårersletta", 55, "")),
        ("Sykehusveien 25 Bygg 3", ("Sykehusveien", 25, "")),
        ("Postboks 304", ("Postboks 304", None, "")),
        ("Losbyveien", ("Losbyveien", None, "")),
    ],
)
def test_parse_address_line(text, expected):
    """Street, number and letter are split as expected."""
    assert parse_address_line(text) == expected


def test_parse_address_lines_matches_scalar_version():
    """The vectorised parser agrees with parse_address_line."""
    texts = ["Skårersletta 12 B", "Postboks 304", "c/o X\nGamleveien 88", None]
    got = parse_address_lines(pd.Series(texts))
    expected = [parse_address_line(t) for t in texts]
    number = [None if pd.isna(n) else int(n) for n in got["number"]]
    assert list(zip(got["street"], number, got["letter"], strict=True)) == expected


# ------------------------------------------------------------------------- geocode


BOOK = _book(
    ("Skårersletta", 12, "", "1473", 10.9545, 59.9262),
    ("Skårersletta", 12, "B", "1473", 10.9549, 59.9263),
    ("Storgata", 1, "", "1470", 10.95, 59.93),
    ("Storgata", 1, "", "2000", 11.05, 59.95),
)


def _place(lines, postcodes=None):
    frame = pd.DataFrame(
        {"adr": lines, "pnr": postcodes or [""] * len(lines)},
        index=range(10, 10 + len(lines)),
    )
    return geocode(frame, BOOK, street_col="adr", postcode_col="pnr")


def test_geocode_matches_number_and_letter():
    """'Skårersletta 12B' lands on the 12B point, not on 12."""
    assert _lonlat(_place(["Skårersletta 12B"]).iloc[0]) == (10.9549, 59.9263)


def test_geocode_falls_back_to_number_without_letter():
    """A letter that does not exist falls back to the plain number."""
    assert _lonlat(_place(["Skårersletta 12C"]).iloc[0]) == (10.9545, 59.9262)


def test_geocode_uses_postcode_as_tie_break():
    """The same street and number in two postcodes is settled by the postcode."""
    got = _place(["Storgata 1", "Storgata 1"], ["2000", "1470"])
    assert [_lonlat(g) for g in got] == [(11.05, 59.95), (10.95, 59.93)]


def test_geocode_leaves_ambiguous_address_unplaced():
    """Several candidates and no matching postcode leave the row unplaced."""
    assert _place(["Storgata 1"], ["9999"]).isna().all()


def test_geocode_is_case_and_accent_tolerant():
    """Upper case, abbreviations and spacing still match."""
    got = _place(["SKÅRERSLETTA 12 b", "Storgt. 1"], ["1473", "1470"])
    assert [_lonlat(g) for g in got] == [(10.9549, 59.9263), (10.95, 59.93)]


def test_geocode_unmatched_is_none_and_keeps_index():
    """Unknown streets and post boxes give None; the frame's index is kept."""
    got = _place(["Ukjentveien 3", "Postboks 304", "Skårersletta 12"])
    assert list(got.index) == [10, 11, 12]
    assert list(got.isna()) == [True, True, False]
    assert got.crs == CRS


def test_geocode_does_not_change_inputs():
    """The frame and the address book are left as they were."""
    frame = pd.DataFrame({"adr": ["Skårersletta 12B"], "pnr": ["1473"]})
    before, book_before = frame.copy(), BOOK.copy()
    geocode(frame, BOOK, street_col="adr", postcode_col="pnr")
    pd.testing.assert_frame_equal(frame, before)
    pd.testing.assert_frame_equal(BOOK, book_before)


def test_geocode_fixture_round_trip():
    """Every fixture address finds its own point."""
    book = read_addresses(FIXTURE)
    lines = book["street"] + " " + book["number"].astype(str) + book["letter"]
    frame = pd.DataFrame({"adr": lines, "pnr": book["postcode"]})
    got = geocode(frame, book, street_col="adr", postcode_col="pnr")
    assert got.geom_equals(book.geometry).all()


def test_fixture_points_are_plausible_utm33():
    """Fixture 25833 points lie in Lørenskog's UTM33 window (E 270-280 km)."""
    tr = pyproj.Transformer.from_crs(CRS, 25833, always_xy=True)
    gdf = read_addresses(FIXTURE, kommune="3222")
    east, north = tr.transform(gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy())
    assert ((east > 270_000) & (east < 280_000)).all()
    assert ((north > 6_644_000) & (north < 6_655_000)).all()
