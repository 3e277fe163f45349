"""The dashboard's own budgets, measured as ratios within one run.

In Chromium over HTTP (gunicorn on 127.0.0.1), against the textbook page
(``bench/default_map_app.py``: one ``px.choropleth_map`` of the areas, Dash with
``compress=True``, the same server):

1. First load of ``/``, ``/lokaler`` and ``/presentasjon``: every byte the browser
   fetches (as sent, compressed: CDP's ``encodedDataLength``) until the page's map
   has drawn its area polygons. Budget on ``/``: at most 0.6x the textbook page.
   The same again on a repeat visit (the browser's cache kept).
2. Time to drawn area polygons on a meeting-room network (CDP
   ``Network.emulateNetworkConditions``: 1.5 Mbit/s, 150 ms latency), from the
   navigation to the map's polygons drawn (maplibre loaded, a visible
   choroplethmap trace). Budget: at most 0.7x the textbook page.
3. End to end in the browser, from a changed input to the map idle again (the
   renderer's callback round trip, Plotly's redraw, maplibre's next idle frame):
   area selection, layer toggle, section filter, size filter, and the premises
   finder's size filter, against an echo callback measured the same way (from the
   changed input to its output in the page). Budget: at most 8x.
4. Server time of a filter change (the map patch and the profile) against the
   echo callback on the same server: median of N POSTs. Budget: at most 3x.
5. Throughput of the area-selection callbacks under ``wrk -t2 -c8`` against the
   echo callback (skipped when wrk is not installed). Budget: at least 0.5x.

    python bench/bench_dashboard.py [--store PATH] [--n 200] [--duration 10] [--repeat 7]
                                [--only interactions]

Needs Debian's Chromium (/usr/bin/chromium) and Playwright. Nothing leaves
127.0.0.1: the browser resolves no host name.
"""

from __future__ import annotations

import argparse
import http.cookies
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.register_support import start_gunicorn, stop_gunicorn  # noqa: E402

# Every host name resolves to nothing: the browser can reach 127.0.0.1 only.
BLOCK_OTHER_HOSTS = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
DEFAULT_VIEW = {
    "layers": ["firms"],
    "area": None,
    "sections": [],
    "size": [0, 7],
    "basemap": "offline",
}


# --- servers ----------------------------------------------------------------------


def serve(module, store, workers=2):
    """Start ``gunicorn module`` on a free port; return (process, base URL)."""
    return start_gunicorn(
        store,
        workers=workers,
        secret="bench-secret",
        module=module,
        args=("--preload", "--log-level", "warning"),
        ready_path="/_dash-layout",
        wait_s=600,  # the warm-up runs before the first answer
    )


# --- 1.-3. in the browser --------------------------------------------------------

# 1.5 Mbit/s both ways and 150 ms latency, in CDP's units (bytes/s, ms).
MEETING_ROOM = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.5e6 / 8,
    "uploadThroughput": 1.5e6 / 8,
}

# True once the map in ``root`` has drawn its area polygons: maplibre has loaded
# its style and sources and a choroplethmap trace is visible.
POLYGONS_DRAWN = """
(root) => {
    const scope = root ? document.querySelector(root) : document;
    if (!scope) return false;
    for (const gd of scope.querySelectorAll(".js-plotly-plot")) {
        const fl = gd._fullLayout;
        const sub = fl && fl.map && fl.map._subplot;
        const m = sub && sub.map;
        if (!m || !m.loaded() || !m.isStyleLoaded()) continue;
        if (!m.getStyle().layers.some((l) => l.type === "fill")) continue;
        if ((gd._fullData || []).some(
            (t) => t.type === "choroplethmap" && t.visible === true)) return true;
    }
    return false;
}
"""

# From set_props on an input to the map in ``graph`` idle again: Plotly's redraw
# ("plotly_afterplot"), then maplibre's next "idle" (all sources loaded, drawn).
TO_MAP_IDLE = """
async ([graph, id, props]) => {
    const gd = document.querySelector("#" + graph + " .js-plotly-plot");
    const m = gd._fullLayout.map._subplot.map;
    const t0 = performance.now();
    const drawn = new Promise((resolve) => {
        const done = () => {
            gd.removeListener("plotly_afterplot", done);
            m.once("idle", resolve);
            m.triggerRepaint();
        };
        gd.on("plotly_afterplot", done);
    });
    window.dash_clientside.set_props(id, props);
    const timeout = new Promise((_, reject) =>
        setTimeout(() => reject(new Error("no redraw after " + id)), 30000));
    await Promise.race([drawn, timeout]);
    return performance.now() - t0;
}
"""

# From set_props on the echo's input to its output showing the value.
TO_ECHO = """
async ([value]) => {
    const out = document.getElementById("bench-echo-out");
    const t0 = performance.now();
    const shown = new Promise((resolve) => {
        const obs = new MutationObserver(() => {
            if (out.textContent === value) { obs.disconnect(); resolve(); }
        });
        obs.observe(out, {childList: true, subtree: true, characterData: true});
    });
    window.dash_clientside.set_props("bench-echo-in", {value: value});
    await shown;
    return performance.now() - t0;
}
"""


def new_context(browser):
    """A browser context and its CDP byte counter.

    No request routing here: Playwright's routing turns the HTTP cache off, and the
    repeat visit measures that cache. Other hosts are unreachable all the same
    (``BLOCK_OTHER_HOSTS`` at launch).
    """
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    log = {"sizes": {}, "urls": {}}
    cdp.on(
        "Network.requestWillBeSent",
        lambda e: log["urls"].update({e["requestId"]: e["request"]["url"]}),
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: log["sizes"].update({e["requestId"]: e["encodedDataLength"]}),
    )
    return context, page, cdp, log


def fetched(log):
    """Bytes (compressed, as sent) and requests over HTTP since the last reset."""
    sizes = [
        n
        for rid, n in log["sizes"].items()
        if log["urls"].get(rid, "").startswith("http://")
    ]
    log["sizes"].clear()
    log["urls"].clear()
    return sum(sizes), len(sizes)


def load(page, log, url, root=None):
    """Open ``url``; return (bytes, requests, ms to polygons drawn)."""
    page.goto(url, wait_until="commit")
    page.wait_for_function(POLYGONS_DRAWN, arg=root, timeout=120_000, polling=50)
    drawn = page.evaluate("performance.now()")
    page.wait_for_load_state("networkidle")
    time.sleep(0.5)
    nbytes, nreq = fetched(log)
    return nbytes, nreq, drawn


def bundle_at_default_level():
    """Extra bytes of the plotly.js bundle if flask-compress had compressed it.

    The app serves it stored at brotli 11; everything else, on both servers, goes
    through flask-compress (zstd level 3 for Chromium). Reported beside the
    first-load ratio, so the ratio under strictly equal compression is visible too.
    """
    from flask_compress.compat import compression

    sys.path.insert(0, str(ROOT))
    from components import frontend

    ((js, br),) = [v for k, v in frontend.bundles().items() if "plotly" in k]
    return len(compression.zstd.compress(js, 3)) - len(br)


def first_loads(browser, url, root=None):
    """First visit and repeat visit (same cache) of one page, unthrottled."""
    context, page, _cdp, log = new_context(browser)
    first = load(page, log, url, root)
    repeat = load(page, log, url, root)
    context.close()
    return first, repeat


def slow_load_ms(browser, url, root=None, runs=3):
    """Median ms to polygons drawn on a cold cache at 1.5 Mbit/s + 150 ms."""
    times = []
    for _ in range(runs):
        context, page, cdp, log = new_context(browser)
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", MEETING_ROOM)
        times.append(load(page, log, url, root)[2])
        context.close()
    return statistics.median(times)


def interactions(browser, base, repeat):
    """Median ms from a changed input to the map idle, per interaction, and echo."""
    context, page, _cdp, log = new_context(browser)
    out = {}

    def timed(name, graph, steps):
        times = []
        for k in range(repeat):
            for cid, props in steps:  # two values per round: there and back
                ms = page.evaluate(TO_MAP_IDLE, [graph, cid, props])
                if k:  # the first round warms the memo of both workers
                    times.append(ms)
        out[name] = statistics.median(times)

    def echo():
        times = []
        for k in range(repeat):
            for value in (f"a{k}", f"b{k}"):
                ms = page.evaluate(TO_ECHO, [value])
                if k:
                    times.append(ms)
        return statistics.median(times)

    page.goto(base + "/")
    page.wait_for_function(POLYGONS_DRAWN, timeout=120_000, polling=50)
    out["echo (on the map page)"] = echo()
    timed(
        "area selection",
        "map-graph",
        [("map-area", {"value": "visperud"}), ("map-area", {"value": "ahus"})],
    )
    timed(
        "layer toggle (premises)",
        "map-graph",
        [
            ("map-layers", {"value": ["firms", "premises"]}),
            ("map-layers", {"value": ["firms"]}),
        ],
    )
    timed(
        "section filter",
        "map-graph",
        [("map-sections", {"value": ["G"]}), ("map-sections", {"value": ["C", "F"]})],
    )
    timed(
        "size filter",
        "map-graph",
        [("map-size", {"value": [2, 7]}), ("map-size", {"value": [0, 4]})],
    )
    page.goto(base + "/lokaler")
    page.wait_for_function(POLYGONS_DRAWN, arg="#finder-map", timeout=120_000)
    page.wait_for_selector("#finder-grid .ag-row", timeout=60_000)
    timed(
        "finder: size filter",
        "finder-map",
        [
            ("finder-size-min", {"value": 500}),
            ("finder-size-min", {"value": 200}),
        ],
    )
    context.close()
    fetched(log)
    return out


# --- 4. and 5. callbacks over HTTP ----------------------------------------------


def session(base):
    """A session cookie and its CSRF token, as a browser gets them from the page."""
    resp = urllib.request.urlopen(base + "/")
    jar = http.cookies.SimpleCookie()
    for header in resp.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    cookie = "; ".join(f"{k}={v.value}" for k, v in jar.items())
    token = jar["_csrf_token"].value if "_csrf_token" in jar else ""
    return {"Cookie": cookie, "X-CSRFToken": token}


def output_spec(output):
    """``{"id", "property"}`` of one output as the renderer sends it (dict ids too)."""
    name, prop = output.split("@")[0].rsplit(".", 1)
    return {"id": json.loads(name) if name.startswith("{") else name, "property": prop}


def callback_body(deps, output, values, changed):
    """The JSON the renderer POSTs for the callback whose output contains ``output``."""
    (dep,) = [
        d
        for d in deps
        if any(
            o == output or o.startswith(output + ".")
            for o in d["output"].strip(".").split("...")
        )
    ]
    outputs = [output_spec(o) for o in dep["output"].strip(".").split("...")]

    def vals(items):
        return [{**i, "value": values.get(f"{i['id']}.{i['property']}")} for i in items]

    return {
        "output": dep["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": vals(dep["inputs"]),
        "state": vals(dep["state"]),
        "changedPropIds": changed,
    }


def post(base, body, headers):
    req = urllib.request.Request(
        base + "/_dash-update-component",
        data=json.dumps(body).encode(),
        headers={
            **headers,
            "Content-Type": "application/json",
            "Accept-Encoding": "gzip",
        },
        method="POST",
    )
    t0 = time.perf_counter()
    with urllib.request.urlopen(req) as resp:
        resp.read()
        assert resp.status == 200, resp.status
    return time.perf_counter() - t0


def map_values(**changes):
    values = {
        "map-layers.value": ["firms"],
        "map-area.value": None,
        "map-sections.value": [],
        "map-size.value": [0, 7],
        "map-basemap.value": "offline",
        "map-view.data": DEFAULT_VIEW,
        "map-lang.data": "nb",
    }
    values.update(changes)
    return values


def bodies(base):
    """The request bodies: echo, filter change (map, profile), area selection."""
    deps = json.loads(urllib.request.urlopen(base + "/_dash-dependencies").read())
    section = map_values(**{"map-sections.value": ["G"]})
    area = map_values(**{"map-area.value": "visperud"})
    return {
        "echo": callback_body(
            deps,
            "bench-echo-out",
            {"bench-echo-in.value": "x"},
            ["bench-echo-in.value"],
        ),
        "filter: map patch": callback_body(
            deps, "map-graph.figure", section, ["map-sections.value"]
        ),
        "filter: profile": callback_body(
            deps, "profile-content.children", section, ["map-sections.value"]
        ),
        "area: map patch": callback_body(
            deps, "map-graph.figure", area, ["map-area.value"]
        ),
        "area: profile": callback_body(
            deps, "profile-content.children", area, ["map-area.value"]
        ),
    }


def cold_profiles(base, n):
    """``n`` distinct profile requests (area, section, size), so none is memoised."""
    deps = json.loads(urllib.request.urlopen(base + "/_dash-dependencies").read())
    areas = [None, "sentrum", "stasjonsomradet", "fjellhamar", "visperud", "ahus"]
    sections = list("CFGHIJLMNPQRS")
    sizes = [(lo, hi) for lo in range(8) for hi in range(lo, 8)]
    out = []
    for k in range(n):
        values = map_values(
            **{
                "map-area.value": areas[k % len(areas)],
                "map-sections.value": [sections[(k // len(areas)) % len(sections)]],
                "map-size.value": list(sizes[k % len(sizes)]),
            }
        )
        out.append(
            callback_body(
                deps, "profile-content.children", values, ["map-sections.value"]
            )
        )
    return out


def median_times(base, reqs, headers, n):
    """Median round trip of each request, interleaved so drift hits all alike."""
    times = {name: [] for name in reqs}
    for body in reqs.values():  # warm both workers' caches
        for _ in range(4):
            post(base, body, headers)
    for _ in range(n):
        for name, body in reqs.items():
            times[name].append(post(base, body, headers))
    return {name: statistics.median(ts) for name, ts in times.items()}


def wrk(base, body, headers, duration, tmp):
    """Requests per second and errors of one callback under wrk."""
    script = Path(tmp) / "post.lua"
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(json.dumps(body))}"]
    for key, value in {**headers, "Content-Type": "application/json"}.items():
        lines.append(f"wrk.headers[{json.dumps(key)}] = {json.dumps(value)}")
    script.write_text("\n".join(lines) + "\n")
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c8",
            f"-d{duration}s",
            "-s",
            str(script),
            base + "/_dash-update-component",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    m = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if m:
        errors += sum(int(g) for g in m.groups())
    return rps, errors


# --- report -----------------------------------------------------------------------


def build_store(tmp):
    path = Path(tmp) / "store.gpkg"
    subprocess.run(
        [sys.executable, "-m", "layers", "build", "--store", str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return path


def row(name, ours, ref, ratio, budget):
    print(f"{name:<48} {ours:>12} {ref:>12} {ratio:>7.2f}x  {budget}")


def print_interactions(clicks):
    echo_ms = clicks.pop("echo (on the map page)")
    for name, ms in clicks.items():
        row(
            f"3. {name}: input to map idle, ms",
            f"{ms:,.0f}",
            f"{echo_ms:,.0f}",
            ms / echo_ms,
            "<= 8x (vs echo)",
        )


def only_interactions(args):
    """Part 3 alone: the echo app's server and the browser, no textbook page."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(args.store) if args.store else build_store(tmp)
        proc, base = serve("bench.echo_app:server", store)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM,
                    headless=True,
                    args=[*CHROMIUM_ARGS, BLOCK_OTHER_HOSTS],
                )
                clicks = interactions(browser, base, max(2, args.repeat))
                browser.close()
        finally:
            stop_gunicorn(proc)
    print()
    print("Chromium over HTTP, gunicorn on 127.0.0.1 (bench/echo_app.py).")
    print(f"{'measure':<48} {'ours':>12} {'echo':>12} {'ratio':>8}  budget")
    print("-" * 96)
    print_interactions(clicks)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", help="store to serve (default: build one)")
    parser.add_argument("--n", type=int, default=200, help="POSTs per callback")
    parser.add_argument("--duration", type=int, default=10, help="wrk seconds")
    parser.add_argument(
        "--repeat", type=int, default=7, help="rounds per browser interaction"
    )
    parser.add_argument(
        "--only",
        choices=("interactions",),
        help="run one part only (interactions: 3., in the browser, and nothing else)",
    )
    args = parser.parse_args(argv)
    if args.only == "interactions":
        return only_interactions(args)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(args.store) if args.store else build_store(tmp)
        servers = {
            "echo": serve("bench.echo_app:server", store),
            "default": serve("bench.default_map_app:server", store),
        }
        try:
            ours, ref = servers["echo"][1], servers["default"][1]
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM,
                    headless=True,
                    args=[*CHROMIUM_ARGS, BLOCK_OTHER_HOSTS],
                )
                loads = {
                    "/": first_loads(browser, ours + "/"),
                    "/lokaler": first_loads(browser, ours + "/lokaler", "#finder-map"),
                    "/presentasjon": first_loads(
                        browser, ours + "/presentasjon", "#present-map"
                    ),
                    "textbook": first_loads(browser, ref + "/"),
                }
                slow = {
                    "/": slow_load_ms(browser, ours + "/"),
                    "textbook": slow_load_ms(browser, ref + "/"),
                }
                clicks = interactions(browser, ours, max(2, args.repeat))
                browser.close()

            base = servers["echo"][1]
            headers = session(base)
            reqs = bodies(base)
            medians = median_times(base, reqs, headers, args.n)
            cold = [post(base, body, headers) for body in cold_profiles(base, args.n)]
            medians["filter: profile, never seen"] = statistics.median(cold)
            rates = None
            if shutil.which("wrk"):
                rates = {
                    name: wrk(base, reqs[name], headers, args.duration, tmp)
                    for name in ("echo", "area: map patch", "area: profile")
                }
        finally:
            for proc, _url in servers.values():
                stop_gunicorn(proc)

    print()
    print("Chromium over HTTP, gunicorn on 127.0.0.1; 'textbook' is")
    print("bench/default_map_app.py (px.choropleth_map, compress=True, white-bg).")
    print(f"{'measure':<48} {'ours':>12} {'reference':>12} {'ratio':>8}  budget")
    print("-" * 96)
    ref_bytes, ref_n, _ = loads["textbook"][0]
    extra = bundle_at_default_level()
    row(
        "1. first load /, bytes, plotly.js at zstd 3 too",
        f"{loads['/'][0][0] + extra:,}",
        f"{ref_bytes:,}",
        (loads["/"][0][0] + extra) / ref_bytes,
        "(equal compression)",
    )
    for path in ("/", "/lokaler", "/presentasjon"):
        (nbytes, n, _), (again, n_again, _) = loads[path]
        row(
            f"1. first load {path}, bytes ({n} vs {ref_n} req.)",
            f"{nbytes:,}",
            f"{ref_bytes:,}",
            nbytes / ref_bytes,
            "<= 0.6x" if path == "/" else "",
        )
        row(
            f"1. repeat visit {path}, bytes ({n_again} req.)",
            f"{again:,}",
            f"{loads['textbook'][1][0]:,}",
            again / loads["textbook"][1][0],
            "(a few KB)",
        )
    row(
        "2. polygons drawn at 1.5 Mbit/s + 150 ms, ms",
        f"{slow['/']:,.0f}",
        f"{slow['textbook']:,.0f}",
        slow["/"] / slow["textbook"],
        "<= 0.7x",
    )
    print_interactions(clicks)
    print()
    print("The profile is memoised per process (area, filters, language): a repeated")
    print("request hits the memo; 'never seen' requests are all distinct (misses).")
    echo = medians["echo"]
    for name in ("filter: map patch", "filter: profile", "filter: profile, never seen"):
        row(
            f"4. {name}, median ms",
            f"{medians[name] * 1000:.2f}",
            f"{echo * 1000:.2f}",
            medians[name] / echo,
            "<= 3x",
        )
    both = medians["filter: map patch"] + medians["filter: profile"]
    row(
        "4. filter change, both callbacks, ms",
        f"{both * 1000:.2f}",
        f"{echo * 1000:.2f}",
        both / echo,
        "(sum, for reference)",
    )
    if rates is None:
        print("5. throughput: skipped (wrk is not installed)")
        return 0
    echo_rps, echo_err = rates["echo"]
    for name in ("area: map patch", "area: profile"):
        rps, err = rates[name]
        row(
            f"5. {name}, req/s (errors {err}/{echo_err})",
            f"{rps:,.0f}",
            f"{echo_rps:,.0f}",
            rps / echo_rps,
            ">= 0.5x, no errors",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
