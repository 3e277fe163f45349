"""The presentation's tour as data: which views, in what order, each view's camera.

Pure functions of the URL (``?areas=visperud,ahus&view=3``) and of the store's
geometry; the panel (``presentation_panel``) renders and wires them.
"""

from __future__ import annotations

from components import figures, ids
from layers.schemas import AREA_IDS

OVERVIEW = "oversikt"
CLOSING = "sammenligning"
VIEW_ALIASES = {"overview": OVERVIEW, "summary": CLOSING, "comparison": CLOSING}


# The map's size assumed for the first frame; the browser refits to the real size.
MAP_SIZE = (620, 640)
MAP_PADDING = 40


def parse_areas(value):
    """The areas to present, in order, from ``?areas=`` (all six by default).

    Unknown ids and repeats are dropped; nothing valid gives all six.
    """
    chosen = []
    for part in str(value or "").split(","):
        area = part.strip().lower()
        if area in AREA_IDS and area not in chosen:
            chosen.append(area)
    return chosen or list(AREA_IDS)


def areas_param(chosen):
    """The ``areas`` URL value of a choice (None for all six in the usual order)."""
    chosen = list(chosen)
    return None if chosen == list(AREA_IDS) else ",".join(chosen)


def view_list(chosen):
    """The views of a tour: the overview, one per area, and the closing comparison.

    Returns
    -------
    list of dict
        ``key`` (used in ``?view=``), ``kind`` and ``area``.
    """
    views = [{"key": OVERVIEW, "kind": "overview", "area": None}]
    views += [{"key": a, "kind": "area", "area": a} for a in chosen]
    views.append({"key": CLOSING, "kind": "closing", "area": None})
    return views


def view_index(views, value):
    """The index of the view that ``?view=`` names: a number from 1, or a key.

    Numbers beyond the end give the last view; anything unknown the first.
    """
    text = str(value or "").strip().lower()
    if text.isdigit():
        return max(0, min(int(text), len(views)) - 1)
    text = VIEW_ALIASES.get(text, text)
    keys = [v["key"] for v in views]
    return keys.index(text) if text in keys else 0


def view_param(views, index):
    """The ``view`` URL value of a view (None for the first)."""
    return views[index]["key"] if 0 < index < len(views) else None


def step(index, action, count):
    """The view index after a move: ``next``, ``prev``, ``first`` or ``last``."""
    target = {
        "next": index + 1,
        "prev": index - 1,
        "first": 0,
        "last": count - 1,
    }.get(action, index)
    return max(0, min(count - 1, target))


def toggle_area(chosen, area, include):
    """Add an area at the end of the tour, or take it out (at least one stays)."""
    chosen = [a for a in chosen if a in AREA_IDS]
    if include and area in AREA_IDS and area not in chosen:
        return [*chosen, area]
    if not include and area in chosen and len(chosen) > 1:
        return [a for a in chosen if a != area]
    return chosen


def move_area(chosen, area, direction):
    """Move an area one place ``up`` (earlier) or ``down`` in the tour."""
    chosen = list(chosen)
    if area not in chosen:
        return chosen
    i = chosen.index(area)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(chosen):
        chosen[i], chosen[j] = chosen[j], chosen[i]
    return chosen


def setup_order(chosen):
    """The rows of the setup list: the chosen areas in order, then the others."""
    return [*chosen, *(a for a in AREA_IDS if a not in chosen)]


def camera(bounds, size=MAP_SIZE, padding=MAP_PADDING):
    """Centre and zoom of the tour's first frame for ``bounds`` (the one fit,
    ``figures.camera``); the browser refits to the map's real size."""
    return figures.camera(bounds, size, padding=padding)


def view_styles(area):
    """Fill opacity and outline width of each of the six areas (``AREA_IDS`` order).

    The overview shows all six alike; an area's view brings it forward.
    """
    if area not in AREA_IDS:
        return [0.5] * len(AREA_IDS), [2.0] * len(AREA_IDS)
    opacity = [0.6 if a == area else 0.15 for a in AREA_IDS]
    width = [5.0 if a == area else 1.0 for a in AREA_IDS]
    return opacity, width


def with_cameras(views, area_bounds, overview_bounds):
    """Add each view's ``bounds``, first-frame ``center``/``zoom`` and map styles."""
    out = []
    for view in views:
        bounds = area_bounds.get(view["area"], overview_bounds)
        centre, zoom = camera(bounds)
        opacity, width = view_styles(view["area"])
        out.append(
            {
                **view,
                "bounds": [round(b, 5) for b in bounds],
                "center": centre,
                "zoom": zoom,
                "opacity": opacity,
                "line_width": width,
                # Premises are marked on an area's view only: on the overview
                # they would hide the small areas.
                "points": view["kind"] == "area",
            }
        )
    return out


def selection_change(chosen, trigger, value):
    """The new choice and the control to focus after a setup control was used.

    Parameters
    ----------
    chosen : list of str
        The areas of the tour, in order.
    trigger : dict
        The id of the checkbox or move button used.
    value : list or int
        The checkbox's value or the button's ``n_clicks``.

    Returns
    -------
    tuple
        ``(new choice, id to focus)``; the choice is unchanged when nothing applies.
    """
    area = (trigger or {}).get("area")
    if trigger.get("type") == ids.PRESENT_INCLUDE:
        return toggle_area(chosen, area, area in (value or [])), trigger
    if trigger.get("type") == ids.PRESENT_MOVE and value:
        new = move_area(chosen, area, trigger.get("dir"))
        pos = new.index(area) if area in new else 0
        direction = trigger.get("dir")
        # At an end the pressed button is disabled: focus its twin instead.
        if direction == "up" and pos == 0:
            direction = "down"
        elif direction == "down" and pos == len(new) - 1:
            direction = "up"
        return new, {"type": ids.PRESENT_MOVE, "area": area, "dir": direction}
    return chosen, None
