"""Per-area figures under the map's filters: pure pandas/numpy over the store's layers.

Which area each point lies in is computed once per layer and store version (with
``layers.stats.locate``) and kept, with integer codes of each firm's area, section
and size class, in a read-only per-process cache. A filter is then a boolean mask
and every figure a ``numpy.bincount`` or a sum: a callback stays within a few
milliseconds. Missing or unplaced points belong to ``rest``, so the six areas and
the rest add up to the total, as in ``layers.stats``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.schemas import AREA_IDS, METRIC_CRS, REST_ID, TOTAL_ID
from layers.stats import AVAILABLE, locate, split_lines

# Size classes of establishments by employees (SSB's classes): lower bounds.
SIZE_BOUNDS = (0, 1, 5, 10, 20, 50, 100, 250)
SIZE_LABELS = ("0", "1–4", "5–9", "10–19", "20–49", "50–99", "100–249", "250+")
FULL_SIZE = (0, len(SIZE_BOUNDS) - 1)
UNKNOWN_SECTION = "?"
SECTIONS = (*"ABCDEFGHIJKLMNOPQRSTU", UNKNOWN_SECTION)
# Premises and stops outside the municipality (a timetable covers the region) are
# drawn on the map but belong to neither an area, the rest nor the total.
OUTSIDE = "outside"
PLACES = (*AREA_IDS, REST_ID)  # firm area codes index into this
TOP_EMPLOYERS = 10
YEARS = 10


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
    unplaced: int = 0  # establishments without a location (counted in the rest)
    firm_text: dict = field(repr=False, default_factory=dict)  # column -> object array
    # Premises and transit figures per area, rest and total (not filtered).
    places: dict = field(repr=False, default_factory=dict)
    # The areas' text columns by area id (name, description_nb, ambition_en, ...).
    area_info: dict = field(repr=False, default_factory=dict)


_FRAMES: dict[tuple, Frames] = {}


def frames(version, read_layer, as_of=""):
    """Return the :class:`Frames` for a store version, computed once and cached.

    Parameters
    ----------
    version : hashable
        Identifies the store file's version (path and stamp).
    read_layer : callable
        ``read_layer(name) -> GeoDataFrame`` for the layers ``areas``,
        ``establishments``, ``premises``, ``transit_stops`` and ``boundary``.
    as_of : str
        The establishments layer's as-of date (ISO), for "new in 12 months".

    Returns
    -------
    Frames
    """
    key = (version, as_of)
    hit = _FRAMES.get(key)
    if hit is None:
        hit = build_frames(
            read_layer("areas"),
            read_layer("establishments"),
            read_layer("premises"),
            read_layer("transit_stops"),
            as_of=as_of,
            boundary=read_layer("boundary"),
        )
        _FRAMES.clear()  # one store version per process at a time
        _FRAMES[key] = hit
    return hit


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
        unplaced=int((~firms["placed"]).sum()) if "placed" in firms else 0,
        firm_text={
            c: firms[c].to_numpy(dtype=object) for c in ("name", "section", "address")
        },
        places={
            key: _place_figures(avail, stop_points, key)
            for key in (*AREA_IDS, REST_ID, TOTAL_ID)
        },
        area_info={
            rec["area_id"]: rec
            for rec in pd.DataFrame(areas.drop(columns=areas.geometry.name)).to_dict(
                "records"
            )
        },
    )


def _codes(values, categories):
    return pd.Categorical(values, categories=categories).codes.astype(np.int8)


def _points(gdf, areas, boundary=None):
    out = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    where = locate(gdf.geometry, areas)
    if boundary is not None and len(boundary) and len(gdf):
        muni = boundary.to_crs(gdf.crs).union_all()
        muni_frame = gpd.GeoDataFrame({"area_id": ["in"]}, geometry=[muni], crs=gdf.crs)
        inside = locate(gdf.geometry, muni_frame)
        where = np.where(inside == "in", where, OUTSIDE)
    out["area_id"] = where
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


def _place_figures(premises, stops, key):
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
        ``establishments``, ``jobs``, ``new_12m``, ``premises_available``,
        ``premises_m2``, ``median_rent_nok_m2``, ``stops``, ``lines``,
        ``departures_peak_hour``, ``km2``, ``jobs_per_km2``.
    """
    return summary_of(fr, area_id, selection(fr, area_id, sections, size))


def summary_of(fr, area_id, mask):
    """:func:`summary` for an already computed :func:`selection` ``mask``."""
    jobs = int(fr.firm_jobs[mask].sum())
    km2 = fr.area_km2.get(area_id) if area_id in AREA_IDS else None
    place = fr.places[area_id if area_id in PLACES else TOTAL_ID]
    return {
        "establishments": int(mask.sum()),
        "jobs": jobs,
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
