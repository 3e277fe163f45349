"""The one per-area engine: every figure per area, rest and total, with or without filters.

Profile cards, the comparison, the PDF/XLSX exports and ``python -m layers stats``
all take their figures from here, so they cannot disagree.

A point belongs to an area when it lies within the area's polygon (a point on the
edge belongs to neither), :func:`locate`. Establishments belong to the
municipality by their registered address, so every one counts: one not in an area
(or not placed at all) belongs to ``rest``, and the six areas and the rest add up
to the total. Premises and stops (a timetable covers the whole region) count only
inside the municipality's boundary (:func:`place_ids`); outside it they are
``outside``: drawn on the map, but in neither an area, the rest nor the total.

:func:`frames` locates every point once per store version and keeps, in the
per-process memo (``layers.frames.MEMO``), integer codes of each firm's area,
section and size class. A filter is then a boolean mask and every figure a
``numpy.bincount`` or a sum. :func:`area_rows` gives the unfiltered rows (the
``stats`` rows) with the same functions but without the per-firm extras, so it
stays close to a bare spatial join on a million establishments.

(About 650 lines, over the ~600 of the others on purpose: the whole engine,
filtered and unfiltered, stays in one file so that no second one grows beside it.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.frames import MEMO
from layers.schemas import AREA_IDS, AREA_PLACES, METRIC_CRS, REST_ID, TOTAL_ID

# Size classes of establishments by employees (SSB's classes): lower bounds.
SIZE_BOUNDS = (0, 1, 5, 10, 20, 50, 100, 250)
SIZE_LABELS = ("0", "1–4", "5–9", "10–19", "20–49", "50–99", "100–249", "250+")
FULL_SIZE = (0, len(SIZE_BOUNDS) - 1)
UNKNOWN_SECTION = "?"
SECTIONS = (*"ABCDEFGHIJKLMNOPQRSTU", UNKNOWN_SECTION)
# Premises and stops outside the municipality (a timetable covers the region) are
# drawn on the map but belong to neither an area, the rest nor the total.
OUTSIDE = "outside"
PLACES = AREA_PLACES  # firm area codes index into this (follows the kommune)
TOP_EMPLOYERS = 10
YEARS = 10
AVAILABLE = "ledig"
FRAME_LAYERS = ("areas", "establishments", "premises", "transit_stops", "boundary")
# figure -> the layer it is computed from
FIGURE_LAYER = {
    "establishments": "establishments",
    "jobs": "establishments",
    "jobs_estimated": "establishments",
    "unplaced_establishments": "establishments",
    "premises_available": "premises",
    "premises_m2": "premises",
    "median_rent_nok_m2": "premises",
    "stops": "transit_stops",
    "lines": "transit_stops",
    "departures_peak_hour": "transit_stops",
}
FIGURES = tuple(FIGURE_LAYER)


def locate(geometry, areas):
    """Return, for each point, the id of the area that contains it, or ``rest``.

    Parameters
    ----------
    geometry : geopandas.GeoSeries
        Points (missing or empty geometries allowed), same CRS as ``areas``.
    areas : geopandas.GeoDataFrame
        Polygons with an ``area_id`` column; they must not overlap.

    Returns
    -------
    numpy.ndarray
        Object array of area ids, one per point.
    """
    out = np.full(len(geometry), REST_ID, dtype=object)
    if len(geometry) == 0:
        return out
    valid = ~(geometry.isna().to_numpy() | geometry.is_empty.to_numpy())
    x = np.full(len(geometry), np.nan)
    y = np.full(len(geometry), np.nan)
    x[valid] = shapely.get_x(geometry.values[valid])
    y[valid] = shapely.get_y(geometry.values[valid])
    for area_id, poly in zip(areas["area_id"], areas.geometry.values, strict=True):
        minx, miny, maxx, maxy = poly.bounds
        # Bounding-box filter first: cheap, and most points fail it.
        cand = np.flatnonzero((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
        if len(cand) == 0:
            continue
        shapely.prepare(poly)
        inside = shapely.contains_xy(poly, x[cand], y[cand])
        out[cand[inside]] = area_id
    return out


def place_ids(geometry, areas, boundary=None):
    """Return each point's area id, ``rest``, or ``outside`` the municipality.

    The one definition of "inside the municipality": within the union of the
    boundary's polygons (by :func:`locate`). Without a boundary nothing is outside.
    """
    where = locate(geometry, areas)
    if boundary is not None and len(boundary) and len(geometry):
        muni = boundary.to_crs(geometry.crs).union_all()
        muni_frame = gpd.GeoDataFrame(
            {"area_id": ["in"]}, geometry=[muni], crs=geometry.crs
        )
        inside = locate(geometry, muni_frame)
        where = np.where(inside == "in", where, OUTSIDE)
    return where


def split_lines(text):
    """Split a stop's comma-separated ``lines`` value into a set of line names."""
    return {part.strip() for part in str(text).split(",") if part.strip()}


@dataclass(frozen=True)
class Frames:
    """The layers the panels use, with each point's area, for one store version.

    Shared and read-only: callers must not modify the frames or arrays.
    """

    areas: object  # GeoDataFrame of the six areas
    firms: pd.DataFrame  # every establishment, with area_id, section, lon/lat
    premises: pd.DataFrame  # available ("ledig") listings, with area_id, lon/lat
    stops: pd.DataFrame  # with area_id, lon/lat
    area_km2: dict
    as_of: date | None
    indicative: bool
    # Per firm, aligned with ``firms``: codes into PLACES, SECTIONS and size classes.
    firm_place: np.ndarray = field(repr=False, default=None)
    firm_section: np.ndarray = field(repr=False, default=None)
    firm_size: np.ndarray = field(repr=False, default=None)
    firm_jobs: np.ndarray = field(repr=False, default=None)
    firm_new: np.ndarray = field(repr=False, default=None)
    firm_year: np.ndarray = field(repr=False, default=None)
    firm_order: np.ndarray = field(repr=False, default=None)  # most employees first
    firm_estimated: np.ndarray = field(repr=False, default=None)  # 1-4, no count
    unplaced: int = 0  # establishments without a location (counted in the rest)
    firm_text: dict = field(repr=False, default_factory=dict)  # column -> object array
    # Premises and transit figures per area, rest and total (not filtered).
    places: dict = field(repr=False, default_factory=dict)
    # The areas' text columns by area id (name, description_nb, ambition_en, ...).
    area_info: dict = field(repr=False, default_factory=dict)


def frames(store):
    """Return the :class:`Frames` of a store, computed once per store version.

    Parameters
    ----------
    store : layers.store.Store
        Must hold the layers of ``FRAME_LAYERS``.

    Returns
    -------
    Frames
        Shared and read-only (kept in ``layers.frames.MEMO``).
    """

    def build():
        est = {i.name: i for i in store.list_layers()}.get("establishments")
        return build_frames(
            store.read_layer("areas"),
            store.read_layer("establishments"),
            store.read_layer("premises"),
            store.read_layer("transit_stops"),
            as_of=est.as_of if est else "",
            boundary=store.read_layer("boundary"),
        )

    return MEMO.get("aggregates.frames", store, None, build)


def build_frames(areas, establishments, premises, stops, *, as_of="", boundary=None):
    """Locate every point in its area and return frames and arrays for aggregation.

    Parameters
    ----------
    areas, establishments, premises, stops : geopandas.GeoDataFrame
        Layers of the store (EPSG:4326); not changed.
    as_of : str
        ISO date of the establishments data.
    boundary : geopandas.GeoDataFrame, optional
        The municipality: premises and stops outside it get the area ``outside``.
        Establishments belong to it by their registered address, so all count.

    Returns
    -------
    Frames
    """
    day = _parse_date(as_of)
    firms = _points(establishments, areas)
    firms["section"] = firms["nace_section"].where(
        firms["nace_section"].isin(SECTIONS[:-1]), UNKNOWN_SECTION
    )
    firms["size_class"] = size_class(firms["employees"].to_numpy())
    firms["start"] = pd.to_datetime(
        firms["start_date"], errors="coerce", format="ISO8601"
    )
    avail = _points(premises[premises["status"] == AVAILABLE], areas, boundary)
    stop_points = _points(stops, areas, boundary)
    metric = areas.to_crs(METRIC_CRS)
    km2 = dict(
        zip(areas["area_id"], metric.geometry.area.to_numpy() / 1e6, strict=True)
    )
    jobs = firms["employees"].to_numpy().astype(np.int64)
    year = firms["start"].dt.year.fillna(-1).to_numpy().astype(np.int64)
    places = _places(avail, stop_points)
    return Frames(
        areas=areas,
        firms=firms,
        premises=avail,
        stops=stop_points,
        area_km2=km2,
        as_of=day,
        indicative=bool(areas["indicative"].any()) if len(areas) else False,
        firm_place=_codes(firms["area_id"], PLACES),
        firm_section=_codes(firms["section"], SECTIONS),
        firm_size=firms["size_class"].to_numpy().astype(np.int8),
        firm_jobs=jobs,
        firm_new=_new_mask(firms["start"], day),
        firm_year=year,
        firm_order=np.lexsort((firms["name"].to_numpy(), -jobs)),
        firm_estimated=_estimated(establishments),
        unplaced=int((~firms["placed"]).sum()) if "placed" in firms else 0,
        firm_text={
            c: firms[c].to_numpy(dtype=object) for c in ("name", "section", "address")
        },
        places=places,
        area_info={
            rec["area_id"]: rec
            for rec in pd.DataFrame(areas.drop(columns=areas.geometry.name)).to_dict(
                "records"
            )
        },
    )


def _codes(values, categories):
    return pd.Categorical(values, categories=categories).codes.astype(np.int8)


def _estimated(establishments):
    if "employees_estimated" not in establishments:
        return np.zeros(len(establishments), dtype=bool)
    return establishments["employees_estimated"].to_numpy().astype(bool)


def _places(avail, stop_points):
    """Premises and transit figures of every area, the rest and the total."""
    return {
        key: place_figures(avail, stop_points, key)
        for key in (*AREA_IDS, REST_ID, TOTAL_ID)
    }


def _points(gdf, areas, boundary=None):
    out = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    out["area_id"] = place_ids(gdf.geometry, areas, boundary)
    geom = gdf.geometry.values
    valid = ~(gdf.geometry.isna().to_numpy() | gdf.geometry.is_empty.to_numpy())
    lon = np.full(len(gdf), np.nan)
    lat = np.full(len(gdf), np.nan)
    lon[valid] = shapely.get_x(geom[valid])
    lat[valid] = shapely.get_y(geom[valid])
    out["lon"] = lon
    out["lat"] = lat
    return out.reset_index(drop=True)


def _parse_date(text):
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def _new_mask(start, as_of):
    if as_of is None:
        return np.zeros(len(start), dtype=bool)
    end = pd.Timestamp(as_of)
    return ((start > end - pd.DateOffset(years=1)) & (start <= end)).to_numpy()


def place_figures(premises, stops, key):
    """Premises and transit figures of one area (``rest``, ``total``).

    Parameters
    ----------
    premises, stops : pandas.DataFrame
        Available premises and stops with ``area_id`` (from :func:`place_ids`).
    key : str
        An area id, ``rest`` or ``total``.

    Returns
    -------
    dict
        ``premises_available``, ``premises_m2``, ``median_rent_nok_m2``, ``stops``,
        ``lines``, ``departures_peak_hour``, ``premises_by_type``.
    """
    prem = in_area(premises, key)
    st = in_area(stops, key)
    rents = prem["rent_nok_m2_year"].dropna()
    lines = set()
    for text in st["lines"]:
        lines |= split_lines(text)
    g = prem.groupby("type")
    by_type = pd.DataFrame({"m2": g["size_m2"].sum(), "count": g.size()})
    by_type = by_type.sort_values("m2", ascending=False, kind="stable")
    return {
        "premises_available": len(prem),
        "premises_m2": float(prem["size_m2"].sum()),
        "median_rent_nok_m2": float(rents.median()) if len(rents) else None,
        "stops": int(st["stop_id"].nunique()),
        "lines": len(lines),
        "departures_peak_hour": float(st["departures_peak_hour"].sum()),
        "premises_by_type": {
            kind: {"m2": float(m2), "count": int(n)}
            for kind, m2, n in zip(
                by_type.index, by_type["m2"], by_type["count"], strict=True
            )
        },
    }


def size_class(employees):
    """Return the size class (0-7, see ``SIZE_LABELS``) of each employee count."""
    return np.searchsorted(SIZE_BOUNDS, np.asarray(employees), side="right") - 1


def size_range_label(size):
    """Describe a size range of classes, e.g. ``5–49`` or ``250+``."""
    lo, hi = size
    low = SIZE_BOUNDS[lo]
    if hi == len(SIZE_BOUNDS) - 1:
        return f"{low}+"
    high = SIZE_BOUNDS[hi + 1] - 1
    return str(low) if low == high else f"{low}–{high}"


def normalise_size(size):
    """Return a valid ``(lo, hi)`` class range; anything else gives the full range."""
    try:
        lo, hi = (int(v) for v in size)
    except (TypeError, ValueError):
        return FULL_SIZE
    lo, hi = max(0, min(lo, hi)), min(FULL_SIZE[1], max(lo, hi))
    return (lo, hi)


def firm_mask(firms, sections=None, size=FULL_SIZE):
    """Boolean array over a firms frame: in ``sections`` (all if empty) and ``size``.

    Parameters
    ----------
    firms : pandas.DataFrame
        Rows of ``Frames.firms`` (any subset).
    sections : list of str, optional
        SN2007 section letters (``?`` for unknown).
    size : tuple of int
        First and last size class, inclusive.
    """
    lo, hi = normalise_size(size)
    cls = firms["size_class"].to_numpy()
    mask = (cls >= lo) & (cls <= hi)
    if sections:
        mask &= firms["section"].isin(list(sections)).to_numpy()
    return mask


def selection(fr, area_id=None, sections=None, size=FULL_SIZE):
    """Boolean array over ``fr.firms``: the firms of an area under the filters.

    Parameters
    ----------
    fr : Frames
    area_id : str, optional
        One of ``AREA_IDS`` or ``rest``; None (or ``total``): the municipality.
    sections, size
        As for :func:`firm_mask`.
    """
    lo, hi = normalise_size(size)
    size_ok = np.zeros(len(SIZE_BOUNDS), dtype=bool)
    size_ok[lo : hi + 1] = True
    mask = size_ok[fr.firm_size]
    if sections:
        chosen = set(sections)
        section_ok = np.fromiter((s in chosen for s in SECTIONS), bool, len(SECTIONS))
        mask &= section_ok[fr.firm_section]
    if area_id in PLACES:
        mask &= fr.firm_place == PLACES.index(area_id)
    return mask


def in_area(frame, area_id):
    """Rows of ``frame`` in ``area_id`` (``None`` or ``total``: the municipality)."""
    if area_id in (None, "", TOTAL_ID):
        return frame[frame["area_id"].to_numpy() != OUTSIDE]
    return frame[frame["area_id"].to_numpy() == area_id]


def summary(fr, area_id=None, sections=None, size=FULL_SIZE):
    """The figure cards of one area (or the whole municipality) under the filters.

    Parameters
    ----------
    fr : Frames
    area_id : str, optional
        One of ``AREA_IDS``, ``rest``, or None for the whole municipality.
    sections, size
        Filters of the firms (see :func:`firm_mask`); premises and transit are not
        filtered by industry or size.

    Returns
    -------
    dict
        ``establishments``, ``jobs``, ``jobs_estimated`` (jobs of firms whose
        count is an estimate: 1-4 employees, no number registered), ``new_12m``,
        ``premises_available``,
        ``premises_m2``, ``median_rent_nok_m2``, ``stops``, ``lines``,
        ``departures_peak_hour``, ``km2``, ``jobs_per_km2``.
    """
    return summary_of(fr, area_id, selection(fr, area_id, sections, size))


def summary_of(fr, area_id, mask):
    """:func:`summary` for an already computed :func:`selection` ``mask``."""
    jobs = int(fr.firm_jobs[mask].sum())
    estimated = fr.firm_estimated
    if estimated is None:
        estimated = np.zeros(len(mask), dtype=bool)
    km2 = fr.area_km2.get(area_id) if area_id in AREA_IDS else None
    place = fr.places[area_id if area_id in PLACES else TOTAL_ID]
    return {
        "establishments": int(mask.sum()),
        "jobs": jobs,
        "jobs_estimated": int(fr.firm_jobs[mask & estimated].sum()),
        "new_12m": int(fr.firm_new[mask].sum()),
        **{k: v for k, v in place.items() if k != "premises_by_type"},
        "km2": km2,
        "jobs_per_km2": jobs / km2 if km2 else None,
    }


def comparison(fr, sections=None, size=FULL_SIZE):
    """Rows of :func:`summary` for each area, the rest and the total, in that order."""
    rows = []
    for area_id in (*PLACES, TOTAL_ID):
        row = summary(fr, None if area_id == TOTAL_ID else area_id, sections, size)
        row["area_id"] = area_id
        rows.append(row)
    return rows


def jobs_density(fr, sections=None, size=FULL_SIZE):
    """Jobs per km² of each of the six areas, in ``AREA_IDS`` order."""
    mask = selection(fr, None, sections, size)
    jobs = np.bincount(
        fr.firm_place[mask], weights=fr.firm_jobs[mask], minlength=len(PLACES)
    )
    return [
        float(jobs[k]) / fr.area_km2[a] if fr.area_km2.get(a) else 0.0
        for k, a in enumerate(AREA_IDS)
    ]


# The chart data below are small plain dicts, not pandas objects: built on every
# filter change, a Series costs more than the bincount that fills it.


def jobs_by_section(fr, mask):
    """Jobs per SN2007 section of the selected firms.

    Returns
    -------
    dict
        ``{section: jobs}``, largest first, for each section with a selected firm.
    """
    codes = fr.firm_section[mask]
    sums = np.bincount(codes, weights=fr.firm_jobs[mask], minlength=len(SECTIONS))
    present = np.flatnonzero(np.bincount(codes, minlength=len(SECTIONS)))
    order = present[np.argsort(-sums[present], kind="stable")]
    return {SECTIONS[k]: int(sums[k]) for k in order}


def by_size_class(fr, mask):
    """Number of selected firms per size class: ``{label: count}``, all eight."""
    counts = np.bincount(fr.firm_size[mask], minlength=len(SIZE_BOUNDS))
    return dict(zip(SIZE_LABELS, counts.tolist(), strict=True))


def premises_by_type(fr, area_id=None):
    """Available floor area and listings per type: ``{type: {"m2", "count"}}``.

    Largest floor area first.
    """
    return fr.places[area_id if area_id in PLACES else TOTAL_ID]["premises_by_type"]


def new_per_year(fr, mask, years=YEARS):
    """Selected firms started per year: ``{year: count}`` up to the as-of year."""
    known = fr.firm_year[mask]
    known = known[known >= 0]
    last = fr.as_of.year if fr.as_of else int(known.max()) if len(known) else 0
    first = last - years + 1
    counts = np.bincount(known[known >= first] - first, minlength=years)[:years]
    return dict(zip(range(first, last + 1), counts.tolist(), strict=True))


def top_employers(fr, mask, n=TOP_EMPLOYERS):
    """The ``n`` selected firms with most employees (ties by name).

    Returns
    -------
    list of dict
        ``name``, ``section``, ``employees`` and ``address`` of each firm.
    """
    rows = fr.firm_order[mask[fr.firm_order]][:n]
    return [
        {
            "name": fr.firm_text["name"][k],
            "section": fr.firm_text["section"][k],
            "employees": int(fr.firm_jobs[k]),
            "address": fr.firm_text["address"][k],
        }
        for k in rows
    ]


def new_window(as_of):
    """Return ``(first day, last day)`` of the "new in 12 months" window."""
    if as_of is None:
        return None, None
    try:
        start = as_of.replace(year=as_of.year - 1)
    except ValueError:  # 29 February: a year before is the 28th (as DateOffset)
        start = as_of.replace(year=as_of.year - 1, day=28)
    return start + timedelta(days=1), as_of


# --------------------------------------------------------------------------
# The unfiltered rows: ``python -m layers stats``, the comparison's checks, exports.
# --------------------------------------------------------------------------


def area_rows(areas, establishments, premises, stops, sources=None, boundary=None):
    """Compute the unfiltered figures of every area, the rest and the total.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        The ``areas`` layer.
    establishments, premises, stops : geopandas.GeoDataFrame
        The ``establishments``, ``premises`` and ``transit_stops`` layers.
    sources : dict, optional
        ``{layer name: LayerInfo or dict}`` describing each layer's source, licence,
        as-of date and whether it is demonstration data.
    boundary : geopandas.GeoDataFrame, optional
        The municipality (premises and stops outside it are not counted).

    Returns
    -------
    list of dict
        One dict per area in ``AREA_IDS`` order, then ``rest`` and ``total``:
        ``area_id``, the ``FIGURES`` (``unplaced_establishments`` in the total
        only), ``industry_standard`` (the industry code standards of the row's
        firms, e.g. ``["SN2025"]``), ``sources`` (per figure) and
        ``demonstration``.
    """
    rows = {i: {"area_id": i} for i in (*PLACES, TOTAL_ID)}
    codes = _codes(locate(establishments.geometry, areas), PLACES)
    jobs = establishments["employees"].to_numpy().astype(np.int64)
    estimated = _estimated(establishments)
    counts = np.bincount(codes, minlength=len(PLACES))
    job_sums = np.bincount(codes, weights=jobs, minlength=len(PLACES))
    est_sums = np.bincount(
        codes[estimated], weights=jobs[estimated], minlength=len(PLACES)
    )
    standards = _standards(establishments, codes)
    for k, i in enumerate(PLACES):
        rows[i]["establishments"] = int(counts[k])
        rows[i]["jobs"] = int(job_sums[k])
        rows[i]["jobs_estimated"] = int(est_sums[k])
        rows[i]["industry_standard"] = standards[k]
    total = rows[TOTAL_ID]
    total["establishments"] = len(establishments)
    total["jobs"] = int(jobs.sum())
    total["jobs_estimated"] = int(jobs[estimated].sum())
    total["industry_standard"] = sorted({s for per in standards for s in per})
    total["unplaced_establishments"] = int((~establishments["placed"]).sum())
    avail = _points(premises[premises["status"] == AVAILABLE], areas, boundary)
    places = _places(avail, _points(stops, areas, boundary))
    for key, row in rows.items():
        row.update({k: v for k, v in places[key].items() if k != "premises_by_type"})
    sources = sources or {}
    for row in rows.values():
        row["sources"] = {
            fig: _source(sources.get(layer))
            for fig, layer in FIGURE_LAYER.items()
            if fig in row
        }
        row["demonstration"] = any(s["demonstration"] for s in row["sources"].values())
    return [rows[i] for i in (*PLACES, TOTAL_ID)]


def _standards(establishments, codes):
    """Per place (``PLACES`` order): the sorted industry standards of its firms."""
    out = [[] for _ in PLACES]
    if "nace_standard" not in establishments or not len(establishments):
        return out
    std = establishments["nace_standard"].to_numpy(dtype=object)
    for name in sorted({s for s in pd.unique(std) if s}):
        present = np.bincount(codes[std == name], minlength=len(PLACES))
        for k in np.flatnonzero(present):
            out[k].append(str(name))
    return out


def _source(info):
    if info is None:
        return {"source": "", "licence": "", "as_of": "", "demonstration": False}
    d = info if isinstance(info, dict) else info.to_dict()
    return {
        "source": d.get("source", ""),
        "licence": d.get("licence", ""),
        "as_of": d.get("as_of", ""),
        "demonstration": bool(d.get("demonstration", False)),
    }


def store_rows(store):
    """Return :func:`area_rows` of a store's layers, once per store version.

    Parameters
    ----------
    store : layers.store.Store

    Returns
    -------
    list of dict
        Shared and read-only.
    """

    def build():
        return area_rows(
            store.read_layer("areas"),
            store.read_layer("establishments"),
            store.read_layer("premises"),
            store.read_layer("transit_stops"),
            sources={i.name: i for i in store.list_layers()},
            boundary=store.read_layer("boundary"),
        )

    return MEMO.get("aggregates.rows", store, None, build)
