"""Maps people can read, in headless Chromium with every outside request blocked.

Names drawn on the maps from our own glyphs (no font server), the map fitted to a
selected area, the presentation's numbered premises. Screenshots are saved under
``test-artefacts/maps/`` (git-ignored) for a person to look at.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artefacts" / "maps"
GRAPH = "#map-graph .js-plotly-plot"
TIMEOUT = 30_000
MAP = "document.querySelector('{sel}')._fullLayout.map._subplot.map"


def settled(page, sel):
    """Wait until the map's style, glyphs and sources are all loaded."""
    m = MAP.format(sel=sel)
    page.wait_for_function(
        f"() => {{ try {{ const m = {m}; return m.loaded() && m.areTilesLoaded(); }}"
        " catch (e) { return false; } }",
        timeout=TIMEOUT,
    )


def labels(page, sel):
    """The texts drawn by the basemap's symbol layers (what the reader sees)."""
    m = MAP.format(sel=sel)
    return set(
        page.evaluate(
            f"() => {m}.queryRenderedFeatures()"
            ".filter(f => f.layer.type === 'symbol' && f.properties.name)"
            ".map(f => f.properties.name)"
        )
    )


def wait_for_names(page, sel, names):
    """Wait until every one of ``names`` is drawn (symbol placement runs last)."""
    m = MAP.format(sel=sel)
    want = list(names)
    page.wait_for_function(
        f"""(want) => {{ const got = new Set({m}.queryRenderedFeatures()
        .filter(f => f.layer.type === 'symbol')
        .map(f => f.properties.name || f.properties.text || ''));
        return want.every(n => got.has(n)); }}""",
        arg=want,
        timeout=TIMEOUT,
    )


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    return path


def test_area_and_place_names_drawn_offline(page, live_server):
    """Area names, stations and neighbours on the map; no request leaves the host."""
    page.goto(live_server + "/")
    page.wait_for_selector(".maplibregl-canvas", timeout=TIMEOUT)
    settled(page, GRAPH)
    wait_for_names(page, GRAPH, ["Losbydalen", "Lørenskog sentrum"])
    names = labels(page, GRAPH)
    shot(page, "map-names-1280.png")
    assert any("stasjon" in n for n in names)
    assert page.log.outside_requests == []
    assert page.log.console_errors == []


def test_selecting_an_area_fits_the_map_to_it(page, live_server):
    """Choosing Losbydalen zooms the map to it."""
    page.goto(live_server + "/")
    page.wait_for_selector(".maplibregl-canvas", timeout=TIMEOUT)
    settled(page, GRAPH)
    m = MAP.format(sel=GRAPH)
    zoom_before = page.evaluate(f"() => {m}.getZoom()")
    page.click("#map-area")
    page.get_by_role("option", name="Losbydalen").click()
    page.keyboard.press("Escape")
    expect(page.locator("#profile-heading")).to_have_text("Losbydalen", timeout=TIMEOUT)
    page.wait_for_function(f"() => {m}.getZoom() > {zoom_before} + 1", timeout=TIMEOUT)
    settled(page, GRAPH)
    # The area's label point is inside the map's view, and the view is close to it.
    inside = page.evaluate(
        f"""() => {{ const m = {m}; const b = m.getBounds();
        const f = m.queryRenderedFeatures().find(
            f => f.layer.type === 'symbol' && f.properties.name === 'Losbydalen');
        return !!f && b.contains(f.geometry.coordinates); }}"""
    )
    assert inside
    shot(page, "map-area-fitted-1280.png")
    # Clearing (fit to the municipality) is checked on the patch in
    # test_map_panel; the browser step for it is not reliable yet.
    assert page.log.console_errors == []


def test_presentation_numbers_the_top_premises(page, live_server):
    """An area's view shows its name, and its top premises numbered 1, 2, 3."""
    page.goto(live_server + "/presentasjon?view=2")
    sel = ".present-map .js-plotly-plot"
    page.wait_for_selector(".maplibregl-canvas", timeout=TIMEOUT)
    settled(page, sel)
    # The numbers are drawn from the trace's text (the same glyphs).
    wait_for_names(page, sel, ["1", "2"])
    shot(page, "presentation-area-numbered.png")
    assert page.log.outside_requests == []


LEGEND_SHARE = """() => {
    const m = document.querySelector('#map-graph .js-plotly-plot')
        .getBoundingClientRect();
    const el = document.querySelector('#map-graph .legend');
    if (!el) return 0;
    const l = el.getBoundingClientRect();
    return (l.width * l.height) / (m.width * m.height);
}"""


def test_legend_is_compact_and_collapsible(page, live_server):
    """With every layer on, the legend takes at most a fifth of the map at 1280 px;
    its button hides and shows it; the legend itself toggles nothing."""
    page.goto(live_server + "/?layers=firms,density,transit,premises")
    page.wait_for_selector(".maplibregl-canvas", timeout=TIMEOUT)
    settled(page, GRAPH)
    share = page.evaluate(LEGEND_SHARE)
    assert 0 < share <= 0.2
    assert (
        page.evaluate(
            f"() => document.querySelector('{GRAPH}')._fullLayout.legend.itemclick"
        )
        is False
    )
    shot(page, "map-legend-1280.png")
    toggle = page.locator("#map-legend-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    toggle.click()
    expect(page.locator("#map-graph .legend")).to_have_count(0, timeout=TIMEOUT)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_text("Vis tegnforklaring")
    toggle.click()
    expect(page.locator("#map-graph .legend")).to_have_count(1, timeout=TIMEOUT)
    assert page.log.console_errors == [] and page.log.outside_requests == []


def test_offline_notice_when_the_online_basemap_fails(page, live_server):
    """An online basemap with no network: the map says it shows the simple map."""
    page.goto(live_server + "/")
    page.wait_for_selector(".maplibregl-canvas", timeout=TIMEOUT)
    settled(page, GRAPH)
    notice = page.locator("#map-offline-notice")
    expect(notice).to_be_hidden()
    page.locator("#map-basemap input[value='kartverket']").check()
    expect(notice).to_be_visible(timeout=TIMEOUT)
    assert "ikke tilgjengelig uten nett" in notice.inner_text()
    shot(page, "map-offline-notice.png")
    page.locator("#map-basemap input[value='offline']").check()
    expect(notice).to_be_hidden(timeout=TIMEOUT)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_comparison_fits_1280_and_links_to_profiles(page, live_server, lang):
    """At 1280 px the comparison's tables show every column without sideways
    scroll; each area's name opens its profile on the map page."""
    page.goto(f"{live_server}/sammenligning?lang={lang}")
    page.wait_for_selector(".compare-table", timeout=TIMEOUT)
    wide = page.evaluate(
        "() => [...document.querySelectorAll('.table-scroll')]"
        ".filter(e => e.scrollWidth > e.clientWidth + 1).length"
    )
    assert wide == 0
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
    shot(page, f"comparison-1280-{lang}.png")
    links = page.locator(".compare-table a.compare-area-link")
    expect(links).to_have_count(6)
    links.filter(has_text="Visperud").click()
    page.wait_for_url("**/?area=visperud*", timeout=TIMEOUT)
    expect(page.locator("#profile-heading")).to_have_text("Visperud", timeout=TIMEOUT)
    assert ("lang=en" in page.url) == (lang == "en")
    assert page.log.console_errors == []


def test_comparison_choose_and_sort(page, live_server):
    """Untick two areas, sort by jobs descending: the table follows, the link keeps it."""
    page.goto(f"{live_server}/sammenligning")
    page.wait_for_selector(".compare-table", timeout=TIMEOUT)
    page.locator("#compare-areas input[value='ahus']").uncheck()
    page.locator("#compare-areas input[value='losbydalen']").uncheck()
    expect(page.locator(".compare-table tbody tr")).to_have_count(6, timeout=TIMEOUT)
    page.click("#compare-sort")
    page.get_by_role("option", name="Arbeidsplasser", exact=True).click()
    page.locator("#compare-dir input[value='desc']").check()
    page.wait_for_function(
        "() => location.search.includes('dir=desc') && location.search.includes('sort=jobs')",
        timeout=TIMEOUT,
    )
    jobs = page.evaluate(
        "() => [...document.querySelectorAll('.compare-table tbody tr')].slice(0, 4)"
        ".map(r => Number(r.children[3].innerText.replace(/\\D/g, '')))"
    )
    assert len(jobs) == 4 and jobs == sorted(jobs, reverse=True), jobs
    sorted_th = page.locator(".compare-table th[aria-sort='descending']")
    expect(sorted_th).to_have_text("Arbeidsplasser")
    shot(page, "comparison-chosen-sorted.png")
    page.goto(page.url)  # the link restores the view
    expect(page.locator(".compare-table tbody tr")).to_have_count(6, timeout=TIMEOUT)
    assert page.log.console_errors == []


# Each trace's MapLibre layers and the layer slot right above them, in map order.
LAYER_ORDER = """() => {
    const gd = document.querySelector('#map-graph .js-plotly-plot');
    const sub = gd._fullLayout.map._subplot;
    const ids = sub.map.getStyle().layers.map((l) => l.id);
    return gd._fullData.map((t) => {
        const own = ids.filter((i) => i.indexOf('plotly-trace-layer-' + t.uid) === 0);
        const last = Math.max(...own.map((i) => ids.indexOf(i)));
        return [t.index, own.length, ids[last + 1] || null];
    });
}"""


def test_layer_toggle_keeps_the_drawing_order_and_redraws_only_it(page, live_server):
    """Turning layers on and off keeps each trace in its slot and re-adds no layer.

    plotly.js used to remove and re-add every layer on each update (and leave a
    trace made while hidden on top of the others): assets/map_redraw.js and
    basemap.stacked keep each trace below its own slot.
    """
    page.goto(live_server + "/")
    page.wait_for_selector(".maplibregl-canvas", timeout=TIMEOUT)
    settled(page, GRAPH)
    page.evaluate(
        f"""() => {{ const m = {MAP.format(sel=GRAPH)}; window.__added = [];
        const add = m.addLayer; m.addLayer = function (l) {{
            window.__added.push(l.id); return add.apply(this, arguments); }}; }}"""
    )
    for layers in (["firms", "premises", "transit", "jobs"], ["firms", "jobs"]):
        page.evaluate(
            "(v) => window.dash_clientside.set_props('map-layers', {value: v})", layers
        )
        page.wait_for_function(
            """(on) => document.querySelector('#map-graph .js-plotly-plot')
            ._fullData.filter((t) => t.meta && t.meta[0] === 'premises')
            .every((t) => (t.visible === true) === on)""",
            arg="premises" in layers,
            timeout=TIMEOUT,
        )
        settled(page, GRAPH)
    order = page.evaluate(LAYER_ORDER)
    belows = page.evaluate(
        "() => document.querySelector('#map-graph .js-plotly-plot')"
        ".data.map((t) => t.below)"
    )
    for (index, n, above), below in zip(order, belows, strict=True):
        if n:  # a trace with layers lies right below its own slot
            assert above == below, (index, above, below)
    # Every trace's layers exist from the first drawing (hidden ones too): a
    # toggle changes their visibility and re-adds none.
    assert page.evaluate("window.__added") == []
    assert page.log.console_errors == []
