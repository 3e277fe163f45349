"""Presentation mode and the export buttons: pure functions, callbacks, and over HTTP."""

import base64
import io
import json
from contextvars import copy_context

import openpyxl
import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash.exceptions import PreventUpdate

from components import exports, exports_panel, ids, tour_views
from components import presentation_panel as pp
from components import tour as tour_mod
from layers.schemas import AREA_IDS
from layers.store import open_store


@pytest.fixture
def app_ctx(dash_app):
    """A request context of the test app, as a callback has."""
    with dash_app.server.test_request_context("/"):
        yield dash_app


def walk(component):
    """Every component of a layout tree, depth first."""
    yield component
    children = getattr(component, "children", None)
    if not isinstance(children, list | tuple):
        children = [children]
    for child in children:
        if hasattr(child, "to_plotly_json"):
            yield from walk(child)


def find(component, component_id):
    """The component with ``component_id`` in a layout tree, or None."""
    return next(
        (c for c in walk(component) if getattr(c, "id", None) == component_id), None
    )


def text_of(component):
    """All the text of a layout tree, joined by spaces."""
    out = []
    for c in walk(component):
        children = getattr(c, "children", None)
        items = children if isinstance(children, list | tuple) else [children]
        out += [str(x) for x in items if isinstance(x, str | int | float)]
    return " ".join(out)


def sections(layout):
    """The view sections of a presentation layout, in order."""
    return [
        c
        for c in walk(layout)
        if isinstance(getattr(c, "id", None), dict) and c.id["type"] == ids.PRESENT_VIEW
    ]


def current(layout):
    """The view section marked current."""
    (hit,) = [s for s in sections(layout) if "is-current" in s.className]
    return hit


def run_with_trigger(prop_id, value, fn, *args):
    """Call a callback as Dash does, with ``prop_id`` as the triggering input."""

    def run():
        context_value.set(
            AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": value}])
        )
        return fn(*args)

    return copy_context().run(run)


def prop_id(component_id, prop):
    """A pattern-matching id as the renderer sends it: sorted JSON, then the prop."""
    return json.dumps(component_id, sort_keys=True, separators=(",", ":")) + "." + prop


# --- the views from the URL -----------------------------------------------------------


def test_all_six_areas_by_default():
    """Without ?areas= the tour shows the six areas in the usual order."""
    assert tour_mod.parse_areas(None) == list(AREA_IDS)
    assert tour_mod.parse_areas("") == list(AREA_IDS)


def test_custom_order_is_kept():
    """?areas= chooses the areas and their order."""
    assert tour_mod.parse_areas("visperud,ahus,sentrum") == [
        "visperud",
        "ahus",
        "sentrum",
    ]


def test_unknown_and_repeated_areas_are_dropped():
    """Unknown ids and repeats are left out; nothing valid gives all six."""
    assert tour_mod.parse_areas("Visperud, nowhere,visperud,ahus") == [
        "visperud",
        "ahus",
    ]
    assert tour_mod.parse_areas("nowhere,,") == list(AREA_IDS)


def test_areas_param_is_short_for_the_default():
    """The link leaves ?areas= out for all six in the usual order."""
    assert tour_mod.areas_param(AREA_IDS) is None
    assert tour_mod.areas_param(["ahus", "sentrum"]) == "ahus,sentrum"


def test_view_list_has_overview_areas_and_closing():
    """The tour is the overview, one view per area, then the comparison."""
    views = tour_mod.view_list(["visperud", "ahus"])
    assert [v["key"] for v in views] == [
        tour_mod.OVERVIEW,
        "visperud",
        "ahus",
        tour_mod.CLOSING,
    ]
    assert [v["kind"] for v in views] == ["overview", "area", "area", "closing"]


@pytest.mark.parametrize(
    ("value", "index"),
    [
        (None, 0),
        ("1", 0),
        ("3", 2),
        ("99", 7),
        ("0", 0),
        ("visperud", 4),
        ("VISPERUD", 4),
        ("oversikt", 0),
        ("overview", 0),
        ("sammenligning", 7),
        ("summary", 7),
        ("nowhere", 0),
        ("-2", 0),
    ],
)
def test_view_index_from_number_or_key(value, index):
    """?view= takes a number from 1 or a view's key; unknown gives the first."""
    assert tour_mod.view_index(tour_mod.view_list(AREA_IDS), value) == index


def test_view_param_names_the_view():
    """The link names an area's view by its id and leaves the first view out."""
    views = tour_mod.view_list(["ahus"])
    assert [tour_mod.view_param(views, i) for i in range(3)] == [
        None,
        "ahus",
        tour_mod.CLOSING,
    ]


@pytest.mark.parametrize(
    ("index", "action", "expected"),
    [
        (0, "next", 1),
        (7, "next", 7),
        (3, "prev", 2),
        (0, "prev", 0),
        (4, "first", 0),
        (1, "last", 7),
        (2, "nothing", 2),
    ],
)
def test_step_stays_inside_the_tour(index, action, expected):
    """Moving forward, back, to the first and the last view never leaves the tour."""
    assert tour_mod.step(index, action, 8) == expected


def test_toggle_adds_at_the_end_and_keeps_one():
    """Ticking adds an area last; the last area left cannot be taken out."""
    assert tour_mod.toggle_area(["ahus"], "visperud", True) == ["ahus", "visperud"]
    assert tour_mod.toggle_area(["ahus", "visperud"], "ahus", False) == ["visperud"]
    assert tour_mod.toggle_area(["ahus"], "ahus", False) == ["ahus"]


def test_move_swaps_with_the_neighbour():
    """Moving up or down swaps with the neighbour, and stops at the ends."""
    assert tour_mod.move_area(["a", "b", "c"], "b", "up") == ["b", "a", "c"]
    assert tour_mod.move_area(["a", "b", "c"], "b", "down") == ["a", "c", "b"]
    assert tour_mod.move_area(["a", "b"], "a", "up") == ["a", "b"]
    assert tour_mod.move_area(["a", "b"], "x", "up") == ["a", "b"]


def test_setup_lists_chosen_first_then_the_rest():
    """The setup list shows the tour's areas in order, then the others."""
    order = tour_mod.setup_order(["visperud", "ahus"])
    assert order[:2] == ["visperud", "ahus"] and sorted(order) == sorted(AREA_IDS)


def test_camera_centres_and_zooms_to_fit():
    """The first frame's camera centres on the bounds; a smaller area zooms in more."""
    big = (10.90, 59.83, 11.03, 59.96)
    small = (10.94, 59.91, 10.97, 59.94)
    c_big, z_big = tour_mod.camera(big)
    c_small, z_small = tour_mod.camera(small)
    assert 10.94 < c_small["lon"] < 10.97 and 59.91 < c_small["lat"] < 59.94
    assert big[0] < c_big["lon"] < big[2]
    assert z_small > z_big


def test_premises_marked_on_area_views_only():
    """The map marks premises on an area's view, not on the overview."""
    views = tour_mod.with_cameras(
        tour_mod.view_list(["ahus"]), {}, (10.9, 59.8, 11.0, 59.9)
    )
    assert [v["points"] for v in views] == [False, True, False]


def test_focused_area_is_brought_forward():
    """An area's view fills and outlines it more strongly than the others."""
    opacity, width = tour_mod.view_styles("ahus")
    k = AREA_IDS.index("ahus")
    assert opacity[k] == max(opacity) > min(opacity)
    assert width[k] == max(width)
    assert len(set(tour_mod.view_styles(None)[0])) == 1


def test_selection_change_focuses_the_twin_button_at_an_end():
    """Moving an area to the top gives focus to its down button (up is disabled)."""
    trigger = {"type": ids.PRESENT_MOVE, "area": "ahus", "dir": "up"}
    new, focus = tour_mod.selection_change(["visperud", "ahus"], trigger, 1)
    assert new == ["ahus", "visperud"]
    assert focus == {**trigger, "dir": "down"}


def test_selection_change_ignores_a_fresh_button():
    """A move button rendered anew (no clicks) changes nothing."""
    trigger = {"type": ids.PRESENT_MOVE, "area": "ahus", "dir": "up"}
    assert tour_mod.selection_change(["visperud", "ahus"], trigger, None)[0] == [
        "visperud",
        "ahus",
    ]


# --- the layout --------------------------------------------------------------------------


def test_layout_follows_the_chosen_order(app_ctx):
    """The views follow ?areas=, with the overview first and the comparison last."""
    layout = pp.layout({"areas": "visperud,ahus,sentrum"}, "nb")
    areas = [getattr(s, "data-area", None) for s in sections(layout)]
    assert areas == [None, "visperud", "ahus", "sentrum", None]
    assert find(layout, ids.PRESENT_PROGRESS).children == "1 / 5"


def test_layout_opens_the_view_of_the_link(app_ctx):
    """?view=visperud opens Visperud's view, with the map centred on it."""
    layout = pp.layout({"view": "visperud"}, "nb")
    view = current(layout)
    assert getattr(view, "data-area") == "visperud"
    assert "Visperud" in text_of(view)
    centre = find(layout, ids.PRESENT_MAP).figure.layout.map.center
    views = find(layout, ids.PRESENT_VIEWS).data
    west, south, east, north = views[4]["bounds"]
    assert west < centre.lon < east and south < centre.lat < north


def test_area_view_shows_key_figures_and_marks_demo_data(app_ctx):
    """An area's view shows its figures, character, premises and the demo tag."""
    text = text_of(current(pp.layout({"view": "2"}, "nb")))
    for word in (
        "Lørenskog sentrum",
        "virksomheter",
        "arbeidsplasser",
        "ledig næringsareal",
        "holdeplasser",
        "Kjennetegn",
        "Største ledige lokaler",
        "Demonstrasjonsdata",
        "næringsstrategi 2025–2037",
    ):
        assert word in text, word


def test_overview_has_municipal_figures_and_setup(app_ctx):
    """The overview shows the strategy's municipal figures and the setup list."""
    layout = pp.layout({}, "nb")
    text = text_of(current(layout))
    assert "24\u00a0892" in text and "4\u00a0512" in text
    assert "Næringsstrategi 2025–2037" in text
    setup = find(layout, ids.PRESENT_SETUP)
    assert len(setup.children) == 6


def test_closing_view_has_chart_table_and_exports(app_ctx):
    """The comparison shows all six, the rest and the total, and three downloads."""
    view = current(pp.layout({"view": "sammenligning"}, "nb"))
    text = text_of(view)
    assert "Resten av kommunen" in text and "Hele kommunen" in text
    for label in ("Kart (HTML)", "Områdeprofil (PDF)", "Tabell (XLSX)"):
        assert label in text


def test_layout_in_english_keeps_lang_on_exit(app_ctx):
    """In English the texts are English and Esc leads to /?lang=en."""
    layout = pp.layout({"lang": "en", "view": "ahus"}, "en")
    assert "Ahus area" in text_of(current(layout))
    assert find(layout, ids.PRESENT_EXIT).href == "/?lang=en"
    assert find(pp.layout({}, "nb"), ids.PRESENT_EXIT).href == "/"


def test_map_works_offline_and_needs_no_hover(app_ctx):
    """The map uses our own layers on a blank style, with hover switched off."""
    fig = find(pp.layout({}, "nb"), ids.PRESENT_MAP).figure
    style = fig.layout.map.style
    assert style["glyphs"].startswith("/") and set(style["sources"]) == {"naring-empty"}
    assert fig.layout.hovermode is False
    assert all(tr.hoverinfo == "skip" for tr in fig.data)
    assert "http" not in json.dumps(fig.to_plotly_json()["layout"]["map"]["layers"])


def test_closing_bars_write_their_values():
    """The comparison's bars carry their values as text, the longest at 100 %."""
    rows = [{"area_id": a, "jobs": 100 * (k + 1)} for k, a in enumerate(AREA_IDS)]
    rows.append({"area_id": "rest", "jobs": 50})
    bars = tour_views.closing_bars(rows, {}, "nb")
    assert [b["text"] for b in bars] == ["100", "200", "300", "400", "500", "600", "50"]
    assert bars[5]["share"] == 100 and bars[0]["share"] == pytest.approx(16.7)
    assert bars[-1]["label"] == "Resten av kommunen"


# --- callbacks as plain functions ---------------------------------------------------------


def test_update_selection_moves_an_area_and_updates_the_link(app_ctx):
    """Moving Ahus up re-renders the tour and writes the new order into the link."""
    trigger = {"type": ids.PRESENT_MOVE, "area": "ahus", "dir": "up"}
    out = run_with_trigger(
        prop_id(trigger, "n_clicks"),
        1,
        pp.update_selection,
        [],
        [],
        ["visperud", "ahus"],
        "nb",
        "?areas=visperud,ahus&view=2",
    )
    tour, setup, later, views, chosen, focus, search = out
    assert chosen == ["ahus", "visperud"]
    assert [v["key"] for v in views] == [
        tour_mod.OVERVIEW,
        "ahus",
        "visperud",
        tour_mod.CLOSING,
    ]
    assert search == "?areas=ahus,visperud"
    assert focus == {"id": {**trigger, "dir": "down"}}
    assert len(later) == 3 and len(setup) == 6 and len(tour) == 2


def test_update_selection_adds_a_ticked_area(app_ctx):
    """Ticking an area adds it at the end of the tour."""
    trigger = {"type": ids.PRESENT_INCLUDE, "area": "sentrum"}
    out = run_with_trigger(
        prop_id(trigger, "value"),
        ["sentrum"],
        pp.update_selection,
        [],
        [],
        ["visperud"],
        "nb",
        "",
    )
    assert out[4] == ["visperud", "sentrum"]
    assert out[6] == "?areas=visperud,sentrum"


def test_update_selection_keeps_the_last_area(app_ctx):
    """Unticking the only area left changes nothing."""
    trigger = {"type": ids.PRESENT_INCLUDE, "area": "ahus"}
    with pytest.raises(PreventUpdate):
        run_with_trigger(
            prop_id(trigger, "value"),
            [],
            pp.update_selection,
            [],
            [],
            ["ahus"],
            "nb",
            "",
        )


# --- export buttons -----------------------------------------------------------------------


def test_export_buttons_have_three_labelled_buttons():
    """The group holds the three buttons, a download and its context."""
    text = text_of(exports_panel.export_buttons("x", "nb"))
    for label in ("Kart (HTML)", "Områdeprofil (PDF)", "Tabell (XLSX)"):
        assert label in text
    assert "Map (HTML)" in text_of(exports_panel.export_buttons("x", "en"))


def test_map_layer_names_are_translated():
    """The map page's layer names become the export's point layers."""
    assert exports_panel.point_layers(["firms", "jobs", "transit", "premises"]) == [
        "establishments",
        "transit_stops",
        "premises",
    ]


@pytest.fixture(scope="module")
def pack(default_store):
    """The layers, figures and sources the exports are built from."""
    store = open_store(default_store)
    from layers.stats import store_figures

    return (
        exports.read_layers(store),
        store_figures(store),
        exports.context_sources(store),
    )


def test_make_export_html_for_one_area(pack):
    """The HTML map of one area is a standalone file named after the area."""
    layers, figs, sources = pack
    ctx = exports_panel.context_data(area="visperud", layers=["firms"])
    name, content, mime = exports_panel.make_export(
        "html", ctx, layers, figs, sources=sources, online=False
    )
    assert name == "naeringsarealer_visperud.html" and mime == "text/html"
    assert b"Visperud" in content and b"tile.openstreetmap" not in content


def test_make_export_pdf_follows_the_tour(pack):
    """The PDF of a presentation has the tour's areas."""
    layers, figs, _ = pack
    ctx = exports_panel.context_data(areas=["ahus", "visperud"])
    name, content, _mime = exports_panel.make_export("pdf", ctx, layers, figs)
    assert name == "naeringsarealer_alle.pdf" and content.startswith(b"%PDF")


def test_make_export_xlsx_compares_all(pack):
    """Without an area the table compares the six areas, the rest and the total."""
    layers, figs, _ = pack
    ctx = exports_panel.context_data(lang="en")
    _name, content, _mime = exports_panel.make_export("xlsx", ctx, layers, figs)
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    assert ws.title == "Comparison" and ws.max_row >= 9


def test_update_export_download_sends_the_file(app_ctx):
    """A click on the XLSX button sends the workbook and says so."""
    button = exports_panel.button_id("present", "xlsx")
    data, status = run_with_trigger(
        prop_id(button, "n_clicks"),
        1,
        exports_panel.update_export_download,
        None,
        None,
        1,
        exports_panel.context_data(),
    )
    assert data["filename"] == "naeringsarealer_alle.xlsx" and data["base64"]
    assert "naeringsarealer_alle.xlsx" in status


def test_unknown_area_exports_all_six(pack):
    """An area id that is not one of the six (a hand-edited link) exports all six."""
    layers, figs, _ = pack
    ctx = exports_panel.context_data(area="nowhere")
    name, _content, _mime = exports_panel.make_export("xlsx", ctx, layers, figs)
    assert name == "naeringsarealer_alle.xlsx"


def test_update_export_download_reports_a_broken_store(app_ctx, tmp_path, monkeypatch):
    """With the store gone the button says so instead of failing in the browser."""
    missing = tmp_path / "nowhere.gpkg"
    monkeypatch.setitem(app_ctx.server.config, "NARING_STORE", str(missing))
    button = exports_panel.button_id("present", "pdf")
    data, status = run_with_trigger(
        prop_id(button, "n_clicks"),
        1,
        exports_panel.update_export_download,
        None,
        1,
        None,
        exports_panel.context_data(),
    )
    assert data is None and status.startswith("Filen kunne ikke lages")


# --- over HTTP ----------------------------------------------------------------------------


def post(client, body):
    """POST a callback with the CSRF token, as the renderer does."""
    client.get("/")
    token = client.get_cookie("_csrf_token").value
    return client.post(
        "/_dash-update-component", json=body, headers={"X-CSRFToken": token}
    )


def test_presentation_page_over_http(client):
    """The router renders the tour full screen for /presentasjon?view=visperud."""
    deps = client.get("/_dash-dependencies").get_json()
    (dep,) = [d for d in deps if "page-content.children" in d["output"]]
    outputs = [
        {"id": o.split(".")[0], "property": o.split(".")[1]}
        for o in dep["output"].strip(".").split("...")
    ]
    state = {"page-url.search": "?view=visperud&areas=ahus,visperud"}
    body = {
        "output": dep["output"],
        "outputs": outputs,
        "inputs": [{**dep["inputs"][0], "value": "/presentasjon"}],
        "state": [
            {**s, "value": state.get(f"{s['id']}.{s['property']}", "")}
            for s in dep["state"]
        ],
        "changedPropIds": ["page-url.pathname"],
    }
    resp = post(client, body)
    assert resp.status_code == 200
    out = resp.get_json()["response"]
    assert "fullscreen" in out["page-shell"]["className"]
    text = json.dumps(out["page-content"]["children"], ensure_ascii=False)
    assert "present-deck" in text and "3 / 4" in text


def test_export_download_over_http(client):
    """The XLSX button's callback answers with the file over HTTP."""
    prefix = {"prefix": "present"}
    kinds = ("html", "pdf", "xlsx")
    buttons = [{"type": ids.EXPORT_BUTTON, "kind": k, **prefix} for k in kinds]
    body = {
        "output": "..",
        "outputs": [
            {"id": {"type": ids.EXPORT_DOWNLOAD, **prefix}, "property": "data"},
            {"id": {"type": ids.EXPORT_STATUS, **prefix}, "property": "children"},
        ],
        "inputs": [
            {
                "id": b,
                "property": "n_clicks",
                "value": 1 if b["kind"] == "xlsx" else None,
            }
            for b in buttons
        ],
        "state": [
            {
                "id": {"type": ids.EXPORT_CONTEXT, **prefix},
                "property": "data",
                "value": exports_panel.context_data(),
            }
        ],
        "changedPropIds": [prop_id(buttons[2], "n_clicks")],
    }
    deps = client.get("/_dash-dependencies").get_json()
    (dep,) = [d for d in deps if ids.EXPORT_DOWNLOAD in d["output"]]
    body["output"] = dep["output"]
    resp = post(client, body)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    download = next(iter(resp.get_json()["response"].values()))["data"]
    content = base64.b64decode(download["content"])
    assert download["filename"] == "naeringsarealer_alle.xlsx"
    assert content[:2] == b"PK"
