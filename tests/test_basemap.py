"""The one offline basemap every map of the app draws (components/figures/basemap)."""

import json

import pytest

from components import data, finder_panel, ids, map_panel
from components import presentation_panel as pp
from components.figures import basemap, build_basemap, camera, register_map
from tests.test_map_panel import find


@pytest.fixture
def app_ctx(dash_app):
    """A request context of the test app, as a callback has."""
    with dash_app.server.test_request_context("/"):
        yield dash_app


def _layers(fig):
    """The map's layout layers, without "below" (each map's own drawing slots)."""
    fig = fig if isinstance(fig, dict) else fig.to_plotly_json()
    layers = json.loads(json.dumps(fig["layout"]["map"]["layers"], default=str))
    return [{k: v for k, v in layer.items() if k != "below"} for layer in layers]


def _offline(layers):
    """The geometry layers (slot 0 is the online tile slot), without opacities."""
    return [
        {k: v for k, v in layer.items() if k != "opacity"}
        for layer in layers[1:]
        if layer.get("sourcetype") == "geojson"
    ]


def test_every_map_draws_the_same_boundary_and_neighbours(app_ctx):
    """Map page, finder, register and tour draw one boundary, 2.5 px, one source."""
    base = basemap.current()
    page_map = find(map_panel.layout({}, "nb"), ids.MAP_GRAPH).figure
    finder_map = finder_panel.map_figure(
        finder_panel.listings(),
        finder_panel.finder.filter_mask(
            finder_panel.listings(), finder_panel.finder.Query()
        ),
        base,
        "nb",
    )
    reg_map = register_map.map_figure(data.listings(), None, "nb")
    tour_map = find(pp.layout({}, "nb"), ids.PRESENT_MAP).figure
    maps = [page_map, finder_map, reg_map, tour_map]
    boundaries = []
    for fig in maps:
        layers = _layers(fig)
        lines = [x for x in layers if x["type"] == "line" and x["color"] == "#323f4b"]
        assert len(lines) == 1
        boundaries.append(lines[0])
    assert all(b == boundaries[0] for b in boundaries)
    assert boundaries[0]["line"]["width"] == basemap.BOUNDARY_WIDTH == 2.5
    # The map page, the finder and the tour share every offline layer; the
    # register adds the areas as layers (its traces do not draw them).
    reference = _offline(_layers(page_map))
    assert _offline(_layers(finder_map)) == reference
    assert _offline(_layers(tour_map)) == reference
    register_layers = _offline(_layers(reg_map))
    assert [x for x in register_layers if x["source"] != base.areas] == reference


def test_basemap_is_built_once_per_store_version(app_ctx):
    """Two calls in one store version return the very same basemap object."""
    assert basemap.current() is basemap.current()


def test_camera_fits_bounds_like_maplibre(six_squares):
    """The fit centres the bounds; a smaller extent gives a higher zoom."""
    big = (10.90, 59.83, 11.03, 59.96)
    small = (10.94, 59.91, 10.97, 59.94)
    c_big, z_big = camera(big, (620, 640), padding=40)
    c_small, z_small = camera(small, (620, 640), padding=40)
    assert 10.94 < c_small["lon"] < 10.97 and 59.91 < c_small["lat"] < 59.94
    assert z_small > z_big
    _c, z_margin = camera(big, (620, 640), padding=40, margin=0.1)
    assert z_margin < z_big


def test_basemap_carries_the_area_ids(six_squares):
    """The areas' GeoJSON carries the area ids; the names come from the layer."""
    base = build_basemap(six_squares.dissolve(), six_squares.iloc[:0], six_squares)
    ids_ = [f["properties"]["area_id"] for f in base.areas["features"]]
    assert ids_ == list(six_squares["area_id"])
    assert base.neighbours == {"type": "FeatureCollection", "features": []}
    assert set(base.area_bounds) == set(six_squares["area_id"])


def test_only_places_we_are_sure_of_are_named(app_ctx):
    """A landmark placed with low confidence (an approximate guess) gets no label."""
    landmarks = data.layer_or_empty("landmarks")
    low = landmarks[landmarks["confidence"].str.lower() == "low"]
    assert len(low), "the sourced landmarks include an approximate one"
    context = basemap.orientation(
        data.layer_or_empty("transit_lines"),
        data.layer_or_empty("transit_stops").iloc[0:0],
        landmarks,
        data.layer_or_empty("neighbours").iloc[0:0],
    )
    texts = {text for _lat, _lon, text, _kind in context["labels"]}
    assert not {basemap.short_name(n) for n in low["name"]} & texts
    sure = landmarks[(landmarks["confidence"].str.lower() != "low")]
    sure = sure[~sure.geometry.is_empty & sure.geometry.notna()]
    assert {basemap.short_name(n) for n in sure["name"]} <= texts
