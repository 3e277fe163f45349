"""Write a corpus of hostile (and a few good) input files in the real formats.

Each case names the importer (``python -m layers import KIND FILE``), extra
arguments and the expected outcome: ``"refuse"`` (exit 2, nothing changed) or
``"accept"`` (exit 0). The files are made from the small fixtures in
``tests/data`` and ``tests/gtfs_fixtures`` (real headers of Brønnøysund,
Kartverket and Entur), then broken in the ways a careless or hostile user would:
wrong encodings and separators, limits exceeded, nesting bombs, zip and gzip bombs,
NaN and infinite numbers, degenerate polygons, vertical CRS codes, XLSX formulas.

Run ``python -m tests.hostile.corpus OUT`` to write it; :func:`write_corpus` is what
the test tier and ``bench/bench_hostile.py`` use.
"""

from __future__ import annotations

import copy
import csv
import gzip
import io
import json
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


@dataclass(frozen=True)
class Case:
    """One file of the corpus."""

    name: str
    kind: str  # establishments, addresses, gtfs, premises, areas
    expect: str  # "refuse" or "accept"
    args: tuple = field(default=())
    why: str = ""


def _brreg_records():
    return json.loads((DATA / "brreg" / "underenheter_3222.json").read_text("utf-8"))


def _address_lines():
    return (
        (DATA / "addresses" / "adresser_3222.csv").read_text("utf-8-sig").splitlines()
    )


def _premises_csv():
    return (DATA / "premises" / "lokaler_semikolon_bom.csv").read_text("utf-8-sig")


def _premises_geojson():
    return json.loads((DATA / "premises" / "lokaler.geojson").read_text("utf-8"))


def _zip(path, members, method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def _nested(depth):
    return "[" * depth + "]" * depth


# ----------------------------------------------------------------- establishments


def _establishments(out, addr):
    cases = []
    args = ("--addresses", str(addr))
    recs = _brreg_records()

    def put(name, data, expect, why):
        p = out / name
        p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        cases.append(Case(name, "establishments", expect, args, why))

    good = json.dumps(recs, ensure_ascii=False)
    put("brreg_good.json", good, "accept", "the fixture as it is")
    put("brreg_good.json.gz", gzip.compress(good.encode()), "accept", "gzip of it")
    put("brreg_nested_arrays.json", _nested(200_000), "refuse", "400 KB of [[[[")
    deep = copy.deepcopy(recs)
    node = deep[0]["beliggenhetsadresse"]
    for _ in range(60):
        node["x"] = {}
        node = node["x"]
    put("brreg_deep_record.json", json.dumps(deep), "refuse", "record 60 levels deep")
    put(
        "brreg_nested_gz.json.gz",
        gzip.compress(_nested(2_000_000).encode()),
        "refuse",
        "gzip of 4 MB of [[[[",
    )
    bomb = gzip.compress(b"[" + b" " * (200 << 20) + b"]", 6)
    put("brreg_gzip_bomb.json.gz", bomb, "refuse", "200 MB of spaces in gzip")
    long_name = copy.deepcopy(recs)
    long_name[0]["navn"] = "A" * 100_000
    put("brreg_long_name.json", json.dumps(long_name), "refuse", "100 000-char name")
    big_str = '[{"organisasjonsnummer": "' + "9" * (30 * 1024 * 1024) + '"}]'
    put("brreg_huge_string.json", big_str, "refuse", "one 30 MB string")
    null_name = copy.deepcopy(recs)
    null_name[0]["navn"] = None
    put(
        "brreg_null_name.json", json.dumps(null_name), "accept", "null name: orgnr used"
    )
    nan = good.replace('"antallAnsatte": 12', '"antallAnsatte": NaN', 1)
    put("brreg_nan_employees.json", nan, "refuse", "NaN employees")
    inf = good.replace('"antallAnsatte": 12', '"antallAnsatte": 1e999', 1)
    put("brreg_inf_employees.json", inf, "refuse", "infinite employees")
    put("brreg_utf16.json", good.encode("utf-16"), "refuse", "UTF-16 JSON")
    put("brreg_truncated.json", good[: len(good) // 2], "refuse", "cut in half")
    put(
        "brreg_truncated.json.gz",
        gzip.compress(good.encode())[:-40],
        "refuse",
        "cut gz",
    )
    put("brreg_empty.json", "", "refuse", "empty file")
    put("brreg_not_list.json", '"just a string"', "refuse", "a JSON string")
    csv_text = (DATA / "brreg" / "underenheter_3222.csv").read_text("utf-8")
    put("brreg_good.csv", csv_text, "accept", "the CSV fixture")
    put("brreg_cp1252.csv", csv_text.encode("cp1252"), "refuse", "Windows-1252 CSV")
    put("brreg_utf16.csv", csv_text.encode("utf-16"), "refuse", "UTF-16 CSV")
    lines = csv_text.splitlines(keepends=True)
    semi = lines[:2] + [lines[2].replace('","', '";"')] + lines[3:]
    put("brreg_mixed_sep.csv", "".join(semi), "refuse", "one row with ';'")
    rows = list(csv.reader(io.StringIO(csv_text)))
    rows[1][1] = "B" * 50_000
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    put("brreg_long_cell.csv", buf.getvalue(), "refuse", "50 000-char name cell")
    put(
        "brreg_ctrl.json",
        good.replace("METRO SENTER", "METRO\\u0000SENTER", 1),
        "refuse",
        "NUL in a name",
    )
    return cases


# ----------------------------------------------------------------------- addresses


def _addresses(out):
    cases = []
    lines = _address_lines()

    def put(name, data, expect, why):
        p = out / name
        p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        cases.append(Case(name, "addresses", expect, (), why))

    text = "\ufeff" + "\n".join(lines) + "\n"
    put("adr_good.csv", text, "accept", "the fixture")
    buf = io.BytesIO()
    _zip(buf, {"adresser.csv": text.encode()})
    put("adr_good.zip", buf.getvalue(), "accept", "zip of it")
    bad = lines[:3] + [lines[3].replace(";", ",")] + lines[4:]
    put("adr_comma_row.csv", "\n".join(bad) + "\n", "refuse", "one row with ','")
    put("adr_cp1252.csv", "\n".join(lines).encode("cp1252"), "refuse", "cp1252")
    put("adr_utf16.csv", "\n".join(lines).encode("utf-16"), "refuse", "UTF-16")
    cols = lines[0].split(";")
    i_n, i_e = cols.index("Nord"), cols.index("Øst")
    i_epsg = cols.index("EPSG-kode")
    i_street = cols.index("adressenavn")

    def with_cell(idx, value, row=1):
        out_lines = list(lines)
        cells = out_lines[row].split(";")
        cells[idx] = value
        out_lines[row] = ";".join(cells)
        return "\n".join(out_lines) + "\n"

    put("adr_nan.csv", with_cell(i_n, "NaN"), "refuse", "Nord NaN")
    put("adr_inf.csv", with_cell(i_e, "inf"), "refuse", "Øst inf")
    put(
        "adr_vertical_crs.csv",
        with_cell(i_epsg, "5941"),
        "refuse",
        "EPSG 5941 (NN2000)",
    )
    put("adr_epsg_garbage.csv", with_cell(i_epsg, "99999"), "refuse", "unknown EPSG")
    put(
        "adr_long_street.csv",
        with_cell(i_street, "S" * 20_000),
        "refuse",
        "long street",
    )
    put("adr_header_only.csv", lines[0] + "\n", "refuse", "header only")
    put(
        "adr_extra_field.csv", with_cell(i_street, "Skårer;sletta"), "refuse", "extra ;"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("adresser.csv", lines[0] + "\n" + " " * (200 << 20))
    put("adr_zip_bomb.zip", buf.getvalue(), "refuse", "200 MB in a zip")
    buf = io.BytesIO()
    _zip(buf, {"a.csv": text, "b.csv": text})
    put("adr_two_csv.zip", buf.getvalue(), "refuse", "two CSVs in a zip")
    put("adr_fake.zip", b"PK\x03\x04" + b"\x00" * 100, "refuse", "broken zip")
    return cases


# ---------------------------------------------------------------------------- gtfs


def _gtfs(out):
    sys.path.insert(0, str(ROOT))
    from tests import gtfs_fixtures as gf

    cases = []

    def put(name, expect, why, *, drop=(), replace=None, raw=None):
        p = out / name
        if raw is not None:
            p.write_bytes(raw)
        else:
            gf.write_feed(p, drop=drop, replace=replace)
        cases.append(Case(name, "gtfs", expect, ("--date", "2024-01-09"), why))

    t = gf.feed_tables()
    put("gtfs_good.zip", "accept", "the fixture feed")
    st = list(t["stop_times.txt"]) + ["T1,09:10:00,09:10:00,NSR:Quay:999,4,0,0,"]
    put(
        "gtfs_unknown_stop.zip",
        "refuse",
        "stop_time of unknown stop",
        replace={"stop_times.txt": st},
    )
    stops = list(t["stops.txt"])
    stops[2] = stops[2].replace("59.9290", "NaN")
    put("gtfs_nan_stop.zip", "refuse", "stop_lat NaN", replace={"stops.txt": stops})
    stops = list(t["stops.txt"])
    stops[2] = stops[2].replace("10.9560", "inf")
    put("gtfs_inf_stop.zip", "refuse", "stop_lon inf", replace={"stops.txt": stops})
    stops = list(t["stops.txt"])
    stops[2] = stops[2].replace("Lørenskog stasjon", "L" * 20_000)
    put(
        "gtfs_long_name.zip",
        "refuse",
        "20 000-char stop name",
        replace={"stops.txt": stops},
    )
    put("gtfs_no_stops.zip", "refuse", "stops.txt missing", drop=("stops.txt",))
    st = list(t["stop_times.txt"])
    st[2] = st[2].replace(",", ";")
    put(
        "gtfs_mixed_sep.zip",
        "refuse",
        "one stop_times row with ';'",
        replace={"stop_times.txt": st},
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, lines in t.items():
            pad = " " * (200 << 20) if name == "shapes.txt" else ""
            zf.writestr(name, "\r\n".join(lines) + pad + "\r\n")
    put("gtfs_zip_bomb.zip", "refuse", "200 MB member", raw=buf.getvalue())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, lines in t.items():
            data = "\r\n".join(lines) + "\r\n"
            enc = "utf-16" if name == "stops.txt" else "utf-8"
            zf.writestr(name, data.encode(enc))
    put("gtfs_utf16_stops.zip", "refuse", "UTF-16 stops.txt", raw=buf.getvalue())
    put("gtfs_not_zip.zip", "refuse", "text named .zip", raw=b"stop_id,stop_name\n")
    put(
        "gtfs_truncated.zip",
        "refuse",
        "zip cut short",
        raw=(out / "gtfs_good.zip").read_bytes()[:500],
    )
    return cases


# ------------------------------------------------------------------------ premises


def _premises(out):
    cases = []

    def put(name, data, expect, why):
        p = out / name
        p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        cases.append(Case(name, "premises", expect, (), why))

    text = _premises_csv()
    put("prem_good.csv", "\ufeff" + text, "accept", "the fixture")
    put("prem_cp1252.csv", text.encode("cp1252"), "accept", "cp1252 (accepted)")
    put("prem_utf16.csv", text.encode("utf-16"), "refuse", "UTF-16")
    lines = text.splitlines()
    put(
        "prem_long_title.csv",
        "\n".join([lines[0], "T" * 5000 + lines[1][lines[1].index(";") :], lines[2]]),
        "refuse",
        "5000-char title",
    )
    put(
        "prem_mixed_sep.csv",
        "\n".join([lines[0], lines[1], lines[2].replace(";", ",")]),
        "refuse",
        "row 2 uses ','",
    )
    nan_row = lines[1].split(";")
    nan_row[2], nan_row[3] = "NaN", "NaN"
    put("prem_nan.csv", "\n".join([lines[0], ";".join(nan_row)]), "refuse", "lat NaN")
    inf_row = lines[1].split(";")
    inf_row[2] = "inf"
    put("prem_inf.csv", "\n".join([lines[0], ";".join(inf_row)]), "refuse", "lat inf")
    put("prem_header_only.csv", lines[0] + "\n", "refuse", "header only")
    put("prem_binary.csv", bytes(range(256)) * 50, "refuse", "random bytes")
    gj = _premises_geojson()
    put("prem_good.geojson", json.dumps(gj, ensure_ascii=False), "accept", "fixture")
    deep = copy.deepcopy(gj)
    deep["features"][0]["properties"]["tittel"] = json.loads(_nested(500))
    put("prem_deep.geojson", json.dumps(deep), "refuse", "property 500 deep")
    put("prem_nested.geojson", _nested(100_000), "refuse", "200 KB of [[[[")
    vert = copy.deepcopy(gj)
    vert["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::5941"}}
    put("prem_vertical_crs.geojson", json.dumps(vert), "refuse", "EPSG 5941")
    nanj = json.dumps(gj).replace("10.991", "NaN", 1)
    put("prem_nan.geojson", nanj, "refuse", "NaN coordinate")
    infj = json.dumps(gj).replace("10.991", "Infinity", 1)
    put("prem_inf.geojson", infj, "refuse", "Infinity coordinate")
    nulls = copy.deepcopy(gj)
    nulls["features"][0]["properties"]["tittel"] = None
    put("prem_null_title.geojson", json.dumps(nulls), "refuse", "null title")
    put("prem_utf16.geojson", json.dumps(gj).encode("utf-16"), "refuse", "UTF-16")
    put(
        "prem_big.geojson",
        b'{"type":"FeatureCollection","features":[' + b" " * (40 << 20) + b"]}",
        "refuse",
        "40 MB of whitespace",
    )
    cases += _xlsx(out)
    return cases


def _xlsx(out):
    import openpyxl

    cases = []
    header = ["Tittel", "Adresse", "lat", "lon", "Type", "areal_m2", "status"]
    row = ["Kontor", "Skårersletta 12B", 59.9276, 10.9584, "Kontor", 250, "ledig"]

    def book(name, rows, expect, why):
        wb = openpyxl.Workbook()
        ws = wb.active
        for r in rows:
            ws.append(r)
        wb.save(out / name)
        cases.append(Case(name, "premises", expect, (), why))

    book("prem_good.xlsx", [header, row], "accept", "one good row")
    book(
        "prem_formula.xlsx",
        [header, [*row[:5], "=10*25", "ledig"]],
        "refuse",
        "formula with no cached value",
    )
    book(
        "prem_long_cell.xlsx",
        [header, ["X" * 10_000, *row[1:]]],
        "refuse",
        "10 000-char title",
    )
    book(
        "prem_nan.xlsx",
        [header, [row[0], row[1], "NaN", "NaN", *row[4:]]],
        "refuse",
        "NaN text in lat/lon",
    )
    # Many rows: written streaming (write_only) to keep the generator light.
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(header)
    for i in range(60_000):
        ws.append(
            [
                f"Kontor {i}",
                "Skårersletta 12B",
                59.9276,
                10.9584,
                "Kontor",
                250,
                "ledig",
            ]
        )
    wb.save(out / "prem_many_rows.xlsx")
    cases.append(Case("prem_many_rows.xlsx", "premises", "refuse", (), "60 000 rows"))
    (out / "prem_fake.xlsx").write_bytes(b"PK\x03\x04not really a workbook")
    cases.append(Case("prem_fake.xlsx", "premises", "refuse", (), "broken xlsx"))
    return cases


# --------------------------------------------------------------------------- areas


def _areas(out, areas_geojson):
    cases = []
    base = json.loads(Path(areas_geojson).read_text("utf-8"))

    def put(name, obj, expect, why):
        p = out / name
        if isinstance(obj, (bytes, str)):
            p.write_bytes(obj if isinstance(obj, bytes) else obj.encode())
        else:
            p.write_text(json.dumps(obj), "utf-8")
        cases.append(Case(name, "areas", expect, (), why))

    put("areas_good.geojson", base, "accept", "the store's areas")
    bow = copy.deepcopy(base)
    ring = bow["features"][0]["geometry"]["coordinates"][0]
    if isinstance(ring[0][0], list):  # MultiPolygon
        ring = ring[0]
    ring[1], ring[2] = ring[2], ring[1]
    put("areas_bowtie.geojson", bow, "refuse", "self-intersecting ring")
    tiny = copy.deepcopy(base)
    g = tiny["features"][1]["geometry"]
    x, y = 10.95, 59.93
    sq = [[x, y], [x + 1e-6, y], [x + 1e-6, y + 1e-6], [x, y + 1e-6], [x, y]]
    g["type"], g["coordinates"] = "Polygon", [sq]
    put("areas_tiny.geojson", tiny, "refuse", "a 0.006 m² area")
    flat = copy.deepcopy(base)
    g = flat["features"][2]["geometry"]
    g["type"], g["coordinates"] = "Polygon", [[[x, y], [x + 0.01, y], [x, y]]]
    put("areas_degenerate.geojson", flat, "refuse", "two-point ring")
    nn = copy.deepcopy(base)
    nn["features"][0]["properties"]["name"] = None
    put("areas_null_name.geojson", nn, "accept", "null name: default text")
    nan = json.dumps(base).replace(f"{ring[0][0]}", "NaN", 1)
    put("areas_nan.geojson", nan, "refuse", "NaN coordinate")
    vert = copy.deepcopy(base)
    vert["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::5941"}}
    put("areas_vertical_crs.geojson", vert, "refuse", "EPSG 5941")
    put("areas_nested.geojson", _nested(300_000), "refuse", "600 KB of [[[[")
    put("areas_utf16.geojson", json.dumps(base).encode("utf-16"), "refuse", "UTF-16")
    lng = copy.deepcopy(base)
    lng["features"][0]["properties"]["name"] = "N" * 10_000
    put("areas_long_name.geojson", lng, "refuse", "10 000-char name")
    return cases


def write_corpus(out, *, store):
    """Write the corpus into ``out`` and return the list of :class:`Case`.

    ``store`` is a built store; its areas layer is the good areas file's source.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    import geopandas as gpd

    areas = out / "_areas_source.geojson"
    gpd.read_file(store, layer="areas")[["area_id", "name", "geometry"]].to_file(
        areas, driver="GeoJSON"
    )
    addr = DATA / "addresses" / "adresser_3222.csv"
    cases = (
        _establishments(out, addr)
        + _addresses(out)
        + _gtfs(out)
        + _premises(out)
        + _areas(out, areas)
    )
    areas.unlink()
    return cases


if __name__ == "__main__":  # pragma: no cover
    for c in write_corpus(sys.argv[1], store=sys.argv[2]):
        print(f"{c.kind:15} {c.expect:7} {c.name:30} {c.why}")
