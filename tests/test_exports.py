"""The meeting pack: HTML map, PDF profiles, XLSX tables and the export CLI."""

import io
import re
import zipfile

import flask
import geopandas as gpd
import openpyxl
import pytest
from pypdf import PdfReader
from shapely.geometry import box

from components.export_cli import register_cli
from components.exports import (
    ExportError,
    area_name,
    check_offline,
    figure_text,
    html_map,
    jobs_by_section,
    nace_label,
    pdf_profiles,
    read_layers,
    xlsx_area,
    xlsx_comparison,
)
from components.i18n import STRINGS
from components.i18n.map import section_name
from layers.schemas import AREA_IDS, CRS
from layers.stats import store_figures
from layers.store import GeoPackageStore
from tests.conftest import square_centre

XSS = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://x")'
DEMO = {"source": "Testkilde", "as_of": "2024-05-01", "demonstration": True}


def _gdf(rows):
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def _establishments():
    rows = []
    for k, _area in enumerate(AREA_IDS):
        for j in range(k + 1):
            rows.append(
                {
                    "orgnr": f"9{k}{j:07d}",
                    "name": f"Firma {k}-{j}",
                    "parent_orgnr": "",
                    "nace": "47.110",
                    "nace_section": "GCQ"[j % 3],
                    "nace_standard": "SN2007",
                    "employees": 1234 * (k + 1) + j,
                    "employees_estimated": False,
                    "org_form": "AS",
                    "start_date": "2001-01-01",
                    "address": "Gate 1",
                    "postcode": "1470",
                    "kommunenummer": "3222",
                    "placed": True,
                    "geometry": square_centre(k),
                }
            )
    unplaced = dict(rows[0], orgnr="999999999", placed=False, geometry=None)
    return _gdf(rows + [unplaced])


def _premises():
    base = {
        "address": "Gate 2",
        "type": "kontor",
        "available_from": "2025-01-01",
        "status": "ledig",
        "contact": "+47 1234",
        "url": "https://example.org/p",
        "updated_at": "2025-01-01T00:00:00Z",
    }
    rows = [
        dict(base, premises_id="p1", title=XSS, size_m2=1250.5, rent_nok_m2_year=1850),
        dict(base, premises_id="p2", title=FORMULA, size_m2=300, rent_nok_m2_year=900),
        dict(base, premises_id="p3", title="Utleid", size_m2=10, rent_nok_m2_year=1),
    ]
    rows[0]["geometry"] = square_centre(0)
    rows[1]["geometry"] = square_centre(3)
    rows[2].update(geometry=square_centre(3), status="utleid")
    return _gdf(rows)


def _stops():
    return _gdf(
        [
            {
                "stop_id": f"NSR:{k}",
                "name": f"Stopp {k}",
                "lines": "25,300",
                "departures_peak_hour": 12.0,
                "departures_day": 100,
                "geometry": square_centre(k),
            }
            for k in range(len(AREA_IDS))
        ]
    )


def build_store(path, areas):
    """Write a tiny store with every layer the exports use and return it."""
    boundary = _gdf(
        [
            {
                "kommunenummer": "3222",
                "kommunenavn": "Lørenskog",
                "geometry": box(10.89, 59.89, 11.03, 59.92),
            }
        ]
    )
    neighbours = _gdf(
        [
            {
                "kommunenummer": "0301",
                "kommunenavn": "Oslo",
                "geometry": box(10.8, 59.89, 10.89, 59.92),
            }
        ]
    )
    s = GeoPackageStore(path)
    s.replace_layers(
        {
            "areas": (areas, DEMO),
            "boundary": (boundary, {"source": "Kartverket", "as_of": "2024-01-16"}),
            "neighbours": (neighbours, {"source": "Kartverket"}),
            "establishments": (_establishments(), DEMO),
            "premises": (_premises(), DEMO),
            "transit_stops": (_stops(), DEMO),
        }
    )
    return s


@pytest.fixture
def store(tmp_path, six_squares):
    """A tiny store with every layer the exports use."""
    return build_store(tmp_path / "s.gpkg", six_squares)


@pytest.fixture
def pack(store):
    """The layers and figures of the tiny store."""
    return read_layers(store), store_figures(store)


def _pdf_pages(data):
    return [
        p.extract_text().replace("\xa0", " ") for p in PdfReader(io.BytesIO(data)).pages
    ]


def _nb(text):
    return text.replace("\xa0", " ")


def test_figure_text_uses_norwegian_format():
    """Areas get a no-break thousands separator and a decimal comma."""
    assert figure_text({"premises_m2": 1250.5}, "premises_m2") == "1\xa0250,5\xa0m²"


def test_sections_have_the_dashboards_names():
    """Exports name SN2007 sections with the map's names; no second set exists."""
    assert nace_label("G") == "G " + section_name("G")
    assert nace_label("Q", "en", short=True) == "Q " + section_name(
        "Q", "en", short=True
    )
    assert nace_label("") == "?" and nace_label("?") == "?"
    assert not [key for key in STRINGS if key.startswith("export_nace_")]


def test_pdf_chart_labels_are_the_profiles_short_names():
    """The PDF's jobs chart labels sections as the dashboard's profile chart does."""
    labels = {label for label, _jobs in jobs_by_section(_establishments(), "en")}
    assert labels == {f"{s} {section_name(s, 'en', short=True)}" for s in "GCQ"}


def test_html_tooltips_use_full_section_names(pack):
    """A firm's tooltip in the HTML map names its section in full, as the map does."""
    doc = html_map(*pack, layer_names=("areas", "establishments"))
    assert section_name("G", "nb") in doc


def test_pdf_has_overview_and_one_page_per_area(pack):
    """All six areas give an overview page plus six area pages."""
    assert len(PdfReader(io.BytesIO(pdf_profiles(*pack))).pages) == 7


def test_pdf_for_chosen_areas_has_no_overview(pack):
    """Two chosen areas give two pages."""
    data = pdf_profiles(*pack, areas=["visperud", "ahus"])
    assert len(PdfReader(io.BytesIO(data)).pages) == 2


def test_pdf_pages_show_name_and_figures(pack):
    """Each area page names the area and gives its firms and jobs, Norwegian style."""
    layers, figures = pack
    pages = _pdf_pages(pdf_profiles(layers, figures))
    for page, row in zip(pages[1:], figures, strict=False):
        assert area_name(row["area_id"]) in page
        assert _nb(figure_text(row, "establishments")) in page
        assert _nb(figure_text(row, "jobs")) in page


def test_pdf_prints_markup_in_data_as_text(pack):
    """A premises title with markup is printed literally, not interpreted."""
    pages = _pdf_pages(pdf_profiles(*pack, areas=["sentrum"]))
    assert XSS in pages[0]


def test_pdf_unknown_area_raises(pack):
    """An unknown area id is refused."""
    with pytest.raises(ExportError):
        pdf_profiles(*pack, areas=["oslo"])


def test_xlsx_comparison_has_exact_figures(pack):
    """The comparison sheet holds the figures of store_figures as numbers."""
    _layers, figures = pack
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_comparison(figures)))
    ws = wb["Sammenligning"]
    header = [c.value for c in ws[1]]
    for r, row in enumerate(figures, 2):
        got = {h: ws.cell(r, c).value for c, h in enumerate(header, 1)}
        assert got["Område-ID"] == row["area_id"]
        assert got["Virksomheter"] == row["establishments"]
        assert got["Arbeidsplasser"] == row["jobs"]
        assert got["Ledig areal (m²)"] == row["premises_m2"]
        assert got["Medianleie (kr/m²/år)"] == row["median_rent_nok_m2"]
        assert got["Avganger i rushtimen"] == row["departures_peak_hour"]
        assert got["Demonstrasjonsdata"] == "Ja"


def test_xlsx_comparison_has_source_note(pack):
    """A note row below the table names the sources and their dates."""
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_comparison(pack[1])))["Sammenligning"]
    notes = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert any("Testkilde" in n and "01.05.2024" in n for n in notes)


def test_xlsx_formula_in_data_is_text(pack):
    """A premises title that looks like a formula is written as a text cell."""
    layers, figures = pack
    data = xlsx_area(figures, "visperud", layers)
    ws = openpyxl.load_workbook(io.BytesIO(data))["Ledige lokaler"]
    cell = ws["A2"]
    assert (cell.value, cell.data_type) == (FORMULA, "s")
    sheets = zipfile.ZipFile(io.BytesIO(data)).namelist()
    xml = "".join(
        zipfile.ZipFile(io.BytesIO(data)).read(n).decode()
        for n in sheets
        if "worksheets/" in n
    )
    assert "<f>" not in xml


def test_xlsx_area_lists_only_available_premises_in_area(pack):
    """The premises sheet lists the area's available premises only."""
    layers, figures = pack
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_area(figures, "visperud", layers)))
    assert ws["Ledige lokaler"].max_row == 2


def test_html_escapes_data(pack):
    """A premises title with a tag appears escaped, never as a tag."""
    doc = html_map(*pack)
    assert "<img src=x" not in doc
    assert re.search(r"(&|\\u0026)lt;img src=x onerror=alert\(1\)", doc)


def test_html_has_no_external_resources(pack):
    """No script or stylesheet is loaded from the network; Leaflet is inline."""
    doc = html_map(*pack, layer_names=("areas", "premises", "firms", "stops"))
    assert not re.search(r"<(script|link)\b[^>]*(src|href)=[\"']?(https?:)?//", doc)
    assert "Leaflet 1.9.4" in doc


def test_html_marks_demonstration_data(pack):
    """Demonstration figures give a visible label."""
    assert 'class="naering-demo">Demonstrasjonsdata<' in html_map(*pack)


def test_html_without_online_basemap_names_no_tiles(pack):
    """Without the online option the map has no tile layer at all."""
    doc = html_map(*pack, online_basemap=False)
    assert "L.tileLayer(" not in doc
    assert "openstreetmap" not in doc


def test_check_offline_rejects_cdn_script():
    """A CDN script reference raises."""
    with pytest.raises(ExportError):
        check_offline('<script src="https://cdn.jsdelivr.net/npm/leaflet.js"></script>')


@pytest.fixture
def cli(store):
    """A CLI runner of a minimal Flask app configured with the tiny store."""
    app = flask.Flask("exports_test")
    app.config["NARING_STORE"] = str(store.path)
    register_cli(app)
    return app.test_cli_runner()


def test_cli_html_writes_file(cli, tmp_path):
    """``export html --area --out`` writes the map."""
    out = tmp_path / "x.html"
    result = cli.invoke(
        args=["export", "html", "--area", "visperud", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_pdf_default_name_in_cwd(cli, tmp_path, monkeypatch):
    """Without --out the file is naeringsarealer_<area>.pdf in the cwd."""
    monkeypatch.chdir(tmp_path)
    result = cli.invoke(args=["export", "pdf", "--area", "ahus", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "naeringsarealer_ahus.pdf").read_bytes().startswith(b"%PDF")


def test_cli_xlsx_store_option(cli, store, tmp_path):
    """--store names the store explicitly."""
    out = tmp_path / "alle.xlsx"
    args = ["export", "xlsx", "--store", str(store.path), "--out", str(out)]
    assert cli.invoke(args=args).exit_code == 0
    assert "Sammenligning" in openpyxl.load_workbook(out).sheetnames


def test_cli_missing_store_fails_cleanly(cli, tmp_path):
    """A missing store gives an error message, not a traceback."""
    result = cli.invoke(args=["export", "pdf", "--store", str(tmp_path / "no.gpkg")])
    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_cli_credits_map_layer_sources(cli, tmp_path):
    """The boundary's source is credited although it carries no figures."""
    out = tmp_path / "x.html"
    assert cli.invoke(args=["export", "html", "--out", str(out)]).exit_code == 0
    assert "Kartverket" in out.read_text(encoding="utf-8")


# --- language: an export in one language has no sentence of the other ----------

NB_WORDS = (
    "virksomheter",
    "arbeidsplasser",
    "lokaler",
    "holdeplass",
    "Kilde",
    "kilde",
    "avganger",
    "Sammenligning",
    "ledig",
    "leie",
    "Demonstrasjonsdata",
    "veiledende",
    "Områdegrensene",
    " og ",
    " ikke ",
    " er ",
    " med ",
    " på ",
)
EN_WORDS = (
    "establishments",
    "jobs",
    "premises",
    "Source",
    "Comparison",
    "departures",
    "available",
    "Demonstration",
    "indicative",
    " the ",
    " and ",
    " not ",
    " of ",
    " with ",
)
# Data, not sentences: place and source names stay as they are.
PLACE_NAMES = ("Lørenskog", "Oslo", "Testkilde")


def _export_texts(pack, lang):
    """The visible text of the XLSX, PDF and HTML exports in ``lang``."""
    layers, figures = pack
    texts = {}
    cells = []
    for data in (
        xlsx_comparison(figures, lang=lang),
        xlsx_area(figures, "visperud", layers, lang=lang),
    ):
        wb = openpyxl.load_workbook(io.BytesIO(data))
        cells += [wb.sheetnames[0]] + [
            str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value
        ]
    texts["xlsx"] = " | ".join(cells)
    texts["pdf"] = " | ".join(_pdf_pages(pdf_profiles(layers, figures, lang=lang)))
    page = html_map(layers, figures, lang=lang)
    page = page.decode() if isinstance(page, bytes) else page
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    texts["html"] = re.sub(r"<[^>]+>", " | ", body)
    return texts


@pytest.mark.parametrize(("lang", "other"), [("en", NB_WORDS), ("nb", EN_WORDS)])
def test_exports_have_no_sentence_of_the_other_language(pack, lang, other):
    for kind, text in _export_texts(pack, lang).items():
        for name in PLACE_NAMES:
            text = text.replace(name, "")
        found = sorted({w.strip() for w in other if w in text})
        assert found == [], f"{kind} ({lang}): {found}"


def test_pdf_overview_map_names_every_area(pack, monkeypatch):
    """The overview's map writes each area's name on it (once more than the table),
    and an area page's map names its own area."""
    from components.exports import pdf_map as pdf_mod

    layers, figures = pack
    with_labels = _pdf_pages(pdf_profiles(layers, figures))
    monkeypatch.setattr(pdf_mod, "_area_labels", lambda *a, **k: None)
    without = _pdf_pages(pdf_profiles(layers, figures))
    for a in AREA_IDS:
        name = area_name(a)
        assert with_labels[0].count(name) == without[0].count(name) + 1, name
    assert with_labels[1].count(area_name(AREA_IDS[0])) > without[1].count(
        area_name(AREA_IDS[0])
    )
