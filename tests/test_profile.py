"""The area profile: per-area figures under the filters, cards, charts, employers."""

import json
from datetime import date

import geopandas as gpd
import pytest
from dash import dcc, html
from shapely.geometry import Point

from components import ids, map_panel, profile_panel
from components.i18n import NBSP
from layers import aggregates
from layers.schemas import AREA_IDS, CRS, REST_ID, TOTAL_ID


@pytest.fixture
def app_ctx(dash_app):
    """A request context of the test app, as a callback has."""
    with dash_app.server.test_request_context("/"):
        yield dash_app


def text_of(component):
    """All text in a component tree, joined by spaces."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text_of(c) for c in component)
    if isinstance(component, dict):  # a component in its JSON form
        return text_of(component.get("props", {}).get("children"))
    return text_of(getattr(component, "children", None))


def find(element, component_id):
    """The element with ``component_id`` in a tree of elements in Dash's JSON form."""
    if isinstance(element, list | tuple):
        return next(
            (h for c in element if (h := find(c, component_id)) is not None), None
        )
    if not isinstance(element, dict):
        return None
    if element["props"].get("id") == component_id:
        return element
    return find(element["props"].get("children"), component_id)


def children(element):
    """The children of an element in Dash's JSON form."""
    return element["props"].get("children")


def figure_of(chart):
    """The figure of a profile chart (its caption, then its graph)."""
    return children(chart)[1]["props"]["figure"]


def profile(area="visperud", sections=(), size=(0, 7), lang="nb"):
    """The rendered profile of an area under filters."""
    from components import data

    return profile_panel.profile(
        map_panel.frames(), data.figures(), area, sections, size, lang
    )


@pytest.fixture
def tiny(six_squares):
    """Frames over six squares: three firms, one listing, one stop; as of 2024-10-31."""
    firms = gpd.GeoDataFrame(
        {
            "orgnr": ["1", "2", "3"],
            "name": ["A", "B", "C"],
            "nace_section": ["G", "Q", ""],
            "employees": [3, 60, 0],
            "start_date": ["2024-06-01", "2020-01-01", "2023-10-31"],
            "address": ["x", "y", "z"],
            "placed": [True, True, False],
        },
        geometry=[Point(10.905, 59.905), Point(10.905, 59.905), None],
        crs=CRS,
    )
    premises = gpd.GeoDataFrame(
        {
            "status": ["ledig", "utleid"],
            "type": ["kontor", "kontor"],
            "size_m2": [100.0, 50.0],
            "rent_nok_m2_year": [2000.0, 1000.0],
        },
        geometry=[Point(10.905, 59.905), Point(10.905, 59.905)],
        crs=CRS,
    )
    stops = gpd.GeoDataFrame(
        {
            "stop_id": ["s1"],
            "name": ["Stopp"],
            "lines": ["1, 2"],
            "departures_peak_hour": [10.0],
        },
        geometry=[Point(10.905, 59.905)],
        crs=CRS,
    )
    return aggregates.build_frames(
        six_squares, firms, premises, stops, as_of="2024-10-31"
    )


def test_summary_counts_points_in_the_area(tiny):
    """Firms, jobs, available premises and stops in the first square are counted."""
    fig = aggregates.summary(tiny, AREA_IDS[0])
    assert (fig["establishments"], fig["jobs"]) == (2, 63)
    assert (fig["premises_available"], fig["premises_m2"]) == (1, 100.0)
    assert fig["median_rent_nok_m2"] == 2000.0
    assert (fig["stops"], fig["lines"], fig["departures_peak_hour"]) == (1, 2, 10.0)


def test_unplaced_firms_count_in_rest(tiny):
    """A firm with no location counts towards the rest and the total."""
    assert aggregates.summary(tiny, REST_ID)["establishments"] == 1
    assert aggregates.summary(tiny, None)["establishments"] == 3


def test_new_in_12_months_relative_to_as_of(tiny):
    """Firms started in the 365 days up to the as-of date are new."""
    assert aggregates.summary(tiny, None)["new_12m"] == 1
    since, until = aggregates.new_window(tiny.as_of)
    assert (since, until) == (date(2023, 11, 1), date(2024, 10, 31))


def test_filters_select_firms(tiny):
    """Sections and the size range filter the firms (the ?-section is unknown)."""
    assert aggregates.summary(tiny, None, sections=["Q"])["jobs"] == 60
    assert aggregates.summary(tiny, None, size=(5, 7))["establishments"] == 1
    assert aggregates.summary(tiny, None, sections=["?"])["establishments"] == 1


def test_density_uses_metric_area(tiny):
    """Jobs per km² divides by the area's size measured in EPSG:25833."""
    km2 = tiny.area_km2[AREA_IDS[0]]
    assert 0.5 < km2 < 1.5  # 0.01° x 0.01° at 60° N is about 0.62 km²
    assert aggregates.jobs_density(tiny)[0] == pytest.approx(63 / km2)


def test_new_per_year_is_zero_filled(tiny):
    """New establishments per year covers ten years up to the as-of year."""
    per_year = aggregates.new_per_year(tiny, aggregates.selection(tiny))
    assert list(per_year) == list(range(2015, 2025))
    assert per_year[2024] == 1 and per_year[2021] == 0


def test_size_range_label():
    """A range of size classes reads as employee numbers."""
    assert aggregates.size_range_label((2, 4)) == "5–49"
    assert aggregates.size_range_label((7, 7)) == "250+"
    assert aggregates.size_range_label((0, 0)) == "0"


def test_area_figures_agree_with_layers_stats(app_ctx):
    """Unfiltered, the panel's per-area figures equal layers.stats for every area."""
    from components import data

    fr = map_panel.frames()
    for row in data.figures():
        area = None if row["area_id"] == TOTAL_ID else row["area_id"]
        ours = aggregates.summary(fr, area)
        for key in ("establishments", "jobs", "premises_available", "stops", "lines"):
            assert ours[key] == row[key], (row["area_id"], key)


def test_cards_show_source_as_of_and_demo(app_ctx):
    """Each figure card names its source and as-of date and flags demonstration data."""
    cards = find(profile(), ids.PROFILE_CARDS)
    assert len(children(cards)) == 5
    for card in children(cards):
        text = text_of(card)
        assert "Kilde:" in text and "per " in text
        assert "demonstrasjonsdata" in text


def test_cards_format_numbers_the_norwegian_way(app_ctx):
    """The whole municipality's jobs read 24 892 (with a no-break space)."""
    jobs = find(profile(area=None), "profile-card-jobs")
    assert f"24{NBSP}892" in text_of(jobs)


def test_profile_shows_area_character_and_ambition(app_ctx):
    """The profile quotes the area's text and names the strategy as its source."""
    nb = text_of(profile())
    en = text_of(profile(lang="en"))
    assert "Ellingsrudelva" in nb and "Næringsstrategi 2025–2037" in nb
    assert "Ellingsrud river" in en and "ambition" in en


def test_profile_notes_indicative_outlines(app_ctx):
    """An area's profile says its outline is an indicative sketch."""
    assert "veiledende skisser" in text_of(profile())


def test_filter_changes_cards_and_charts(app_ctx):
    """Filtering to one section changes the jobs card and the industry chart."""
    everything = profile()
    only_h = profile(sections=("H",))
    assert text_of(find(everything, "profile-card-jobs")) != text_of(
        find(only_h, "profile-card-jobs")
    )
    chart = figure_of(find(only_h, "profile-chart-jobs"))
    assert chart["data"][0]["y"] == ["H Transport og lagring"]
    assert "Utvalg: H" in text_of(only_h)


def test_charts_cover_the_four_topics(app_ctx):
    """The profile has charts of jobs by section, sizes, premises and new per year."""
    out = profile()
    for key in ("jobs", "sizes", "premises", "new"):
        assert find(out, f"profile-chart-{key}") is not None
    sizes = figure_of(find(out, "profile-chart-sizes"))
    assert sizes["data"][0]["x"] == list(aggregates.SIZE_LABELS)


def test_largest_employers_table(app_ctx):
    """The largest employers table has at most ten rows, largest first."""
    table = find(profile(), ids.PROFILE_EMPLOYERS)
    rows = children(children(table)[2])
    assert 0 < len(rows) <= 10
    counts = [int(children(children(r)[2]).replace(NBSP, "")) for r in rows]
    assert counts == sorted(counts, reverse=True)


def test_employer_names_are_text_not_html(tiny):
    """Employer names go into table cells as text (React escapes them)."""
    top = [
        {"name": "<script>x</script>", "section": "G", "employees": 3, "address": "x"}
    ]
    table = profile_panel.employers_table(top, "nb")
    cells = [children(children(r)[0]) for r in children(children(table)[2])]
    assert "<script>x</script>" in cells


def test_profile_elements_are_the_components_json(app_ctx):
    """Each element is what its Dash component serialises to (real names and props)."""
    modules = {"dash_html_components": html, "dash_core_components": dcc}

    def check(element):
        if isinstance(element, list):
            for child in element:
                check(child)
        elif isinstance(element, dict):
            kind = getattr(modules[element["namespace"]], element["type"])
            # A Dash component rejects props it does not have.
            assert kind(**element["props"]).to_plotly_json() == element
            check(element["props"].get("children"))

    for area in (None, "visperud"):
        check(profile(area=area, sections=("G",), size=(1, 5)))


def test_profile_is_plain_json(app_ctx):
    """The profile is sent as built: plain JSON types only, no component objects."""
    out = profile(area=None)
    assert json.loads(json.dumps(out)) == out


def test_update_profile_callback(app_ctx):
    """The profile callback renders the chosen area."""
    out = map_panel.update_profile("ahus", [], [0, 7], "nb")
    assert text_of(out[0]) == "Ahus-området"


def test_whole_municipality_without_area(app_ctx):
    """With no area chosen the profile shows the whole municipality."""
    out = profile(area=None, lang="en")
    assert text_of(out[0]) == "All of Lørenskog"
    assert "no known location" in text_of(out)


def test_premises_by_type_counts_available_only(tiny):
    """Only available ("ledig") listings count in premises by type."""
    assert aggregates.premises_by_type(tiny) == {"kontor": {"m2": 100.0, "count": 1}}


def test_top_employers_sorted(tiny):
    """Top employers are sorted by employees, then name."""
    top = aggregates.top_employers(tiny, aggregates.selection(tiny))
    assert [r["name"] for r in top] == ["B", "A", "C"]


def test_jobs_by_section(tiny):
    """Jobs per section, largest first, also for a section without jobs."""
    jobs = aggregates.jobs_by_section(tiny, aggregates.selection(tiny))
    assert jobs == {"Q": 60, "G": 3, "?": 0}


def test_size_classes_count_every_class(tiny):
    """Firms per size class lists all eight classes in order, zeros included."""
    counts = aggregates.by_size_class(tiny, aggregates.selection(tiny))
    assert list(counts) == list(aggregates.SIZE_LABELS)
    assert (counts["0"], counts["1–4"], counts["50–99"]) == (1, 1, 1)
