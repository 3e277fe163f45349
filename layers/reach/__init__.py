"""Travel-time reach by public transport and walking, from the store's timetable.

The package: params (settings, origins, parsing), raptor (walking, range RAPTOR),
figures (destinations, bands), api (the store-level query), dashboard (cached
answers for the UI), cli (`python -m layers reach`).

Method (as Conveyal's R5 reports accessibility)
    For every whole departure minute ``t`` of a window (start inclusive, end
    exclusive) the earliest arrival at every stop place is found with RAPTOR
    (Delling, Pajor and Werneck 2012) in its *range* form (rRAPTOR): the minutes
    are searched from the last to the first, and each search starts from the
    arrival times found for the later minute, which bound the earlier minute's
    from above, so that only what a minute improves is scanned again. A stop
    place's travel time for ``t`` is its earliest arrival minus ``t``, waiting at
    the origin included; over the minutes we report the median and the 25th and
    75th percentiles (nearest rank: the ``ceil(p/100 n)``-th smallest of the ``n``
    minutes), so a figure does not hinge on one lucky departure.

A journey
    walks from the origin to a stop place (*access*), rides at most
    ``max_rides`` trips, and between two rides either stays at the stop place
    (boarding at least ``min_transfer_s`` after alighting) or walks to another
    stop place (boarding no earlier than ``max(walk, min_transfer_s)`` after
    alighting). A trip is boarded where ``pickup_type`` is not 1 and left where
    ``drop_off_type`` is not 1, at any quay of the stop place. From a stop place
    id the origin is the place itself (no walk) and the places within a walk of
    its coordinates. Trips of the day before that run past midnight (times after
    24:00) and trips of the day after are included; calendar exceptions apply.

Walking
    Straight-line distance in EPSG:25833 times ``detour`` (1.3) at ``walk_kmh``
    (4.8 km/h), rounded up to the second, each walk at most ``max_walk_m``
    (1 000 m, after the detour). There is no street network: a river or a
    motorway without a crossing is walked through.

Destinations (jobs, establishments, premises)
    A point's travel time for a minute is the least of walking straight there
    from the origin and, over the stop places within a walk of it, the place's
    travel time plus the walk; its median over the minutes is compared with the
    band. This is the per-destination percentile Conveyal uses.

Bands (15, 30, 45 min)
    The polygon of a band is the union of circles around the origin and around
    every stop place whose median is within the band, of the radius walkable in
    the time left (capped at the maximum walk), in EPSG:25833. Since a point can
    be reached from different stops at different minutes, its median can be
    lower than that of any single stop plus the walk: the polygon is therefore a
    slightly conservative drawing of the points counted as reached.
"""

from __future__ import annotations

from layers.reach.api import (  # noqa: F401
    Reach,
    _as_day,
    _check_day,
    _check_max,
    _layer,
    _memo,
    _sources,
    _versions,
    establishment_points,
    query,
    reference_date,
    resolve_origin,
    stops_frame,
    store_timetable,
)
from layers.reach.cli import (  # noqa: F401
    _MIN_KEYS,
    add_reach_parser,
    format_table,
    main_reach,
)
from layers.reach.dashboard import (  # noqa: F401
    _origin_key,
    area_reach,
    bands,
    premises_minutes,
    reach_from,
    reach_info,
    stop_places,
    travel_minutes,
)
from layers.reach.figures import (  # noqa: F401
    band_polygons,
    point_times,
    reach_counts,
)
from layers.reach.params import (  # noqa: F401
    _BIG_N,
    BANDS_MIN,
    DEFAULT_MAX_MINUTES,
    DEFAULT_WINDOW,
    ENV,
    MAX_MINUTES_LIMIT,
    UNREACHED,
    Origin,
    ReachParams,
    TravelTimes,
    hhmm,
    parse_origin_text,
    parse_window,
    percentile,
)
from layers.reach.raptor import (  # noqa: F401
    _pairs_within,
    _range_raptor,
    _ranges,
    _ride,
    _transformer,
    origin_at,
    origin_from_stop,
    place_xy,
    transfers,
    travel_times,
)
