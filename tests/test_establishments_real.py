"""Brønnøysund underenheter as the register really publishes them.

The 1-4 rule (no count below 5 employees), a UTF-8 BOM before the JSON, the CSV
download's dotted columns with ``/n`` between address lines, and industry codes
in SN2025 and SN2007 read per record.
"""

import csv
import gzip
import io
import json

import pytest

from layers.errors import InputError
from layers.sources.establishments import (
    SMALL_FIRM_EMPLOYEES,
    nace_section,
    nace_standard_of,
    read_establishments,
)
from tests.test_establishments import ADDRESSES

# The CSV download's columns (…/underenheter/lastned/csv): comma-separated,
# quoted, nested fields flattened with dots.
CSV_HEADER = (
    "organisasjonsnummer",
    "navn",
    "organisasjonsform.kode",
    "organisasjonsform.beskrivelse",
    "registreringsdatoEnhetsregisteret",
    "registrertIMvaregisteret",
    "naeringskode1.kode",
    "naeringskode1.beskrivelse",
    "hjelpeenhetskode.kode",
    "antallAnsatte",
    "harRegistrertAntallAnsatte",
    "overordnetEnhet",
    "oppstartsdato",
    "beliggenhetsadresse.land",
    "beliggenhetsadresse.landkode",
    "beliggenhetsadresse.postnummer",
    "beliggenhetsadresse.poststed",
    "beliggenhetsadresse.adresse",
    "beliggenhetsadresse.kommune",
    "beliggenhetsadresse.kommunenummer",
)


def _unit(orgnr, code, *, employees=None, registered=None, street="Skårersletta 12"):
    """One bulk-file record (API v2 shape); None leaves the field out."""
    rec = {
        "organisasjonsnummer": orgnr,
        "navn": f"TEST {orgnr} AS",
        "organisasjonsform": {"kode": "BEDR"},
        "naeringskode1": {"kode": code, "beskrivelse": "test"},
        "overordnetEnhet": "999999999",
        "oppstartsdato": "2020-01-01",
        "beliggenhetsadresse": {
            "land": "Norge",
            "landkode": "NO",
            "postnummer": "1473",
            "poststed": "LØRENSKOG",
            "adresse": [street],
            "kommune": "LØRENSKOG",
            "kommunenummer": "3222",
        },
    }
    if employees is not None:
        rec["antallAnsatte"] = employees
    if registered is not None:
        rec["harRegistrertAntallAnsatte"] = registered
    return rec


def _bulk(tmp_path, records, *, bom=False, gz=False, name="underenheter.json"):
    data = json.dumps(records, ensure_ascii=False).encode("utf-8")
    if bom:
        data = b"\xef\xbb\xbf" + data
    if gz:
        data = gzip.compress(data)
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _csv(tmp_path, rows):
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow([row.get(c, "") for c in CSV_HEADER])
    path = tmp_path / "underenheter.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


# ------------------------------------------------------------------ the 1-4 rule


def test_registered_without_count_is_the_one_to_four_class(tmp_path):
    """harRegistrertAntallAnsatte true and no antallAnsatte: an estimate of 2."""
    path = _bulk(
        tmp_path,
        [
            _unit("900000001", "47.111", registered=True),
            _unit("900000002", "47.111", registered=False),
            _unit("900000003", "47.111"),
            _unit("900000004", "47.111", employees=12, registered=True),
        ],
    )
    gdf, report = read_establishments(path, ADDRESSES)
    by = gdf.set_index("orgnr")
    assert SMALL_FIRM_EMPLOYEES == 2
    assert by.loc["900000001", "employees"] == SMALL_FIRM_EMPLOYEES
    assert bool(by.loc["900000001", "employees_estimated"])
    assert by.loc["900000002", "employees"] == 0
    assert by.loc["900000003", "employees"] == 0
    assert by.loc["900000004", "employees"] == 12
    assert by["employees_estimated"].tolist() == [True, False, False, False]
    assert report.employees_estimated == 1


def test_csv_flags_are_text_and_address_lines_split_on_slash_n(tmp_path):
    """The CSV's "true"/"false" and a `/n` between address lines are read right."""
    path = _csv(
        tmp_path,
        [
            {
                "organisasjonsnummer": "900000011",
                "navn": "SKÅRER REGNSKAP",
                "organisasjonsform.kode": "BEDR",
                "naeringskode1.kode": "69.201",
                "harRegistrertAntallAnsatte": "true",
                "beliggenhetsadresse.postnummer": "1473",
                "beliggenhetsadresse.adresse": "c/o Skårer Næringsbygg AS/nSkårersletta 55",
                "beliggenhetsadresse.kommunenummer": "3222",
            },
            {
                "organisasjonsnummer": "900000012",
                "naeringskode1.kode": "70.220",
                "antallAnsatte": "7",
                "harRegistrertAntallAnsatte": "true",
                "beliggenhetsadresse.postnummer": "1473",
                "beliggenhetsadresse.adresse": "Skårersletta 12",
                "beliggenhetsadresse.kommunenummer": "3222",
            },
            {
                "organisasjonsnummer": "900000013",
                "naeringskode1.kode": "70.220",
                "harRegistrertAntallAnsatte": "false",
                "beliggenhetsadresse.adresse": "Skårersletta 12",
                "beliggenhetsadresse.kommunenummer": "3222",
            },
        ],
    )
    gdf, report = read_establishments(path, ADDRESSES)
    by = gdf.set_index("orgnr")
    assert (
        by.loc["900000011", "address"] == "c/o Skårer Næringsbygg AS, Skårersletta 55"
    )
    assert by.loc["900000011", "placed"]
    assert by["employees"].tolist() == [2, 7, 0]
    assert report.employees_estimated == 1


def test_bad_flag_names_record_and_field(tmp_path):
    """A harRegistrertAntallAnsatte that is not a yes/no is refused, not guessed."""
    path = _bulk(tmp_path, [_unit("900000001", "47.111", registered="kanskje")])
    with pytest.raises(InputError, match=r"row 1.*harRegistrertAntallAnsatte"):
        read_establishments(path, None)


# ------------------------------------------------------------------------- BOM


@pytest.mark.parametrize("gz", [False, True])
def test_json_with_utf8_bom_is_accepted(tmp_path, gz):
    """A bulk file (plain or gzip) that starts with a UTF-8 BOM is read."""
    path = _bulk(tmp_path, [_unit("900000001", "47.111", employees=5)], bom=True, gz=gz)
    gdf, report = read_establishments(path, ADDRESSES)
    assert (report.read, report.kept, report.placed) == (1, 1, 1)
    assert gdf["name"].tolist() == ["TEST 900000001 AS"]


# ------------------------------------------------------------ SN2025 and SN2007


@pytest.mark.parametrize(
    ("code", "standard"),
    [
        ("45.200", "SN2007"),  # division 45 is gone in SN2025
        ("62.010", "SN2007"),
        ("70.220", "SN2007"),
        ("96.020", "SN2007"),
        ("62.100", "SN2025"),
        ("70.200", "SN2025"),
        ("56.110", "SN2025"),
        ("95.310", "SN2025"),
        ("47.111", ""),  # in both
        ("68.209", ""),
        ("", ""),
    ],
)
def test_standard_of_a_code(code, standard):
    """Codes that exist in one standard only tell the standard."""
    assert nace_standard_of(code) == standard


@pytest.mark.parametrize(
    ("code", "standard", "own", "sn2007"),
    [
        ("62.100", "SN2025", "K", "J"),  # SN2025 splits old J: ICT is K
        ("59.140", "SN2025", "J", "J"),
        ("64.190", "SN2025", "L", "K"),  # later letters shift by one
        ("68.209", "SN2025", "M", "L"),
        ("86.211", "SN2025", "R", "Q"),
        ("99.000", "SN2025", "V", "U"),
        ("95.310", "SN2025", "T", "G"),  # repair of motor vehicles
        ("62.010", "SN2007", "J", "J"),
        ("64.190", "SN2007", "K", "K"),
        ("45.200", "SN2007", "G", "G"),
    ],
)
def test_sections_in_each_standard(code, standard, own, sn2007):
    """Each standard's own letters, and the SN2007 sections the dashboard shows."""
    assert nace_section(code, standard, frame=None) == own
    assert nace_section(code, standard) == sn2007


def test_mixed_file_is_read_per_record(tmp_path):
    """A file with both standards: each code read in its own, sections comparable."""
    path = _bulk(
        tmp_path,
        [
            _unit("900000001", "62.100", employees=5),  # SN2025 only
            _unit("900000002", "62.010", employees=5),  # SN2007 only
            _unit("900000003", "45.200", employees=5),  # SN2007 only
            _unit("900000004", "64.190", employees=5),  # both: the file's majority
        ],
    )
    gdf, report = read_establishments(path, None)
    by = gdf.set_index("orgnr")
    assert by["nace_standard"].tolist() == ["SN2025", "SN2007", "SN2007", "SN2007"]
    assert by["nace_section"].tolist() == ["J", "J", "G", "K"]
    assert (report.nace_sn2025, report.nace_sn2007, report.nace_assumed) == (1, 3, 1)


def test_sn2025_file_reads_shared_codes_as_sn2025(tmp_path):
    """In a file whose codes show SN2025, a code in both standards is SN2025."""
    path = _bulk(
        tmp_path,
        [
            _unit("900000001", "62.100", employees=5),
            _unit("900000002", "70.200", employees=5),
            _unit("900000003", "68.209", employees=5),
        ],
    )
    gdf, report = read_establishments(path, None)
    assert gdf["nace_standard"].tolist() == ["SN2025"] * 3
    assert gdf["nace_section"].tolist() == ["J", "M", "L"]
    assert report.nace_assumed == 1


def test_undecidable_file_uses_default_or_the_given_standard(tmp_path):
    """Only shared codes: SN2025 (what the register serves) unless told."""
    path = _bulk(tmp_path, [_unit("900000001", "68.209", employees=5)])
    gdf, report = read_establishments(path, None)
    assert gdf["nace_standard"].tolist() == ["SN2025"]
    assert report.nace_assumed == 1
    gdf, _ = read_establishments(path, None, nace_standard="SN2007")
    assert gdf["nace_standard"].tolist() == ["SN2007"]
    with pytest.raises(InputError, match="unknown industry standard"):
        read_establishments(path, None, nace_standard="SN94")
