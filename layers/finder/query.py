"""The finder's query: what a search asks for, and its form in the URL."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime

from layers.schemas import AREA_PLACES, PREMISES_STATUSES, PREMISES_TYPES

NBSP = "\u00a0"

DETOUR_FACTOR = 1.3
STALE_DAYS = 90
LOCAL_TZ = "Europe/Oslo"
AREA_CHOICES = AREA_PLACES  # the areas and the rest (follows the kommune)
DEFAULT_STATUSES = ("ledig",)
RENT_MISSING = ("keep", "exclude")
# Grid column id -> what it sorts by (see ``sort_keys``).
SORT_COLUMNS = (
    "title",
    "area",
    "type",
    "size",
    "rent",
    "available",
    "status",
    "stop",
    "walk",
    "updated",
)
DEFAULT_SORT = ({"colId": "available", "sort": "asc"},)
NO_DAY = -(10**9)  # ordinal standing for "no date": available now, or never updated
# The reach filter's departure windows (the dropdown); the first default one is
# the morning peak, which the area figures use too.
REACH_WINDOWS = (
    "06:00-09:00",
    "07:00-09:00",
    "09:00-15:00",
    "15:00-18:00",
    "18:00-22:00",
)
REACH_DEFAULT_WINDOW = "07:00-09:00"


def local_today(now=None):
    """Return today's date in Norway (``now`` may be injected, naive = UTC)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    now = datetime.now(UTC) if now is None else now
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    try:
        return now.astimezone(ZoneInfo(LOCAL_TZ)).date()
    except ZoneInfoNotFoundError:  # pragma: no cover - no tz database
        return now.astimezone(UTC).date()


# --------------------------------------------------------------------------
# The search.
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """One search of the finder. Empty choices and missing bounds mean "any".

    Attributes
    ----------
    areas : tuple of str
        Area ids of ``AREA_CHOICES`` (the six areas and ``rest``).
    types : tuple of str
        Premises types of ``PREMISES_TYPES``.
    size_min, size_max : float or None
        Floor area in m², inclusive.
    rent_min, rent_max : float or None
        Rent in NOK per m² per year, inclusive.
    rent_missing : str
        ``keep`` or ``exclude`` listings without a rent.
    available_by : str or None
        ISO date: listings available on or before it.
    statuses : tuple of str
        Statuses of ``PREMISES_STATUSES``; ``ledig`` by default.
    min_departures : float or None
        Only stops with at least this many departures in the peak hour count.
    max_walk_m : float or None
        Walking distance (straight line x ``DETOUR_FACTOR``) to such a stop.
    reach_minutes : float or None
        Reachable within this many minutes by public transport (median over the
        departure minutes of ``reach_window`` on ``reach_date``, ``layers.reach``)
        from ``reach_from``.
    reach_from : str or None
        A stop place id (``NSR:StopPlace:5362``) or ``"LAT,LON"`` (an address or
        a click on the map), see :func:`reach_origin`.
    reach_date : str or None
        ISO service date of the reach filter; None: the timetable's reference
        date.
    reach_window : str or None
        Departure window, one of ``REACH_WINDOWS``; None: the default
        (``REACH_DEFAULT_WINDOW``).
    """

    areas: tuple = ()
    types: tuple = ()
    size_min: float | None = None
    size_max: float | None = None
    rent_min: float | None = None
    rent_max: float | None = None
    rent_missing: str = "keep"
    available_by: str | None = None
    statuses: tuple = DEFAULT_STATUSES
    min_departures: float | None = None
    max_walk_m: float | None = None
    reach_minutes: float | None = None
    reach_from: str | None = None
    reach_date: str | None = None
    reach_window: str | None = None

    def to_dict(self):
        """Return the query as a JSON-friendly dict (lists for tuples)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, d):
        """Build a query from ``to_dict`` output (or anything like it), checked."""
        d = d or {}
        return make_query(
            areas=d.get("areas"),
            types=d.get("types"),
            size=(d.get("size_min"), d.get("size_max")),
            rent=(d.get("rent_min"), d.get("rent_max")),
            rent_missing=d.get("rent_missing"),
            available_by=d.get("available_by"),
            statuses=d.get("statuses", DEFAULT_STATUSES),
            min_departures=d.get("min_departures"),
            max_walk_m=d.get("max_walk_m"),
            reach_minutes=d.get("reach_minutes"),
            reach_from=d.get("reach_from"),
            reach_date=d.get("reach_date"),
            reach_window=d.get("reach_window"),
        )

    def reach_kwargs(self):
        """``day`` and ``window`` of the reach computations (``layers.reach``)."""
        return {
            "day": self.reach_date,
            "window": self.reach_window or REACH_DEFAULT_WINDOW,
        }


def _number(value):
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip().replace(NBSP, "").replace(" ", "").replace(",", ".")
        if not value:
            return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _iso_date(value):
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        return None


def _choices(values, allowed):
    if isinstance(values, str):
        values = values.split(",")
    chosen = set(values or ())
    return tuple(v for v in allowed if v in chosen)


def make_query(
    *,
    areas=None,
    types=None,
    size=(None, None),
    rent=(None, None),
    rent_missing="keep",
    available_by=None,
    statuses=DEFAULT_STATUSES,
    min_departures=None,
    max_walk_m=None,
    reach_minutes=None,
    reach_from=None,
    reach_date=None,
    reach_window=None,
):
    """Build a :class:`Query` from raw control values, dropping what is invalid.

    Numbers may be numbers or strings (``1 500``, ``1500,5``); negative or
    unreadable ones are ignored. Unknown areas, types and statuses are dropped.

    Returns
    -------
    Query
    """
    return Query(
        areas=_choices(areas, AREA_CHOICES),
        types=_choices(types, PREMISES_TYPES),
        size_min=_number(size[0]),
        size_max=_number(size[1]),
        rent_min=_number(rent[0]),
        rent_max=_number(rent[1]),
        rent_missing=rent_missing if rent_missing in RENT_MISSING else "keep",
        available_by=_iso_date(available_by),
        statuses=_choices(statuses, PREMISES_STATUSES),
        min_departures=_number(min_departures),
        max_walk_m=_number(max_walk_m),
        reach_minutes=_number(reach_minutes),
        reach_from=reach_origin(reach_from),
        reach_date=_iso_date(reach_date) if _is_iso(reach_date) else None,
        reach_window=reach_window_choice(reach_window),
    )


def _is_iso(value):
    """A whole ``YYYY-MM-DD`` (a URL's ``tdate``), not a longer text."""
    return isinstance(value, str) and len(value.strip()) == 10


def reach_window_choice(value):
    """A checked departure window: one of ``REACH_WINDOWS`` other than the
    default, else None (the default, so links stay short)."""
    text = str(value or "").strip().replace("\u2013", "-")
    if text in REACH_WINDOWS and text != REACH_DEFAULT_WINDOW:
        return text
    return None


REACH_ID_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_-."
)
REACH_ID_MAX = 64


def reach_origin(value):
    """A checked origin for the reach filter, or None.

    ``"LAT,LON"`` (rounded to 6 decimals, within the globe) or a stop place id
    (letters, digits and ``:_-.``, at most 64 characters). Anything else is
    dropped, so a URL cannot carry markup or a huge value into the query.
    """
    text = str(value or "").strip()
    if not text or len(text) > REACH_ID_MAX:
        return None
    if "," in text:
        parts = text.split(",")
        try:
            lat, lon = (float(p) for p in parts)
        except ValueError:
            return None
        if not (math.isfinite(lat) and math.isfinite(lon)):
            return None
        if abs(lat) > 90 or abs(lon) > 180:
            return None
        return f"{lat:.6f},{lon:.6f}"
    if set(text) <= REACH_ID_CHARS:
        return text
    return None


def reach_point(origin):
    """``(lat, lon)`` of a ``"LAT,LON"`` origin, or None for a stop place id."""
    if not origin or "," not in origin:
        return None
    lat, lon = (float(p) for p in origin.split(","))
    return lat, lon


def _num_text(value):
    return "" if value is None else f"{value:g}"


def _range_param(lo, hi):
    if lo is None and hi is None:
        return None
    return f"{_num_text(lo)}-{_num_text(hi)}"


def _parse_range(text):
    parts = (text or "").split("-")
    if len(parts) != 2:
        return (None, None)
    return (_number(parts[0]), _number(parts[1]))


def query_to_params(query):
    """The URL parameters of a query (None for defaults, so links stay short)."""
    statuses = None
    if query.statuses != DEFAULT_STATUSES:
        statuses = ",".join(query.statuses) or "alle"
    return {
        "areas": ",".join(query.areas) or None,
        "types": ",".join(query.types) or None,
        "m2": _range_param(query.size_min, query.size_max),
        "rent": _range_param(query.rent_min, query.rent_max),
        "norent": "exclude" if query.rent_missing == "exclude" else None,
        "by": query.available_by,
        "status": statuses,
        "dep": _num_text(query.min_departures) or None,
        "walk": _num_text(query.max_walk_m) or None,
        "tmin": _num_text(query.reach_minutes) or None,
        "tfrom": query.reach_from,
        "tdate": query.reach_date,
        "twin": query.reach_window,
    }


def query_from_params(state):
    """Parse the finder's URL state (``urlstate.parse_search``) to a Query."""
    status = state.get("status")
    if status is None:
        statuses = DEFAULT_STATUSES
    elif status == "alle":
        statuses = ()
    else:
        statuses = status
    return make_query(
        areas=state.get("areas"),
        types=state.get("types"),
        size=_parse_range(state.get("m2")),
        rent=_parse_range(state.get("rent")),
        rent_missing="exclude" if state.get("norent") == "exclude" else "keep",
        available_by=state.get("by"),
        statuses=statuses,
        min_departures=state.get("dep"),
        max_walk_m=state.get("walk"),
        reach_minutes=state.get("tmin"),
        reach_from=state.get("tfrom"),
        reach_date=state.get("tdate"),
        reach_window=state.get("twin"),
    )


def ids_from_param(text, known=None):
    """Read a comma-separated list of listing ids, unique, in order, known ones only."""
    out = []
    for pid in (text or "").split(","):
        pid = pid.strip()
        if pid and pid not in out and (known is None or pid in known):
            out.append(pid)
    return out
