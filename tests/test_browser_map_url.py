"""The map's URL is written in the browser (assets/map_url.js) as update_url would."""

import pytest

from components import map_panel

pytestmark = pytest.mark.browser

VIEWS = [
    (
        {
            "layers": ["firms", "premises"],
            "area": "ahus",
            "sections": ["G", "Q"],
            "size": [2, 7],
            "basemap": "offline",
        },
        None,
        "?lang=en",
    ),
    (
        {"layers": [], "area": None, "sections": [], "size": [0, 7], "basemap": "osm"},
        {"map.center": {"lon": 10.95, "lat": 59.93}, "map.zoom": 12.5},
        "",
    ),
    (
        {"layers": ["firms"], "area": None, "sections": [], "size": [0, 7]},
        {"map.zoom": 14.25},
        "?area=sentrum&lang=nb",
    ),
]


def test_client_side_url_matches_the_reference(page, live_server):
    """For each view the script returns the query string update_url returns."""
    page.goto(live_server + "/")
    page.wait_for_function(
        "() => window.dash_clientside && window.dash_clientside.naringMap",
        timeout=15_000,
    )
    for view, relayout, search in VIEWS:
        expected = map_panel.update_url(view, relayout, search)
        got = page.evaluate(
            "([v, r, s]) => { const out ="
            " window.dash_clientside.naringMap.updateUrl(v, r, s);"
            " return typeof out === 'string' ? out : null; }",
            [view, relayout, search],
        )
        assert got == expected
    assert page.log.console_errors == []
