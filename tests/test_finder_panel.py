"""The finder panel: its layout, its callbacks as plain functions, and over HTTP."""

import base64
import csv
import gzip
import io
import json
from contextvars import copy_context

import openpyxl
import plotly.graph_objects as go
import pytest
from dash import no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash.exceptions import PreventUpdate
from plotly.utils import PlotlyJSONEncoder
from shapely.geometry import Point

from components import finder, finder_panel, ids
from components.figures import build_basemap, finder_map, reach_layer
from tests.conftest import square_centre
from tests.test_finder import premises, stops

CALL = ["visperud"], ["lager/logistikk"], 800, 1500
DEFAULTS = [None, None, "keep", None, ["ledig"], None, None, None, None]


@pytest.fixture
def app_ctx(dash_app):
    """A request context of the test app, as a callback has."""
    with dash_app.server.test_request_context("/"):
        yield dash_app


def find(component, component_id):
    """Return the component with ``component_id`` in a layout tree."""
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    if not isinstance(children, list | tuple):
        children = [children]
    for child in children:
        if hasattr(child, "to_plotly_json"):
            hit = find(child, component_id)
            if hit is not None:
                return hit
    return None


def text(component):
    """All text in a component tree."""
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


def triggered(prop_id, fn, *args):
    """Call a callback as Dash does when ``prop_id`` changed."""

    def run():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop_id}]))
        return fn(*args)

    return copy_context().run(run)


def call_results(*values, version=None, lang="nb"):
    """update_results with the controls' values (the call's search by default)."""
    values = values or (*CALL, *DEFAULTS)
    return finder_panel.update_results(
        *values, version or finder_panel.version_key(), None, lang
    )


def warehouses():
    """Ids of the available Visperud warehouses of 800–1 500 m² in the demo data."""
    listings = finder_panel.listings()
    query = finder_panel.query_from_controls(*CALL, *DEFAULTS)
    mask = finder.filter_mask(listings, query)
    return list(listings.frame["premises_id"][mask])


def test_layout_restores_the_search_from_the_url(app_ctx):
    """Filters, shortlist and the listing shown come back from the query string."""
    pid = warehouses()[0]
    state = {
        "areas": "visperud",
        "types": "lager/logistikk",
        "m2": "800-1500",
        "list": f"{pid},unknown",
        "sel": pid,
    }
    page = finder_panel.layout(state, "nb")
    assert find(page, ids.FINDER_COUNT).children == "2 lokaler"
    assert find(page, ids.FINDER_AREAS).value == ["visperud"]
    assert find(page, ids.FINDER_TYPES).value == ["lager/logistikk"]
    assert find(page, ids.FINDER_SIZE_MIN).value == 800
    assert find(page, ids.FINDER_STATUS).value == ["ledig"]
    assert find(page, ids.FINDER_SHORTLIST).data == [pid]
    assert find(page, ids.FINDER_SELECTED).data == {"id": pid}
    assert pid in text(find(page, ids.FINDER_DETAIL))
    assert find(page, ids.FINDER_EXPORT_LIST_XLSX).disabled is False


def test_grid_uses_the_infinite_row_model(app_ctx):
    """The grid gets no rows with the page: it asks for one block at a time."""
    grid = find(finder_panel.layout({}, "nb"), ids.FINDER_GRID)
    assert grid.rowModelType == "infinite"
    assert getattr(grid, "rowData", None) is None
    options = grid.dashGridOptions
    assert options["pagination"] is True
    assert options["rowSelection"]["checkboxes"] is True
    assert all("cellRenderer" not in c for c in grid.columnDefs)


def test_map_shows_only_the_matches(app_ctx):
    """The map has every listing; the ones that do not match have no position."""
    page = finder_panel.layout({"areas": "visperud", "types": "lager/logistikk"}, "nb")
    fig = go.Figure(find(page, ids.FINDER_MAP).figure)  # the page sends a dict
    # Our own blank style: no sources, glyphs from our own route.
    assert set(fig.layout.map.style["sources"]) == {"naring-empty"}
    assert fig.layout.map.style["glyphs"].startswith("/glyphs/")
    assert all(layer.sourcetype == "geojson" for layer in fig.layout.map.layers)
    shown = [
        c[0]
        for trace in fig.data[finder_map.FIRST_TYPE_TRACE : finder_map.FIRST_BAND_TRACE]
        for c, lat in zip(trace.customdata or [], trace.lat, strict=True)
        if lat is not None
    ]
    count = int(find(page, ids.FINDER_COUNT).children.split()[0])
    assert len(shown) == count > 0


def test_filter_change_sends_a_count_and_bits_not_rows(app_ctx):
    """update_results: the count, the query and a bitset; no rows, no map."""
    query, match, count, note, version, points, fig = call_results()
    assert count == "2 lokaler" and note == ""
    assert query["areas"] == ["visperud"] and query["params"]["m2"] == "800-1500"
    listings = finder_panel.listings()
    mask = finder.bits_mask(match["bits"], match["n"])
    assert match["n"] == len(listings) and int(mask.sum()) == 2
    assert (version, points, fig) == (no_update, no_update, no_update)
    sent = json.dumps([query, match, count])
    assert not any(pid in sent for pid in listings.frame["premises_id"])


def test_filter_change_after_a_store_change_sends_a_new_map(app_ctx):
    """When the store changed since the page was built, the map is rebuilt."""
    *_, version, points, fig = call_results(version="an-old-version")
    assert version == finder_panel.version_key()
    assert points["v"] == version
    assert len(fig["data"]) == finder_map.FIRST_BAND_TRACE + reach_layer.TRACES


def test_reversed_range_is_pointed_out(app_ctx):
    """A size range from 1 500 to 800 finds nothing and says why."""
    _, _, count, note, *_ = call_results(["visperud"], [], 1500, 800, *DEFAULTS)
    assert count == "0 lokaler" and "større enn" in note


def test_grid_block_is_sorted_on_the_server(app_ctx):
    """update_rows: the rows asked for, sorted, and the count of all matches."""
    query = finder_panel._query_data(finder.Query())
    request = {
        "startRow": 0,
        "endRow": 5,
        "sortModel": [{"colId": "size", "sort": "desc"}],
    }
    block = finder_panel.update_rows(request, query, "nb")
    listings = finder_panel.listings()
    assert block["rowCount"] == int(finder.filter_mask(listings, finder.Query()).sum())
    sizes = [
        int(r["size"].replace("\u00a0", "").rstrip("m²")) for r in block["rowData"]
    ]
    assert len(sizes) == 5 and sizes == sorted(sizes, reverse=True)
    huge = finder_panel.update_rows({"startRow": 0, "endRow": 10**6}, query, "nb")
    assert len(huge["rowData"]) <= finder_panel.MAX_BLOCK
    with pytest.raises(PreventUpdate):
        finder_panel.update_rows(None, query, "nb")


def test_row_click_opens_the_card_and_zooms_the_map(app_ctx):
    """A click on a row: its card, the map centred on it, the URL's `sel`."""
    pid = warehouses()[0]
    query = finder_panel._query_data(finder_panel.query_from_controls(*CALL, *DEFAULTS))
    selected, card, patch, goto = triggered(
        "finder-grid.cellClicked",
        finder_panel.update_selection,
        {"rowId": pid, "colId": "title"},
        None,
        query,
        None,
        None,
        "nb",
    )
    assert selected == {"id": pid} and goto is no_update
    assert "Visperud" in text(card) and "Nærmeste holdeplass" in text(card)
    ops = json.dumps(patch.to_plotly_json()["operations"])
    assert '"zoom"' in ops and str(finder_panel.ZOOM_LISTING) in ops


def test_checkbox_click_is_not_a_row_click(app_ctx):
    """Ticking the checkbox shortlists; it does not open the card."""
    with pytest.raises(PreventUpdate):
        triggered(
            "finder-grid.cellClicked",
            finder_panel.update_selection,
            {"rowId": warehouses()[0], "colId": "ag-Grid-SelectionColumn"},
            None,
            {},
            None,
            None,
            "nb",
        )


def test_map_click_turns_the_grid_to_the_listing(app_ctx):
    """A click on a map point opens its card and turns to the page of its row."""
    query = finder_panel._query_data(finder.Query())
    listings = finder_panel.listings()
    model = [{"colId": "size", "sort": "asc"}]
    order = finder.ordered(listings, finder.Query(), model)
    pid = listings.frame["premises_id"][int(order[7])]
    selected, card, patch, goto = triggered(
        "finder-map.clickData",
        finder_panel.update_selection,
        None,
        {"points": [{"customdata": [pid, "x"]}]},
        query,
        {"startRow": 0, "endRow": 20, "sortModel": model},
        {"pageSize": 3},
        "nb",
    )
    assert selected == {"id": pid} and goto == 2
    assert f'"data-id": "{pid}"' in text(card)
    with pytest.raises(PreventUpdate):
        triggered(
            "finder-map.clickData",
            finder_panel.update_selection,
            None,
            {"points": [{"customdata": "sentrum"}]},
            query,
            None,
            None,
            "nb",
        )


def test_shortlist_export_reads_back(app_ctx):
    """The shortlist as XLSX: filters on top, the ticked listings below."""
    pid = warehouses()[1]
    query = finder_panel._query_data(finder_panel.query_from_controls(*CALL, *DEFAULTS))
    out = triggered(
        "finder-export-list-xlsx.n_clicks",
        finder_panel.update_download,
        1,
        None,
        None,
        None,
        query,
        [pid],
        None,
        "nb",
    )
    assert out["filename"].startswith("ledige-lokaler-kortliste-")
    ws = openpyxl.load_workbook(io.BytesIO(base64.b64decode(out["content"]))).active
    column_a = [c.value for c in ws["A"] if c.value]
    assert column_a[1].startswith("Filter: Område: Visperud; Type lokale: Lager")
    assert any(v.startswith("Kilde: Demonstrasjonsdata") for v in column_a[:9])
    assert column_a[-1] == pid and column_a.count(pid) == 1


def test_all_results_export_as_csv(app_ctx):
    """All matches as CSV, one line per listing under the header."""
    query = finder_panel._query_data(finder_panel.query_from_controls(*CALL, *DEFAULTS))
    out = triggered(
        "finder-export-all-csv.n_clicks",
        finder_panel.update_download,
        None,
        None,
        None,
        1,
        query,
        [],
        None,
        "en",
    )
    body = base64.b64decode(out["content"]).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert lines[1][0].startswith("Filter: Area: Visperud")
    assert sorted(line[0] for line in lines if line and line[0] in warehouses()) == (
        sorted(warehouses())
    )


def test_empty_shortlist_exports_nothing(app_ctx):
    """With nothing ticked the shortlist buttons are off and do nothing."""
    with pytest.raises(PreventUpdate):
        triggered(
            "finder-export-list-csv.n_clicks",
            finder_panel.update_download,
            None,
            1,
            None,
            None,
            {},
            [],
            None,
            "nb",
        )
    assert finder_panel.update_shortlist_view([], "nb") == (
        "0 på kortlisten",
        True,
        True,
        True,
    )
    assert finder_panel.update_shortlist_view(["a", "b"], "en")[0] == "2 shortlisted"


def test_reset_puts_the_defaults_back():
    """Reset: no areas or types, no bounds, available listings only."""
    values = finder_panel.update_reset(1)
    assert finder_panel.query_from_controls(*values) == finder.Query()
    with pytest.raises(PreventUpdate):
        finder_panel.update_reset(None)


def test_english_page(app_ctx):
    """The page in English: count, column headings, legend."""
    page = finder_panel.layout({"areas": "visperud"}, "en")
    assert find(page, ids.FINDER_COUNT).children.endswith("premises")
    headings = [c["headerName"] for c in find(page, ids.FINDER_GRID).columnDefs]
    assert "Nearest stop" in headings and "Available" in headings
    assert "straight line × 1.3" in text(page)


def test_user_text_is_escaped_in_hover_and_links_are_safe(six_squares):
    """Titles reach the map's hover escaped; a card links only to http(s)."""
    layer = premises(
        [
            {
                "premises_id": "x",
                "title": "<b onmouseover=alert(1)>Lokale</b>",
                "url": "javascript:alert(1)",
                "geometry": square_centre(0),
            },
            {
                "premises_id": "y",
                "url": "https://example.no/y",
                "geometry": square_centre(1),
            },
        ]
    )
    listings = finder.prepare(
        layer, six_squares, stops([("S", 5, Point(10.905, 59.905))])
    )
    base = build_basemap(six_squares.dissolve(), six_squares.iloc[:0], six_squares)
    mask = finder.filter_mask(listings, finder.Query())
    fig = finder_panel.map_figure(listings, mask, base, "nb")
    dumped = fig.to_json()
    assert "<b onmouseover" not in dumped and "&lt;b onmouseover" in dumped
    today = finder.local_today()
    bad = finder_panel.detail_card(listings, "x", finder.Query(), today, "nb")
    assert "javascript:" not in text(bad) and "<b onmouseover" in text(bad)
    good = text(finder_panel.detail_card(listings, "y", finder.Query(), today, "nb"))
    assert '"href": "https://example.no/y"' in good
    assert '"rel": "noopener noreferrer"' in good


# --- over HTTP (Flask's test client) --------------------------------------------


def post(client, output, inputs, state=(), changed=None):
    """POST a callback as the browser does; return the JSON response."""
    client.get("/")
    token = client.get_cookie("_csrf_token")
    deps = client.get("/_dash-dependencies").get_json()
    (dep,) = [d for d in deps if output in d["output"]]
    outputs = [
        {"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]}
        for o in dep["output"].strip(".").split("...")
    ]
    body = {
        "output": dep["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [
            {**i, "value": v} for i, v in zip(dep["inputs"], inputs, strict=True)
        ],
        "state": [{**s, "value": v} for s, v in zip(dep["state"], state, strict=True)],
        "changedPropIds": changed or [],
    }
    headers = {"Accept-Encoding": "gzip"}
    if token is not None:
        headers["X-CSRFToken"] = token.value
    resp = client.post("/_dash-update-component", json=body, headers=headers)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    data = resp.data
    if resp.headers.get("Content-Encoding") == "gzip":
        data = gzip.decompress(data)
    return json.loads(data)


def test_finder_page_renders_over_http(client):
    """The router renders /lokaler with the grid, the map and the filters."""
    out = post(client, "page-content.children", ["/lokaler"], ["?areas=visperud"])
    page = json.dumps(out, ensure_ascii=False)
    for name in (ids.FINDER_GRID, ids.FINDER_MAP, ids.FINDER_AREAS, ids.FINDER_COPY):
        assert f'"{name}"' in page
    assert '"infinite"' in page and "Ledige lokaler" in page


def test_filter_change_over_http(client, dash_app):
    """The real filter-change request: a small answer with the count."""
    with dash_app.server.test_request_context("/"):
        key = finder_panel.version_key()
    out = post(
        client,
        f"{ids.FINDER_MATCH}.data",
        [*CALL, *DEFAULTS, None, None],  # + reach date, window
        [key, None, "nb"],
        [f"{ids.FINDER_SIZE_MAX}.value"],
    )
    response = out["response"]
    assert response[ids.FINDER_COUNT]["children"] == "2 lokaler"
    assert ids.FINDER_MAP not in response  # the browser redraws it from the bits
    assert len(json.dumps(out)) < 2000


def test_grid_block_over_http(client):
    """The grid's request for a block answers with rows and the total."""
    query = finder_panel._query_data(finder.Query())
    out = post(
        client,
        f"{ids.FINDER_GRID}.getRowsResponse",
        [{"startRow": 0, "endRow": 20, "sortModel": []}],
        [query, "nb"],
        [f"{ids.FINDER_GRID}.getRowsRequest"],
    )
    block = out["response"][ids.FINDER_GRID]["getRowsResponse"]
    assert len(block["rowData"]) == 20 and block["rowCount"] > 20
