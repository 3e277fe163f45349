"""The dashboard's own budgets, measured as ratios within one run.

1. First page load: every byte the browser fetches (compressed, as sent: CDP's
   ``encodedDataLength``) for our map page, against a default Dash page holding
   one ``px.choropleth_map`` of the areas (``bench/default_map_app.py``).
   Budget: at most 0.7x.
2. Server time of a filter change (choosing an industry section: the map patch
   and the profile, the two callbacks the browser sends) against a trivial echo
   callback on the same server (``bench/echo_app.py``): median of N POSTs of the
   JSON a browser sends. Budget: at most 3x.
3. Throughput of the area-selection callbacks under ``wrk -t2 -c8 -d10s`` (gunicorn,
   2 workers, 127.0.0.1) against the echo callback. Budget: at least 0.5x, no
   errors.

    python bench/bench_dashboard.py [--store PATH] [--n 200] [--duration 10]

Needs Debian's Chromium (/usr/bin/chromium), Playwright and wrk. Nothing leaves
127.0.0.1: the browser blocks every other host.
"""

from __future__ import annotations

import argparse
import http.cookies
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_VIEW = {
    "layers": ["firms"],
    "area": None,
    "sections": [],
    "size": [0, 7],
    "basemap": "offline",
}


# --- servers ----------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(module, store, workers=2):
    """Start ``gunicorn module`` on a free port; return (process, base URL)."""
    port = free_port()
    env = {
        **os.environ,
        "NARING_STORE": str(store),
        "NARING_SECRET_KEY": "bench-secret",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            module,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while True:
        try:
            urllib.request.urlopen(base + "/_dash-layout", timeout=2).read()
            return proc, base
        except Exception:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError(proc.stderr.read().decode()[-2000:]) from None
            time.sleep(0.3)


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


# --- 1. first page load ---------------------------------------------------------


def page_bytes(browser, url, ready):
    """Bytes the browser fetched (as sent, compressed) until the map has drawn."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.route(
        "**/*",
        lambda r: (
            r.continue_()
            if r.request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else r.abort()
        ),
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    sizes, urls = {}, {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.update({e["requestId"]: e}))
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.update({e["requestId"]: e["encodedDataLength"]}),
    )
    page.goto(url)
    page.wait_for_selector(ready, timeout=60_000)
    page.wait_for_load_state("networkidle")
    time.sleep(1.0)
    total = sum(
        n
        for rid, n in sizes.items()
        if urls.get(rid, {}).get("request", {}).get("url", "").startswith("http://")
    )
    context.close()
    return total, len(sizes)


# --- 2. and 3. callbacks over HTTP ----------------------------------------------


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
    (dep,) = [d for d in deps if output in d["output"]]
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", help="store to serve (default: build one)")
    parser.add_argument("--n", type=int, default=200, help="POSTs per callback")
    parser.add_argument("--duration", type=int, default=10, help="wrk seconds")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(args.store) if args.store else build_store(tmp)
        servers = {
            "ours": serve("app:server", store),
            "echo": serve("bench.echo_app:server", store),
            "default": serve("bench.default_map_app:server", store, workers=1),
        }
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                ours_bytes, ours_n = page_bytes(
                    browser, servers["ours"][1] + "/", ".maplibregl-canvas"
                )
                ref_bytes, ref_n = page_bytes(
                    browser, servers["default"][1] + "/", ".maplibregl-canvas"
                )
                browser.close()

            base = servers["echo"][1]
            headers = session(base)
            reqs = bodies(base)
            medians = median_times(base, reqs, headers, args.n)
            cold = [post(base, body, headers) for body in cold_profiles(base, args.n)]
            medians["filter: profile, never seen"] = statistics.median(cold)
            rates = {
                name: wrk(base, reqs[name], headers, args.duration, tmp)
                for name in ("echo", "area: map patch", "area: profile")
            }
        finally:
            for proc, _url in servers.values():
                stop(proc)

    print()
    print("The profile is memoised per process (area, filters, language): a repeated")
    print("request hits the memo; 'never seen' requests are all distinct (misses).")
    print(f"{'measure':<48} {'ours':>12} {'reference':>12} {'ratio':>8}  budget")
    print("-" * 96)
    row(
        f"1. first load, bytes ({ours_n} vs {ref_n} requests)",
        f"{ours_bytes:,}",
        f"{ref_bytes:,}",
        ours_bytes / ref_bytes,
        "<= 0.7x",
    )
    echo = medians["echo"]
    for name in ("filter: map patch", "filter: profile", "filter: profile, never seen"):
        row(
            f"2. {name}, median ms",
            f"{medians[name] * 1000:.2f}",
            f"{echo * 1000:.2f}",
            medians[name] / echo,
            "<= 3x",
        )
    both = medians["filter: map patch"] + medians["filter: profile"]
    row(
        "2. filter change, both callbacks, ms",
        f"{both * 1000:.2f}",
        f"{echo * 1000:.2f}",
        both / echo,
        "(sum, for reference)",
    )
    echo_rps, echo_err = rates["echo"]
    for name in ("area: map patch", "area: profile"):
        rps, err = rates[name]
        row(
            f"3. {name}, req/s (errors {err}/{echo_err})",
            f"{rps:,.0f}",
            f"{echo_rps:,.0f}",
            rps / echo_rps,
            ">= 0.5x, no errors",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
