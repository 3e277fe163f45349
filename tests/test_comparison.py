"""The comparison page: areas side by side, totals checked against the strategy."""

import base64
import io
import json

import openpyxl
import pytest

from components import comparison_panel, exports_panel, ids, map_panel
from components.i18n import NBSP
from components.i18n.map import area_name
from layers import aggregates
from layers.schemas import AREA_IDS, REST_ID, TOTAL_ID


@pytest.fixture
def app_ctx(dash_app):
    """A request context of the test app, as a callback has."""
    with dash_app.server.test_request_context("/sammenligning"):
        yield dash_app


def text_of(component):
    """All text in a component tree, joined by spaces."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text_of(c) for c in component)
    if isinstance(component, dict):  # an element in Dash's JSON form (the profile's)
        return text_of(component.get("props", {}).get("children"))
    return text_of(getattr(component, "children", None))


def find(component, component_id):
    """The component with ``component_id`` in a tree."""
    if isinstance(component, list | tuple):
        return next(
            (h for c in component if (h := find(c, component_id)) is not None), None
        )
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    if isinstance(children, list | tuple) or hasattr(children, "to_plotly_json"):
        return find(children, component_id)
    return None


def test_page_path_and_nav_key():
    """The comparison has its own page at /sammenligning."""
    assert comparison_panel.PATH == "/sammenligning"
    assert comparison_panel.NAV_KEY == "nav_compare"


def test_check_rows_show_difference_and_percent():
    """The check shows our figure, the published one, and the difference (abs, %)."""
    rows = comparison_panel.check_rows({"jobs": 24000, "establishments": 4512})
    jobs, firms = rows
    assert (jobs["published"], jobs["diff"]) == (24892, -892)
    assert jobs["diff_pct"] == pytest.approx(-3.5835, abs=1e-3)
    assert (firms["published"], firms["diff"], firms["diff_pct"]) == (4512, 0, 0.0)


def test_areas_and_rest_add_up_to_total(app_ctx):
    """The six areas and the rest add up to the municipal total."""
    rows = aggregates.comparison(map_panel.frames())
    assert [r["area_id"] for r in rows] == [*AREA_IDS, REST_ID, TOTAL_ID]
    total = rows[-1]
    for key in ("establishments", "jobs", "premises_available", "new_12m"):
        assert sum(r[key] for r in rows[:-1]) == total[key], key


def test_table_has_every_area_the_rest_and_total(app_ctx):
    """The table lists the six areas, the rest and the whole municipality."""
    page = comparison_panel.layout({}, "nb")
    table = find(page, ids.COMPARE_TABLE)
    body = table.children[2].children
    assert len(body) == 8
    names = [text_of(r.children[0]) for r in body]
    assert names[3] == "Visperud"
    assert names[-2:] == ["Resten av kommunen", "Hele kommunen"]


def test_totals_checked_against_published_figures(app_ctx):
    """The check table shows 24 892 jobs and 4 512 businesses with their dates."""
    check = find(comparison_panel.layout({}, "nb"), ids.COMPARE_CHECK)
    text = text_of(check)
    assert f"24{NBSP}892" in text and f"4{NBSP}512" in text
    assert "oktober 2024" in text
    assert "Avvik (%)" in text


def test_comparison_has_bar_charts(app_ctx):
    """Bar charts compare jobs, density, establishments and available m²."""
    charts = find(comparison_panel.layout({}, "nb"), ids.COMPARE_CHARTS)
    figs = [c.children["props"]["figure"] for c in charts.children]
    assert len(figs) == 4
    assert all(f["data"][0]["type"] == "bar" for f in figs)
    assert len(figs[0]["data"][0]["y"]) == 7  # six areas and the rest


def test_comparison_in_english(app_ctx):
    """The page speaks English with ?lang=en."""
    text = text_of(comparison_panel.layout({}, "en"))
    assert "Comparison of the business areas" in text
    assert "Rest of the municipality" in text
    assert "24,892" in text


def test_comparison_names_sources(app_ctx):
    """The page names the sources of its figures and flags demonstration data."""
    text = text_of(comparison_panel.layout({}, "nb"))
    assert "Kilde:" in text and "demonstrasjonsdata" in text
    assert "Næringsstrategi 2025–2037" in text


def test_comparison_page_over_http(client):
    """The router renders the comparison page for /sammenligning over HTTP."""
    client.get("/")
    token = client.get_cookie("_csrf_token").value
    deps = client.get("/_dash-dependencies").get_json()
    (dep,) = [d for d in deps if "page-content.children" in d["output"]]
    body = {
        "output": dep["output"],
        "outputs": [
            {"id": o.split(".")[0], "property": o.split(".")[1]}
            for o in dep["output"].strip(".").split("...")
        ],
        "inputs": [{**dep["inputs"][0], "value": "/sammenligning"}],
        "state": [{**s, "value": ""} for s in dep["state"]],
        "changedPropIds": ["page-url.pathname"],
    }
    resp = client.post(
        "/_dash-update-component", json=body, headers={"X-CSRFToken": token}
    )
    assert resp.status_code == 200
    assert "Kontroll mot n" in resp.get_data(as_text=True)


def json_id(component_id):
    """A dict id as Dash writes it in a request or a response: sorted, compact JSON."""
    return json.dumps(component_id, sort_keys=True, separators=(",", ":"))


def test_comparison_has_export_buttons_for_all_areas(app_ctx):
    """The page offers the three downloads, of all six areas."""
    page = comparison_panel.layout({}, "nb")
    for kind in exports_panel.KINDS:
        assert find(page, exports_panel.button_id("compare", kind)) is not None
    context = find(page, exports_panel.context_id("compare")).data
    assert context == exports_panel.context_data()
    names = [c.id for c in comparison_panel.validation_components()]
    assert exports_panel.context_id("compare") in names


def test_comparison_xlsx_download_over_http(client):
    """The XLSX button of the comparison page sends the table of every area."""
    prefix = "compare"
    buttons = [exports_panel.button_id(prefix, k) for k in exports_panel.KINDS]
    deps = client.get("/_dash-dependencies").get_json()
    (dep,) = [d for d in deps if ids.EXPORT_DOWNLOAD in d["output"]]
    body = {
        "output": dep["output"],
        "outputs": [
            {"id": exports_panel.download_id(prefix), "property": "data"},
            {"id": exports_panel.status_id(prefix), "property": "children"},
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
                "id": exports_panel.context_id(prefix),
                "property": "data",
                "value": exports_panel.context_data(),
            }
        ],
        "changedPropIds": [json_id(buttons[2]) + ".n_clicks"],
    }
    client.get("/")
    token = client.get_cookie("_csrf_token").value
    resp = client.post(
        "/_dash-update-component", json=body, headers={"X-CSRFToken": token}
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    out = resp.get_json()["response"][json_id(exports_panel.download_id(prefix))]
    assert out["data"]["filename"] == "naeringsarealer_alle.xlsx"
    content = base64.b64decode(out["data"]["content"])
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.active.max_row >= 9  # six areas, the rest, the total and a heading


def _body_names(table):
    return [text_of(r.children[0]) for r in table.children[2].children]


def test_the_url_chooses_and_orders_the_areas(app_ctx):
    """?areas= chooses, ?sort=&dir= orders; rest and total stay last."""
    state = {"areas": "visperud,sentrum,ahus,nowhere", "sort": "jobs", "dir": "desc"}
    page = comparison_panel.layout(state, "nb")
    names = _body_names(find(page, ids.COMPARE_TABLE))
    assert names[-2:] == ["Resten av kommunen", "Hele kommunen"]
    rows = {r["area_id"]: r for r in aggregates.comparison(map_panel.frames())}
    chosen = sorted(("visperud", "sentrum", "ahus"), key=lambda a: -rows[a]["jobs"])
    jobs = [rows[a]["jobs"] for a in chosen]
    assert len(names) == 5 and jobs == sorted(jobs, reverse=True)
    box = find(page, ids.COMPARE_AREAS)
    assert box.value == ["sentrum", "visperud", "ahus"]  # the areas' order, known only
    head = find(page, ids.COMPARE_TABLE).children[1].children.children
    sorted_by = [h for h in head if "aria-sort" in h.to_plotly_json()["props"]]
    assert [text_of(h) for h in sorted_by] == ["Arbeidsplasser"]
    assert sorted_by[0].to_plotly_json()["props"]["aria-sort"] == "descending"


def test_unknown_url_values_fall_back_to_every_area_in_order(app_ctx):
    """A link with nonsense shows the default table (nothing refused, nothing lost)."""
    page = comparison_panel.layout({"areas": "x,y", "sort": "<b>", "dir": "up"}, "en")
    names = _body_names(find(page, ids.COMPARE_TABLE))
    assert len(names) == 8 and names[3] == "Visperud"
    assert find(page, ids.COMPARE_SORT).value == "order"


def test_the_table_callback_sorts_and_keeps_the_choice_in_the_link(app_ctx):
    """Choosing two areas sorted by rent, descending: the table and the link follow."""
    table, search = comparison_panel.update_table(
        ["losbydalen", "fjellhamar"], "rent", "desc", "?lang=en"
    )
    names = _body_names(find(table, ids.COMPARE_TABLE))
    rows = {r["area_id"]: r for r in aggregates.comparison(map_panel.frames())}
    rents = [rows[a]["median_rent_nok_m2"] for a in ("losbydalen", "fjellhamar")]
    assert names[-2:] == ["Rest of the municipality", "Whole municipality"]
    assert len(names) == 4
    if None not in rents:
        first = max(
            ("losbydalen", "fjellhamar"), key=lambda a: rows[a]["median_rent_nok_m2"]
        )
        areas = map_panel.frames().areas.set_index("area_id")["name"]
        assert names[0] == area_name(first, areas[first], "en")
    assert "areas=fjellhamar,losbydalen" in search and "sort=rent" in search
    assert "dir=desc" in search and "lang=en" in search
    # All areas, the default order: the link carries no comparison state.
    _table, search = comparison_panel.update_table(
        list(AREA_IDS), "order", "asc", "?areas=ahus&sort=jobs&dir=desc"
    )
    assert search == ""
