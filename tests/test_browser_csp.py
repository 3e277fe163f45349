"""With the Content-Security-Policy on, every page works in headless Chromium.

The app is served by gunicorn (``live_server``). Chromium reports each blocked
script, style, worker or request as a ``securitypolicyviolation`` event and a
console error; the test records both and asserts there are none, while the map
draws, callbacks answer and an export downloads. It also records the size of
every callback body the pages send (the largest legitimate one sets
``server_routes.CALLBACK_MAX_BYTES``).
"""

import urllib.request

import pytest
from playwright.sync_api import expect

from components import server_routes

pytestmark = pytest.mark.browser

TIMEOUT = 20_000
RECORD = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""
PAGES = ["/", "/sammenligning", "/lokaler", "/lokaler/register", "/presentasjon"]


def violations(page):
    """The CSP violations the page has reported so far (None: not recording)."""
    return page.evaluate("() => window.__csp === undefined ? null : window.__csp")


def callback_sizes(page):
    """Record the body size of every callback POST the page sends."""
    sizes = []

    def on_request(request):
        if server_routes.CALLBACK_PATH in request.url and request.method == "POST":
            sizes.append(len(request.post_data_buffer or b""))

    page.on("request", on_request)
    return sizes


def test_policy_is_sent(live_server):
    """The pages carry the policy the browser is about to enforce."""
    with urllib.request.urlopen(live_server + "/", timeout=30) as response:
        csp = response.headers["Content-Security-Policy"]
    assert (
        "script-src 'self' 'sha256-" in csp
        and "'unsafe-inline'" not in (csp.split("script-src")[1].split(";")[0])
    )


def test_every_page_works_under_the_policy(page, live_server):
    """Map, callbacks and each page render with no CSP violation."""
    page.context.add_init_script(RECORD)
    sizes = callback_sizes(page)
    page.goto(live_server + "/")
    page.wait_for_selector("#map-graph .maplibregl-canvas", timeout=TIMEOUT)
    page.wait_for_function(
        "() => { const gd = document.querySelector('#map-graph .js-plotly-plot');"
        " return gd && gd._fullData && gd._fullData.length > 0; }",
        timeout=TIMEOUT,
    )
    # A callback round trip: choosing an area updates the profile.
    page.click("#map-area")
    page.get_by_role("option", name="Visperud").click()
    page.keyboard.press("Escape")
    expect(page.locator("#profile-heading")).to_have_text("Visperud", timeout=TIMEOUT)
    # No modebar entry offers a cloud upload.
    page.hover("#map-graph")
    titles = page.evaluate(
        "() => [...document.querySelectorAll('.modebar-btn')]"
        ".map(b => b.getAttribute('data-title') || '')"
    )
    assert titles and not [x for x in titles if "cloud" in x.lower()]
    assert violations(page) == []

    for path in PAGES[1:]:
        page.goto(live_server + path)
        page.wait_for_selector("#page-content > *", timeout=TIMEOUT)
        page.wait_for_load_state("networkidle", timeout=TIMEOUT)
        assert violations(page) == [], path

    page.goto(live_server + "/sammenligning")
    page.wait_for_selector(".export-xlsx", timeout=TIMEOUT)
    with page.expect_download(timeout=60_000) as info:
        page.click(".export-xlsx")
    assert info.value.suggested_filename.endswith(".xlsx")

    page.goto(live_server + "/login")
    page.wait_for_selector("#auth-form", timeout=TIMEOUT)
    assert violations(page) == []
    assert page.log.console_errors == []
    assert page.log.outside_requests == []
    assert sizes and max(sizes) < server_routes.CALLBACK_MAX_BYTES
    print(f"largest callback body: {max(sizes)} bytes over {len(sizes)} callbacks")
