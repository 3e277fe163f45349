"""The premises finder's query: URL <-> query, filter, nearest stops, ordering.

Pure pandas, numpy and shapely. ``prepare`` turns the register's listings into a
read-only :class:`Listings` once per store version: each listing's area, its
position in EPSG:25833 and, for every threshold of peak-hour departures that
occurs among the stops, its nearest stop with at least that many departures. A
search (:class:`Query`) then only selects and sorts rows of numpy arrays, which
keeps a filter change cheap with tens of thousands of listings.

Walking distance is the straight line in EPSG:25833 times ``DETOUR_FACTOR``; the
UI says so. A listing is "possibly stale" when it was last updated more than
``STALE_DAYS`` days before ``today`` (a listing updated exactly 90 days ago is
still fresh). Functions that depend on the date take ``today`` as an argument.

Modules: ``query`` (the search asked for, and its URL form) and ``search`` (the
prepared listings, filter, nearest stops, ordering). The text shown for a search (names, dates, lists written to files) is the UI's:
``components/finder.py``.
"""

from __future__ import annotations

from layers.finder.query import (  # noqa: F401
    AREA_CHOICES,
    DEFAULT_SORT,
    DEFAULT_STATUSES,
    DETOUR_FACTOR,
    LOCAL_TZ,
    NBSP,
    NO_DAY,
    REACH_DEFAULT_WINDOW,
    REACH_WINDOWS,
    RENT_MISSING,
    SORT_COLUMNS,
    STALE_DAYS,
    Query,
    _choices,
    _iso_date,
    _num_text,
    _number,
    _parse_range,
    _range_param,
    ids_from_param,
    local_today,
    make_query,
    query_from_params,
    query_to_params,
    reach_origin,
    reach_point,
    reach_window_choice,
)
from layers.finder.search import (  # noqa: F401
    Listings,
    _allowed,
    _codes,
    _days,
    _lexsorted,
    _orders,
    _rank,
    age_days,
    bits_mask,
    filter_mask,
    is_stale,
    match_bits,
    nearest,
    nearest_stops,
    ordered,
    prepare,
    reach_minutes,
    records,
    row_index,
    safe_link,
    sort_keys,
    sorted_lines,
    stale_mask,
    stop_level,
    walking_m,
)
