"""The register's bulk import in the web UI: a broker's list as it comes.

Addresses placed by the store's address register, unplaced rows imported without a
point and placed later by a map click, the preview's map and per-cell values, the
template, big lists as background jobs with progress, and the finder's own export
re-imported unchanged.
"""

from __future__ import annotations

import base64
import contextlib
import json
import sqlite3
import time
from datetime import UTC, date, datetime

import flask
import geopandas as gpd
import pytest
from dash import dcc, html, no_update
from shapely.geometry import box

from components import finder, ids, register_editor, register_import_panel
from components import ids as rids
from components.exports import sheets
from components.register_format import form_values
from layers import errors as register_errors
from layers import register
from layers.register import imports, jobs, staging
from layers.schemas import CRS, PREMISES_STATUSES
from layers.sources.premises import place_addresses
from layers.store import GeoPackageStore, open_store
from tests.register_support import (
    EDITOR,
    callback_payload,
    dash_post,
    login,
    response_props,
    session_fields,
    store_with_users,
)
from tests.test_register_jobs import generated as _generated

NOW = datetime(2025, 1, 20, 9, 0, tzinfo=UTC)
# Human headers, Norwegian amounts, addresses only; the last address is unknown.
BROKER_CSV = (
    "Meglerliste januar\r\n"
    "\r\n"
    "Objekt;Adresse;Type lokale;Areal (m²);Leie (kr/m²/år);Ledig fra;Kontaktperson\r\n"
    "Kontor 3. etg;Skårersletta 1;Kontorlokaler;1.850;1.850,-;01.03.2026;Kari\r\n"
    "Lager nord;Skårersletta 5;lager;12.500;kr 1 250;umiddelbart;Ola\r\n"
    "Butikk;Skårersletta 7;butikk;1 250,5;etter avtale;;\r\n"
    "Ukjent;Finnesikkeveien 99;kontor;100;på forespørsel;;\r\n"
)


@pytest.fixture
def reg_store(default_store, tmp_path):
    """A copy of the default store (it holds an address register) with editors."""
    return store_with_users(default_store, tmp_path / "store")


@pytest.fixture
def store(reg_store):
    return open_store(reg_store)


@pytest.fixture
def app(dash_app, reg_store, monkeypatch):
    monkeypatch.setitem(dash_app.server.config, "NARING_STORE", str(reg_store))
    return dash_app


@pytest.fixture
def as_user(app, reg_store):
    @contextlib.contextmanager
    def make(username="kari", role="editor"):
        with app.server.test_request_context("/"):
            if username:
                fields = session_fields(reg_store, username, role)
                flask.session.update(**fields, csrf="t")
            yield

    return make


def upload(name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return {
        "name": name,
        "contents": "data:text/csv;base64," + base64.b64encode(data).decode(),
    }


def walk(component):
    """Every component of a Dash tree."""
    yield component
    children = getattr(component, "children", None)
    if isinstance(children, (list, tuple)):
        for child in children:
            yield from walk(child)
    elif children is not None and hasattr(children, "to_plotly_json"):
        yield from walk(children)


def text_of(component):
    parts = []
    for c in walk(component):
        if isinstance(c, str):
            parts.append(c)
        elif isinstance(getattr(c, "children", None), (str, int, float)):
            parts.append(str(c.children))
    return " ".join(parts)


def test_broker_addresses_are_in_the_default_store(store):
    """The test list's addresses: three in the store's register, one not."""
    texts = ["Skårersletta 1", "Skårersletta 5", "Skårersletta 7", "Finnesikkeveien 99"]
    found = place_addresses(texts, store.read_layer("addresses"))
    assert [p is not None for p in found] == [True, True, True, False]


def test_broker_list_is_imported_with_one_unplaced(as_user, store):
    """Human headers and addresses only: placed by the store's address register;
    the unknown address becomes an unplaced listing, not a refusal."""
    before = len(register.all_listings(store))
    with as_user():
        view, ticket, label, hidden = register_import_panel.preview_upload(
            upload("megler.csv", BROKER_CSV), "nb"
        )
    assert ticket is not None and not hidden and "4 nye" in label
    text = text_of(view)
    assert "Ikke plassert" in text and "1 lokaler fant ingen adresse" in text
    # the preview's map holds the three placed rows
    graphs = [c for c in walk(view) if isinstance(c, dcc.Graph)]
    assert [g.id for g in graphs] == [rids.REGISTER_PREVIEW_MAP]
    assert len(graphs[0].figure.data[0].lat) == 3
    # each cell's interpreted value beside its raw text
    rows = [c for c in walk(view) if "preview-rows" in str(getattr(c, "className", ""))]
    table = text_of(rows[0])
    assert "1\u00a0850 kr/m²/år" in table and "«1.850,-»" in table
    assert "«kr 1 250»" in table and "1\u00a0250 kr/m²/år" in table
    assert "12\u00a0500\u00a0m²" in table and "«12.500»" in table
    assert "Kontor" in table and "«Kontorlokaler»" in table
    assert "«etter avtale»" in table and "ikke plassert" in table
    assert register.all_listings(store).__len__() == before  # nothing written yet
    with as_user():
        _v, _t, _l, _h, options = register_import_panel.apply_upload(ticket, "nb")
    listings = {r["title"]: r for r in register.all_listings(store)}
    assert len(register.all_listings(store)) == before + 4
    unknown = listings["Ukjent"]
    assert unknown["lat"] is None and unknown["lon"] is None
    assert unknown["rent_nok_m2_year"] is None and unknown["size_m2"] == 100.0
    assert listings["Kontor 3. etg"]["rent_nok_m2_year"] == 1850.0
    assert listings["Lager nord"]["size_m2"] == 12500.0
    assert register.unplaced_count(store) == 1
    # left out of the premises layer (maps, finder, area figures) ...
    layer = register.read_register(store)
    assert unknown["premises_id"] not in set(layer["premises_id"])
    assert listings["Butikk"]["premises_id"] in set(layer["premises_id"])
    assert register.register_info(store).rows == len(layer)
    # ... and shown as "ikke plassert" in the register's list
    label_of = {o["value"]: o["label"] for o in options}
    assert label_of[unknown["premises_id"]].endswith("· ikke plassert")
    assert "ikke plassert" not in label_of[listings["Butikk"]["premises_id"]]
    assert register.history(store, unknown["premises_id"])[0]["action"] == "import"


def test_unplaced_listing_is_placed_by_a_map_click(as_user, store):
    """Open the unplaced listing in the editor, click the map (lat/lon), save."""
    with as_user():
        _v, ticket, *_ = register_import_panel.preview_upload(
            upload("megler.csv", BROKER_CSV), "nb"
        )
        register_import_panel.apply_upload(ticket, "nb")
    pid = next(r for r in register.all_listings(store) if r["lat"] is None)[
        "premises_id"
    ]
    with as_user():
        shown = register_editor.load(pid, "nb")
    assert shown["values"]["lat"] == "" and shown["values"]["lon"] == ""
    listing = register.get_listing(store, pid)
    values = {**form_values(listing, "nb"), "lat": "59,9262", "lon": "10,9634"}
    with as_user():
        out = register_editor.save(values, {"id": pid, "version": 1}, "nb")
    assert out["version"] == {"id": pid, "version": 2}
    placed = register.get_listing(store, pid)
    assert (placed["lat"], placed["lon"]) == (59.9262, 10.9634)
    assert pid in set(register.read_register(store)["premises_id"])
    assert register.unplaced_count(store) == 0
    # importing the same list again keeps the point placed by hand
    with as_user():
        view, ticket, *_ = register_import_panel.preview_upload(
            upload("megler.csv", BROKER_CSV), "nb"
        )
    assert ticket is None  # nothing would change
    assert register.get_listing(store, pid)["lat"] == 59.9262


def test_form_reads_rents_and_sizes_as_brokers_write_them():
    """The register form's numbers use the same reading as the importer."""
    base = {
        "title": "Kontor",
        "address": "",
        "type": "kontor",
        "status": "ledig",
        "available_from": "",
        "contact": "",
        "url": "",
        "lat": "59,93",
        "lon": "10,96",
    }
    out = register.validate_listing(
        {**base, "size_m2": "1.250", "rent_nok_m2_year": "1.850,-"}
    )
    assert (out["size_m2"], out["rent_nok_m2_year"]) == (1250.0, 1850.0)
    out = register.validate_listing(
        {**base, "size_m2": "250 m²", "rent_nok_m2_year": "kr 1 850"}
    )
    assert (out["size_m2"], out["rent_nok_m2_year"]) == (250.0, 1850.0)


def test_an_older_register_table_takes_unplaced_listings(tmp_path):
    """A register made when lat/lon were NOT NULL is copied into the new form on the
    next write, listings and history kept."""
    path = tmp_path / "s.gpkg"
    con = sqlite3.connect(path)
    old_sql = (
        register.tables._SCHEMA_SQL[0]
        .replace("lat REAL,", "lat REAL NOT NULL,")
        .replace("lon REAL,", "lon REAL NOT NULL,")
    )
    con.execute(old_sql)
    con.execute(
        f"INSERT INTO {register.PREMISES_TABLE} VALUES "
        "('a','A','','kontor',100,NULL,'2025-01-01','ledig','','',59.9,10.9,"
        "'2025-01-01T00:00:00Z','2025-01-01T00:00:00Z','x','x',3,0)"
    )
    con.commit()
    con.close()
    store = GeoPackageStore(path)
    with register.writing(store) as con:
        notnull = {
            c[1]: c[3] for c in con.execute("PRAGMA table_info(register_premises)")
        }
    assert notnull["lat"] == 0 and notnull["lon"] == 0
    assert register.get_listing(store, "a")["version"] == 3


def _boundary_store(tmp_path):
    boundary = gpd.GeoDataFrame(
        {"kommunenummer": ["3222"], "kommunenavn": ["Lørenskog"]},
        geometry=[box(10.85, 59.80, 11.10, 60.00)],
        crs=CRS,
    )
    s = GeoPackageStore(tmp_path / "s.gpkg")
    s.replace_layers({"boundary": (boundary, {"source": "test"})})
    return s


def _wait(store, token, limit_s=600):
    """Poll a job until it ends (bounded); return its record and the phases seen."""
    phases = []
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        record = jobs.status(store, token)
        if record["state"] != "running":
            return record, phases
        phases.append((record["phase"], record["done"]))
        time.sleep(0.2)
    raise AssertionError("job did not end")


def test_compare_reads_the_register_once_and_finds_duplicates(tmp_path, monkeypatch):
    """Linear by structure: one read of the register per comparison, whatever the
    number of rows (it was one query per row, and a count per id); duplicated ids
    are still refused."""
    store = _boundary_store(tmp_path)
    reads = []
    real = imports._fetch_all
    monkeypatch.setattr(imports, "_fetch_all", lambda con: reads.append(1) or real(con))
    for n in (10, 400):
        reads.clear()
        report = register.preview_import(store, staging_frame(n))
        assert len(report["added"]) == n and len(reads) == 1
    frame = staging_frame(3)
    frame.loc[2, "premises_id"] = "p0"
    with pytest.raises(register_errors.InputError) as caught:
        register.preview_import(store, frame)
    assert caught.value.params["ids"] == "p0"


def staging_frame(n):
    from shapely.geometry import Point

    rows = [
        {
            "premises_id": f"p{i}",
            "title": f"L {i}",
            "address": "",
            "type": "kontor",
            "size_m2": 100.0,
            "rent_nok_m2_year": None,
            "available_from": "2025-01-01",
            "status": "ledig",
            "contact": "",
            "url": "",
            "updated_at": "2025-01-01T00:00:00Z",
        }
        for i in range(n)
    ]
    return gpd.GeoDataFrame(rows, geometry=[Point(10.95, 59.9)] * n, crs=CRS)


def test_big_upload_runs_as_a_job_through_the_panel(as_user, store):
    """An upload over the background size returns a progress view at once; the
    poll shows the preview, the confirm runs as a job, the poll shows the result."""
    raw = _generated(2500).replace("Testveien", "Jobbveien")
    assert len(raw.encode()) > staging.BACKGROUND_BYTES
    with as_user():
        view, ticket, _l, hidden, job, disabled = (
            register_import_panel.preview_or_start(upload("stor.csv", raw), "nb")
        )
    assert job and not disabled and ticket is None and hidden
    assert [c for c in walk(view) if isinstance(c, html.Progress)]
    record, _ = _wait(store, job["token"], limit_s=300)
    assert record["state"] == "done" and record["username"] == "kari"
    with as_user():
        # the poll's tick hands the ended job to the callback that shows it
        _view, ended, disabled = register_import_panel.poll_step(job, "nb")
        assert ended == job and disabled
        out = register_import_panel.poll_job(job, "nb")
    view, ticket, label, hidden, _opts, job_after, disabled = out
    assert (
        ticket is not None and not hidden and "2500 nye" in label.replace("\u00a0", "")
    )
    assert job_after is None and disabled
    with as_user():
        out = register_import_panel.apply_or_start(ticket, "nb")
    job = out[5]
    assert job and job["kind"] == "confirm" and out[6] is False
    _wait(store, job["token"], limit_s=300)
    with as_user():
        view, *_rest = register_import_panel.poll_job(job, "nb")
    assert "Importert: 2500 nye" in text_of(view)
    titles = {r["title"] for r in register.all_listings(store)}
    assert "Lokale 2499" in titles


def test_a_reader_or_another_editor_cannot_poll_a_job(as_user, store):
    token = staging.start_stage(
        store, "liste.csv", _generated(5).encode(), user="kari", background=False
    )
    job = {"token": token, "kind": "stage"}
    with as_user(None):
        view, ticket, *_ = register_import_panel.poll_job(job, "nb")
    assert ticket is None and "Bare innloggede" in text_of(view)
    with as_user("ola"):
        out = register_import_panel.poll_job(job, "nb")
    assert all(o is no_update for o in out[:5]) and out[5:] == (None, True)
    with as_user("kari"):
        view, ticket, *_ = register_import_panel.poll_job(job, "nb")
    assert ticket is not None and ticket["token"] == token


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_finder_export_reimports_unchanged_through_the_web_import(as_user, store, fmt):
    """The finder's own export, uploaded to the register: nothing changes."""
    listings = finder.prepare(
        register.read_register(store),
        store.read_layer("areas"),
        store.read_layer("transit_stops"),
    )
    query = finder.make_query(statuses=list(PREMISES_STATUSES))
    rows = finder.export_rows(listings, query, date(2024, 10, 31), lang="nb")
    header = finder.export_header(
        listings,
        query,
        today=date(2024, 10, 31),
        now=NOW,
        source="test",
        demonstration=True,
        what="alle",
        lang="nb",
    )
    labels = finder.export_labels("nb")
    if fmt == "csv":
        data = sheets.table_csv(header, labels, rows, "nb")
    else:
        data = sheets.table_xlsx(header, labels, rows)
    with as_user():
        view, ticket, _label, hidden = register_import_panel.preview_upload(
            upload(f"eksport.{fmt}", data), "nb"
        )
    assert ticket is None and hidden, text_of(view)
    cards = text_of(view)
    assert f"Uendret {len(rows)}" in cards


def test_template_downloads_over_http(app):
    """The register's template buttons send XLSX and CSV in the page's language."""
    client = app.server.test_client()
    assert login(client, *EDITOR).status_code == 302
    deps = client.get("/_dash-dependencies").get_json()
    for fmt in ("xlsx", "csv"):
        trigger = f"{rids.REGISTER_TEMPLATE[fmt]}.n_clicks"
        payload = callback_payload(
            deps,
            f"{rids.REGISTER_TEMPLATE_DOWNLOAD}.data",
            {trigger: 1, f"{ids.REGISTER_LANG}.data": "nb"},
            [trigger],
        )
        props = response_props(dash_post(client, payload))
        sent = props[rids.REGISTER_TEMPLATE_DOWNLOAD]["data"]
        assert sent["filename"] == f"lokaler-mal.{fmt}"
        body = base64.b64decode(sent["content"])
        if fmt == "csv":
            assert "Areal (m²)" in body.decode("utf-8-sig")
        else:
            assert body[:2] == b"PK"


@pytest.mark.slow
def test_hostile_premises_files_through_the_web_import(store, tmp_path):
    """The hostile corpus's premises files, uploaded: each is refused with a code
    (nothing kept, the register unchanged) or previewed; never a traceback."""
    from tests.hostile.corpus import _premises

    before = register.all_listings(store)
    outcome = {}
    cases = _premises(tmp_path)
    for case in cases:
        raw = (tmp_path / case.name).read_bytes()
        try:
            staged = staging.stage(store, case.name, raw)
        except register_errors.InputError as exc:
            assert exc.code, case.name
            outcome[case.name] = "refuse"
        else:
            outcome[case.name] = "accept"
            staging.discard(store, staged.ticket)
    # The web import refuses what the command line refuses, except rows without
    # any place: there they are imported unplaced (to be placed on the map).
    expected = {c.name: c.expect for c in cases}
    differ = {n for n in expected if outcome[n] != expected[n]}
    assert differ <= UNPLACED_NOT_REFUSED, differ
    assert staging.staged_tokens(store) == []
    assert register.all_listings(store) == before


UNPLACED_NOT_REFUSED = set()  # none in the corpus today


@pytest.mark.parametrize("name", ["lokaler_semikolon_bom.csv", "lokaler.geojson"])
def test_published_formats_preview_through_the_web_import(store, name):
    """The fixtures in the importer's published formats (semicolons and a BOM;
    GeoJSON points): every row previewed with its raw text, nothing written."""
    from pathlib import Path

    path = Path(__file__).parent / "data" / "premises" / name
    before = register.all_listings(store)
    staged = staging.stage(store, name, path.read_bytes())
    n = staging.counts(staged.report)
    rows = staged.rows
    assert rows["total"] == n["added"] + n["changed"] + n["unchanged"] > 0
    assert rows["placed"] == rows["total"] and n["unplaced"] == 0
    assert all(r["raw"]["title"] for r in rows["rows"])
    assert register.all_listings(store) == before
    staging.discard(store, staged.ticket)


def test_upload_preview_over_http_needs_the_csrf_token(app, store):
    """The preview callback, posted by a logged-in editor: without the CSRF header
    it is refused (403) and nothing is staged; with it the preview comes back."""
    client = app.server.test_client()
    assert login(client, *EDITOR).status_code == 302
    deps = client.get("/_dash-dependencies").get_json()
    deps = [
        d for d in deps if any(i["id"] == ids.REGISTER_UPLOAD_DATA for i in d["inputs"])
    ]
    data = f"{ids.REGISTER_UPLOAD_DATA}.data"
    payload = callback_payload(
        deps,
        f"{ids.REGISTER_PREVIEW}.children",
        {data: upload("megler.csv", BROKER_CSV), f"{ids.REGISTER_LANG}.data": "nb"},
        [data],
    )
    assert dash_post(client, payload, headers={}).status_code == 403
    assert staging.staged_tokens(store) == []
    props = response_props(dash_post(client, payload))
    assert props[ids.REGISTER_IMPORT]["data"]["token"] in staging.staged_tokens(store)
    assert "Ikke plassert" in json.dumps(props, ensure_ascii=False)


def test_the_browser_stops_uploads_at_the_importers_limit():
    """register.js refuses uploads over the same size the server and importer do."""
    import re
    from pathlib import Path

    from layers import limits

    js = (Path(__file__).parents[1] / "assets" / "register.js").read_text()
    found = re.search(r"var MAX_UPLOAD_BYTES = (\d+) \* 1024 \* 1024;", js)
    assert found is not None
    js_bytes = int(found.group(1)) * 1024 * 1024
    assert js_bytes == staging.MAX_BYTES == limits.MAX_PREMISES_FILE_BYTES


def test_the_preview_is_complete_in_english(as_user):
    """The preview's headings, counts and reasons come in English on an English page."""
    with as_user():
        view, _ticket, label, _hidden = register_import_panel.preview_upload(
            upload("broker.csv", BROKER_CSV), "en"
        )
    text = text_of(view)
    assert "Not placed" in text and "The address is not in the address register" in text
    assert "How each cell was read" in text and "Import (4 new, 0 changed)" == label
    for norwegian in ("Ikke plassert", "Legges til", "Slik ble", "adresseregisteret"):
        assert norwegian not in text


def test_the_poll_tells_an_interrupted_or_failed_job(as_user, store):
    """A job whose server stopped, and one whose file was wrong: the editor is told
    that nothing was saved, or sees the rows' problems."""
    token = "9a" * 16
    jobs.create(store, token, "confirm", "liste.csv", "kari", now=time.time() - 999)
    with as_user():
        view, ticket, *_rest, job, disabled = register_import_panel.poll_job(
            {"token": token, "kind": "confirm", "name": "liste.csv"}, "nb"
        )
    assert "Ingenting ble lagret" in text_of(view) and ticket is None
    assert job is None and disabled
    bad = _generated(3).replace(";200;", ";-5;", 1).encode()
    token = staging.start_stage(store, "liste.csv", bad, user="kari", background=False)
    with as_user():
        view, ticket, *_ = register_import_panel.poll_job(
            {"token": token, "kind": "stage", "name": "liste.csv"}, "nb"
        )
    text = text_of(view)
    assert ticket is None and "Avvist" in text and "Må være større enn 0" in text
