"""The custom plotly.js bundle draws the pages exactly as the full plotly.js does.

Serves the dashboard (gunicorn), opens each page in Chromium twice, once as served
(the custom bundle) and once with the bundle's URL answered by plotly.py's full
``plotly.min.js``, screenshots both after the map is drawn, and compares them
pixel by pixel. The screenshots are written to ``bench/out/``.

    python bench/bench_bundle_pixels.py [--store PATH]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import plotly
from PIL import Image, ImageChops

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_dashboard import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    build_store,
    serve,
    stop,
)

OUT = Path(__file__).resolve().parent / "out"
FULL = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PAGES = {
    "map": ("/", "#map-graph .maplibregl-canvas"),
    "map-visperud-all-layers": (
        "/?area=visperud&layers=firms,jobs,transit,premises",
        "#map-graph .maplibregl-canvas",
    ),
    "presentation": ("/presentasjon", "#present-map .maplibregl-canvas"),
    "comparison": ("/sammenligning", ".chart-graph .main-svg"),
}


def shot(browser, url, ready, path, full):
    """Screenshot the page at ``url``; with ``full``, plotly.js is the full one."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(
        "**/*",
        lambda r: (
            r.continue_()
            if r.request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else r.abort()
        ),
    )
    served = []
    if full:
        body = FULL.read_bytes()
        context.route(
            "**/assets/bundle/plotly-custom.*",
            lambda r: (
                served.append(r.request.url),
                r.fulfill(body=body, content_type="application/javascript"),
            ),
        )
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(ready, timeout=60_000)
    page.wait_for_load_state("networkidle")
    time.sleep(2.0)  # let the map finish its fade-in
    page.mouse.move(0, 0)
    version = page.evaluate("window.Plotly.version")
    traces = len(page.evaluate("Object.keys(window.Plotly.PlotSchema.get().traces)"))
    page.screenshot(path=str(path), full_page=True)
    context.close()
    if full:
        assert served, "the full plotly.js was not substituted"
    return version, traces


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", help="store to serve (default: build one)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    OUT.mkdir(exist_ok=True)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(args.store) if args.store else build_store(tmp)
        proc, base = serve("app:server", store, workers=1)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                print(f"{'page':<26} {'plotly.js (traces)':<34} {'differing px':>12}")
                for name, (path, ready) in PAGES.items():
                    a, b = OUT / f"{name}-custom.png", OUT / f"{name}-full.png"
                    va, ta = shot(browser, base + path, ready, a, full=False)
                    vb, tb = shot(browser, base + path, ready, b, full=True)
                    diff = ImageChops.difference(
                        Image.open(a).convert("RGB"), Image.open(b).convert("RGB")
                    )
                    bbox = diff.getbbox()
                    n = 0
                    if bbox:
                        n = sum(1 for px in diff.getdata() if px != (0, 0, 0))
                        failures += 1
                    label = f"{va} ({ta}) vs {vb} ({tb})"
                    print(f"{name:<26} {label:<34} {n:>12,}")
                browser.close()
        finally:
            stop(proc)
    print(f"screenshots in {OUT}/")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
