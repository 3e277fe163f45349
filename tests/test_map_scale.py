"""The map at scale: a store of 200 000 firms ships cells, not firms (sizes, no time)."""

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from components import ids, map_panel
from layers.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from scale_store import scaled_establishments  # noqa: E402

N = 200_000


@pytest.fixture(scope="module")
def big_store(default_store, tmp_path_factory):
    """A copy of the default store with N jittered establishments."""
    path = tmp_path_factory.mktemp("big") / "big.gpkg"
    shutil.copyfile(default_store, path)
    store = open_store(path)
    base = store.read_layer("establishments")
    info = store.layer_info("establishments")
    meta = {
        "source": info.source,
        "licence": info.licence,
        "as_of": info.as_of,
        "demonstration": True,
        "imported_at": info.imported_at,
        "details": {"scaled": {"rows": N}},
    }
    store.replace_layers({"establishments": (scaled_establishments(base, N), meta)})
    return path


def find(component, component_id):
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    if not isinstance(children, list | tuple):
        children = [children]
    for child in children:
        if hasattr(child, "to_plotly_json"):
            hit = find(child, component_id)
            if hit is not None:
                return hit
    return None


def page_figure(state):
    return find(map_panel.layout(state, "nb"), ids.MAP_GRAPH).figure


def firms_trace(fig):
    (tr,) = [t for t in fig["data"] if (t.get("meta") or [None])[0] == "firms"]
    return tr


def test_municipal_zoom_ships_cells_bounded_independent_of_n(
    dash_app, default_store, big_store, monkeypatch
):
    """The same page on 4 512 and on 200 000 firms: about as many points and bytes."""
    sizes = {}
    for name, path in (("small", default_store), ("big", big_store)):
        monkeypatch.setitem(dash_app.server.config, "NARING_STORE", str(path))
        with dash_app.server.test_request_context("/"):
            fig = page_figure({})
            assert map_panel.frames().n_firms == (N if name == "big" else 4512)
        tr = firms_trace(fig)
        sizes[name] = (len(tr["lat"]), len(json.dumps(fig)))
    (small_pts, small_bytes), (big_pts, big_bytes) = sizes["small"], sizes["big"]
    assert big_pts < 2000  # cells, not 200 000 points
    assert big_pts <= 1.5 * small_pts + 50
    assert big_bytes <= 1.5 * small_bytes


def test_zoomed_in_on_a_dense_store_still_bounds_the_points(
    dash_app, big_store, monkeypatch
):
    """Zoomed in where too many firms lie, the view keeps cells; further in: firms."""
    monkeypatch.setitem(dash_app.server.config, "NARING_STORE", str(big_store))
    with dash_app.server.test_request_context("/"):
        fr = map_panel.frames()
        k = int(np.argmax(fr.firm_jobs))
        lat, lon = float(fr.firm_lat[k]), float(fr.firm_lon[k])
        for zoom in (13.0, 15.0, 17.5, 19.0):
            fig = page_figure({"center": f"{lat},{lon}", "zoom": str(zoom)})
            tr = firms_trace(fig)
            assert 0 < len(tr["lat"]) <= map_panel.MAX_VIEW_FIRMS
        # At the highest zoom the view holds single firms (names on hover).
        assert tr["customdata"][0][0].startswith("Skalert demofirma")


def test_figure_memo_does_not_grow_per_camera(dash_app, default_store, monkeypatch):
    """Pages of one view at many centres and zooms share one figure-memo entry."""
    from layers.frames import MEMO

    monkeypatch.setitem(dash_app.server.config, "NARING_STORE", str(default_store))

    def entries():
        return sum(1 for k in MEMO._entries if k[0] == "map.figure")

    with dash_app.server.test_request_context("/"):
        page_figure({"nace": "F"})
        before = entries()
        for k in range(12):
            page_figure({"nace": "F", "center": f"59.9{k},10.9{k}", "zoom": str(9 + k)})
        assert entries() == before


def test_memo_limit_bounds_a_namespace():
    """A namespace with a limit keeps its most recently used entries only."""
    from layers.frames import Memo

    memo = Memo()
    for k in range(10):
        memo.get("ns", "store", k, lambda k=k: k, version=1, limit=3)
    memo.get("other", "store", 0, lambda: 0, version=1)
    assert len(memo) == 4
    assert memo.get("ns", "store", 9, lambda: "rebuilt", version=1) == 9
    assert memo.get("ns", "store", 0, lambda: "rebuilt", version=1) == "rebuilt"
