"""The meeting pack: a standalone HTML map, PDF area profiles and XLSX tables.

Pure builders: they take layer frames (``{name: GeoDataFrame}``, as read from the
store) and the per-area figures of :func:`layers.stats.area_figures`, and return
``str`` or ``bytes``. No Dash, no network: the HTML map inlines the vendored Leaflet
(``assets/vendor/leaflet``) and has no basemap unless the reader switches one on.

Everything that comes from data (names, titles, contacts, links, sources) is
escaped: ``html.escape`` in HTML, ``xml.sax.saxutils.escape`` in reportlab
paragraphs, and text cells in XLSX that would start a formula are stored as text.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import re
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import folium
import numpy as np
import openpyxl
import shapely
from folium.utilities import JsCode
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect
from reportlab.graphics.shapes import Path as RlPath
from reportlab.graphics.shapes import String as RlString
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepInFrame,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from components.i18n import fmt_m2, fmt_nok, fmt_num, lang_or_default, t
from components.i18n.map import NACE_SECTIONS, section_name
from layers.schemas import AREA_IDS, METRIC_CRS, REST_ID, TOTAL_ID
from layers.sources.areas import AREA_INFO
from layers.stats import AVAILABLE, locate

VENDOR = Path(__file__).resolve().parent.parent / "assets" / "vendor" / "leaflet"
EXPORT_LAYERS = (
    "areas",
    "boundary",
    "neighbours",
    "establishments",
    "premises",
    "transit_stops",
)
# Drawing order, bottom to top: the available premises stay on top.
POINT_LAYERS = ("establishments", "transit_stops", "premises")
LAYER_ALIASES = {"firms": "establishments", "stops": "transit_stops"}
KINDS = {
    "html": "text/html",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
AREA_COLOURS = dict(
    zip(
        AREA_IDS,
        ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00"),
        strict=True,
    )
)
POINT_COLOURS = {
    "establishments": "#555555",
    "premises": "#C2185B",
    "transit_stops": "#1B5E20",
}
TABLE_FIGURES = (
    "establishments",
    "jobs",
    "premises_available",
    "premises_m2",
    "median_rent_nok_m2",
    "stops",
    "lines",
    "departures_peak_hour",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_EXTERNAL_REF = re.compile(
    r"<(?:script|link|img|iframe|embed|source)\b[^>]*?\b(?:src|href)\s*=\s*"
    r"[\"']?\s*(?:https?:)?//",
    re.IGNORECASE,
)
_CSS_IMPORT = re.compile(r"@import\s+(?:url\()?\s*[\"']?\s*(?:https?:)?//", re.I)


class ExportError(ValueError):
    """An export cannot be built (unknown area, or the HTML would need the network)."""


# ---------------------------------------------------------------------- text


def figure_label(figure, lang="nb"):
    """Return the label of a figure (``establishments``, ``jobs``, ...)."""
    return t(f"export_figure_{figure}", lang)


def area_name(area_id, lang="nb"):
    """Return the display name of an area, ``rest`` or ``total``.

    Parameters
    ----------
    area_id : str
    lang : str

    Returns
    -------
    str
    """
    if area_id in (REST_ID, TOTAL_ID):
        return t(f"export_{area_id}", lang)
    info = AREA_INFO.get(area_id)
    if info is None:
        return str(area_id)
    return info["name"] if lang_or_default(lang) == "nb" else info["name_en"]


def nace_label(section, lang="nb", *, short=False):
    """Return ``"G Varehandel, ..."`` for SN2007 section ``G`` (the letter if unknown).

    The names are the dashboard's (``components.i18n.map``): full in tooltips,
    ``short`` in the PDF's narrow chart labels, as in the dashboard's profile.
    """
    code = str(section or "").strip().upper()
    if code not in NACE_SECTIONS or code == "?":
        return str(section or "") or "?"
    return f"{code} {section_name(code, lang, short=short)}"


def _missing(value):
    return value is None or (isinstance(value, float) and math.isnan(value))


def _decimals(value):
    return 0 if _missing(value) or float(value).is_integer() else 1


def figure_text(row, figure, lang="nb", *, unit=True):
    """Format one figure of a figures row for display, with its unit.

    Parameters
    ----------
    row : dict
        One element of :func:`layers.stats.area_figures`.
    figure : str
        A figure with an ``export_figure_<figure>`` label in ``components.i18n``.
    lang : str
    unit : bool
        Append the unit (m², kr/m²/år); leave it out where the label has it.

    Returns
    -------
    str
        For example ``"24 892"``, ``"1 250,5 m²"``, ``"1 850 kr/m²/år"`` or ``"–"``.
    """
    value = row.get(figure)
    if not unit:
        return fmt_num(value, _decimals(value), lang)
    if figure == "premises_m2":
        return fmt_m2(value, lang, _decimals(value))
    if figure == "median_rent_nok_m2":
        return fmt_nok(value, lang)
    return fmt_num(value, _decimals(value), lang)


def fmt_date(iso, lang="nb"):
    """Format an ISO date ``2024-01-16`` as ``16.01.2024`` (bokmål) or keep it.

    Anything that is not an ISO date is returned unchanged.
    """
    text = str(iso or "")
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return text
    return day.strftime("%d.%m.%Y") if lang_or_default(lang) == "nb" else text[:10]


def is_demonstration(figures):
    """Return True when any figure of any row is demonstration data."""
    return any(row.get("demonstration") for row in figures)


def source_entries(figures, extra=()):
    """Return the distinct sources behind the figures, in first-seen order.

    Parameters
    ----------
    figures : list of dict
    extra : iterable of dict
        Sources of the map's context layers (:func:`context_sources`), listed after
        the figures' sources.

    Returns
    -------
    list of dict
        Each with ``source``, ``licence``, ``as_of``, ``demonstration``.
    """
    seen = {}
    infos = [i for row in figures for i in row.get("sources", {}).values()]
    for info in [*infos, *extra]:
        key = (info["source"], info.get("licence", ""), info.get("as_of", ""))
        if info["source"] and key not in seen:
            seen[key] = info
    return list(seen.values())


def source_text(info, lang="nb", *, demo=True):
    """Return one source as a line: ``"Brreg (CC BY 4.0), per 16.01.2024"``.

    With ``demo`` a demonstration source is marked as such at the end.
    """
    parts = [str(info.get("source", ""))]
    if info.get("licence"):
        parts[0] += f" ({info['licence']})"
    if info.get("as_of"):
        parts.append(f"{t('export_as_of', lang)} {fmt_date(info['as_of'], lang)}")
    if demo and info.get("demonstration"):
        parts.append(t("export_demo", lang).lower())
    return ", ".join(parts)


def figures_by_id(figures):
    """Return ``{area_id: row}`` for a figures list."""
    return {row["area_id"]: row for row in figures}


def context_sources(store, names=("areas", "boundary", "neighbours")):
    """Return the sources of the map layers that carry no figures.

    Parameters
    ----------
    store : layers.store.GeoPackageStore
    names : iterable of str

    Returns
    -------
    list of dict
        ``source``, ``licence``, ``as_of``, ``demonstration`` per layer present.
    """
    return [
        {
            "source": i.source,
            "licence": i.licence,
            "as_of": i.as_of,
            "demonstration": i.demonstration,
        }
        for i in store.list_layers()
        if i.name in names
    ]


def read_layers(store, names=EXPORT_LAYERS):
    """Read the layers the exports use from a store (missing ones are left out).

    Parameters
    ----------
    store : layers.store.GeoPackageStore
    names : iterable of str

    Returns
    -------
    dict
        ``{layer name: GeoDataFrame}`` (shared frames: do not modify).
    """
    present = {info.name for info in store.list_layers()}
    return {name: store.read_layer(name) for name in names if name in present}


def _check_areas(selected):
    unknown = [a for a in selected if a not in AREA_IDS]
    if unknown:
        raise ExportError(
            f"unknown area(s) {', '.join(map(str, unknown))}; "
            f"choose from {', '.join(AREA_IDS)}"
        )


def _indicative(areas, area_id):
    if areas is None or "indicative" not in areas.columns:
        return False
    flags = areas.loc[areas["area_id"] == area_id, "indicative"]
    return bool(flags.any())


def _points_in(layer, areas, area_id):
    """Rows of a point layer that lie in ``area_id`` (``total``: all rows)."""
    if layer is None or len(layer) == 0 or area_id == TOTAL_ID:
        return layer
    return layer[locate(layer.geometry, areas) == area_id]


def available_premises(layers, area_id=TOTAL_ID):
    """Return the available premises (status ``ledig``) in an area.

    Parameters
    ----------
    layers : dict
        Layer frames; uses ``premises`` and ``areas``.
    area_id : str
        An area id, ``rest`` or ``total``.

    Returns
    -------
    geopandas.GeoDataFrame
        Sorted by title.
    """
    premises = layers.get("premises")
    if premises is None or len(premises) == 0:
        return premises
    avail = premises[premises["status"] == AVAILABLE]
    avail = _points_in(avail, layers.get("areas"), area_id)
    return avail.sort_values("title", kind="stable")


# ---------------------------------------------------------------------- HTML


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


def _points_layer(m, layer, gdf, lang):
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
    folium.GeoJson(
        _feature_collection(gdf, ids, tips),
        name=t(f"export_{layer}", lang),
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


PANEL_CSS = """
.leaflet-container { background: #e9e6dc; font-family: system-ui, sans-serif; }
.naering-panel { background: rgba(255,255,255,.93); border: 1px solid #999;
  border-radius: 4px; padding: 6px 8px; font: 12px/1.35 system-ui, sans-serif;
  box-shadow: 0 1px 4px rgba(0,0,0,.25); }
.naering-title, .naering-stack, .naering-figures { position: fixed; z-index: 1000; }
.naering-title { top: 10px; left: 50%; transform: translateX(-50%); font-size: 14px; }
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
.naering-figures th, .naering-figures td { padding: 1px 5px; text-align: right;
  border-bottom: 1px solid #ddd; white-space: nowrap; }
.naering-figures tr th:first-child { text-align: left; }
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
    m = _OfflineMap(
        location=[59.93, 10.96], zoom_start=12, tiles=None, font_size="13px"
    )
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


# ----------------------------------------------------------------------- PDF


def pdf_styles():
    """Return the paragraph styles of the PDF profiles (Helvetica, small sizes)."""
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontSize=9, leading=11.5)
    return {
        "title": ParagraphStyle(
            "t", parent=base["Title"], fontSize=18, alignment=TA_LEFT
        ),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontSize=11, spaceBefore=4),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7, leading=8.5),
        "warn": ParagraphStyle(
            "warn", parent=body, textColor=colors.HexColor("#8a4b00")
        ),
        "demo": ParagraphStyle(
            "demo",
            parent=body,
            textColor=colors.HexColor("#b00020"),
            fontName="Helvetica-Bold",
        ),
        "label": ParagraphStyle("label", parent=body, fontSize=8, leading=9.5),
        "value": ParagraphStyle(
            "value", parent=body, fontSize=14, leading=17, fontName="Helvetica-Bold"
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=9.5),
        "num": ParagraphStyle("num", parent=body, fontSize=8, leading=9.5, alignment=2),
        "head": ParagraphStyle("head", parent=body, fontSize=6.5, leading=7.5),
        "head_num": ParagraphStyle(
            "head_num", parent=body, fontSize=6.5, leading=7.5, alignment=2
        ),
        "demo_small": ParagraphStyle(
            "demo_small",
            parent=body,
            fontSize=7,
            leading=8.5,
            textColor=colors.HexColor("#b00020"),
        ),
    }


def para(text, style):
    """Return a Paragraph of plain text: markup in ``text`` is escaped, not obeyed."""
    return Paragraph(xml_escape("" if text is None else str(text)), style)


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


def jobs_by_section(establishments, lang="nb", top=10):
    """Sum jobs per NACE section, largest first.

    Parameters
    ----------
    establishments : geopandas.GeoDataFrame
        Establishments (already limited to one area).
    lang : str
    top : int
        Keep this many sections; the rest are summed as ``Andre``/``Other``.

    Returns
    -------
    list of tuple
        ``(label, jobs)``.
    """
    if establishments is None or len(establishments) == 0:
        return []
    sums = establishments.groupby("nace_section")["employees"].sum()
    sums = sums[sums > 0].sort_values(ascending=False, kind="stable")
    out = [
        (nace_label(k, lang, short=True), int(v)) for k, v in sums.iloc[:top].items()
    ]
    rest = int(sums.iloc[top:].sum())
    if rest:
        out.append((t("export_other", lang), rest))
    return out


def bar_chart(data, *, width=174 * mm, lang="nb"):
    """Draw a horizontal bar chart of ``[(label, value), ...]`` (reportlab.graphics)."""
    height = 14 * len(data) + 24
    d = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 150, 16
    chart.width, chart.height = width - 185, height - 22
    chart.data = [[v for _l, v in reversed(data)]]
    chart.categoryAxis.categoryNames = [label for label, _v in reversed(data)]
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: fmt_num(v, 0, lang)
    chart.bars[0].fillColor = colors.HexColor("#0072B2")
    chart.bars[0].strokeWidth = 0
    chart.barLabelFormat = lambda v: fmt_num(v, 0, lang)
    chart.barLabels.fontSize = 6.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    d.add(chart)
    return d


def figure_cards(row, styles, lang="nb", width=94 * mm):
    """Return a table of figure cards for one area, each with source and as-of."""
    cards = [
        ("establishments", [("establishments", None)]),
        ("jobs", [("jobs", None)]),
        (
            "premises_available",
            [
                ("premises_available", None),
                ("premises_m2", ""),
                ("median_rent_nok_m2", ""),
            ],
        ),
        ("stops", [("stops", None)]),
        ("lines", [("lines", None)]),
        ("departures_peak_hour", [("departures_peak_hour", None)]),
    ]
    cells = []
    for main, parts in cards:
        info = row.get("sources", {}).get(main, {})
        content = [para(figure_label(main, lang), styles["label"])]
        content.append(para(figure_text(row, parts[0][0], lang), styles["value"]))
        for fig, _ in parts[1:]:
            value = figure_text(row, fig, lang, unit=False)
            text = f"{figure_label(fig, lang)}: {value}"
            content.append(para(text, styles["label"]))
        if info.get("source"):
            content.append(
                para(
                    f"{t('export_source', lang)}: "
                    f"{source_text(info, lang, demo=False)}",
                    styles["small"],
                )
            )
        if info.get("demonstration"):
            content.append(para(t("export_demo", lang), styles["demo_small"]))
        cells.append(content)
    grid = [cells[k : k + 2] for k in range(0, len(cells), 2)]
    table = Table(grid, colWidths=[width / 2] * 2)
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, colors.grey),
                ("INNERGRID", (0, 0), (-1, -1), 0.5, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fafafa")),
            ]
        )
    )
    return table


def premises_table(premises, styles, lang="nb", limit=14):
    """Return the list of available premises (title, type, m², rent) as flowables."""
    if premises is None or len(premises) == 0:
        return [para(t("export_no_premises", lang), styles["body"])]
    head = [
        para(t(k, lang), styles["cell"])
        for k in ("export_premises_title", "export_type")
    ]
    head += [para(t(k, lang), styles["num"]) for k in ("export_size", "export_rent")]
    rows = [head]
    for rec in premises.iloc[:limit].to_dict("records"):
        rows.append(
            [
                para(rec["title"], styles["cell"]),
                para(rec["type"], styles["cell"]),
                para(_plain(rec["size_m2"], lang), styles["num"]),
                para(_plain(rec["rent_nok_m2_year"], lang), styles["num"]),
            ]
        )
    table = Table(rows, colWidths=[78 * mm, 30 * mm, 30 * mm, 36 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.7, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    out = [table]
    if len(premises) > limit:
        out.append(
            para(
                t("export_more_premises", lang, n=len(premises) - limit),
                styles["small"],
            )
        )
    return out


def area_page(layers, figures, area_id, styles, lang="nb", sources=()):
    """Return the flowables of one area's profile page."""
    row = figures_by_id(figures)[area_id]
    info = AREA_INFO.get(area_id, {})
    desc = info.get(
        "description_nb" if lang_or_default(lang) == "nb" else "description_en"
    )
    story = [para(area_name(area_id, lang), styles["title"])]
    if desc:
        story.append(para(desc, styles["body"]))
    if _indicative(layers.get("areas"), area_id):
        story.append(para(t("export_indicative", lang), styles["warn"]))
    if row.get("demonstration"):
        story.append(para(t("export_demo_note", lang), styles["demo"]))
    story.append(Spacer(1, 4))
    cards = figure_cards(row, styles, lang)
    top = Table(
        [[map_drawing(layers, area_id, width=77 * mm, lang=lang), cards]],
        colWidths=[80 * mm, 94 * mm],
    )
    top.setStyle(
        TableStyle(
            [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]
        )
    )
    story.append(top)
    if sources:
        credits = "; ".join(source_text(s, lang) for s in source_entries([], sources))
        story.append(
            para(f"{t('export_map_sources', lang)}: {credits}", styles["small"])
        )
    story.append(para(t("export_jobs_by_section", lang), styles["h2"]))
    firms = _points_in(layers.get("establishments"), layers.get("areas"), area_id)
    data = jobs_by_section(firms, lang)
    story.append(
        bar_chart(data, lang=lang)
        if data
        else para(t("export_no_establishments", lang), styles["body"])
    )
    story.append(para(t("export_premises_list", lang), styles["h2"]))
    story.extend(premises_table(available_premises(layers, area_id), styles, lang))
    return story


def overview_page(layers, figures, styles, lang="nb", sources=()):
    """Return the flowables of the overview page: all six areas in one table."""
    story = [para(t("export_overview_title", lang), styles["title"])]
    if is_demonstration(figures):
        story.append(para(t("export_demo_note", lang), styles["demo"]))
    areas = layers.get("areas")
    if any(_indicative(areas, a) for a in AREA_IDS):
        story.append(para(t("export_indicative", lang), styles["warn"]))
    story.append(map_drawing(layers, None, width=174 * mm, height=95 * mm, lang=lang))
    story.append(Spacer(1, 6))
    head = [para(t("export_area", lang), styles["head"])] + [
        para(figure_label(f, lang), styles["head_num"]) for f in TABLE_FIGURES
    ]
    rows = [head]
    by_id = figures_by_id(figures)
    for a in (*AREA_IDS, REST_ID, TOTAL_ID):
        if a in by_id:
            rows.append(
                [para(area_name(a, lang), styles["cell"])]
                + [
                    para(figure_text(by_id[a], f, lang, unit=False), styles["num"])
                    for f in TABLE_FIGURES
                ]
            )
    widths = [34 * mm] + [17.5 * mm] * len(TABLE_FIGURES)
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.7, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.7, colors.black),
                ("LINEBELOW", (0, 1), (-1, -2), 0.25, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    story.append(table)
    unplaced = by_id.get(TOTAL_ID, {}).get("unplaced_establishments")
    if unplaced:
        story.append(
            para(
                t("export_unplaced", lang, n=fmt_num(unplaced, 0, lang)),
                styles["small"],
            )
        )
    story.append(para(t("export_sources", lang), styles["h2"]))
    for info in source_entries(figures, sources):
        story.append(para(source_text(info, lang), styles["small"]))
    return story


def _footer(lang):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(15 * mm, 8 * mm, t("export_title", lang))
        canvas.drawRightString(
            A4[0] - 15 * mm, 8 * mm, f"{t('export_page', lang)} {doc.page}"
        )
        canvas.restoreState()

    return draw


def pdf_profiles(layers, figures, *, areas=None, lang="nb", sources=()):
    """Build the area profiles: one A4 page per area, plus an overview for all six.

    Parameters
    ----------
    layers : dict
        Layer frames: ``areas``; ``boundary``, ``establishments`` and ``premises``
        when present.
    figures : list of dict
        :func:`layers.stats.area_figures`.
    areas : iterable of str, optional
        Area ids; all six by default. The overview page comes first when all six
        are chosen.
    lang : str
    sources : iterable of dict
        Sources of the map layers (:func:`context_sources`), for the credits.

    Returns
    -------
    bytes
        The PDF.
    """
    chosen = list(dict.fromkeys(areas)) if areas else list(AREA_IDS)
    _check_areas(chosen)
    styles = pdf_styles()
    buf = io.BytesIO()
    margin = 15 * mm
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=t("export_title", lang),
        lang=lang_or_default(lang),
        invariant=1,
    )
    frame_w, frame_h = doc.width - 12, doc.height - 12
    pages = []
    if set(chosen) == set(AREA_IDS):
        pages.append(overview_page(layers, figures, styles, lang, sources))
    pages.extend(area_page(layers, figures, a, styles, lang, sources) for a in chosen)
    story = []
    for k, page in enumerate(pages):
        if k:
            story.append(PageBreak())
        story.append(KeepInFrame(frame_w, frame_h, page, mode="shrink"))
    footer = _footer(lang)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


# ---------------------------------------------------------------------- XLSX


def set_cell(ws, row, col, value, number_format=None):
    """Write one cell; text that would start a formula is stored as plain text.

    Parameters
    ----------
    ws : openpyxl.worksheet.worksheet.Worksheet
    row, col : int
        1-based position.
    value : str, int, float, bool or None
        Numbers stay numbers; NaN is written as an empty cell.
    number_format : str, optional

    Returns
    -------
    openpyxl.cell.Cell
    """
    if isinstance(value, float) and math.isnan(value):
        value = None
    if isinstance(value, np.generic):
        value = value.item()
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True
    if number_format and isinstance(value, (int, float)):
        cell.number_format = number_format
    return cell


def _number_format(figure):
    return "#,##0.0" if figure in ("premises_m2", "departures_peak_hour") else "#,##0"


XLSX_FIGURES = (
    "establishments",
    "jobs",
    "unplaced_establishments",
    "premises_available",
    "premises_m2",
    "median_rent_nok_m2",
    "stops",
    "lines",
    "departures_peak_hour",
)


def _header(ws, row, labels):
    for col, label in enumerate(labels, 1):
        set_cell(ws, row, col, label).font = Font(bold=True)


def _widths(ws, widths):
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _sources_sheet(wb, figures, lang):
    ws = wb.create_sheet(t("export_sheet_sources", lang))
    labels = ["area_id", "figure", "source", "licence", "as_of_col", "demo"]
    _header(ws, 1, [t(f"export_{k}", lang) for k in labels])
    r = 2
    for row in figures:
        for fig, info in row.get("sources", {}).items():
            values = [
                row["area_id"],
                figure_label(fig, lang),
                info["source"],
                info["licence"],
                info["as_of"],
                t("export_yes" if info["demonstration"] else "export_no", lang),
            ]
            for col, value in enumerate(values, 1):
                set_cell(ws, r, col, value)
            r += 1
    _widths(ws, [16, 28, 50, 20, 12, 18])
    return ws


def _workbook_bytes(wb):
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_comparison(figures, *, lang="nb", sources=()):
    """Build the comparison workbook: one row per area, then rest and total.

    Sheet ``Sammenligning`` (English: ``Comparison``): a header row, one row per
    area with the figures as numbers and a demonstration column, then a note row
    with the sources and their as-of dates. A second sheet lists the source of
    every figure.

    Parameters
    ----------
    figures : list of dict
        :func:`layers.stats.area_figures`.
    lang : str
    sources : iterable of dict
        Further sources for the note row (:func:`context_sources`).

    Returns
    -------
    bytes
        The XLSX file.
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = t("export_sheet_comparison", lang)
    labels = [t("export_area_id", lang), t("export_area", lang)]
    labels += [figure_label(f, lang) for f in XLSX_FIGURES] + [t("export_demo", lang)]
    _header(ws, 1, labels)
    r = 2
    for row in figures:
        set_cell(ws, r, 1, row["area_id"])
        set_cell(ws, r, 2, area_name(row["area_id"], lang))
        for col, fig in enumerate(XLSX_FIGURES, 3):
            set_cell(ws, r, col, row.get(fig), _number_format(fig))
        set_cell(
            ws,
            r,
            len(labels),
            t("export_yes" if row.get("demonstration") else "export_no", lang),
        )
        r += 1
    entries = source_entries(figures, sources)
    note = "; ".join(source_text(s, lang) for s in entries)
    set_cell(ws, r + 1, 1, f"{t('export_sources', lang)}: {note}")
    if is_demonstration(figures):
        set_cell(ws, r + 2, 1, t("export_demo_note", lang))
    ws.freeze_panes = "C2"
    _widths(ws, [16, 26] + [14] * len(XLSX_FIGURES) + [18])
    _sources_sheet(wb, figures, lang)
    return _workbook_bytes(wb)


PREMISES_COLUMNS = (
    ("title", "export_premises_title", None),
    ("address", "export_address", None),
    ("type", "export_type", None),
    ("size_m2", "export_size", "#,##0.0"),
    ("rent_nok_m2_year", "export_rent", "#,##0"),
    ("available_from", "export_available_from", None),
    ("status", "export_status", None),
    ("contact", "export_contact", None),
    ("url", "export_url", None),
    ("updated_at", "export_updated_at", None),
)


def xlsx_area(figures, area_id, layers, *, lang="nb"):
    """Build one area's workbook: its figures with sources, and its premises.

    Parameters
    ----------
    figures : list of dict
        :func:`layers.stats.area_figures`.
    area_id : str
        An area id (or ``rest``/``total``).
    layers : dict
        Layer frames; uses ``areas`` and ``premises``.
    lang : str

    Returns
    -------
    bytes
        The XLSX file.
    """
    rows = figures_by_id(figures)
    if area_id not in rows:
        raise ExportError(f"unknown area {area_id!r}")
    row = rows[area_id]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = t("export_sheet_figures", lang)
    set_cell(ws, 1, 1, area_name(area_id, lang)).font = Font(bold=True, size=14)
    keys = ["figure", "value", "source", "licence", "as_of_col", "demo"]
    _header(ws, 2, [t(f"export_{k}", lang) for k in keys])
    r = 3
    for fig in XLSX_FIGURES:
        if fig not in row:
            continue
        info = row.get("sources", {}).get(fig, {})
        set_cell(ws, r, 1, figure_label(fig, lang))
        set_cell(ws, r, 2, row[fig], _number_format(fig))
        set_cell(ws, r, 3, info.get("source", ""))
        set_cell(ws, r, 4, info.get("licence", ""))
        set_cell(ws, r, 5, info.get("as_of", ""))
        set_cell(
            ws,
            r,
            6,
            t("export_yes" if info.get("demonstration") else "export_no", lang),
        )
        r += 1
    _widths(ws, [30, 14, 50, 20, 12, 18])
    ps = wb.create_sheet(t("export_sheet_premises", lang))
    _header(ps, 1, [t(key, lang) for _c, key, _f in PREMISES_COLUMNS])
    premises = available_premises(layers, area_id)
    records = [] if premises is None else premises.to_dict("records")
    for k, rec in enumerate(records, 2):
        for col, (name, _key, fmt) in enumerate(PREMISES_COLUMNS, 1):
            set_cell(ps, k, col, rec.get(name), fmt)
    _widths(ps, [40, 30, 16, 12, 14, 12, 10, 30, 40, 22])
    return _workbook_bytes(wb)


# -------------------------------------------------------------------- one call


def export_filename(kind, area=None):
    """Return the default file name: ``naeringsarealer_<area|alle>.<kind>``."""
    return f"naeringsarealer_{area or 'alle'}.{kind}"


def build_export(
    kind, layers, figures, *, area=None, lang="nb", online_basemap=True, sources=()
):
    """Build one export of the meeting pack.

    Parameters
    ----------
    kind : str
        ``html``, ``pdf`` or ``xlsx``.
    layers : dict
        Layer frames (:func:`read_layers`).
    figures : list of dict
        :func:`layers.stats.area_figures`.
    area : str, optional
        One area; all six by default.
    lang : str
    online_basemap : bool
        HTML only: offer the OpenStreetMap basemap as a choice (off at start).
    sources : iterable of dict
        Sources of the context layers (:func:`context_sources`), for the credits.

    Returns
    -------
    tuple
        ``(file name, content bytes, MIME type)``.
    """
    if kind not in KINDS:
        raise ExportError(
            f"unknown export kind {kind!r}; choose from {', '.join(KINDS)}"
        )
    if area is not None:
        _check_areas([area])
    if kind == "html":
        text = html_map(
            layers,
            figures,
            area=area,
            lang=lang,
            online_basemap=online_basemap,
            sources=sources,
        )
        data = text.encode("utf-8")
    elif kind == "pdf":
        chosen = [area] if area else None
        data = pdf_profiles(layers, figures, areas=chosen, lang=lang, sources=sources)
    elif area:
        data = xlsx_area(figures, area, layers, lang=lang)
    else:
        data = xlsx_comparison(figures, lang=lang, sources=sources)
    return export_filename(kind, area), data, KINDS[kind]


__all__ = [
    "ExportError",
    "area_name",
    "build_export",
    "check_offline",
    "context_sources",
    "export_filename",
    "figure_text",
    "html_map",
    "pdf_profiles",
    "read_layers",
    "xlsx_area",
    "xlsx_comparison",
]
