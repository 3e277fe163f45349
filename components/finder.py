"""The premises finder's text: names, grid rows, the search described, list rows.

The query, the search and the ordering are ``layers/finder.py`` (re-exported here
for the panel); this module only turns their results into what a user reads. The
list files are written by ``components.exports.sheets`` (the one formula guard).
"""

from __future__ import annotations

from components.i18n import (
    NBSP,
    fmt_date,
    fmt_int,
    fmt_m2,
    fmt_nok,
    fmt_num,
    status_name,
    t,
)
from components.i18n.map import premises_type_name
from layers import finder as _query
from layers.finder import *  # noqa: F403
from layers.finder import (  # noqa: F401
    AREA_CHOICES,
    DEFAULT_SORT,
    DETOUR_FACTOR,
    LOCAL_TZ,
    NO_DAY,
    SORT_COLUMNS,
    STALE_DAYS,
    _lexsorted,
    ordered,
    records,
    safe_link,
    sorted_lines,
)
from layers.schemas import PREMISES_TYPES, REST_ID


def prepare(premises, areas, stops, *, reach=None):
    """:func:`layers.finder.prepare`, sorting types by their bokmål names."""
    names = [premises_type_name(k, "nb") for k in PREMISES_TYPES]
    return _query.prepare(premises, areas, stops, type_names=names, reach=reach)


def area_name(listings, area_id, lang="nb"):
    """The name of an area id (``rest``: the rest of the municipality)."""
    if area_id == REST_ID:
        return t("finder_area_rest", lang)
    return listings.area_names.get(area_id, area_id)


def stop_text(record, lang="nb"):
    """``Visperud (linje 25, 67)`` or "–" when no stop qualifies."""
    if not record["stop_name"]:
        return "–"
    lines = ", ".join(sorted_lines(record["stop_lines"]))
    if not lines:
        return record["stop_name"]
    return f"{record['stop_name']} ({t('finder_lines_short', lang)} {lines})"


def walk_text(walk_m, lang="nb"):
    """``340 m`` or ``1,2 km``; "–" when unknown."""
    if walk_m is None:
        return "–"
    if walk_m >= 1000:
        return f"{fmt_num(walk_m / 1000, 1, lang)}{NBSP}km"
    return f"{fmt_int(round(walk_m / 10) * 10, lang)}{NBSP}m"


def grid_row(listings, record, lang="nb"):
    """One row for the grid: display text only (the grid sorts on the server)."""
    rent = record["rent_nok_m2_year"]
    updated = fmt_date(record["updated_day"], lang)
    if record["stale"]:
        updated = f"{updated} · {t('finder_stale', lang)}"
    return {
        "premises_id": record["premises_id"],
        "title": record["title"],
        "address": record["address"],
        "area": area_name(listings, record["area_id"], lang),
        "type": premises_type_name(record["type"], lang),
        "size": fmt_m2(record["size_m2"], lang),
        "rent": fmt_nok(rent, lang) if rent is not None else t("finder_no_rent", lang),
        "available": fmt_date(record["available_from"], lang),
        "status": status_name(record["status"], lang),
        "stop": stop_text(record, lang),
        "walk": walk_text(record["walk_m"], lang),
        "updated": updated,
        "stale": record["stale"],
    }


def page(listings, query, sort_model, start, end, today, lang="nb"):
    """One block of grid rows for AG Grid's infinite row model.

    Parameters
    ----------
    listings : Listings
    query : Query
    sort_model : list of dict
        AG Grid's sort model.
    start, end : int
        Rows ``start`` to ``end - 1`` of the sorted matches.
    today : datetime.date
    lang : str

    Returns
    -------
    dict
        ``rowData`` (list of :func:`grid_row` dicts) and ``rowCount`` (all
        matches), the shape of dash-ag-grid's ``getRowsResponse``.
    """
    order = ordered(listings, query, sort_model)
    start = max(0, int(start or 0))
    end = max(start, int(end if end is not None else start + 100))
    chosen = order[start:end]
    rows = [
        grid_row(listings, r, lang) for r in records(listings, chosen, query, today)
    ]
    return {"rowData": rows, "rowCount": int(len(order))}


# --------------------------------------------------------------------------
# Exports.
# --------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "premises_id",
    "title",
    "address",
    "area",
    "type",
    "size_m2",
    "rent_nok_m2_year",
    "available_from",
    "status",
    "stop_name",
    "stop_lines",
    "stop_departures",
    "walk_m",
    "distance_m",
    "updated_day",
    "stale",
    "contact",
    "url",
)


def describe_query(listings, query, lang="nb"):
    """The active filters as short ``label: value`` texts, in form order."""
    q = query
    out = []
    every = t("finder_all", lang)
    areas = [area_name(listings, a, lang) for a in q.areas]
    out.append(f"{t('finder_areas', lang)}: {', '.join(areas) or every}")
    types = [premises_type_name(k, lang) for k in q.types]
    out.append(f"{t('finder_types', lang)}: {', '.join(types) or every}")
    if q.size_min is not None or q.size_max is not None:
        out.append(
            f"{t('finder_size', lang)}: {_bounds(q.size_min, q.size_max, lang)}{NBSP}m²"
        )
    if q.rent_min is not None or q.rent_max is not None:
        out.append(
            f"{t('finder_rent', lang)}: {_bounds(q.rent_min, q.rent_max, lang)} "
            f"{t('finder_rent_unit', lang)}"
        )
    if q.rent_missing == "exclude":
        out.append(t("finder_rent_exclude", lang))
    if q.available_by:
        out.append(
            f"{t('finder_available_by', lang)}: {fmt_date(q.available_by, lang)}"
        )
    statuses = [status_name(s, lang) for s in q.statuses]
    out.append(f"{t('finder_status', lang)}: {', '.join(statuses) or every}")
    if q.max_walk_m is not None:
        dep = q.min_departures
        out.append(
            t(
                "finder_transit_desc",
                lang,
                walk=fmt_int(q.max_walk_m, lang),
                dep=fmt_num(dep or 0, 0 if (dep or 0) == int(dep or 0) else 1, lang),
            )
        )
    elif q.min_departures is not None:
        out.append(
            f"{t('finder_min_departures', lang)}: {fmt_num(q.min_departures, 0, lang)}"
        )
    return out


def _bounds(lo, hi, lang):
    if lo is not None and hi is not None:
        return f"{fmt_num(lo, 0, lang)}–{fmt_num(hi, 0, lang)}"
    if lo is not None:
        return f"≥{NBSP}{fmt_num(lo, 0, lang)}"
    return f"≤{NBSP}{fmt_num(hi, 0, lang)}"


def export_rows(listings, query, today, ids=None, sort_model=None, lang="nb"):
    """The rows to export: the given ids (the shortlist), or every match, sorted.

    Returns
    -------
    list of list
        One list of values per listing, in ``EXPORT_COLUMNS`` order: numbers stay
        numbers, links that are not http(s) are left out, ``stale`` is yes/no.
    """
    if ids is None:
        positions = ordered(listings, query, sort_model)
    else:
        positions = [listings.index[i] for i in ids if i in listings.index]
    yes, no = t("finder_yes", lang), t("finder_no", lang)
    out = []
    for r in records(listings, positions, query, today):
        values = {
            **r,
            "area": area_name(listings, r["area_id"], lang),
            "type": premises_type_name(r["type"], lang),
            "status": status_name(r["status"], lang),
            "stop_lines": ", ".join(sorted_lines(r["stop_lines"])),
            "walk_m": None if r["walk_m"] is None else round(r["walk_m"]),
            "distance_m": None if r["distance_m"] is None else round(r["distance_m"]),
            "stale": yes if r["stale"] else no,
            "url": safe_link(r["url"]),
        }
        out.append([values[c] for c in EXPORT_COLUMNS])
    return out


def export_header(listings, query, *, today, now, source, demonstration, what, lang):
    """The lines written above an exported table.

    Parameters
    ----------
    source : str
        Where the listings come from, with its as-of date.
    demonstration : bool
    what : str
        What is exported (the shortlist, or every match).

    Returns
    -------
    list of str
    """
    lines = [
        t("finder_export_title", lang),
        f"{t('finder_export_filter', lang)}: "
        + "; ".join(describe_query(listings, query, lang)),
        f"{t('finder_export_what', lang)}: {what}",
        f"{t('finder_export_at', lang)}: {now:%Y-%m-%d %H:%M} ({LOCAL_TZ})",
        f"{t('finder_export_source', lang)}: {source}",
        t("finder_export_walk", lang),
        t(
            "finder_export_stale",
            lang,
            days=STALE_DAYS,
            today=fmt_date(today.isoformat(), lang),
        ),
    ]
    if demonstration:
        lines.append(t("finder_export_demo", lang))
    return lines


def export_labels(lang="nb"):
    """Column headings of the export, in ``EXPORT_COLUMNS`` order."""
    return [t(f"finder_col_{c}", lang) for c in EXPORT_COLUMNS]
