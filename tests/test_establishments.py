"""Brønnøysund underenheter: streaming, filtering, validation and placement."""

import gzip
import json
from pathlib import Path

import pytest

from layers.errors import InputError
from layers.schemas import CRS, SCHEMAS
from layers.sources.addresses import read_addresses
from layers.sources.establishments import (
    EstablishmentsReport,
    iter_underenheter,
    nace_section,
    read_establishments,
)

DATA = Path(__file__).parent / "data"
ARRAY = DATA / "brreg" / "underenheter_3222.json"
PAGE = DATA / "brreg" / "underenheter_page.json"
CSV = DATA / "brreg" / "underenheter_3222.csv"
ADDRESSES = DATA / "addresses" / "adresser_3222.csv"


@pytest.fixture(scope="module")
def book():
    """The Lørenskog address fixture."""
    return read_addresses(ADDRESSES, kommune="3222")


@pytest.fixture(scope="module")
def bulk(book):
    """The JSON-array fixture read for Lørenskog."""
    return read_establishments(ARRAY, book)


def _rec(orgnr="900000001", knr="3222", **extra):
    rec = {
        "organisasjonsnummer": orgnr,
        "navn": "TEST AS",
        "naeringskode1": {"kode": "47.111"},
        "antallAnsatte": 1,
        "beliggenhetsadresse": {
            "adresse": ["Skårersletta 12"],
            "postnummer": "1473",
            "kommunenummer": knr,
        },
    }
    rec.update(extra)
    return rec


def _json(tmp_path, records, name="underenheter.json"):
    path = tmp_path / name
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def _by_orgnr(gdf):
    return gdf.set_index("orgnr")


# ---------------------------------------------------------------------- formats


def test_json_array_report(bulk):
    """The bulk fixture's counts add up as documented."""
    assert bulk[1] == EstablishmentsReport(
        read=10,
        kept=6,
        outside_kommune=1,
        closed=2,
        duplicates=1,
        placed=5,
        unplaced=1,
        nace_sn2007=6,
        nace_assumed=4,
    )


def test_gzip_detected_by_magic_bytes(tmp_path, book):
    """A gzipped array named .json (no .gz) reads like the plain file."""
    path = tmp_path / "underenheter.json"
    path.write_bytes(gzip.compress(ARRAY.read_bytes()))
    gdf, report = read_establishments(path, book)
    assert report.kept == 6
    assert sorted(gdf["orgnr"]) == sorted(read_establishments(ARRAY, book)[0]["orgnr"])


def test_api_page_reads_embedded_underenheter(book):
    """An API page yields its _embedded.underenheter, Rælingen filtered out."""
    gdf, report = read_establishments(PAGE, book)
    assert list(gdf["orgnr"]) == ["900000011", "900000012"]
    assert report.outside_kommune == 1


def test_csv_download_is_read(book):
    """The CSV download gives the same kind of frame, closed and Oslo rows dropped."""
    gdf, report = read_establishments(CSV, book)
    assert list(gdf["orgnr"]) == ["900000021", "900000022"]
    assert (report.closed, report.outside_kommune) == (1, 1)


def test_csv_multi_line_address_is_split_and_placed(book):
    """A c/o line before the street line is kept in address, street line placed."""
    row = _by_orgnr(read_establishments(CSV, book)[0]).loc["900000021"]
    assert row["address"] == "c/o Skårer Næringsbygg AS, Skårersletta 55"
    assert row["placed"]


def test_iter_underenheter_nests_csv_columns():
    """CSV dotted columns come out nested, with adresse as a list of lines."""
    rec = next(iter_underenheter(CSV))
    assert rec["beliggenhetsadresse"]["kommunenummer"] == "3222"
    assert rec["beliggenhetsadresse"]["adresse"] == [
        "c/o Skårer Næringsbygg AS",
        "Skårersletta 55",
    ]


def test_iter_underenheter_streams_before_a_late_error(tmp_path):
    """Records are yielded one by one: the first arrives before a later fault."""
    path = tmp_path / "broken.json"
    path.write_text(json.dumps([_rec()])[:-1] + ', {"organisasjonsnummer": ')
    records = iter_underenheter(path)
    assert next(records)["organisasjonsnummer"] == "900000001"
    with pytest.raises(InputError, match=r"broken\.json, row 2.*invalid JSON"):
        next(records)


# ---------------------------------------------------------------------- filtering


def test_old_kommune_numbers_are_lorenskog(bulk):
    """Records under 3029 and 0230 are kept and keep their own kommunenummer."""
    gdf = _by_orgnr(bulk[0])
    assert gdf.loc["900000003", "kommunenummer"] == "3029"
    assert gdf.loc["900000004", "kommunenummer"] == "0230"


def test_other_kommune_without_aliases(tmp_path):
    """kommune='0301' keeps Oslo only; no aliases apply."""
    path = _json(tmp_path, [_rec("900000001", "0301"), _rec("900000002", "3222")])
    gdf, report = read_establishments(path, None, kommune="0301")
    assert list(gdf["orgnr"]) == ["900000001"]
    assert report.outside_kommune == 1


def test_closed_records_are_dropped(bulk):
    """nedleggelsesdato or slettedato set drops the record."""
    assert not {"900000006", "900000007"} & set(bulk[0]["orgnr"])
    assert bulk[1].closed == 2


def test_duplicates_keep_last_occurrence(bulk):
    """A repeated organisasjonsnummer keeps its last record (14 employees)."""
    gdf = bulk[0]
    assert (gdf["orgnr"] == "900000001").sum() == 1
    assert _by_orgnr(gdf).loc["900000001", "employees"] == 14


def test_last_occurrence_outside_kommune_wins(tmp_path):
    """An establishment that moved out is not kept."""
    path = _json(tmp_path, [_rec("900000001", "3222"), _rec("900000001", "0301")])
    gdf, report = read_establishments(path, None)
    assert gdf.empty
    assert (report.duplicates, report.outside_kommune) == (1, 1)


def test_missing_employees_counts_as_zero(bulk):
    """No antallAnsatte gives 0 employees, still one establishment."""
    assert _by_orgnr(bulk[0]).loc["900000002", "employees"] == 0


def test_zero_records_in_kommune_is_not_an_error(tmp_path):
    """A file with records but none in the kommune gives an empty layer."""
    gdf, report = read_establishments(_json(tmp_path, [_rec(knr="0301")]), None)
    assert gdf.empty and list(gdf.columns) == [*SCHEMAS["establishments"], "geometry"]
    assert (report.read, report.kept) == (1, 0)


# ---------------------------------------------------------------------- placement


def test_unplaced_are_kept_and_counted(bulk):
    """A post-box address is kept with placed False and no geometry."""
    row = _by_orgnr(bulk[0]).loc["900000008"]
    assert not row["placed"] and row.geometry is None
    assert bulk[1].unplaced == 1


def test_letter_fallback_places_on_plain_number(bulk, book):
    """Skårersletta 12C (no such letter) lands on Skårersletta 12."""
    point = _by_orgnr(bulk[0]).loc["900000009"].geometry
    plain = book[(book["street"] == "Skårersletta") & (book["number"] == 12)]
    assert point.equals(plain[plain["letter"] == ""].geometry.iloc[0])


def test_address_file_path_is_accepted(tmp_path):
    """addresses may be the Kartverket file's path instead of a frame."""
    _, report = read_establishments(ARRAY, ADDRESSES)
    assert report.placed == 5


def test_without_addresses_everything_is_unplaced():
    """addresses=None keeps every establishment, none placed."""
    gdf, report = read_establishments(ARRAY, None)
    assert (len(gdf), report.placed, report.unplaced) == (6, 0, 6)


def test_output_conforms_to_schema(bulk):
    """Columns, order, CRS and NACE sections follow the establishments schema."""
    gdf = bulk[0]
    assert list(gdf.columns) == [*SCHEMAS["establishments"], "geometry"]
    assert gdf.crs == CRS
    assert _by_orgnr(gdf).loc["900000004", "nace_section"] == "I"
    assert _by_orgnr(gdf).loc["900000001", "start_date"] == "2011-05-01"


@pytest.mark.parametrize(
    ("code", "section"),
    [
        ("01.110", "A"),
        ("09.101", "B"),
        ("33.120", "C"),
        ("35.111", "D"),
        ("47.111", "G"),
        ("55.101", "I"),
        ("68.209", "L"),
        ("75.000", "M"),
        ("99.000", "U"),
        ("00.000", ""),
        ("04.000", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_nace_section(code, section):
    """Divisions map to SN2007 sections; unknown codes give ''."""
    assert nace_section(code) == section


# ----------------------------------------------------------------------- errors


def test_not_json_or_csv_is_rejected(tmp_path):
    """A text file that is neither JSON nor an underenheter CSV is refused."""
    path = tmp_path / "notater.txt"
    path.write_text("Dette er ikke et register\n")
    with pytest.raises(InputError, match=r"notater\.txt: not an underenheter file"):
        read_establishments(path, None)


def test_empty_array_is_an_error(tmp_path):
    """A file with no records at all is an error."""
    with pytest.raises(InputError, match=r"tom\.json: file holds no underenheter"):
        read_establishments(_json(tmp_path, [], name="tom.json"), None)


def test_record_without_orgnr_names_record_and_field(tmp_path):
    """The second record lacking organisasjonsnummer is reported as row 2."""
    bad = _rec()
    del bad["organisasjonsnummer"]
    path = _json(tmp_path, [_rec(), bad])
    with pytest.raises(
        InputError, match=r"underenheter\.json, row 2, field 'organisasjonsnummer'"
    ):
        read_establishments(path, None)


def test_orgnr_not_nine_digits_is_rejected(tmp_path):
    """An 8-digit organisasjonsnummer is refused."""
    path = _json(tmp_path, [_rec("12345678")])
    with pytest.raises(
        InputError, match=r"row 1, field 'organisasjonsnummer'.*9 digits"
    ):
        read_establishments(path, None)


@pytest.mark.parametrize("value", [-1, 2.5, "mange", True])
def test_bad_employee_count_is_rejected(tmp_path, value):
    """antallAnsatte must be a whole number >= 0."""
    path = _json(tmp_path, [_rec(antallAnsatte=value)])
    with pytest.raises(InputError, match=r"row 1, field 'antallAnsatte'"):
        read_establishments(path, None)


@pytest.mark.parametrize("field", ["oppstartsdato", "nedleggelsesdato", "slettedato"])
def test_bad_date_is_rejected(tmp_path, field):
    """A date that is not YYYY-MM-DD, or not a real day, is refused."""
    path = _json(tmp_path, [_rec(), _rec("900000002", **{field: "2020-13-01"})])
    with pytest.raises(InputError, match=rf"row 2, field '{field}'"):
        read_establishments(path, None)


def test_records_outside_kommune_are_validated_too(tmp_path):
    """A bad record in another kommune still fails the import."""
    path = _json(tmp_path, [_rec("900000001", "0301", oppstartsdato="i går")])
    with pytest.raises(InputError, match=r"field 'oppstartsdato'"):
        read_establishments(path, None)


def test_csv_bad_employee_count_names_row(tmp_path):
    """CSV rows are numbered like records (header excluded)."""
    path = tmp_path / "underenheter.csv"
    path.write_text(
        '"organisasjonsnummer","antallAnsatte","beliggenhetsadresse.kommunenummer"\n'
        '"900000001","3","3222"\n"900000002","tre","3222"\n',
        encoding="utf-8",
    )
    with pytest.raises(
        InputError, match=r"underenheter\.csv, row 2, field 'antallAnsatte'"
    ):
        read_establishments(path, None)
