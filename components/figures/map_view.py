"""The map page's view state (layers, area, filters, basemap, camera) and its URL."""

from __future__ import annotations

from dataclasses import dataclass

from components.figures.basemap import BASEMAPS
from components.figures.theme import SECTION_COLORS
from layers.aggregates import FULL_SIZE, normalise_size
from layers.schemas import AREA_IDS

LAYERS = ("firms", "jobs", "transit", "premises")
DEFAULT_LAYERS = ("firms",)


@dataclass(frozen=True)
class MapView:
    """What the map shows: the part of the URL the map reads."""

    layers: tuple = DEFAULT_LAYERS
    area: str | None = None
    sections: tuple = ()
    size: tuple = FULL_SIZE
    basemap: str = "offline"
    center: tuple | None = None  # (lat, lon)
    zoom: float | None = None


def view_from_state(state, allowed_sections=None):
    """Parse the map's URL state (``components.urlstate.parse_search``) to a MapView.

    Unknown values are dropped, so a hand-edited link cannot break the page.
    """
    from components.urlstate import get_list

    raw_layers = state.get("layers")
    if raw_layers is None:
        layers = DEFAULT_LAYERS
    else:
        layers = tuple(get_list(state, "layers", LAYERS))
    area = state.get("area")
    area = area if area in AREA_IDS else None
    sections = tuple(get_list(state, "nace", allowed_sections or SECTION_COLORS))
    size = FULL_SIZE
    if "size" in state:
        parts = state["size"].split("-")
        size = normalise_size(parts) if len(parts) == 2 else FULL_SIZE
    basemap = state.get("basemap", "offline")
    basemap = basemap if basemap in BASEMAPS else "offline"
    center = None
    if "center" in state:
        try:
            lat, lon = (float(v) for v in state["center"].split(","))
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                center = (lat, lon)
        except ValueError:
            center = None
    zoom = None
    if "zoom" in state:
        try:
            zoom = min(22.0, max(0.0, float(state["zoom"])))
        except ValueError:
            zoom = None
    return MapView(layers, area, sections, size, basemap, center, zoom)


def view_to_params(view):
    """The URL parameters of a MapView (None for defaults, so links stay short)."""
    layers = None
    if tuple(view.layers) != DEFAULT_LAYERS:
        layers = ",".join(view.layers) if view.layers else "none"
    size = None if tuple(view.size) == FULL_SIZE else f"{view.size[0]}-{view.size[1]}"
    return {
        "area": view.area,
        "layers": layers,
        "nace": ",".join(view.sections) or None,
        "size": size,
        "basemap": None if view.basemap == "offline" else view.basemap,
        "center": f"{view.center[0]:.5f},{view.center[1]:.5f}" if view.center else None,
        "zoom": f"{view.zoom:.2f}" if view.zoom is not None else None,
    }
