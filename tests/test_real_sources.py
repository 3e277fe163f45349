"""Kartverket's real address file, the download name scheme, and no silent zeros.

The address tests use the exact header of a real 2025 Matrikkelen adresse CSV
(Elverum, 3420; UTF-8 with BOM, CRLF, ``;``). The downloads are served by a local
HTTP server on 127.0.0.1.
"""

import hashlib
import io
import json
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from layers.cli import main
from layers.sources.addresses import read_addresses
from layers.sources.fetch import (
    address_candidates,
    address_file_name,
    ascii_name,
    fetch,
    fetch_addresses,
)

# The header line of Basisdata_3420_Elverum_25833_MatrikkelenAdresse_CSV (2025).
REAL_HEADER = (
    "lokalid;kommunenummer;kommunenavn;adressetype;adressetilleggsnavn;"
    "adressetilleggsnavnKilde;adressekode;adressenavn;nummer;bokstav;gardsnummer;"
    "bruksnummer;festenummer;undernummer;adresseTekst;"
    "adresseTekstUtenAdressetilleggsnavn;EPSG-kode;Nord;Øst;postnummer;poststed;"
    "grunnkretsnummer;grunnkretsnavn;soknenummer;soknenavn;organisasjonsnummer;"
    "tettstednummer;tettstednavn;valgkretsnummer;valgkretsnavn;oppdateringsdato;"
    "datauttaksdato;adresseId;uuidAdresse;atkomstId;uuidAtkomst;atkomstNord;"
    "atkomstØst;sommeratkomstId;uuidSommeratkomst;sommeratkomstNord;"
    "sommeratkomstØst;vinteratkomstId;uuidVinteratkomst;vinteratkomstNord;"
    "vinteratkomstØst"
)
COLUMNS = REAL_HEADER.split(";")
# A real row of the Elverum sample, as published.
ELVERUM_ROW = (
    "225684445;3420;ELVERUM;vegadresse;;;4200;Helge Væringsaasens veg;9;F;28;621;;;"
    "Helge Væringsaasens veg 9F;Helge Væringsaasens veg 9F;25833;6755237.85;"
    "313574.98;2408;ELVERUM;34200302;Nordleiret vest;03040101;Elverum;876988062;"
    "1121;Elverum;5;Leiret;29.09.2021 19:02:58.043;12.06.2025 09:03:47;225684445;"
    "9fd9c855-e36d-5d2b-93b0-f8ca12587a44;;;;;;;;;;;;"
)


def _row(knr, name, street, number, letter, north, east, postcode="1473"):
    values = dict.fromkeys(COLUMNS, "")
    values.update(
        {
            "lokalid": "300000001",
            "kommunenummer": knr,
            "kommunenavn": name,
            "adressetype": "vegadresse",
            "adressenavn": street,
            "nummer": str(number),
            "bokstav": letter,
            "adresseTekst": f"{street} {number}{letter}",
            "EPSG-kode": "25833",
            "Nord": f"{north:.2f}",
            "Øst": f"{east:.2f}",
            "postnummer": postcode,
            "poststed": name,
            "oppdateringsdato": "29.09.2021 19:02:58.043",
            "datauttaksdato": "12.06.2025 09:03:47",
        }
    )
    return ";".join(values[c] for c in COLUMNS)


LORENSKOG_ROWS = (
    _row("3222", "LØRENSKOG", "Skårersletta", 12, "", 6650102.92, 273942.58),
    _row("3222", "LØRENSKOG", "Hasselveien", 6, "", 6649650.10, 273650.40, "1470"),
)
LILLESTROM_ROW = _row(
    "3205", "LILLESTRØM", "Storgata", 1, "", 6653500.0, 278500.0, "2000"
)


def real_format(rows):
    """The bytes of an address CSV exactly as Kartverket writes it."""
    text = "\r\n".join([REAL_HEADER, *rows]) + "\r\n"
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def zipped(name, data):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)
    return out.getvalue()


def test_real_header_with_bom_and_crlf_is_read(tmp_path):
    """The real file's columns, BOM and CRLF: a real Elverum row is placed."""
    path = tmp_path / "Basisdata_3420_Elverum_25833_MatrikkelenAdresse.csv"
    path.write_bytes(real_format([ELVERUM_ROW, *LORENSKOG_ROWS]))
    book = read_addresses(path, kommune="3420")
    assert len(book) == 1
    row = book.iloc[0]
    assert (row["street"], row["number"], row["letter"]) == (
        "Helge Væringsaasens veg",
        9,
        "F",
    )
    assert row["postcode"] == "2408"
    assert 11.55 < row.geometry.x < 11.58 and 60.88 < row.geometry.y < 60.90
    assert len(read_addresses(path, kommune="3222")) == 2


def test_fixture_uses_the_real_header():
    """The address fixture of the other tests has the real file's exact header."""
    fixture = Path(__file__).parent / "data" / "addresses" / "adresser_3222.csv"
    raw = fixture.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf" + REAL_HEADER.encode() + b"\r\n")
    assert "fylkesnummer" not in COLUMNS and "stedfestingVerifisert" not in COLUMNS


# ---------------------------------------------------------------- name scheme


def test_file_names_follow_geonorge():
    """Kommune and county files, names without diacritics."""
    assert ascii_name("Lørenskog") == "Lorenskog"
    assert ascii_name("Ås") == "As"
    assert address_file_name("32", "Akershus") == (
        "Basisdata_32_Akershus_25833_MatrikkelenAdresse_CSV.zip"
    )
    urls = address_candidates("3222", base="http://x/")
    assert urls == [
        (
            "http://x/Basisdata_3222_Lorenskog_25833_MatrikkelenAdresse_CSV.zip",
            "kommune",
        ),
        ("http://x/Basisdata_32_Akershus_25833_MatrikkelenAdresse_CSV.zip", "county"),
    ]


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Matrikkelen - Adresse CSV</title>
  <entry>
    <title>Basisdata_3220_Enebakk_25833_MatrikkelenAdresse_CSV</title>
    <link href="{base}/feedfiles/Basisdata_3220_Enebakk_25833_MatrikkelenAdresse_CSV.zip"/>
  </entry>
  <entry>
    <title>Basisdata_3222_Lorenskog_25833_MatrikkelenAdresse_CSV</title>
    <link rel="alternate"
      href="{base}/feedfiles/Basisdata_3222_Lorenskog_25833_MatrikkelenAdresse_CSV.zip"/>
  </entry>
</feed>
"""


class Geonorge(BaseHTTPRequestHandler):
    """Serves what the test puts in ``files`` (path -> bytes); 404 otherwise."""

    files: dict = {}
    seen: list = []

    def do_GET(self):
        self.seen.append((self.path, self.headers.get("Accept")))
        body = self.files.get(self.path)
        if callable(body):
            body = body(self)
        if body is None:
            self.send_error(404)
            return
        if isinstance(body, int):
            self.send_error(body)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        """Quiet."""


@pytest.fixture
def geonorge(monkeypatch):
    for var in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.upper(), raising=False)
    monkeypatch.setenv("no_proxy", "*")
    Geonorge.files, Geonorge.seen = {}, []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Geonorge)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


COUNTY = "/csv/Basisdata_32_Akershus_25833_MatrikkelenAdresse_CSV.zip"
KOMMUNE = "/csv/Basisdata_3222_Lorenskog_25833_MatrikkelenAdresse_CSV.zip"


def test_falls_back_to_the_county_file(geonorge, tmp_path):
    """No kommune file and no feed: the county file is fetched."""
    Geonorge.files = {
        COUNTY: zipped("adresser.csv", real_format([*LORENSKOG_ROWS, LILLESTROM_ROW]))
    }
    path, url, scope = fetch_addresses(
        "3222", dest_dir=tmp_path, base=f"{geonorge}/csv/", atom=f"{geonorge}/atom.xml"
    )
    assert scope == "county" and url.endswith(COUNTY)
    assert [p for p, _ in Geonorge.seen] == ["/atom.xml", KOMMUNE, COUNTY]
    assert len(read_addresses(path, kommune="3222")) == 2


def test_kommune_file_is_preferred(geonorge, tmp_path):
    """When the kommune file exists it is used, not the county's."""
    Geonorge.files = {
        KOMMUNE: zipped("a.csv", real_format(LORENSKOG_ROWS)),
        COUNTY: b"not used",
    }
    _, url, scope = fetch_addresses(
        "3222", dest_dir=tmp_path, base=f"{geonorge}/csv/", atom=""
    )
    assert (scope, url) == ("kommune", f"{geonorge}{KOMMUNE}")


def test_atom_feed_resolves_the_names(geonorge, tmp_path):
    """The Atom feed's link for the kommune is followed (another folder here)."""
    feed_path = "/feedfiles/Basisdata_3222_Lorenskog_25833_MatrikkelenAdresse_CSV.zip"
    Geonorge.files = {
        "/atom.xml": ATOM.format(base=geonorge).encode(),
        feed_path: zipped("a.csv", real_format(LORENSKOG_ROWS)),
    }
    _, url, scope = fetch_addresses(
        "3222", dest_dir=tmp_path, base=f"{geonorge}/csv/", atom=f"{geonorge}/atom.xml"
    )
    assert (scope, url) == ("kommune", f"{geonorge}{feed_path}")
    assert KOMMUNE not in [p for p, _ in Geonorge.seen]


def test_brreg_download_sends_the_registers_accept_header(geonorge, tmp_path):
    """The bulk endpoint wants its own media type; a plain request gets 400."""
    wanted = "application/vnd.brreg.enhetsregisteret.underenhet.v2+gzip;charset=UTF-8"
    Geonorge.files = {
        "/lastned": lambda h: b"[]" if h.headers.get("Accept") == wanted else 400
    }
    path = fetch("brreg", url=f"{geonorge}/lastned", dest_dir=tmp_path)
    assert path.read_bytes() == b"[]"
    assert Geonorge.seen == [("/lastned", wanted)]


# ---------------------------------------------------------- no silent zeros


def _sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def store_copy(tmp_path, default_store):
    path = tmp_path / "store" / "store.gpkg"
    path.parent.mkdir()
    path.write_bytes(Path(default_store).read_bytes())
    return path


def test_addresses_of_another_kommune_are_refused(tmp_path, store_copy, capsys):
    """Importing Elverum's file for Lørenskog reads 0 addresses: exit 2, no change."""
    path = tmp_path / "elverum.csv"
    path.write_bytes(real_format([ELVERUM_ROW]))
    before = _sha(store_copy)
    assert main(["import", "addresses", str(path), "--store", str(store_copy)]) == 2
    err = capsys.readouterr().err
    assert "read 0 addresses for kommune 3222" in err and "Wrong kommune" in err
    assert _sha(store_copy) == before


def test_addresses_import_then_establishments_use_them(tmp_path, store_copy, capsys):
    """import addresses stores the layer; establishments are then placed by it."""
    addresses = tmp_path / "adresser.csv"
    addresses.write_bytes(real_format(LORENSKOG_ROWS))
    s = str(store_copy)
    assert main(["import", "addresses", str(addresses), "--store", s]) == 0
    units = tmp_path / "underenheter.json"
    units.write_text(
        json.dumps(
            [
                {
                    "organisasjonsnummer": "900000001",
                    "navn": "TEST AS",
                    "naeringskode1": {"kode": "62.100"},
                    "harRegistrertAntallAnsatte": True,
                    "beliggenhetsadresse": {
                        "adresse": ["Hasselveien 6"],
                        "postnummer": "1470",
                        "kommunenummer": "3222",
                    },
                }
            ]
        )
    )
    assert main(["import", "establishments", str(units), "--store", s]) == 0
    err = capsys.readouterr().err
    assert "kept 1" in err and "placed 1" in err and "estimated: 1" in err
    assert main(["stats", "--store", s, "--format", "json"]) == 0
    total = json.loads(capsys.readouterr().out)[-1]
    assert (total["establishments"], total["jobs"], total["jobs_estimated"]) == (
        1,
        2,
        2,
    )
    assert total["industry_standard"] == ["SN2025"]


def test_establishments_of_another_kommune_are_refused(tmp_path, store_copy, capsys):
    """A file with no unit in the kommune keeps 0: exit 2 saying why, no change."""
    units = tmp_path / "underenheter.json"
    units.write_text(
        json.dumps(
            [
                {
                    "organisasjonsnummer": "900000001",
                    "beliggenhetsadresse": {"kommunenummer": "3420"},
                }
            ]
        )
    )
    addresses = tmp_path / "adresser.csv"
    addresses.write_bytes(real_format(LORENSKOG_ROWS))
    before = _sha(store_copy)
    code = main(
        [
            "import",
            "establishments",
            str(units),
            "--addresses",
            str(addresses),
            "--store",
            str(store_copy),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "kept 0 establishments" in err and "1 elsewhere" in err
    assert "outside the kommune 1" in err
    assert _sha(store_copy) == before


def test_establishments_none_placed_are_refused(tmp_path, store_copy, capsys):
    """Units in the kommune but on no address of the register: exit 2."""
    units = tmp_path / "underenheter.json"
    units.write_text(
        json.dumps(
            [
                {
                    "organisasjonsnummer": "900000001",
                    "beliggenhetsadresse": {
                        "adresse": ["Finnesikkeveien 99"],
                        "kommunenummer": "3222",
                    },
                }
            ]
        )
    )
    addresses = tmp_path / "adresser.csv"
    addresses.write_bytes(real_format(LORENSKOG_ROWS))
    code = main(
        [
            "import",
            "establishments",
            str(units),
            "--addresses",
            str(addresses),
            "--store",
            str(store_copy),
        ]
    )
    assert code == 2
    assert "placed 0 of the 1 establishments" in capsys.readouterr().err


def test_demonstration_addresses_do_not_place_real_units(tmp_path, store_copy, capsys):
    """Without --addresses and only the demonstration's register: told what to do."""
    units = tmp_path / "underenheter.json"
    units.write_text("[]")
    code = main(["import", "establishments", str(units), "--store", str(store_copy)])
    assert code == 2
    assert "fetch addresses" in capsys.readouterr().err


def test_replace_premises_with_an_empty_file_is_refused(tmp_path, store_copy, capsys):
    """import premises --replace with no rows would empty the register: exit 2."""
    path = tmp_path / "lokaler.csv"
    path.write_text("tittel;adresse;type;areal_m2;lat;lon\n", encoding="utf-8")
    before = _sha(store_copy)
    code = main(
        ["import", "premises", str(path), "--replace", "--store", str(store_copy)]
    )
    assert code == 2
    assert "no listings" in capsys.readouterr().err
    assert _sha(store_copy) == before
