"""The map panel: its layout, its callbacks as plain functions, and over HTTP."""

import base64
import html
import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import Patch, dcc, no_update
from dash.exceptions import PreventUpdate

from components import data, exports_panel, figures, ids, map_camera, map_panel
from components.figures import basemap
from components.figures.theme import SECTION_COLORS
from components.i18n import fmt_int
from components.i18n.map import NACE_SECTIONS, section_name
from layers import aggregates, grid
from layers.schemas import AREA_IDS


def layer_firms():
    """The store's establishments as a plain frame, read from the layer itself
    (not through the engine): lat/lon (NaN when unplaced), name, employees,
    section (``?`` when unknown) and area_id."""
    est = data.layer("establishments")
    placed = (est.geometry.notna() & ~est.geometry.is_empty).to_numpy()
    lat = np.full(len(est), np.nan)
    lon = np.full(len(est), np.nan)
    lat[placed] = est.geometry.y.to_numpy()[placed]
    lon[placed] = est.geometry.x.to_numpy()[placed]
    sections = est["nace_section"].where(
        est["nace_section"].isin(list("ABCDEFGHIJKLMNOPQRSTU")), "?"
    )
    return pd.DataFrame(
        {
            "lat": lat,
            "lon": lon,
            "name": est["name"].to_numpy(),
            "employees": est["employees"].to_numpy(),
            "section": sections.to_numpy(),
            "area_id": aggregates.locate(est.geometry, data.layer("areas")),
        }
    )


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


def map_figure(state=None, lang="nb"):
    """The map figure of the page for a URL state (the page sends a plain dict)."""
    return go.Figure(find(map_panel.layout(state or {}, lang), ids.MAP_GRAPH).figure)


def patch_ops(patch):
    """The operations of a Patch as plain dicts."""
    return json.loads(json.dumps(patch.to_plotly_json()["operations"]))


def call_update_map(layers=("firms",), area=None, sections=(), size=(0, 7), **kw):
    """Call update_map from the default view with the given new controls."""
    old = {
        "layers": ["firms"],
        "area": None,
        "sections": [],
        "size": [0, 7],
        "basemap": "offline",
    }
    return map_panel.update_map(
        list(layers),
        area,
        list(sections),
        list(size),
        kw.get("basemap", "offline"),
        kw.get("old", old),
        "nb",
    )


def output_spec(output):
    """``{"id", "property"}`` of one output as the renderer sends it (dict ids too)."""
    name, prop = output.split("@")[0].rsplit(".", 1)
    return {"id": json.loads(name) if name.startswith("{") else name, "property": prop}


def post_callback(client, output, values, changed):
    """POST one callback to /_dash-update-component the way the browser does."""
    deps = client.get("/_dash-dependencies").get_json()
    (dep,) = [d for d in deps if output in d["output"].strip(".").split("...")]
    body = {
        "output": dep["output"],
        "outputs": [output_spec(o) for o in dep["output"].strip(".").split("...")],
        "inputs": [
            {**i, "value": values.get(f"{i['id']}.{i['property']}")}
            for i in dep["inputs"]
        ],
        "state": [
            {**s, "value": values.get(f"{s['id']}.{s['property']}")}
            for s in dep["state"]
        ],
        "changedPropIds": changed,
    }
    if len(body["outputs"]) == 1:
        body["outputs"] = body["outputs"][0]
    client.get("/")  # the session's CSRF token, sent back as the renderer does
    token = client.get_cookie("_csrf_token").value
    return client.post(
        "/_dash-update-component", json=body, headers={"X-CSRFToken": token}
    )


def test_map_draws_six_clickable_areas(app_ctx):
    """The first trace holds the six areas, with area ids as customdata."""
    fig = map_figure()
    areas = fig.data[0]
    assert areas.type == "choroplethmap"
    assert list(areas.locations) == list(AREA_IDS)
    assert list(areas.customdata) == list(AREA_IDS)
    assert len(areas.geojson["features"]) == 6


def test_area_names_shown_on_hover(app_ctx):
    """Hovering an area shows its name."""
    areas = map_figure().data[0]
    assert "Visperud" in areas.text
    assert "%{text}" in areas.hovertemplate


def test_map_is_offline_by_default(app_ctx):
    """The default basemap is drawn from our own layers: no tile URL anywhere."""
    fig = map_figure()
    # Our own blank style: no sources, glyphs from our own route.
    assert set(fig.layout.map.style["sources"]) == {"naring-empty"}
    assert fig.layout.map.style["glyphs"].startswith("/glyphs/")
    assert fig.layout.map.layers[0].visible is False
    assert "http" not in json.dumps(fig.layout.map.to_plotly_json()["layers"])


def _slot(below):
    assert below.startswith(basemap.SLOT_PREFIX)
    return int(below[len(basemap.SLOT_PREFIX) :])


def test_context_layers_drawn_below_traces(app_ctx):
    """Neighbours and the municipal boundary are GeoJSON layers below the traces."""
    fig = map_figure()
    layers = fig.layout.map.layers
    lowest = min(_slot(trace.below) for trace in fig.data)
    below = [layer.type for layer in layers[1:] if _slot(layer.below) < lowest]
    assert "fill" in below and "line" in below


def test_every_layer_and_trace_has_its_own_slot(app_ctx):
    """Each layer and trace is drawn below a slot of its own, in the default order.

    plotly.js re-adds (and MapLibre reloads) on every update each layer whose
    "below" another shares; the slots are hidden layers of our style.
    """
    fig = map_figure()
    belows = [t.below for t in fig.data] + [x.below for x in fig.layout.map.layers]
    assert len(set(belows)) == len(belows)
    slots = [
        x["id"] for x in fig.layout.map.style["layers"] if x["type"] != "background"
    ]
    assert slots == []  # the slots are hidden background layers
    style = [x for x in fig.layout.map.style["layers"] if x["id"] != "background"]
    assert [x["id"] for x in style] == [
        f"{basemap.SLOT_PREFIX}{k}" for k in range(len(belows))
    ]
    assert all(x["layout"] == {"visibility": "none"} for x in style)
    # Context layers, then choroplethmap and scattermap traces, then the labels.
    order = [_slot(b) for b in belows]
    kinds = [t.type for t in fig.data]
    context = [_slot(x.below) for x in fig.layout.map.layers if x.type != "symbol"]
    labels = [_slot(x.below) for x in fig.layout.map.layers if x.type == "symbol"]
    traces = order[: len(kinds)]
    assert max(context) < min(traces) and max(traces) < min(labels)
    chor = [s for s, k in zip(traces, kinds, strict=True) if k == "choroplethmap"]
    scat = [s for s, k in zip(traces, kinds, strict=True) if k == "scattermap"]
    assert max(chor) < min(scat) and scat == sorted(scat)


def test_stacked_leaves_its_input_alone():
    """basemap.stacked returns a copy; the memoised figure is not changed."""
    fig = {
        "data": [{"type": "scattermap"}, {"type": "choroplethmap"}],
        "layout": {
            "map": {
                "style": basemap.map_style(),
                "layers": [{"below": "traces"}, {"type": "symbol"}],
            }
        },
    }
    before = json.dumps(fig, sort_keys=True)
    out = basemap.stacked(fig)
    assert json.dumps(fig, sort_keys=True) == before
    assert [t["below"] for t in out["data"]] == ["naring-slot-2", "naring-slot-1"]
    layers = out["layout"]["map"]["layers"]
    assert [x["below"] for x in layers] == ["naring-slot-0", "naring-slot-3"]


def test_basemap_switch_keeps_the_bottom_slot(app_ctx):
    """A basemap switch patches slot 0 with its own "below", not "traces"."""
    old = figures.MapView(layers=("firms",))
    new = figures.MapView(layers=("firms",), basemap="osm")
    patch = figures.map_patch(
        Patch(), map_panel.context(), old, new, None, "nb", online_allowed=True
    )
    (op,) = [
        o for o in patch_ops(patch) if o["location"] == ["layout", "map", "layers", 0]
    ]
    assert op["params"]["value"]["below"] == f"{basemap.SLOT_PREFIX}0"
    assert map_figure().layout.map.layers[0].below == f"{basemap.SLOT_PREFIX}0"


def test_online_basemap_has_attribution():
    """The Kartverket and OSM basemaps are raster layers with their attribution."""
    kv = figures.basemap_layer("kartverket", "nb")
    osm = figures.basemap_layer("osm", "en")
    assert kv["source"][0].startswith("https://cache.kartverket.no/v1/wmts/")
    assert kv["sourceattribution"] == "© Kartverket"
    assert osm["source"] == ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"]
    assert osm["sourceattribution"] == "© OpenStreetMap contributors"
    assert kv["below"] == osm["below"] == "traces"


def test_online_basemap_not_offered_when_disabled(app_ctx, monkeypatch):
    """With ONLINE_BASEMAPS off, the basemap choice holds only the offline map."""
    monkeypatch.setitem(app_ctx.server.config, "ONLINE_BASEMAPS", False)
    page = map_panel.layout({"basemap": "osm"}, "nb")
    radio = find(page, ids.MAP_BASEMAP)
    assert [o["value"] for o in radio.options] == ["offline"]
    assert "http" not in json.dumps(
        find(page, ids.MAP_GRAPH).figure["layout"]["map"]["layers"]
    )


def test_firms_layer_is_one_trace_of_grid_cells(app_ctx):
    """At municipal zoom the firms are one trace of 500 m cells, not every firm."""
    fig = map_figure()
    (firms,) = [tr for tr in fig.data if tr.meta and tr.meta[0] == "firms"]
    fr = map_panel.frames()
    placed = int(layer_firms()["lat"].notna().sum())
    cells = grid.aggregate(fr, grid.build_grid(fr, 500), np.ones(fr.n_firms, bool))
    assert int(cells.firms.sum()) == placed  # every placed firm is in a cell
    assert len(firms.lat) == len(cells) < placed / 4
    # Coloured by the section with most jobs, sized by jobs, counts on hover.
    assert list(firms.marker.color) == [SECTION_COLORS[s] for s in cells.section]
    big = int(np.argmax(cells.jobs))
    assert firms.marker.size[big] == max(firms.marker.size)
    assert (
        firms.customdata[big][0]
        == f"{fmt_int(int(cells.firms[big]), 'nb')} virksomheter"
    )


def test_zoomed_in_view_shows_the_firms_of_its_extent(app_ctx):
    """Zoomed in far enough, the one firms trace holds the firms in the extent."""
    layer = layer_firms()
    k = int(np.argmax(layer["employees"]))  # somewhere with firms
    lat, lon = float(layer["lat"].iloc[k]), float(layer["lon"].iloc[k])
    fig = map_figure({"center": f"{lat},{lon}", "zoom": "15"})
    (firms,) = [tr for tr in fig.data if tr.meta and tr.meta[0] == "firms"]
    lon0, lat0, lon1, lat1 = map_camera._bounds((lat, lon), 15.0)
    inside = layer[layer.lat.between(lat0, lat1) & layer.lon.between(lon0, lon1)]
    assert 0 < len(firms.lat) == len(inside) <= map_panel.MAX_VIEW_FIRMS
    names = {html.escape(n) for n in inside["name"]}
    assert {c[0] for c in firms.customdata} == names
    assert all(lat0 <= v <= lat1 for v in firms.lat)


def test_pan_when_zoomed_in_fetches_the_new_extent(app_ctx):
    """A relayout to another zoomed-in place patches the firms trace with its firms."""
    firms = layer_firms()
    k = int(np.argmax(firms["employees"]))
    lat, lon = float(firms["lat"].iloc[k]), float(firms["lon"].iloc[k])
    view = {"layers": ["firms"], "area": None, "sections": [], "size": [0, 7]}
    old = {"center": [59.93, 10.95], "zoom": 10.7, "mode": "cells:500"}
    relayout = {"map.center": {"lat": lat, "lon": lon}, "map.zoom": 15.5}
    patch, cam = map_panel.update_extent(relayout, view, old, "nb")
    assert cam["mode"] == "firms" and cam["zoom"] == 15.5
    ops = {tuple(op["location"]): op["params"]["value"] for op in patch_ops(patch)}
    i = figures.trace_keys(map_panel.context()).index(("firms", ""))
    assert 0 < len(ops[("data", i, "lat")]) <= map_panel.MAX_VIEW_FIRMS
    # Back out to the municipality: cells again, once; a pan then sends nothing.
    back = {"map.center": {"lat": 59.93, "lon": 10.95}, "map.zoom": 10.7}
    patch, cam2 = map_panel.update_extent(back, view, cam, "nb")
    assert cam2["mode"] == "cells:500" and patch_ops(patch)
    pan = {"map.center": {"lat": 59.94, "lon": 10.96}, "map.zoom": 10.7}
    patch, _cam3 = map_panel.update_extent(pan, view, cam2, "nb")
    assert patch is no_update


def test_layers_from_url_are_visible(app_ctx):
    """The layers named in the URL are drawn; the others are hidden."""
    fig = map_figure({"layers": "premises,transit"})
    visible = {tr.meta[0] for tr in fig.data if tr.visible is not False}
    assert {"premises", "transit", "areas"} <= visible
    assert "firms" not in visible and "jobs" not in visible


def test_jobs_layer_is_density_per_km2(app_ctx):
    """The jobs layer colours each area by jobs per km² (area in EPSG:25833)."""
    fr = map_panel.frames()
    fig = map_figure({"layers": "jobs"})
    jobs = next(tr for tr in fig.data if tr.meta[0] == "jobs")
    metric = fr.areas.to_crs("EPSG:25833")
    k = AREA_IDS.index("visperud")
    km2 = metric.geometry.iloc[k].area / 1e6
    firms = layer_firms()
    expected = firms.loc[firms.area_id == "visperud", "employees"].sum() / km2
    assert jobs.z[k] == pytest.approx(expected, abs=0.1)


def test_hover_text_escapes_names():
    """A firm's name is HTML-escaped before it reaches a hover label."""
    import pandas as pd

    firms = pd.DataFrame(
        {
            "name": ["<b>Evil</b> & Co"],
            "employees": [3],
            "lat": [59.9],
            "lon": [10.9],
            "area_id": ["ahus"],
        }
    )
    pts = figures.firm_points(firms, "nb")
    assert pts["customdata"][0][0] == "&lt;b&gt;Evil&lt;/b&gt; &amp; Co"


def test_update_map_returns_a_patch(app_ctx):
    """Switching a layer returns a dash.Patch, not a new figure."""
    patch, view, _summary, _export = call_update_map(layers=("firms", "premises"))
    assert isinstance(patch, Patch)
    assert not isinstance(patch, go.Figure | dict)
    assert view["layers"] == ["firms", "premises"]


def test_layer_switch_sends_only_visibility(app_ctx):
    """Switching the premises layer on sends a few `visible` flags, under 2 kB."""
    patch, _view, _summary, _export = call_update_map(layers=("firms", "premises"))
    ops = patch_ops(patch)
    assert ops and all(op["location"][-1] == "visible" for op in ops)
    assert len(json.dumps(ops)) < 2000


def test_area_selection_patches_outline_and_selection(app_ctx):
    """Selecting an area patches the selection, its outline and the camera only."""
    patch, view, summary, _export = call_update_map(area="visperud")
    ops = patch_ops(patch)
    keys = figures.trace_keys(map_panel.context())
    selected = keys.index(("selected", ""))
    assert {tuple(op["location"]) for op in ops} == {
        ("data", 0, "selectedpoints"),
        ("data", selected, "lon"),
        ("data", selected, "lat"),
        ("layout", "map", "center"),
        ("layout", "map", "zoom"),
        ("layout", "map", "uirevision"),
    }
    # The camera fits the area: closer than the municipality's view, and centred
    # inside the area's bounds.
    zoom = next(op for op in ops if op["location"][-1] == "zoom")["params"]["value"]
    assert zoom > figures.DEFAULT_ZOOM + 1
    centre = next(op for op in ops if op["location"][-1] == "center")
    west, south, east, north = map_panel.context().base.area_bounds["visperud"]
    assert west < centre["params"]["value"]["lon"] < east
    assert south < centre["params"]["value"]["lat"] < north
    sel = next(op for op in ops if op["location"][-1] == "selectedpoints")
    assert sel["params"]["value"] == [AREA_IDS.index("visperud")]
    assert view["area"] == "visperud"
    assert len(json.dumps(ops)) < 3000
    assert summary is no_update  # the filters did not change


def test_size_filter_sends_the_filtered_cells(app_ctx):
    """A size filter patches the firms trace with the cells of the firms in range."""
    patch, _view, summary, _export = call_update_map(size=(5, 7))
    ops = {tuple(op["location"]): op["params"]["value"] for op in patch_ops(patch)}
    i = figures.trace_keys(map_panel.context()).index(("firms", ""))
    fr = map_panel.frames()
    firms = layer_firms()
    big = (firms.employees >= 50).to_numpy()
    cells = grid.aggregate(fr, grid.build_grid(fr, 500), big)
    assert len(ops[("data", i, "lat")]) == len(cells)
    assert int(cells.firms.sum()) == int((big & firms.lat.notna()).sum())
    assert "virksomheter" in summary


def test_section_filter_restyles_the_cells(app_ctx):
    """Choosing an industry section re-aggregates the cells to that section only."""
    patch, _view, _summary, _export = call_update_map(sections=("G",))
    ops = {tuple(op["location"]): op["params"]["value"] for op in patch_ops(patch)}
    i = figures.trace_keys(map_panel.context()).index(("firms", ""))
    assert set(ops[("data", i, "marker", "color")]) == {SECTION_COLORS["G"]}
    fr = map_panel.frames()
    in_g = (layer_firms().section == "G").to_numpy()
    cells = grid.aggregate(fr, grid.build_grid(fr, 500), in_g)
    assert len(ops[("data", i, "lat")]) == len(cells)


def test_basemap_switch_patches_one_layer_slot(app_ctx):
    """Choosing Kartverket patches layer slot 0, not the context geometry."""
    patch, _view, _summary, _export = call_update_map(basemap="kartverket")
    ops = patch_ops(patch)
    slot = next(op for op in ops if op["location"] == ["layout", "map", "layers", 0])
    assert slot["params"]["value"]["sourcetype"] == "raster"
    assert len(json.dumps(ops)) < 1000


def test_unchanged_view_sends_nothing(app_ctx):
    """A callback with the same view as before does not update the map."""
    with pytest.raises(PreventUpdate):
        call_update_map()


def test_click_on_area_selects_it():
    """A click on an area polygon selects that area."""
    click = {"points": [{"curveNumber": 0, "customdata": "visperud"}]}
    assert map_panel.update_area_from_click(click) == "visperud"


def test_click_on_a_firm_selects_its_area():
    """A click on a firm inside an area selects that area."""
    click = {"points": [{"customdata": ["Demo AS", "3", "ahus"]}]}
    assert map_panel.update_area_from_click(click) == "ahus"


def test_click_outside_the_areas_changes_nothing():
    """A click on a firm outside the six areas keeps the selection."""
    with pytest.raises(PreventUpdate):
        map_panel.update_area_from_click(
            {"points": [{"customdata": ["X", "3", "rest"]}]}
        )


def test_reset_clears_filters():
    """The reset button clears the industry and size filters."""
    assert map_panel.update_filters_reset(1) == ([], [0, 7])


def test_url_keeps_view_and_lang():
    """The view is written to the query string; lang stays as it was."""
    view = {
        "layers": ["firms", "premises"],
        "area": "ahus",
        "sections": ["G", "Q"],
        "size": [2, 7],
        "basemap": "offline",
    }
    search = map_panel.update_url(view, None, "?lang=en")
    state = dict(p.split("=") for p in search.lstrip("?").split("&"))
    assert state == {
        "area": "ahus",
        "lang": "en",
        "layers": "firms,premises",
        "nace": "G,Q",
        "size": "2-7",
    }


def test_url_records_map_centre_and_zoom():
    """Panning and zooming the map writes its centre and zoom to the URL."""
    view = {"layers": ["firms"], "area": None, "sections": [], "size": [0, 7]}
    relayout = {"map.center": {"lon": 10.95, "lat": 59.93}, "map.zoom": 12.5}
    search = map_panel.update_url(view, relayout, "")
    assert "center=59.93000,10.95000" in search
    assert "zoom=12.50" in search


def test_url_state_round_trips():
    """A view written to the URL reads back as the same view."""
    view = figures.MapView(
        layers=("jobs", "transit"),
        area="fjellhamar",
        sections=("C", "H"),
        size=(1, 4),
        basemap="osm",
        center=(59.93, 10.97),
        zoom=12.25,
    )
    params = {k: v for k, v in figures.view_to_params(view).items() if v}
    assert figures.view_from_state(params) == view


def test_bad_url_values_fall_back_to_defaults():
    """A hand-edited link with unknown values still gives a valid view."""
    view = figures.view_from_state(
        {"area": "atlantis", "layers": "x", "size": "9-a", "basemap": "y", "zoom": "z"}
    )
    assert view.area is None and view.layers == () and view.size == (0, 7)
    assert view.basemap == "offline" and view.zoom is None


def test_layout_restores_filters_from_url(app_ctx):
    """The controls of the page start from the URL's view."""
    page = map_panel.layout({"area": "ahus", "nace": "Q", "size": "3-7"}, "nb")
    assert find(page, ids.MAP_AREA).value == "ahus"
    assert find(page, ids.MAP_SECTIONS).value == ["Q"]
    assert find(page, ids.MAP_SIZE).value == [3, 7]


def test_all_nace_sections_named_in_both_languages():
    """The 21 SN2007 sections A–U have names in bokmål and English."""
    letters = [chr(c) for c in range(ord("A"), ord("U") + 1)]
    assert all(letter in NACE_SECTIONS for letter in letters)
    assert section_name("G", "nb").startswith("Varehandel")
    assert section_name("G", "en").startswith("Wholesale")
    assert section_name("", "nb") == "Ukjent næring"


def test_validation_components_cover_callback_ids():
    """Every id the panel's callbacks use is in its validation components."""
    names = [c.id for c in map_panel.validation_components()]
    for name in (
        ids.MAP_GRAPH,
        ids.MAP_AREA,
        ids.MAP_VIEW,
        ids.PROFILE_CONTENT,
        exports_panel.context_id("map"),
        exports_panel.button_id("map", "pdf"),
    ):
        assert name in names


def test_size_classes():
    """Employees fall into the eight size classes 0, 1–4, ..., 250+."""
    got = aggregates.size_class([0, 1, 4, 5, 9, 10, 49, 99, 249, 250, 9000])
    assert got.tolist() == [0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 7]


def test_map_click_round_trip_over_http(client):
    """A map click POSTed as the browser does comes back as the selected area."""
    resp = post_callback(
        client,
        "map-area.value",
        {"map-graph.clickData": {"points": [{"customdata": "ahus"}]}},
        ["map-graph.clickData"],
    )
    assert resp.status_code == 200
    assert resp.get_json()["response"]["map-area"]["value"] == "ahus"


def test_filter_change_over_http_is_a_small_patch(client):
    """A section filter over HTTP answers with a patch of the figure, not a figure."""
    values = {
        "map-layers.value": ["firms"],
        "map-area.value": None,
        "map-sections.value": ["G"],
        "map-size.value": [0, 7],
        "map-basemap.value": "offline",
        "map-view.data": {
            "layers": ["firms"],
            "area": None,
            "sections": [],
            "size": [0, 7],
            "basemap": "offline",
        },
        "map-lang.data": "nb",
    }
    resp = post_callback(client, "map-graph.figure", values, ["map-sections.value"])
    assert resp.status_code == 200
    figure = resp.get_json()["response"]["map-graph"]["figure"]
    assert figure.get("__dash_patch_update")
    assert "data" not in figure and "layout" not in figure
    # The re-aggregated cells of one section: bounded by the area, not by firms.
    assert len(resp.data) < 20_000


def test_map_graph_is_a_dcc_graph(app_ctx):
    """The map is a dcc.Graph that zooms with the scroll wheel."""
    graph = find(map_panel.layout({}, "nb"), ids.MAP_GRAPH)
    assert isinstance(graph, dcc.Graph)
    assert graph.config["scrollZoom"] is True


# --- export buttons ---------------------------------------------------------------


def json_id(component_id):
    """A dict id as Dash writes it in a request or a response: sorted, compact JSON."""
    return json.dumps(component_id, sort_keys=True, separators=(",", ":"))


def post_export(client, prefix, kind, context):
    """Click one export button of ``prefix`` with ``context`` as the renderer does."""
    buttons = [exports_panel.button_id(prefix, k) for k in exports_panel.KINDS]
    clicked = exports_panel.button_id(prefix, kind)
    deps = client.get("/_dash-dependencies").get_json()
    (dep,) = [d for d in deps if ids.EXPORT_DOWNLOAD in d["output"]]
    body = {
        "output": dep["output"],
        "outputs": [
            {"id": exports_panel.download_id(prefix), "property": "data"},
            {"id": exports_panel.status_id(prefix), "property": "children"},
        ],
        "inputs": [
            {"id": b, "property": "n_clicks", "value": 1 if b == clicked else None}
            for b in buttons
        ],
        "state": [
            {
                "id": exports_panel.context_id(prefix),
                "property": "data",
                "value": context,
            }
        ],
        "changedPropIds": [json_id(clicked) + ".n_clicks"],
    }
    client.get("/")
    token = client.get_cookie("_csrf_token").value
    resp = client.post(
        "/_dash-update-component", json=body, headers={"X-CSRFToken": token}
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_json()["response"][json_id(exports_panel.download_id(prefix))]


def test_map_page_has_export_buttons_for_its_view(app_ctx):
    """The map's export buttons start with the link's area and visible layers."""
    page = map_panel.layout({"area": "visperud", "layers": "firms,premises"}, "nb")
    for kind in exports_panel.KINDS:
        assert find(page, exports_panel.button_id("map", kind)) is not None
    context = find(page, exports_panel.context_id("map")).data
    assert context["area"] == "visperud"
    assert context["layers"] == ["firms", "premises"]


def test_area_and_layers_update_the_export_context(app_ctx):
    """The map callback rewrites the export context for an area or a layer only."""
    *_, export = call_update_map(area="visperud", layers=("firms", "transit"))
    assert export == exports_panel.context_data("visperud", "nb", ("firms", "transit"))
    *_, export = call_update_map(sections=("G",))
    assert export is no_update  # a filter does not change what is exported


@pytest.mark.parametrize(
    ("kind", "start"), [("html", b"<!DOCTYPE html>"), ("pdf", b"%PDF"), ("xlsx", b"PK")]
)
def test_map_downloads_the_chosen_area_over_http(client, kind, start):
    """After choosing an area on the map, each button downloads that area's file."""
    view = {
        "layers": ["firms"],
        "area": None,
        "sections": [],
        "size": [0, 7],
        "basemap": "offline",
    }
    values = {
        "map-layers.value": ["firms", "premises"],
        "map-area.value": "visperud",
        "map-sections.value": [],
        "map-size.value": [0, 7],
        "map-basemap.value": "offline",
        "map-view.data": view,
        "map-lang.data": "nb",
    }
    resp = post_callback(client, "map-graph.figure", values, ["map-area.value"])
    context_key = json_id(exports_panel.context_id("map"))
    context = resp.get_json()["response"][context_key]["data"]
    download = post_export(client, "map", kind, context)["data"]
    assert download["filename"] == f"naeringsarealer_visperud.{kind}"
    assert base64.b64decode(download["content"]).startswith(start)


def test_no_layer_feature_has_empty_properties(app_ctx):
    """Every feature of the context layers has properties: the renderer drops an
    empty ``{}`` when it applies a patch, and plotly.js would then reload the
    layer's source in MapLibre on every update (a changed source to it)."""
    layers = map_figure().to_plotly_json()["layout"]["map"]["layers"]
    features = [
        f
        for x in layers
        if isinstance(x.get("source"), dict)
        for f in x["source"].get("features", [])
    ]
    assert features and all(f.get("properties") for f in features)
