"""The standalone HTML map (Folium, vendored Leaflet inlined): opens offline.

Everything from data is escaped with ``html.escape`` before it reaches the page.
"""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path

import folium
import numpy as np
import shapely
from folium.utilities import JsCode

from components.exports.text import (
    AREA_COLOURS,
    LAYER_ALIASES,
    POINT_COLOURS,
    POINT_LAYERS,
    TABLE_FIGURES,
    ExportError,
    _check_areas,
    _decimals,
    _indicative,
    _missing,
    area_name,
    figure_label,
    figure_text,
    figures_by_id,
    is_demonstration,
    nace_label,
    source_entries,
    source_text,
)
from components.i18n import fmt_m2, fmt_nok, fmt_num, lang_or_default, t
from layers.schemas import AREA_IDS, REST_ID, TOTAL_ID
from layers.stats import AVAILABLE

_EXTERNAL_REF = re.compile(
    r"<(?:script|link|img|iframe|embed|source)\b[^>]*?\b(?:src|href)\s*=\s*"
    r"[\"']?\s*(?:https?:)?//",
    re.IGNORECASE,
)

VENDOR = Path(__file__).resolve().parents[2] / "assets" / "vendor" / "leaflet"


_CSS_IMPORT = re.compile(r"@import\s+(?:url\()?\s*[\"']?\s*(?:https?:)?//", re.I)


class _OfflineMap(folium.Map):
    """A folium map that links no CDN: Leaflet is inlined by :func:`html_map`."""

    default_js: list = []
    default_css: list = []


def esc(value):
    """Escape data for HTML text and attributes (``html.escape`` with quotes)."""
    return html.escape("" if value is None else str(value), quote=True)


def leaflet_assets(vendor=VENDOR):
    """Return the vendored Leaflet CSS (images as ``data:`` URIs) and JS.

    Parameters
    ----------
    vendor : pathlib.Path
        Folder holding ``leaflet.css``, ``leaflet.js`` and ``images/``.

    Returns
    -------
    tuple of str
        ``(css, js)``.
    """
    css = (vendor / "leaflet.css").read_text(encoding="utf-8")

    def inline(match):
        image = vendor / "images" / match.group(1)
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\(images/([\w.-]+\.png)\)", inline, css)
    js = (vendor / "leaflet.js").read_text(encoding="utf-8")
    # A source map would be fetched by developer tools: drop the reference.
    js = re.sub(r"//# sourceMappingURL=\S*", "", js)
    return css, js.replace("</script", "<\\/script")


def check_offline(document):
    """Raise when an HTML document loads a script, stylesheet or image by URL.

    Parameters
    ----------
    document : str

    Raises
    ------
    ExportError
        A ``src=``/``href=`` of a script, stylesheet or embedded resource points
        to ``http://``, ``https://`` or ``//``, or a stylesheet ``@import``s one.
    """
    match = _EXTERNAL_REF.search(document) or _CSS_IMPORT.search(document)
    if match:
        raise ExportError(f"the HTML references a network resource: {match.group(0)}")


def area_tooltip(row, lang="nb"):
    """Return the tooltip HTML of an area: its name and key figures (escaped)."""
    lines = [f"<b>{esc(area_name(row['area_id'], lang))}</b>"]
    for fig in TABLE_FIGURES:
        value = figure_text(row, fig, lang, unit=False)
        lines.append(f"{esc(figure_label(fig, lang))}: {esc(value)}")
    if row.get("demonstration"):
        lines.append(f"<i>{esc(t('export_demo', lang))}</i>")
    return "<br>".join(lines)


def point_tooltip(layer, record, lang="nb"):
    """Return the tooltip HTML of one firm, premises or stop (escaped).

    Parameters
    ----------
    layer : str
        ``establishments``, ``premises`` or ``transit_stops``.
    record : dict
        One row of that layer.
    lang : str

    Returns
    -------
    str
    """
    if layer == "premises":
        details = [
            record.get("type", ""),
            _size(record.get("size_m2"), lang),
            _rent(record.get("rent_nok_m2_year"), lang),
            record.get("address", ""),
        ]
    elif layer == "transit_stops":
        dep = record.get("departures_peak_hour")
        details = [
            record.get("lines", ""),
            f"{fmt_num(dep, _decimals(dep), lang)} {t('export_departures', lang)}",
        ]
    else:
        details = [
            nace_label(record.get("nace_section", ""), lang),
            f"{t('export_employees', lang)}: "
            f"{fmt_num(record.get('employees'), 0, lang)}",
        ]
    title = record.get("title") if layer == "premises" else record.get("name")
    parts = [f"<b>{esc(title)}</b>"] + [esc(d) for d in details if d]
    return "<br>".join(parts)


def _size(value, lang):
    return "" if _missing(value) else fmt_m2(value, lang, _decimals(value))


def _plain(value, lang):
    return fmt_num(value, _decimals(value), lang)


def _rent(value, lang):
    return "" if _missing(value) else fmt_nok(value, lang)


def _feature_collection(gdf, ids, tips):
    # Six decimals of a degree are ~0.1 m: plenty, and a smaller file.
    rounded = shapely.transform(gdf.geometry.values, lambda xy: np.round(xy, 6))
    geo = shapely.to_geojson(rounded)
    feats = [
        {
            "type": "Feature",
            "id": i,
            "properties": {"tip": tip},
            "geometry": json.loads(g),
        }
        for i, tip, g in zip(ids, tips, geo, strict=True)
    ]
    return {"type": "FeatureCollection", "features": feats}


_BIND_TOOLTIP = JsCode(
    "function(feature, layer) {"
    " layer.bindTooltip(feature.properties.tip, {sticky: true}); }"
)


def _context_layer(m, gdf, name, style):
    if gdf is None or len(gdf) == 0:
        return
    folium.GeoJson(
        gdf[["geometry"]].__geo_interface__,
        name=name,
        style_function=lambda _f, s=style: dict(s),
        interactive=False,
        control=False,
    ).add_to(m)


def _areas_layer(m, areas, figures, area, lang):
    rows = figures_by_id(figures)
    shown = areas[areas["area_id"].isin(AREA_IDS)]
    ids = [f"area-{a}" for a in shown["area_id"]]
    tips = [area_tooltip(rows.get(a, {"area_id": a}), lang) for a in shown["area_id"]]
    data = _feature_collection(shown, ids, tips)
    styles = {}
    for fid, area_id in zip(ids, shown["area_id"], strict=True):
        picked = area is None or area_id == area
        styles[fid] = {
            "color": AREA_COLOURS[area_id],
            "fillColor": AREA_COLOURS[area_id],
            "weight": 3 if area_id == area else 2,
            "fillOpacity": 0.35 if picked else 0.12,
            "className": f"naering-area naering-area-{area_id}",
        }
    folium.GeoJson(
        data,
        name=t("export_all_areas", lang).capitalize(),
        style_function=lambda f: styles[f["id"]],
        highlight_function=lambda _f: {"weight": 4, "fillOpacity": 0.5},
        on_each_feature=_BIND_TOOLTIP,
        zoom_on_click=False,
    ).add_to(m)


_BIND_LABEL = JsCode(
    "function(feature, layer) {"
    " layer.bindTooltip(feature.properties.tip, {permanent: true,"
    " direction: 'center', className: 'naering-label'}); }"
)


def _area_labels(m, areas, lang):
    """Each area's name on the map, in its middle (escaped text, no marker icons)."""
    shown = areas[areas["area_id"].isin(AREA_IDS)]
    names = [esc(area_name(a, lang)) for a in shown["area_id"]]
    ids = [f"label-{a}" for a in shown["area_id"]]
    folium.GeoJson(
        _feature_collection(shown, ids, names),
        name="labels",
        control=False,
        style_function=lambda _f: {"stroke": False, "fill": False},
        on_each_feature=_BIND_LABEL,
        interactive=False,
    ).add_to(m)


def _points_layer(m, layer, gdf, lang):
    of = gdf.attrs.get("of")  # largest_firms: how many firms they were chosen from
    gdf = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    if len(gdf) == 0:
        return
    records = gdf.drop(columns="geometry").to_dict("records")
    tips = [point_tooltip(layer, r, lang) for r in records]
    ids = [f"{layer}-{k}" for k in range(len(records))]
    colour = POINT_COLOURS[layer]
    style = {
        "color": "#ffffff",
        "fill": True,
        "fillColor": colour,
        "weight": 1,
        "fillOpacity": 0.85,
    }
    name = t(f"export_{layer}", lang)
    if of is not None and of > len(
        gdf
    ):  # an export draws only the largest firms of a big store
        name = t(
            "export_largest_firms",
            lang,
            n=fmt_num(len(gdf), 0, lang),
            of=fmt_num(of, 0, lang),
        )
    folium.GeoJson(
        _feature_collection(gdf, ids, tips),
        name=name,
        marker=folium.CircleMarker(radius=5 if layer == "premises" else 3),
        style_function=lambda _f: dict(style, className=f"naering-{layer}"),
        on_each_feature=_BIND_TOOLTIP,
        zoom_on_click=False,
    ).add_to(m)


def _point_layer_frame(layers, layer):
    gdf = layers.get(layer)
    if gdf is None or len(gdf) == 0:
        return None
    if layer == "premises":
        gdf = gdf[gdf["status"] == AVAILABLE]
    return gdf


def legend_html(areas, names, *, area=None, indicative=False, lang="nb"):
    """Return the legend panel: area colours, point symbols, boundary (escaped).

    Parameters
    ----------
    areas : iterable of str
        Area ids drawn on the map.
    names : iterable of str
        Point layers drawn (``establishments``, ``premises``, ``transit_stops``).
    area : str, optional
        The area in focus.
    indicative : bool
        Add the caveat that the outlines are indicative.
    lang : str

    Returns
    -------
    str
    """
    items = []
    for a in areas:
        weight = "font-weight:bold;" if a == area else ""
        items.append(
            f'<div style="{weight}"><span class="sw" style="background:'
            f'{AREA_COLOURS[a]}"></span>{esc(area_name(a, lang))}</div>'
        )
    for layer in names:
        items.append(
            f'<div><span class="dot" style="background:{POINT_COLOURS[layer]}">'
            f"</span>{esc(t(f'export_{layer}', lang))}</div>"
        )
    items.append(
        f'<div><span class="ln"></span>{esc(t("export_boundary", lang))}</div>'
    )
    if indicative:
        items.append(f'<div class="note">{esc(t("export_indicative", lang))}</div>')
    return (
        f'<div class="naering-panel naering-legend"><b>{esc(t("export_legend", lang))}'
        f"</b>{''.join(items)}</div>"
    )


def figures_table_html(figures, *, area=None, lang="nb"):
    """Return the key-figures panel: a small table, one row per area (escaped).

    With ``area`` only that area and the whole municipality are listed.
    """
    wanted = [area, TOTAL_ID] if area else [*AREA_IDS, REST_ID, TOTAL_ID]
    rows = figures_by_id(figures)
    head = "".join(f"<th>{esc(figure_label(f, lang))}</th>" for f in TABLE_FIGURES)
    body = []
    for a in wanted:
        if a not in rows:
            continue
        cells = "".join(
            f"<td>{esc(figure_text(rows[a], f, lang, unit=False))}</td>"
            for f in TABLE_FIGURES
        )
        body.append(f"<tr><th>{esc(area_name(a, lang))}</th>{cells}</tr>")
    return (
        '<details open class="naering-panel naering-figures"><summary>'
        f"{esc(t('export_key_figures', lang))}</summary><table><tr><th>"
        f"{esc(t('export_area', lang))}</th>{head}</tr>"
        f"{''.join(body)}</table></details>"
    )


def sources_html(figures, lang="nb", extra=()):
    """Return the sources panel, with the demonstration label when it applies."""
    entries = source_entries(figures, extra)
    lines = [f"<div>{esc(source_text(s, lang))}</div>" for s in entries]
    demo = ""
    if is_demonstration(figures):
        demo = f'<div class="note">{esc(t("export_demo_note", lang))}</div>'
    return (
        '<div class="naering-panel naering-sources">'
        f"<b>{esc(t('export_sources', lang))}</b>{''.join(lines)}{demo}</div>"
    )


def header_html(figures, *, area=None, lang="nb"):
    """Return the title bar, with a visible demonstration label when it applies."""
    where = area_name(area, lang) if area else t("export_all_areas", lang)
    badge = ""
    if is_demonstration(figures):
        badge = f' <span class="naering-demo">{esc(t("export_demo", lang))}</span>'
    return (
        '<div class="naering-panel naering-title">'
        f"<b>{esc(t('export_title', lang))}</b> – {esc(where)}{badge}</div>"
    )


MIN_ZOOM, MAX_ZOOM = 9, 18
BOUNDS_MARGIN = 0.08  # degrees of latitude (twice that of longitude) around the data

PANEL_CSS = """
.leaflet-container { background: #e9e6dc; font-family: system-ui, sans-serif; }
.naering-panel { background: rgba(255,255,255,.93); border: 1px solid #999;
  border-radius: 4px; padding: 6px 8px; font: 12px/1.35 system-ui, sans-serif;
  box-shadow: 0 1px 4px rgba(0,0,0,.25); }
.naering-title, .naering-stack, .naering-figures { position: fixed; z-index: 1000; }
.naering-title { top: 10px; left: 56px; max-width: calc(100% - 420px);
  font-size: 14px; }
.leaflet-tooltip.naering-label { background: none; border: 0; box-shadow: none;
  padding: 0; font: 600 12px/1.2 system-ui, sans-serif; color: #1f2933;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; }
.leaflet-tooltip.naering-label::before { display: none; }
.naering-demo { background: #b00020; color: #fff; padding: 1px 6px;
  border-radius: 3px; margin-left: 6px; }
.naering-stack { bottom: 24px; left: 10px; width: 290px; display: flex;
  flex-direction: column; gap: 6px; max-height: 70%; }
.naering-legend .sw { display: inline-block; width: 14px; height: 10px;
  margin-right: 5px; opacity: .7; border: 1px solid #333; }
.naering-legend .dot { display: inline-block; width: 9px; height: 9px;
  border-radius: 50%; margin: 0 7px 0 3px; }
.naering-legend .ln { display: inline-block; width: 16px; border-top: 2px solid #222;
  margin-right: 4px; vertical-align: middle; }
.naering-panel .note { color: #8a4b00; margin-top: 4px; }
.naering-sources { font-size: 11px; overflow: auto; }
.naering-figures { bottom: 24px; right: 10px; max-width: calc(100% - 340px);
  max-height: 45%; overflow: auto; font-size: 11px; }
.naering-figures table { border-collapse: collapse; }
.naering-figures th, .naering-figures td { padding: 1px 4px; text-align: right;
  border-bottom: 1px solid #ddd; white-space: nowrap; }
.naering-figures tr:first-child th { white-space: normal; vertical-align: bottom; }
.naering-figures tr th:first-child { text-align: left; white-space: normal; }
"""


def _map_bounds(layers, area):
    areas = layers["areas"]
    if area is not None:
        geoms = areas.loc[areas["area_id"] == area].geometry
    else:
        boundary = layers.get("boundary")
        geoms = boundary.geometry if boundary is not None and len(boundary) else None
        geoms = areas.geometry if geoms is None else geoms
    minx, miny, maxx, maxy = geoms.total_bounds
    return [[miny, minx], [maxy, maxx]]


def _layer_names(layer_names):
    names = [LAYER_ALIASES.get(n, n) for n in layer_names]
    unknown = [n for n in names if n not in ("areas", *POINT_LAYERS)]
    if unknown:
        raise ExportError(f"unknown map layer(s): {', '.join(unknown)}")
    return [n for n in POINT_LAYERS if n in names]


def html_map(
    layers,
    figures,
    *,
    area=None,
    layer_names=("areas", "premises"),
    lang="nb",
    online_basemap=True,
    sources=(),
):
    """Build a standalone HTML map of the six areas, with no network dependency.

    Parameters
    ----------
    layers : dict
        Layer frames; ``areas`` is required, ``boundary``, ``neighbours`` and the
        point layers are drawn when present.
    figures : list of dict
        :func:`layers.stats.area_figures`.
    area : str, optional
        Zoom to and highlight this area; the figures panel then lists it only.
    layer_names : iterable of str
        Point layers to draw besides the areas: ``establishments`` (``firms``),
        ``premises`` (available ones) and ``transit_stops`` (``stops``).
    lang : str
        ``nb`` (default) or ``en``.
    online_basemap : bool
        Offer OpenStreetMap tiles in the layer control (always off at start).
    sources : iterable of dict
        Sources of the context layers (:func:`context_sources`), for the credits.

    Returns
    -------
    str
        The HTML document; all JavaScript and CSS are inline.

    Raises
    ------
    ExportError
        Unknown area or layer name, or (a bug) the document references the network.
    """
    if area is not None:
        _check_areas([area])
    points = _layer_names(layer_names)
    areas = layers["areas"]
    # Panning and zooming stay where there is data: the municipality and a margin.
    (south, west), (north, east) = _map_bounds(layers, None)
    m = _OfflineMap(
        location=list(_kommune().centre),
        zoom_start=_kommune().zoom,
        tiles=None,
        font_size="13px",
        min_zoom=MIN_ZOOM,
        max_zoom=MAX_ZOOM,
        max_bounds=True,
        min_lat=south - BOUNDS_MARGIN,
        max_lat=north + BOUNDS_MARGIN,
        min_lon=west - 2 * BOUNDS_MARGIN,
        max_lon=east + 2 * BOUNDS_MARGIN,
    )
    # folium gives the zoom range to its tile layer, and this map has none.
    m.options.update(minZoom=MIN_ZOOM, maxZoom=MAX_ZOOM)
    root = m.get_root()
    css, js = leaflet_assets()
    root.header.add_child(
        folium.Element(f"<title>{esc(t('export_title', lang))}</title>")
    )
    root.header.add_child(folium.Element(f"<style>{css}</style>"), name="leaflet_css")
    root.header.add_child(folium.Element(f"<style>{PANEL_CSS}</style>"), name="panel")
    root.header.add_child(folium.Element(f"<script>{js}</script>"), name="leaflet_js")
    _context_layer(
        m,
        layers.get("neighbours"),
        t("export_neighbours", lang),
        {"color": "#aaaaaa", "weight": 1, "fillColor": "#dddddd", "fillOpacity": 0.6},
    )
    _context_layer(
        m,
        layers.get("boundary"),
        t("export_boundary", lang),
        {"color": "#222222", "weight": 2, "fillColor": "#ffffff", "fillOpacity": 0.45},
    )
    _areas_layer(m, areas, figures, area, lang)
    _area_labels(m, areas, lang)
    for layer in points:
        gdf = _point_layer_frame(layers, layer)
        if gdf is not None:
            _points_layer(m, layer, gdf, lang)
    if online_basemap:
        folium.TileLayer(
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            attr=t("export_osm_attribution", lang),
            name=t("export_basemap", lang),
            overlay=True,
            show=False,
            max_zoom=19,
        ).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds(_map_bounds(layers, area))
    shown = [a for a in AREA_IDS if a in set(areas["area_id"])]
    indicative = any(_indicative(areas, a) for a in shown)
    panels = [
        header_html(figures, area=area, lang=lang),
        '<div class="naering-stack">',
        legend_html(shown, points, area=area, indicative=indicative, lang=lang),
        sources_html(figures, lang, sources),
        "</div>",
        figures_table_html(figures, area=area, lang=lang),
    ]
    root.html.add_child(folium.Element("".join(panels)))
    document = root.render()
    document = document.replace("<html>", f'<html lang="{lang_or_default(lang)}">', 1)
    check_offline(document)
    return document


def _kommune():
    # The default view of the map before it fits the areas (layers/kommune.py).
    from layers import kommune

    return kommune.active()
