"""Travel-time reach in the dashboard: the finder filter, its URL form, the
detail card, the area profile, comparison and exports (engine: test_reach.py)."""

import json

import numpy as np
import plotly.graph_objects as go
import pytest
from dash.exceptions import PreventUpdate
from plotly.utils import PlotlyJSONEncoder

from components import data, finder, finder_panel, finder_reach, ids, reach_views
from components.finder_views import count_text
from components.i18n import t
from components.i18n.sources import source_label
from layers import reach
from layers.finder import Query, query_from_params, query_to_params, reach_origin
from tests.test_finder_panel import find, text

LORENSKOG_SENTRUM = "NSR:StopPlace:5362"
GRORUD = "VYG:StopPlace:GRO"


@pytest.fixture
def app_ctx(dash_app):
    with dash_app.server.test_request_context("/"):
        yield dash_app


def controls(minutes, origin):
    """The finder's controls: defaults, then the reach filter."""
    return (
        [],
        [],
        None,
        None,
        None,
        None,
        "keep",
        None,
        ["ledig"],
        None,
        None,
        minutes,
        origin,
    )


def test_reach_origin_is_checked():
    assert reach_origin(LORENSKOG_SENTRUM) == LORENSKOG_SENTRUM
    assert reach_origin(" 59.93, 10.95 ") == "59.930000,10.950000"
    assert reach_origin("<script>") is None
    assert reach_origin("91,10") is None
    assert reach_origin("nan,10") is None
    assert reach_origin("x" * 65) is None
    assert reach_origin("") is None


def test_url_round_trip():
    q = finder.make_query(reach_minutes="30", reach_from=GRORUD)
    params = query_to_params(q)
    assert params["tmin"] == "30" and params["tfrom"] == GRORUD
    state = {k: v for k, v in params.items() if v is not None}
    assert query_from_params(state) == q
    assert Query.from_dict(q.to_dict()) == q
    point = finder.make_query(reach_minutes=20, reach_from="59.93,10.95")
    state = {k: v for k, v in query_to_params(point).items() if v is not None}
    assert query_from_params(state) == point
    assert query_to_params(Query())["tfrom"] is None


def test_filter_reduces_listings_as_premises_minutes_says(app_ctx, default_store):
    L = finder_panel.listings()
    store = data.store()
    minutes = reach.premises_minutes(store, LORENSKOG_SENTRUM)
    assert list(minutes.index) == list(L.frame["premises_id"])
    base = finder.filter_mask(
        L, finder_panel.query_from_controls(*controls(None, None))
    )
    for n in (10, 20, 45):
        q = finder_panel.query_from_controls(*controls(n, LORENSKOG_SENTRUM))
        mask = finder.filter_mask(L, q)
        expected = base & (minutes.to_numpy() <= n)
        assert np.array_equal(mask, expected)
    few = finder.filter_mask(
        L, finder_panel.query_from_controls(*controls(10, LORENSKOG_SENTRUM))
    )
    assert 0 < few.sum() < base.sum()
    # The callback's count follows the mask.
    out = finder_panel.update_results(
        *controls(10, LORENSKOG_SENTRUM), finder_panel.version_key(), None, "nb"
    )
    assert out[2] == count_text(int(few.sum()), "nb")
    assert out[0]["params"]["tmin"] == "10"
    assert out[0]["params"]["tfrom"] == LORENSKOG_SENTRUM


def test_filter_without_place_keeps_everything_and_says_so(app_ctx):
    L = finder_panel.listings()
    q = finder_panel.query_from_controls(*controls(10, None))
    base = finder_panel.query_from_controls(*controls(None, None))
    assert np.array_equal(finder.filter_mask(L, q), finder.filter_mask(L, base))
    out = finder_panel.update_results(
        *controls(10, None), finder_panel.version_key(), None, "en"
    )
    assert "Choose a place" in out[3]


def test_unknown_stop_matches_nothing(app_ctx):
    L = finder_panel.listings()
    q = finder_panel.query_from_controls(*controls(90, "NSR:StopPlace:1"))
    assert finder.filter_mask(L, q).sum() == 0


def test_layout_restores_the_reach_filter_from_the_url(app_ctx):
    page = finder_panel.layout({"tmin": "20", "tfrom": GRORUD}, "nb")
    assert find(page, ids.FINDER_REACH_MINUTES).value == 20
    dropdown = find(page, ids.FINDER_REACH_FROM)
    assert dropdown.value == GRORUD
    labels = {o["value"]: o["label"] for o in dropdown.options}
    assert labels[GRORUD] == "Grorud stasjon"
    point = finder_panel.layout({"tmin": "20", "tfrom": "59.93,10.95"}, "en")
    labels = {
        o["value"]: o["label"] for o in find(point, ids.FINDER_REACH_FROM).options
    }
    assert labels["59.930000,10.950000"].startswith("Point on the map")


def test_address_search_and_map_click(app_ctx):
    options = finder_reach.update_reach_options("Skårer", None, "nb")
    addresses = [o for o in options if o["label"].startswith("Adresse:")]
    assert addresses and all("Skårer" in o["label"] for o in addresses)
    assert len(addresses) <= reach_views.MAX_ADDRESS_OPTIONS
    # Once chosen (the search cleared), the address keeps its name, in the
    # dropdown and in the bands' legend.
    label, value = addresses[0]["label"], addresses[0]["value"]
    kept = finder_reach.update_reach_options(None, value, "nb")
    assert [o["label"] for o in kept if o["value"] == value] == [label]
    _patch, legend, _error = finder_reach.update_reach_bands(value, None, None, "nb")
    assert label in text(legend) and "Punkt i kartet" not in text(legend)
    value, options = finder_reach.update_reach_click({"lat": 59.93, "lon": 10.95}, "en")
    assert value == "59.930000,10.950000"
    assert any(o["value"] == value for o in options)
    with pytest.raises(PreventUpdate):
        finder_reach.update_reach_click({"lat": "x", "lon": 10}, "en")
    # A value the client made up is dropped, not a server error.
    for bad in ("x,y", "<b>", "1e999,5"):
        options = finder_reach.update_reach_options("Skårer", bad, "nb")
        assert bad not in {o["value"] for o in options}


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_detail_card_travel_times_and_jobs(app_ctx, lang):
    L = finder_panel.listings()
    pid = L.frame["premises_id"].iat[0]
    card = finder_reach.card_reach(L, pid)
    names = [name for name, _m in card["places"]]
    assert "Lørenskog stasjon" in names and "Grorud stasjon" in names
    assert len(names) == len(set(names))
    lat, lon = float(L.frame["lat"].iat[0]), float(L.frame["lon"].iat[0])
    jobs = reach.reach_from(data.store(), (lat, lon)).jobs_within["30"]
    assert card["jobs_30"] == jobs
    page = finder_panel.layout({"sel": pid}, lang)
    detail = text(find(page, ids.FINDER_DETAIL))
    assert "Lørenskog stasjon" in detail
    heading = "Reisetid hit" if lang == "nb" else "Travel time here"
    assert heading in detail
    # The places in one list, the jobs within 30 minutes in a list of their own.
    lists = {
        c.className: c for c in reach_views.detail_facts(card, lang) if c.className
    }
    places = text(lists["finder-facts reach-facts"])
    assert t("reach_jobs_30", lang) not in places and "Grorud stasjon" in places
    jobs_list = text(lists["finder-facts reach-jobs"])
    assert t("reach_jobs_30", lang) in jobs_list
    assert reach_views.fmt_int(jobs, lang) in jobs_list
    assert t("reach_demo", lang) in detail


def _text(tree):
    return json.dumps(tree, cls=PlotlyJSONEncoder, ensure_ascii=False)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_profile_shows_the_area_reach_with_source_and_demo(app_ctx, lang):
    from components import map_panel

    rows = data.area_reach()
    expected = reach.area_reach(data.store()).set_index("area_id")
    assert rows["visperud"]["jobs_30"] == expected.loc["visperud", "jobs_30"]
    page = _text(map_panel.profile("visperud", (), (0, 7), lang))
    jobs = reach_views.fmt_int(rows["visperud"]["jobs_30"], lang)
    label = "Arbeidsplasser innen 30 min" if lang == "nb" else "Jobs within 30 min"
    assert label in page and jobs in page
    info = data.reach_info()
    assert source_label(info["source"], lang) in page
    assert t("reach_demo", lang) in page
    assert "07:00" in page
    # The whole municipality has no centroid figure.
    assert "profile-reach" not in _text(map_panel.profile(None, (), (0, 7), lang))


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_comparison_has_the_reach_table(app_ctx, lang):
    from components import comparison_panel

    page = comparison_panel.layout({}, lang)
    table = find(page, "compare-reach-table")
    body = text(table)
    rows = data.area_reach()
    assert len(table.children[2].children) == len(rows) == 6
    for band in (15, 30, 45):
        assert (
            reach_views.fmt_int(rows["stasjonsomradet"][f"jobs_{band}"], lang) in body
        )
    section = text(find(page, "compare-reach"))
    assert source_label(data.reach_info()["source"], lang) in section
    assert t("reach_demo", lang) in section


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_exports_carry_the_reach_figures(app_ctx, lang):
    import io

    import openpyxl
    from pypdf import PdfReader

    from components import exports, exports_panel

    figures = data.export_figures()
    rows = data.area_reach()
    by_id = {r["area_id"]: r for r in figures}
    assert by_id["visperud"]["reach_jobs_30"] == rows["visperud"]["jobs_30"]
    assert by_id["total"]["reach_jobs_30"] is None
    src = by_id["visperud"]["sources"]["reach_jobs_30"]
    assert src["source"] == data.reach_info()["source"] and src["demonstration"]
    assert src["licence"] and src["licence"] == data.reach_info()["licence"]
    assert "reach_jobs_30" not in by_id["total"]["sources"]  # no figure, no source
    assert "reach_jobs_30" not in data.figures()[0]  # the shared rows unchanged
    store = data.store()
    layers = exports.read_layers(store)
    context = exports_panel.context_data("visperud", lang)
    _name, xlsx, _m = exports_panel.make_export("xlsx", context, layers, figures)
    ws = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    cells = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    label = t("export_figure_reach_jobs_30", lang)
    assert cells[label] == rows["visperud"]["jobs_30"]
    context = exports_panel.context_data(None, lang)
    _name, xlsx, _m = exports_panel.make_export("xlsx", context, layers, figures)
    ws = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    header = [c.value for c in ws[1]]
    col = header.index(label) + 1
    values = {ws.cell(r, 1).value: ws.cell(r, col).value for r in range(2, 9)}
    assert values["fjellhamar"] == rows["fjellhamar"]["jobs_30"]
    context = exports_panel.context_data("visperud", lang)
    _name, pdf, _m = exports_panel.make_export("pdf", context, layers, figures)
    pages = " ".join(
        p.extract_text().replace("\xa0", " ") for p in PdfReader(io.BytesIO(pdf)).pages
    )
    flat = " ".join(pages.split())
    assert " ".join(label.split()) in flat or label.split(" (")[0] in flat
    jobs = reach_views.fmt_int(rows["visperud"]["jobs_30"], lang).replace("\xa0", " ")
    assert jobs in flat


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_presentation_area_view_shows_jobs_within_30_min(app_ctx, lang):
    from components import presentation_panel

    views = presentation_panel.later_views(["visperud", "ahus"], 1, lang)
    rows = data.area_reach()
    for view, area in zip(views, ["visperud", "ahus"], strict=False):
        body = text(view)
        jobs = reach_views.fmt_int(rows[area]["jobs_30"], lang)
        assert t("reach_tour_fact", lang, jobs=jobs) in body


def test_bands_are_drawn_from_the_chosen_place_with_a_legend(app_ctx):
    from components.figures.finder_map import FIRST_BAND_TRACE

    patch, legend, error = finder_reach.update_reach_bands(
        LORENSKOG_SENTRUM, None, None, "en"
    )
    assert error is None
    ops = patch.to_plotly_json()["operations"]
    written = {
        (op["location"][1], op["location"][2]): op["params"]["value"]
        for op in ops
        if op["operation"] == "Assign"
    }
    # 45, 30, 15 minutes: each band a polygon, the smallest drawn last.
    for k, band in enumerate((45, 30, 15)):
        geojson = written[(FIRST_BAND_TRACE + k, "geojson")]
        assert geojson["features"][0]["properties"]["band"] == str(band)
        assert geojson["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert written[(FIRST_BAND_TRACE + k, "locations")] == [str(band)]
    assert len(written[(FIRST_BAND_TRACE + 3, "lat")]) == 1
    body = text(legend)
    assert "Lørenskog sentrum" in body and "07:00–09:00" in body
    assert t("reach_demo", "en") in body
    cleared, legend, _error = finder_reach.update_reach_bands(None, None, None, "en")
    ops = cleared.to_plotly_json()["operations"]
    assert all(
        op["params"]["value"] in ([], {"type": "FeatureCollection", "features": []})
        for op in ops
    )
    assert legend is None


def test_travel_from_the_selected_listing(app_ctx):
    L = finder_panel.listings()
    pid = L.frame["premises_id"].iat[3]
    value, options = finder_reach.update_reach_here(1, {"id": pid}, "nb")
    lat, lon = float(L.frame["lat"].iat[3]), float(L.frame["lon"].iat[3])
    assert value == f"{lat:.6f},{lon:.6f}"
    title = str(L.frame["title"].iat[3])
    labels = [o["label"] for o in options if o["value"] == value]
    assert labels == [f"Lokalet: {title}"]
    # A new search in the dropdown keeps the listing's name for the chosen value.
    options = finder_reach.update_reach_options("Skårer", value, "nb")
    assert [o["label"] for o in options if o["value"] == value] == [f"Lokalet: {title}"]
    # The legend names the listing, not a bare point.
    _patch, legend, _error = finder_reach.update_reach_bands(value, None, None, "en")
    assert f"Listing: {title}" in text(legend)
    assert "Point on the map" not in text(legend)
    fig = finder_panel.layout({"tfrom": value, "tmin": "30"}, "nb")
    graph = go.Figure(find(fig, ids.FINDER_MAP).figure)  # the page sends a dict
    from components.figures.finder_map import FIRST_BAND_TRACE

    assert graph.data[FIRST_BAND_TRACE + 2].locations == ("15",)


# ------------------------------------------------ the chosen date and window
EVENING = "18:00-22:00"


def results(minutes, origin, day=None, window=None, lang="nb"):
    """update_results with the reach filter, its date and its window."""
    return finder_panel.update_results(
        *controls(minutes, origin), day, window, finder_panel.version_key(), None, lang
    )


def test_window_changes_the_minutes_and_the_count(app_ctx):
    store = data.store()
    morning = reach.premises_minutes(store, LORENSKOG_SENTRUM)
    evening = reach.premises_minutes(store, LORENSKOG_SENTRUM, window=EVENING)
    # Every computation is cached under its own date and window.
    assert evening is not morning
    assert not np.array_equal(morning.to_numpy(), evening.to_numpy(), equal_nan=True)
    peak, late = (results(15, LORENSKOG_SENTRUM, window=w) for w in (None, EVENING))
    L = finder_panel.listings()
    base = finder.filter_mask(
        L, finder_panel.query_from_controls(*controls(None, None))
    )
    n_peak = int((base & (morning.to_numpy() <= 15)).sum())
    n_late = int((base & (evening.to_numpy() <= 15)).sum())
    assert n_peak != n_late
    assert peak[2] == count_text(n_peak, "nb") and late[2] == count_text(n_late, "nb")
    assert late[0]["params"]["twin"] == EVENING
    assert late[0]["reach_window"] == EVENING
    # The default window and the reference date stay out of the link.
    assert peak[0]["params"]["twin"] is None
    same_day = results(15, LORENSKOG_SENTRUM, day="2024-10-01")
    assert same_day[0]["params"]["tdate"] is None
    assert same_day[2] == peak[2]
    # Another day of the timetable (a Saturday) is its own search.
    saturday = results(15, LORENSKOG_SENTRUM, day="2024-10-05")
    assert saturday[0]["params"]["tdate"] == "2024-10-05"
    sat = reach.premises_minutes(store, LORENSKOG_SENTRUM, day="2024-10-05")
    assert saturday[2] == count_text(int((base & (sat.to_numpy() <= 15)).sum()), "nb")


def test_date_and_window_url_round_trip(app_ctx):
    q = finder.make_query(
        reach_minutes=20,
        reach_from=GRORUD,
        reach_date="2024-10-05",
        reach_window=EVENING,
    )
    params = query_to_params(q)
    assert params["tdate"] == "2024-10-05" and params["twin"] == EVENING
    state = {k: v for k, v in params.items() if v is not None}
    assert query_from_params(state) == q
    assert Query.from_dict(q.to_dict()) == q
    # Defaults and nonsense leave no parameter.
    for bad in ("07:00-09:00", "<b>", "05:00-06:00", "x" * 500):
        assert query_to_params(finder.make_query(reach_window=bad))["twin"] is None
    for bad in ("2024-13-01", "<script>", "2024-10-05T00:00:00<b>"):
        assert query_to_params(finder.make_query(reach_date=bad))["tdate"] is None
    # The page restores them: the date picker, the window, the legend.
    page = finder_panel.layout({**state, "tmin": "20"}, "en")
    picker = find(page, reach_views.DATE_ID)
    assert picker.date == "2024-10-05"
    assert picker.min_date_allowed == "2024-10-01"
    assert picker.max_date_allowed == "2025-06-30"
    window = find(page, reach_views.WINDOW_ID)
    assert window.value == EVENING
    assert [o["value"] for o in window.options] == list(finder.REACH_WINDOWS)
    legend = text(find(page, ids.FINDER_REACH_LEGEND).children)
    assert "18:00–22:00" in legend and "2024-10-05" in legend
    assert not find(page, reach_views.ERROR_ID).children
    # Without tdate/twin: the reference date and the morning peak.
    plain = finder_panel.layout({"tfrom": GRORUD}, "nb")
    assert find(plain, reach_views.DATE_ID).date == "2024-10-01"
    assert find(plain, reach_views.WINDOW_ID).value == "07:00-09:00"
    assert "07:00–09:00" in text(find(plain, ids.FINDER_REACH_LEGEND).children)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_date_outside_the_timetable_is_refused_with_a_message(app_ctx, lang):
    patch, legend, error = finder_reach.update_reach_bands(
        LORENSKOG_SENTRUM, "2030-01-01", None, lang
    )
    first, last = (
        ("01.10.2024", "30.06.2025") if lang == "nb" else ("2024-10-01", "2025-06-30")
    )
    assert first in error and last in error
    assert error == t(
        "reach_date_error",
        lang,
        date="01.01.2030" if lang == "nb" else "2030-01-01",
        first=first,
        last=last,
    )
    assert legend is None  # no bands drawn for a refused date
    ops = patch.to_plotly_json()["operations"]
    assert all(
        op["params"]["value"] in ([], {"type": "FeatureCollection", "features": []})
        for op in ops
    )
    # The filter reaches nothing on that day, and the page says why, from a link.
    out = results(90, LORENSKOG_SENTRUM, day="2030-01-01", lang=lang)
    assert out[2] == count_text(0, lang)
    page = finder_panel.layout(
        {"tfrom": LORENSKOG_SENTRUM, "tmin": "90", "tdate": "2030-01-01"}, lang
    )
    assert find(page, reach_views.ERROR_ID).children == error
    assert find(page, ids.FINDER_REACH_LEGEND).children is None
    # A good date again: the message goes, the bands come back.
    _patch, legend, error = finder_reach.update_reach_bands(
        LORENSKOG_SENTRUM, "2024-10-02", None, lang
    )
    assert error is None and legend is not None


def test_detail_card_and_legend_follow_the_window(app_ctx):
    L = finder_panel.listings()
    pid = L.frame["premises_id"].iat[3]
    morning = finder_reach.card_reach(L, pid)
    evening = finder_reach.card_reach(L, pid, finder.make_query(reach_window=EVENING))
    assert morning["info"]["window"] == ["07:00", "09:00"]
    assert evening["info"]["window"] == ["18:00", "22:00"]
    assert morning["places"] != evening["places"] or (
        morning["jobs_30"] != evening["jobs_30"]
    )
    # The callback of a window change redraws the open card with it.
    query = finder_panel._query_data(finder.Query())
    card = finder_reach.update_reach_card(None, EVENING, {"id": pid}, query, "en")
    assert "18:00–22:00" in text(card)
    with pytest.raises(PreventUpdate):
        finder_reach.update_reach_card(None, EVENING, None, query, "en")
    _patch, legend, _error = finder_reach.update_reach_bands(
        LORENSKOG_SENTRUM, None, EVENING, "en"
    )
    assert "18:00–22:00" in text(legend) and "07:00" not in text(legend)
    date, window = finder_reach.update_reach_reset(1)
    assert (date, window) == ("2024-10-01", "07:00-09:00")
