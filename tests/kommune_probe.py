"""Walk the whole dashboard of one store in a fresh process and save what it sends.

Run as ``python tests/kommune_probe.py STORE OUT_DIR`` (``test_kommune.py`` does, one
process per store, since a process serves one kommune and holds one Dash app).
Every page is rendered by the router, then every callback whose inputs are all on
the rendered page is fired once with the page's values; the exports (HTML, PDF,
XLSX, both languages) and ``/health`` are fetched. Each response body is written
to ``OUT_DIR``; ``OUT_DIR/summary.json`` lists the statuses.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

PAGES = ("/", "/sammenligning", "/lokaler", "/lokaler/register", "/presentasjon")
EXPORTS = ("html", "pdf", "xlsx")


def _walk(node, found):
    """Collect ``{id: props}`` of every component with a plain string id."""
    if isinstance(node, list):
        for item in node:
            _walk(item, found)
    elif isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict):
            cid = props.get("id")
            if isinstance(cid, str):
                found[cid] = props
            for value in props.values():
                _walk(value, found)
        else:
            for value in node.values():
                _walk(value, found)


def _json(data):
    try:
        return json.loads(data or b"{}")
    except ValueError:  # an error page: the status says so
        return {}


def _ids(spec):
    out = []
    for o in spec.strip(".").split("..."):
        cid, prop = o.rsplit(".", 1)
        out.append(
            (json.loads(cid) if cid.startswith("{") else cid, prop.split("@")[0])
        )
    return out


def _post(client, token, dep, inputs, state, changed):
    outputs = [{"id": i, "property": p} for i, p in _ids(dep["output"])]
    body = {
        "output": dep["output"],
        "outputs": outputs if dep["output"].startswith("..") else outputs[0],
        "inputs": inputs,
        "state": state,
        "changedPropIds": changed,
    }
    resp = client.post(
        "/_dash-update-component", json=body, headers={"X-CSRFToken": token}
    )
    data = resp.data
    if resp.headers.get("Content-Encoding") == "gzip":
        data = gzip.decompress(data)
    return resp.status_code, data


def main(store, out):
    from app import create_app

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    app = create_app({"NARING_STORE": store, "SECRET_KEY": "probe-key"})
    client = app.server.test_client()
    summary = {"pages": {}, "callbacks": [], "exports": {}}
    index = client.get("/")
    (out / "index.html").write_bytes(index.data)
    summary["index"] = index.status_code
    token = client.get_cookie("_csrf_token").value
    deps = client.get("/_dash-dependencies").get_json()
    (out / "layout.json").write_bytes(client.get("/_dash-layout").data)
    (router,) = [d for d in deps if "page-content.children" in d["output"]]
    plain = [
        d
        for d in deps
        if d is not router
        and not d.get("clientside_function")
        and all(isinstance(x["id"], str) for x in d["inputs"] + d["state"])
        and '["ALL' not in d["output"]
        and '["MATCH' not in d["output"]
    ]
    n = 0
    from layers import kommune

    # Each page as it opens, then the map and the tour at the first area.
    area = kommune.active().areas[0]
    visits = [(p, "") for p in PAGES]
    visits += [("/", f"?area={area}"), ("/presentasjon", "?view=1")]
    for path, search in visits:
        inputs = [{**router["inputs"][0], "value": path}]
        state = [{**s, "value": search} for s in router["state"]]
        status, data = _post(
            client, token, router, inputs, state, ["page-url.pathname"]
        )
        summary["pages"][path + search] = status
        name = path.strip("/").replace("/", "_") or "map"
        (out / f"page_{name}{'_area' if search else ''}.json").write_bytes(data)
        found = {"page-url": {"pathname": path, "search": search}}
        _walk(_json(data), found)
        for dep in plain:
            wanted = dep["inputs"] + dep["state"]
            if not all(x["id"] in found for x in wanted):
                continue

            def value(x, found=found):
                return found[x["id"]].get(x["property"])

            inputs = [{**x, "value": value(x)} for x in dep["inputs"]]
            state = [{**x, "value": value(x)} for x in dep["state"]]
            changed = [f"{x['id']}.{x['property']}" for x in dep["inputs"][:1]]
            status, data = _post(client, token, dep, inputs, state, changed)
            if status == 204 and state:
                # Nothing changed: once more without the previous state (a first draw).
                state = [{**x, "value": None} for x in dep["state"]]
                status, data = _post(client, token, dep, inputs, state, changed)
            summary["callbacks"].append(
                {"page": path + search, "output": dep["output"], "status": status}
            )
            (out / f"callback_{n:03d}.json").write_bytes(data)
            n += 1
    for kind in EXPORTS:
        for lang in ("nb", "en"):
            resp = client.get(f"/export/{kind}?lang={lang}")
            summary["exports"][f"{kind}_{lang}"] = resp.status_code
            (out / f"export_{lang}.{kind}").write_bytes(resp.data)
    health = client.get("/health")
    (out / "health.json").write_bytes(health.data)
    summary["health"] = health.status_code
    (out / "summary.json").write_text(json.dumps(summary, indent=1))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main(sys.argv[1], sys.argv[2])
