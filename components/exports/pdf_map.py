"""The PDF profiles' maps (reportlab graphics, EPSG:25833, no network).

The overview's map of all areas and each area page's map: the boundary, the
areas in their colours, the available premises, the areas' names and a scale bar.
"""

from __future__ import annotations

import math

import shapely
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect
from reportlab.graphics.shapes import Path as RlPath
from reportlab.graphics.shapes import String as RlString
from reportlab.lib import colors
from reportlab.lib.units import mm

from components.exports.text import (
    AREA_COLOURS,
    POINT_COLOURS,
    area_name,
    available_premises,
)
from components.i18n import fmt_num
from layers.schemas import AREA_IDS, METRIC_CRS


def _polygon_parts(geom):
    return [
        g
        for g in shapely.get_parts(geom)
        if g.geom_type == "Polygon" and not g.is_empty
    ]


def _ring_path(polygon, project, **style):
    path = RlPath(fillMode=0, **style)  # 0: even-odd, so holes stay open
    for ring in [polygon.exterior, *polygon.interiors]:
        pts = [project(x, y) for x, y in ring.coords]
        path.moveTo(*pts[0])
        for p in pts[1:]:
            path.lineTo(*p)
        path.closePath()
    return path


def map_drawing(layers, focus=None, *, width=85 * mm, height=70 * mm, lang="nb"):
    """Draw a small map with reportlab graphics (no network, EPSG:25833).

    Parameters
    ----------
    layers : dict
        Layer frames: ``areas``; ``boundary`` and ``premises`` when present.
    focus : str, optional
        Area to frame and highlight; by default the whole municipality.
    width, height : float
        Size in points.
    lang : str

    Returns
    -------
    reportlab.graphics.shapes.Drawing
    """
    areas = layers["areas"].to_crs(METRIC_CRS)
    boundary = layers.get("boundary")
    boundary = boundary.to_crs(METRIC_CRS) if boundary is not None else None
    if focus is not None:
        target = areas.loc[areas["area_id"] == focus].geometry
    elif boundary is not None and len(boundary):
        target = boundary.geometry
    else:
        target = areas.geometry
    extent = _fit_extent(target.total_bounds, width / height)
    scale = width / (extent[2] - extent[0])

    def project(x, y):
        return ((x - extent[0]) * scale, (y - extent[1]) * scale)

    d = Drawing(width, height)
    d.add(
        Rect(0, 0, width, height, fillColor=colors.HexColor("#f3f1ea"), strokeWidth=0)
    )
    if boundary is not None:
        for geom in boundary.geometry:
            for poly in _polygon_parts(shapely.clip_by_rect(geom, *extent)):
                d.add(_ring_path(poly, project, fillColor=colors.white, strokeWidth=0))
    for area_id, geom in zip(areas["area_id"], areas.geometry, strict=True):
        picked = focus is None or area_id == focus
        colour = colors.HexColor(AREA_COLOURS.get(area_id, "#888888"))
        for poly in _polygon_parts(shapely.clip_by_rect(geom, *extent)):
            d.add(
                _ring_path(
                    poly,
                    project,
                    fillColor=colors.Color(colour.red, colour.green, colour.blue, 0.45)
                    if picked
                    else colors.HexColor("#e0e0e0"),
                    strokeColor=colour if picked else colors.HexColor("#aaaaaa"),
                    strokeWidth=1.2 if picked else 0.5,
                )
            )
    if boundary is not None:
        for geom in boundary.geometry:
            clipped = shapely.clip_by_rect(geom.boundary, *extent)
            for line in shapely.get_parts(clipped):
                if line.geom_type != "LineString" or line.is_empty:
                    continue
                pts = [c for xy in line.coords for c in project(*xy)]
                d.add(PolyLine(pts, strokeColor=colors.black, strokeWidth=1))
    premises = available_premises(layers)
    if premises is not None and len(premises):
        pts = premises.to_crs(METRIC_CRS).geometry
        for x, y in zip(
            shapely.get_x(pts.values), shapely.get_y(pts.values), strict=True
        ):
            if extent[0] <= x <= extent[2] and extent[1] <= y <= extent[3]:
                px, py = project(x, y)
                d.add(
                    Circle(
                        px,
                        py,
                        2.2,
                        fillColor=colors.HexColor(POINT_COLOURS["premises"]),
                        strokeColor=colors.white,
                        strokeWidth=0.4,
                    )
                )
    _area_labels(d, areas, focus, extent, project, lang)
    _scale_bar(d, scale, lang)
    d.add(
        Rect(
            0,
            0,
            width,
            height,
            fillColor=None,
            strokeColor=colors.grey,
            strokeWidth=0.5,
        )
    )
    return d


LABEL_SIZE = 7.5  # points: readable on paper at the overview's scale


def _area_labels(d, areas, focus, extent, project, lang):
    """Each shown area's name on the map, on a white box at a point inside it.

    With ``focus`` only that area is named (its page's map). Text only: reportlab
    draws a string, never markup.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for area_id, geom in zip(areas["area_id"], areas.geometry, strict=True):
        if area_id not in AREA_IDS or (focus is not None and area_id != focus):
            continue
        point = shapely.point_on_surface(geom)
        if not (
            extent[0] <= point.x <= extent[2] and extent[1] <= point.y <= extent[3]
        ):
            continue
        text = area_name(area_id, lang)
        x, y = project(point.x, point.y)
        w = stringWidth(text, "Helvetica-Bold", LABEL_SIZE)
        d.add(
            Rect(
                x - w / 2 - 1.5,
                y - 2.5,
                w + 3,
                LABEL_SIZE + 2,
                fillColor=colors.Color(1, 1, 1, 0.8),
                strokeWidth=0,
            )
        )
        d.add(
            RlString(
                x,
                y,
                text,
                fontName="Helvetica-Bold",
                fontSize=LABEL_SIZE,
                textAnchor="middle",
                fillColor=colors.HexColor("#1f2933"),
            )
        )


def _fit_extent(bounds, aspect, margin=0.12, minimum=400.0):
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    w = max(maxx - minx, minimum) * (1 + 2 * margin)
    h = max(maxy - miny, minimum) * (1 + 2 * margin)
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def _scale_bar(d, scale, lang):
    metres = d.width * 0.3 / scale
    nice = 10 ** math.floor(math.log10(metres))
    for step in (5, 2, 1):
        if step * nice <= metres:
            nice *= step
            break
    length = nice * scale
    d.add(Line(6, 6, 6 + length, 6, strokeColor=colors.black, strokeWidth=1.5))
    label = f"{fmt_num(nice / 1000, 0, lang)} km" if nice >= 1000 else f"{int(nice)} m"
    d.add(RlString(6, 9, label, fontName="Helvetica", fontSize=6))
