"""Travel-time reach in the finder, in headless Chromium: the filter changes the
count and the URL, a click on the map chooses the place and draws the bands."""

import os
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from components.figures.finder_map import FIRST_BAND_TRACE
from tests.test_browser_finder import MAP, TIMEOUT, open_finder

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("NARING_SHOTS")  # a folder to save screenshots in, if set


def count(page):
    return int(re.sub(r"\D", "", page.inner_text("#finder-count")))


def band_locations(page):
    return page.evaluate(
        f"() => {{ const gd = document.querySelector('{MAP}');"
        f" return [0, 1, 2].map(k => (gd.data[{FIRST_BAND_TRACE} + k].locations"
        " || []).length); }"
    )


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def test_reach_filter_and_bands(page, live_server):
    open_finder(page, live_server + "/lokaler")
    total = count(page)
    page.fill("#finder-reach-minutes", "10")
    page.locator("#finder-reach-minutes").press("Tab")
    # Choose "Lørenskog stasjon" in the searchable dropdown.
    page.click("#finder-reach-from")
    page.keyboard.type("Lørenskog stasjon")
    # The search filters as the user types; under load the list can lag behind
    # the keys, so pick the option itself rather than whatever is first on Enter.
    page.get_by_role("option", name="Lørenskog stasjon", exact=True).click()
    page.wait_for_function(
        "(n) => Number(document.querySelector('#finder-count').innerText"
        ".replace(/\\D/g, '')) !== n",
        arg=total,
        timeout=TIMEOUT,
    )
    within = count(page)
    assert 0 < within < total
    page.wait_for_function("() => location.search.includes('tfrom=')", timeout=TIMEOUT)
    state = parse_qs(urlsplit(page.url).query)
    assert state["tmin"] == ["10"] and state["tfrom"] == ["NSR:StopPlace:5497"]
    # Bands from the station, and the legend saying when.
    page.wait_for_function(
        f"() => document.querySelector('{MAP}').data[{FIRST_BAND_TRACE} + 2]"
        ".locations.length === 1",
        timeout=TIMEOUT,
    )
    legend = page.inner_text("#finder-reach-legend")
    assert "Lørenskog stasjon" in legend and "07:00–09:00" in legend
    shot(page, "finder-reach-station.png")
    # A click on an empty spot of the map: travel from there.
    box = page.locator("#finder-map .maplibregl-canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.15, box["y"] + box["height"] * 0.2)
    page.wait_for_function(
        "() => /tfrom=[0-9.]+(%2C|,)[0-9.]+/.test(location.search)", timeout=TIMEOUT
    )
    page.wait_for_function(
        "() => document.querySelector('#finder-reach-legend').innerText"
        ".includes('Punkt i kartet')",
        timeout=TIMEOUT,
    )
    assert band_locations(page)[2] in (0, 1)
    shot(page, "finder-reach-click.png")
    # Reopening the link restores the filter.
    url = page.url
    page.goto(url)
    page.wait_for_selector("#finder-count", timeout=TIMEOUT)
    assert page.input_value("#finder-reach-minutes") == "10"
    assert not page.log.console_errors, page.log.console_errors
    assert not page.log.outside_requests


def test_reach_from_an_address_and_from_a_listing_in_english(page, live_server):
    """English: an address of the store as the place, then the detail card's
    "travel from here": the bands and the legend follow, naming the listing."""
    open_finder(page, live_server + "/lokaler?lang=en&tmin=20")
    total = count(page)
    page.click("#finder-reach-from")
    page.keyboard.type("Skårersletta 1")
    page.get_by_role("option", name="Address: Skårersletta 1", exact=True).click()
    page.wait_for_function(
        "() => /tfrom=[0-9.]+(%2C|,)[0-9.]+/.test(location.search)", timeout=TIMEOUT
    )
    page.wait_for_function(
        "() => document.querySelector('#finder-reach-legend').innerText"
        ".includes('Address: Skårersletta 1')",
        timeout=TIMEOUT,
    )
    assert 0 < count(page) < total
    assert "Departure 07:00–09:00" in page.inner_text("#finder-reach-legend")
    shot(page, "finder-reach-address-en.png")
    # Open the first listing and travel from it.
    page.locator("#finder-grid .ag-center-cols-container .ag-row").first.click()
    page.wait_for_selector("#finder-reach-here", timeout=TIMEOUT)
    title = page.inner_text(".finder-detail-title")
    assert "Travel time here by public transport" in page.inner_text("#finder-detail")
    page.click("#finder-reach-here")
    page.wait_for_function(
        "(t) => document.querySelector('#finder-reach-legend').innerText"
        ".includes('Listing: ' + t)",
        arg=title,
        timeout=TIMEOUT,
    )
    assert band_locations(page)[2] == 1
    shot(page, "finder-reach-listing-en.png")
    assert not page.log.console_errors, page.log.console_errors
    assert not page.log.outside_requests


def test_departure_window_changes_the_count_and_the_legend(page, live_server):
    """The evening window from Lørenskog sentrum: fewer premises within 15 min,
    the legend says 18:00–22:00, the link keeps it and restores it."""
    open_finder(page, live_server + "/lokaler?tmin=15&tfrom=NSR:StopPlace:5362")
    page.wait_for_function(
        "() => document.querySelector('#finder-reach-legend').innerText"
        ".includes('07:00–09:00')",
        timeout=TIMEOUT,
    )
    morning = count(page)
    assert page.inner_text("#finder-reach-window").strip().startswith("07:00–09:00")
    page.click("#finder-reach-window")
    page.get_by_role("option", name="18:00–22:00", exact=True).click()
    page.wait_for_function(
        "(n) => Number(document.querySelector('#finder-count').innerText"
        ".replace(/\\D/g, '')) !== n",
        arg=morning,
        timeout=TIMEOUT,
    )
    evening = count(page)
    assert 0 < evening < morning
    page.wait_for_function(
        "() => document.querySelector('#finder-reach-legend').innerText"
        ".includes('18:00–22:00')",
        timeout=TIMEOUT,
    )
    assert "07:00–09:00" not in page.inner_text("#finder-reach-legend")
    page.wait_for_function("() => location.search.includes('twin=')", timeout=TIMEOUT)
    assert parse_qs(urlsplit(page.url).query)["twin"] == ["18:00-22:00"]
    shot(page, "finder-reach-evening.png")
    page.goto(page.url)
    page.wait_for_selector("#finder-count", timeout=TIMEOUT)
    page.wait_for_function(
        "() => document.querySelector('#finder-reach-legend').innerText"
        ".includes('18:00–22:00')",
        timeout=TIMEOUT,
    )
    assert count(page) == evening
    assert "18:00–22:00" in page.inner_text("#finder-reach-window")
    # A link with a day the timetable does not cover: a message, nothing reached.
    page.goto(page.url + "&tdate=2030-01-01")
    page.wait_for_selector("#finder-reach-error", timeout=TIMEOUT)
    message = page.inner_text("#finder-reach-error")
    assert "01.10.2024" in message and "30.06.2025" in message
    assert count(page) == 0
    assert page.inner_text("#finder-reach-legend").strip() == ""
    page.wait_for_selector("#finder-map .maplibregl-canvas", timeout=TIMEOUT)
    page.locator("#finder-reach-error").scroll_into_view_if_needed()
    shot(page, "finder-reach-bad-date.png")
    assert not page.log.console_errors, page.log.console_errors
    assert not page.log.outside_requests
