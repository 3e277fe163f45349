"""What every export says: figure and area names, figure text, sources, as-of dates,
and the layers an export reads. Pure: frames and figures in, text out.
"""

from __future__ import annotations

import math

from components.i18n import fmt_date, fmt_m2, fmt_nok, fmt_num, lang_or_default, t
from components.i18n.map import NACE_SECTIONS, section_name
from components.i18n.sources import source_label
from layers import aggregates
from layers.schemas import AREA_IDS, REST_ID, TOTAL_ID
from layers.sources.areas import AREA_INFO
from layers.stats import AVAILABLE, locate

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
MAX_EXPORT_FIRMS = 5_000  # firms an export draws: those with most employees


LAYER_ALIASES = {"firms": "establishments", "stops": "transit_stops"}


KINDS = {
    "html": "text/html",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00")


class _AreaColours(dict):
    """Area id -> colour: the areas' order in the kommune's configuration picks it."""

    def __missing__(self, area_id):
        from layers import kommune

        ids = list(AREA_IDS)
        k = ids.index(area_id) if area_id in ids else len(ids)
        return kommune.area_colour(area_id, PALETTE[k % len(PALETTE)])

    def get(self, area_id, default=None):
        return self[area_id] if area_id in AREA_IDS or area_id in self else default


AREA_COLOURS = _AreaColours()


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


class ExportError(ValueError):
    """An export cannot be built (unknown area, or the HTML would need the network)."""


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
    from layers import kommune

    info = AREA_INFO.get(area_id)
    if info is None or not kommune.is_default():
        # Another kommune's area: its name from the areas file (configuration).
        return kommune.active().area_names.get(area_id, str(area_id))
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
    parts = [str(source_label(info.get("source", ""), lang))]
    if info.get("licence"):
        parts[0] += f" ({source_label(info['licence'], lang)})"
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

    The establishments are not read: ``establishments`` holds the
    ``MAX_EXPORT_FIRMS`` placed firms with most employees, from the engine's
    firm arrays (:func:`largest_firms`), so an export of a store of a million
    firms neither reads them all nor draws them all.

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
    out = {
        name: store.read_layer(name)
        for name in names
        if name in present and name != "establishments"
    }
    if "establishments" in names and "establishments" in present:
        out["establishments"] = largest_firms(aggregates.frames(store))
    return out


def largest_firms(fr, n=None):
    """The ``n`` placed firms with most employees, as a small point layer.

    Columns ``name``, ``nace_section`` (``?`` when unknown), ``employees``,
    ``address`` and ``area_id``, in EPSG:4326; ``attrs["of"]`` is the number of
    placed firms they were chosen from.
    """
    import geopandas as gpd
    import numpy as np

    n = MAX_EXPORT_FIRMS if n is None else n
    placed = fr.firm_order[np.isfinite(fr.firm_lon[fr.firm_order])]
    frame = fr.firm_rows(placed[:n]).rename(columns={"section": "nace_section"})
    out = gpd.GeoDataFrame(
        frame.drop(columns=["lon", "lat"]),
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        crs="EPSG:4326",
    )
    out.attrs["of"] = len(placed)
    return out


def with_sections(figures, fr):
    """The figure rows with ``jobs_by_section`` (``{section: jobs}``, largest first)
    of each area, the rest and the total, from the engine (every firm counts)."""
    out = []
    for row in figures:
        area = row.get("area_id")
        mask = aggregates.selection(fr, None if area == TOTAL_ID else area)
        out.append({**row, "jobs_by_section": aggregates.jobs_by_section(fr, mask)})
    return out


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
