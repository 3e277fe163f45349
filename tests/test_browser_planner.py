"""A planner uses the dashboard in headless Chromium (the app served by gunicorn)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

GRAPH = "#map-graph .js-plotly-plot"
TIMEOUT = 15_000


def open_map(page, url):
    """Open the map page and wait until the map has drawn."""
    page.goto(url)
    page.wait_for_selector(".maplibregl-canvas", timeout=TIMEOUT)
    page.wait_for_function(
        f"() => {{ const gd = document.querySelector('{GRAPH}');"
        " return gd && gd._fullData && gd._fullData.length > 0; }",
        timeout=TIMEOUT,
    )


def visible_layers(page):
    """The map layers whose traces are drawn, from the graph's _fullData."""
    return set(
        page.evaluate(
            f"() => document.querySelector('{GRAPH}')._fullData"
            ".filter(t => t.visible === true && t.meta).map(t => t.meta[0])"
        )
    )


def choose(page, dropdown_id, option):
    """Choose an option of a dcc.Dropdown as a user does."""
    page.click(f"#{dropdown_id}")
    page.get_by_role("option", name=option).click()
    page.keyboard.press("Escape")


def test_planner_explores_visperud_and_shares_the_view(page, live_server):
    """Choose Visperud, add premises, filter an industry; a copied link restores it."""
    open_map(page, live_server + "/")
    locations = page.evaluate(
        f"() => document.querySelector('{GRAPH}')._fullData[0].locations.length"
    )
    assert locations == 6

    choose(page, "map-area", "Visperud")
    expect(page.locator("#profile-heading")).to_have_text("Visperud", timeout=TIMEOUT)

    page.locator("#map-layers input[value=premises]").check()
    page.wait_for_function(
        f"() => document.querySelector('{GRAPH}')._fullData"
        ".some(t => t.meta && t.meta[0] === 'premises' && t.visible === true)",
        timeout=TIMEOUT,
    )

    jobs_before = page.inner_text("#profile-card-jobs")
    choose(page, "map-sections", "H – Transport og lagring")
    expect(page.locator("#profile-card-jobs")).not_to_have_text(
        jobs_before, timeout=TIMEOUT
    )
    page.wait_for_function(
        "() => { const gd = document.querySelector("
        "'#profile-chart-jobs .js-plotly-plot');"
        " return gd && gd.data && JSON.stringify(gd.data[0].y)"
        " === '[\"H Transport og lagring\"]'; }",
        timeout=TIMEOUT,
    )
    page.wait_for_url("**/?*nace=H*", timeout=TIMEOUT)
    url = page.url
    assert "area=visperud" in url and "layers=firms,premises" in url

    fresh = page.context.new_page()
    fresh.on("pageerror", lambda e: page.log.console_errors.append(str(e)))
    fresh.on(
        "console",
        lambda m: m.type == "error" and page.log.console_errors.append(m.text),
    )
    open_map(fresh, url)
    expect(fresh.locator("#profile-heading")).to_have_text("Visperud")
    expect(fresh.locator("#map-area")).to_contain_text("Visperud")
    expect(fresh.locator("#map-sections")).to_contain_text("H – Transport")
    assert fresh.locator("#map-layers input[value=premises]").is_checked()
    assert {"premises", "firms"} <= visible_layers(fresh)
    assert fresh.inner_text("#profile-card-jobs") == page.inner_text(
        "#profile-card-jobs"
    )

    assert page.log.outside_requests == []
    assert page.log.console_errors == []


def test_click_on_the_map_selects_an_area(page, live_server):
    """A click on an area of the map (through plotly) opens its profile."""
    open_map(page, live_server + "/")
    page.wait_for_function(  # dcc.Graph listens to plotly's click events
        f"() => document.querySelector('{GRAPH}')._ev"
        ".listeners('plotly_click').length > 0",
        timeout=TIMEOUT,
    )
    page.evaluate(
        f"() => document.querySelector('{GRAPH}').emit('plotly_click', {{points: "
        "[{curveNumber: 0, pointNumber: 4, customdata: 'ahus', location: 'ahus'}]})"
    )
    expect(page.locator("#profile-heading")).to_have_text(
        "Ahus-området", timeout=TIMEOUT
    )
    page.wait_for_url("**/?area=ahus", timeout=TIMEOUT)
    page.wait_for_function(
        f"() => JSON.stringify(document.querySelector('{GRAPH}').data[0]"
        ".selectedpoints) === '[4]'",
        timeout=TIMEOUT,
    )
    assert page.log.outside_requests == []
    assert page.log.console_errors == []


def test_english_and_keyboard(page, live_server):
    """The English switch keeps the view; the reset button works from the keyboard."""
    open_map(page, live_server + "/?area=fjellhamar&nace=F")
    page.click("#page-lang-en")
    page.wait_for_url("**lang=en*", timeout=TIMEOUT)
    open_map(page, page.url)
    assert "area=fjellhamar" in page.url
    expect(page.locator("#profile-card-jobs .card-title")).to_have_text("Jobs")
    expect(page.locator(".main-nav")).to_contain_text("Map and areas")

    button = page.locator("#map-reset")
    for _ in range(40):
        if page.evaluate("() => document.activeElement.id") == "map-reset":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "map-reset"
    outline = button.evaluate("b => getComputedStyle(b).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    page.wait_for_function("() => !location.search.includes('nace=')", timeout=TIMEOUT)
    assert "lang=en" in page.url and "area=fjellhamar" in page.url

    assert page.log.outside_requests == []
    assert page.log.console_errors == []
