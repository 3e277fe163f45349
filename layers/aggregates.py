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

import numpy as np
import pandas as pd
import shapely

from layers import firm_index

# Re-exported: the engine's names for the firms' classes and places.
from layers.firm_index import SECTIONS, SIZE_BOUNDS, UNKNOWN_SECTION, size_class  # noqa: F401
from layers.frames import MEMO
from layers.places import OUTSIDE, locate, place_ids  # noqa: F401
from layers.schemas import AREA_IDS, AREA_PLACES, METRIC_CRS, REST_ID, TOTAL_ID

SIZE_LABELS = ("0", "1–4", "5–9", "10–19", "20–49", "50–99", "100–249", "250+")
FULL_SIZE = (0, len(SIZE_BOUNDS) - 1)
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


def split_lines(text):
    """Split a stop's comma-separated ``lines`` value into a set of line names."""
    return {part.strip() for part in str(text).split(",") if part.strip()}


@dataclass(frozen=True)
class Frames:
    """The layers the panels use, with each point's area, for one store version.

    Firms are arrays only (from :mod:`layers.firm_index`): no frame of every
    establishment is kept; :meth:`firm_rows` gives the few a view names.
    Shared and read-only: callers must not modify the frames or arrays.
    """

    areas: object  # GeoDataFrame of the six areas
    premises: pd.DataFrame  # available ("ledig") listings, with area_id, lon/lat
    stops: pd.DataFrame  # with area_id, lon/lat
    area_km2: dict
    as_of: date | None
    indicative: bool
    # Per firm, in the layer's order: codes into PLACES, SECTIONS and size classes.
    firm_place: np.ndarray = field(repr=False, default=None)
    firm_section: np.ndarray = field(repr=False, default=None)
    firm_size: np.ndarray = field(repr=False, default=None)
    firm_jobs: np.ndarray = field(repr=False, default=None)
    firm_new: np.ndarray = field(repr=False, default=None)
    firm_year: np.ndarray = field(repr=False, default=None)
    firm_order: np.ndarray = field(repr=False, default=None)  # most employees first
    firm_estimated: np.ndarray = field(repr=False, default=None)  # 1-4, no count
    firm_lon: np.ndarray = field(repr=False, default=None)  # NaN: not placed
    firm_lat: np.ndarray = field(repr=False, default=None)
    unplaced: int = 0  # establishments without a location (counted in the rest)
    # Firms per (place, section, size class): filters that need no per-firm pass.
    cube: firm_index.Cube = field(repr=False, default=None)
    # "name" and "address": firm_index.PackedText (text[k] is the k-th firm's).
    firm_text: dict = field(repr=False, default_factory=dict)
    # Premises and transit figures per area, rest and total (not filtered).
    places: dict = field(repr=False, default_factory=dict)
    # The areas' text columns by area id (name, description_nb, ambition_en, ...).
    area_info: dict = field(repr=False, default_factory=dict)

    @property
    def n_firms(self):
        return len(self.firm_place)

    def firm_rows(self, rows):
        """The firms at positions ``rows``: a small frame with ``name``, ``section``,
        ``employees``, ``address``, ``area_id``, ``lon`` and ``lat``."""
        rows = np.asarray(rows, dtype=np.int64)
        place = self.firm_place[rows]
        return pd.DataFrame(
            {
                "name": self.firm_text["name"].take(rows),
                "section": [SECTIONS[k] for k in self.firm_section[rows]],
                "employees": self.firm_jobs[rows],
                "address": self.firm_text["address"].take(rows),
                "area_id": [PLACES[k] if k >= 0 else REST_ID for k in place],
                "lon": self.firm_lon[rows],
                "lat": self.firm_lat[rows],
            }
        )


def frames(store):
    """Return the :class:`Frames` of a store, computed once per store version.

    The firms come from the store's firm index (:func:`firm_index.load`) when it
    is current, so no establishment is read; otherwise from the layers.

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
        areas = store.read_layer("areas")
        return frames_of(
            firms_of(store, areas),
            areas,
            store.read_layer("premises"),
            store.read_layer("transit_stops"),
            as_of=est.as_of if est else "",
            boundary=store.read_layer("boundary"),
        )

    return MEMO.get("aggregates.frames", store, None, build)


def firms_of(store, areas=None):
    """The store's :class:`firm_index.FirmIndex`: stored, or computed from the layers."""
    index = firm_index.load(store)
    if index is None:
        if areas is None:
            areas = store.read_layer("areas")
        index = firm_index.compute(store.read_layer("establishments"), areas)
    return index


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
    index = firm_index.compute(establishments, areas)
    return frames_of(index, areas, premises, stops, as_of=as_of, boundary=boundary)


def frames_of(index, areas, premises, stops, *, as_of="", boundary=None):
    """:func:`build_frames` from a :class:`firm_index.FirmIndex` of the firms."""
    day = _parse_date(as_of)
    avail = _points(premises[premises["status"] == AVAILABLE], areas, boundary)
    stop_points = _points(stops, areas, boundary)
    metric = areas.to_crs(METRIC_CRS)
    km2 = dict(
        zip(areas["area_id"], metric.geometry.area.to_numpy() / 1e6, strict=True)
    )
    days = index.start_day
    known = days != firm_index.NO_DAY
    place = index.place_codes(tuple(PLACES))
    new = _new_mask(days, known, day)
    year = np.full(len(days), -1, dtype=np.int64)
    dates = days[known].astype("datetime64[D]")
    year[known] = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    return Frames(
        areas=areas,
        premises=avail,
        stops=stop_points,
        area_km2=km2,
        as_of=day,
        indicative=bool(areas["indicative"].any()) if len(areas) else False,
        firm_place=place,
        firm_section=index.section,
        firm_size=index.size,
        firm_jobs=index.jobs,
        firm_new=new,
        firm_year=year,
        firm_order=index.order,
        firm_estimated=index.estimated,
        firm_lon=index.lon,
        firm_lat=index.lat,
        unplaced=int((~index.placed).sum()),
        cube=firm_index.cube(
            place,
            index.section,
            index.size,
            index.jobs,
            index.estimated,
            new,
            len(PLACES),
        ),
        firm_text={"name": index.name, "address": index.address},
        places=_places(avail, stop_points),
        area_info={
            rec["area_id"]: rec
            for rec in pd.DataFrame(areas.drop(columns=areas.geometry.name)).to_dict(
                "records"
            )
        },
    )


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


def _new_mask(days, known, as_of):
    """Started within the year up to ``as_of`` (after a year before, up to it)."""
    if as_of is None:
        return np.zeros(len(days), dtype=bool)
    end = pd.Timestamp(as_of)
    first = (end - pd.DateOffset(years=1)).to_datetime64().astype("datetime64[D]")
    epoch = np.datetime64("1970-01-01", "D")
    lo = (first - epoch).astype(np.int64)
    hi = (end.to_datetime64().astype("datetime64[D]") - epoch).astype(np.int64)
    return known & (days > lo) & (days <= hi)


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


def selection(fr, area_id=None, sections=None, size=FULL_SIZE):
    """Boolean array over the firms of ``fr``: the firms of an area under the filters.

    Parameters
    ----------
    fr : Frames
    area_id : str, optional
        One of ``AREA_IDS`` or ``rest``; None (or ``total``): the municipality.
    sections, size
        SN2007 section letters (``?`` for unknown; none: all) and the first and
        last size class, inclusive.
    """
    section_ok, size_ok = firm_index.filter_masks(sections, normalise_size(size))
    mask = size_ok[fr.firm_size]
    if sections:
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
        Filters of the firms (see :func:`selection`); premises and transit are not
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
    place = PLACES.index(area_id) if area_id in PLACES else None
    counts = fr.cube.totals(place, sections, normalise_size(size))
    return _summary(fr, area_id, counts)


def summary_of(fr, area_id, mask):
    """:func:`summary` for an already computed :func:`selection` ``mask``."""
    counts = {
        "establishments": int(mask.sum()),
        "jobs": int(fr.firm_jobs[mask].sum()),
        "jobs_estimated": int(fr.firm_jobs[mask & fr.firm_estimated].sum()),
        "new_12m": int(fr.firm_new[mask].sum()),
    }
    return _summary(fr, area_id, counts)


def _summary(fr, area_id, counts):
    jobs = counts["jobs"]
    km2 = fr.area_km2.get(area_id) if area_id in AREA_IDS else None
    place = fr.places[area_id if area_id in PLACES else TOTAL_ID]
    return {
        **counts,
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
    jobs = fr.cube.jobs_per_place(sections, normalise_size(size))
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
            "section": SECTIONS[fr.firm_section[k]],
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
    index = firm_index.compute(establishments, areas)
    return rows_of(index, areas, premises, stops, sources, boundary)


def rows_of(index, areas, premises, stops, sources=None, boundary=None):
    """:func:`area_rows` with the firms from a :class:`firm_index.FirmIndex`."""
    rows = {i: {"area_id": i} for i in (*PLACES, TOTAL_ID)}
    codes = index.place_codes(tuple(PLACES))
    jobs = index.jobs
    estimated = index.estimated
    counts = np.bincount(codes, minlength=len(PLACES))
    job_sums = np.bincount(codes, weights=jobs, minlength=len(PLACES))
    est_sums = np.bincount(
        codes[estimated], weights=jobs[estimated], minlength=len(PLACES)
    )
    standards = _standards(index, codes)
    for k, i in enumerate(PLACES):
        rows[i]["establishments"] = int(counts[k])
        rows[i]["jobs"] = int(job_sums[k])
        rows[i]["jobs_estimated"] = int(est_sums[k])
        rows[i]["industry_standard"] = standards[k]
    total = rows[TOTAL_ID]
    total["establishments"] = len(index)
    total["jobs"] = int(jobs.sum())
    total["jobs_estimated"] = int(jobs[estimated].sum())
    total["industry_standard"] = sorted({s for per in standards for s in per})
    total["unplaced_establishments"] = int((~index.placed).sum())
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


def _standards(index, codes):
    """Per place (``PLACES`` order): the sorted industry standards of its firms."""
    out = [[] for _ in PLACES]
    for k, name in enumerate(index.standards):
        present = np.bincount(codes[index.standard == k], minlength=len(PLACES))
        for p in np.flatnonzero(present):
            out[p].append(str(name))
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
        areas = store.read_layer("areas")
        return rows_of(
            firms_of(store, areas),
            areas,
            store.read_layer("premises"),
            store.read_layer("transit_stops"),
            sources={i.name: i for i in store.list_layers()},
            boundary=store.read_layer("boundary"),
        )

    return MEMO.get("aggregates.rows", store, None, build)
