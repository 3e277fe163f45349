"""Settings, origins and the parsing of windows and times for travel-time reach."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import os

import numpy as np

from layers import timetable as tt_mod
from layers.errors import InputError

BANDS_MIN = (15, 30, 45)
DEFAULT_WINDOW = ("07:00", "09:00")
DEFAULT_MAX_MINUTES = 90
MAX_MINUTES_LIMIT = 360
UNREACHED = np.int64(1 << 40)
_BIG_N = 1 << 24
ENV = {
    "walk_kmh": "NARING_REACH_WALK_KMH",
    "detour": "NARING_REACH_DETOUR",
    "max_walk_m": "NARING_REACH_MAX_WALK_M",
    "min_transfer_s": "NARING_REACH_MIN_TRANSFER_S",
    "max_rides": "NARING_REACH_MAX_RIDES",
}


@dataclasses.dataclass(frozen=True)
class ReachParams:
    """Settings of a reach query (environment ``NARING_REACH_*`` overrides).

    Attributes
    ----------
    walk_kmh : float
        Walking speed, km/h.
    detour : float
        Walked distance per straight-line metre.
    max_walk_m : float
        Longest walk (access, egress, transfer), metres walked (after detour).
    min_transfer_s : int
        Least time between alighting and boarding another trip.
    max_rides : int
        Most trips in a journey.
    """

    walk_kmh: float = 4.8
    detour: float = 1.3
    max_walk_m: float = 1000.0
    min_transfer_s: int = 120
    max_rides: int = 5

    @classmethod
    def from_env(cls, environ=None):
        """Defaults overridden by the ``NARING_REACH_*`` environment variables.

        Read on every query (the finder's filter among them), so the parsed
        settings are kept per distinct set of raw values.
        """
        environ = os.environ if environ is None else environ
        fields = dataclasses.fields(cls)
        return cls._from_raw(tuple(environ.get(ENV[f.name]) for f in fields))

    @classmethod
    @functools.lru_cache(maxsize=16)
    def _from_raw(cls, raws):
        values = {}
        for field, raw in zip(dataclasses.fields(cls), raws, strict=True):
            if raw not in (None, ""):
                try:
                    values[field.name] = type(field.default)(float(raw))
                except ValueError:
                    raise InputError(
                        f"expected a number, got {raw!r}", field=ENV[field.name]
                    ) from None
        params = cls(**values)
        params.check()
        return params

    def check(self):
        """Raise :class:`InputError` for values outside sensible bounds."""
        bounds = {
            "walk_kmh": (0.5, 20),
            "detour": (1.0, 3.0),
            "max_walk_m": (0, 5000),
            "min_transfer_s": (0, 1800),
            "max_rides": (1, 10),
        }
        for name, (low, high) in bounds.items():
            value = getattr(self, name)
            if not low <= value <= high:
                raise InputError(f"{name} must be {low}-{high}, got {value}")

    @property
    def speed_ms(self):
        """Walking speed in metres per second."""
        return self.walk_kmh / 3.6

    def walk_seconds(self, straight_m):
        """Walking time, whole seconds rounded up, for straight-line metres."""
        return np.ceil(np.asarray(straight_m) * self.detour / self.speed_ms - 1e-9)

    @property
    def max_straight_m(self):
        """Longest straight-line distance of a walk."""
        return self.max_walk_m / self.detour


@dataclasses.dataclass(frozen=True)
class Origin:
    """Where a query starts.

    Attributes
    ----------
    x, y : float
        EPSG:25833 metres.
    lon, lat : float
    access_place, access_s : numpy.ndarray of int64
        Stop places reached on foot from the origin and the walk in seconds.
    stop_id, name : str
        The stop place, for an origin given as one ("" otherwise).
    """

    x: float
    y: float
    lon: float
    lat: float
    access_place: np.ndarray
    access_s: np.ndarray
    stop_id: str = ""
    name: str = ""

    def to_dict(self):
        """JSON-ready description."""
        out = {"lat": round(self.lat, 6), "lon": round(self.lon, 6)}
        if self.stop_id:
            out = {"stop_id": self.stop_id, "name": self.name, **out}
        return out


@dataclasses.dataclass(frozen=True)
class TravelTimes:
    """Travel times from one origin over a departure window.

    Attributes
    ----------
    origin : Origin
    day : datetime.date
    window_s : tuple of int
        Start (inclusive) and end (exclusive), seconds after midnight.
    departures_s : numpy.ndarray of int64
        The departure minutes, ascending.
    seconds : numpy.ndarray of int64, shape (minutes, places)
        Travel time per minute and stop place; ``UNREACHED`` beyond
        ``max_s``.
    max_s : int
    params : ReachParams
    place_xy : numpy.ndarray, shape (places, 2)
        EPSG:25833 coordinates of the stop places.
    """

    origin: Origin
    day: dt.date
    window_s: tuple
    departures_s: np.ndarray
    seconds: np.ndarray
    max_s: int
    params: ReachParams
    place_xy: np.ndarray

    def percentile(self, p):
        """Nearest-rank percentile per stop place, seconds (``UNREACHED`` if so)."""
        return percentile(self.seconds, p)


def percentile(values, p, axis=0):
    """Nearest-rank ``p``-th percentile along ``axis`` (the ``ceil(p n / 100)``-th).

    With ``n`` minutes, the median is within a limit exactly when at least half
    of the minutes are.
    """
    values = np.asarray(values)
    n = values.shape[axis]
    rank = max(int(math.ceil(p / 100 * n)) - 1, 0)
    return np.partition(values, rank, axis=axis).take(rank, axis=axis)


# -------------------------------------------------------------------- parsing


def parse_window(text):
    """``HH:MM-HH:MM`` into (start, end) seconds; end after start, at most 24:00."""
    try:
        start, end = (part.strip() for part in str(text).split("-"))
        values = []
        for part in (start, end):
            hours, minutes = part.split(":")
            if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
                raise ValueError
            values.append(int(hours) * 3600 + int(minutes) * 60)
    except ValueError:
        raise InputError(
            f"expected a window HH:MM-HH:MM, got {text!r}", field="window"
        ) from None
    if not (0 <= values[0] < values[1] <= tt_mod.DAY_S) or int(minutes) >= 60:
        raise InputError(
            f"the window must run forwards within 00:00-24:00, got {text!r}",
            field="window",
        )
    return values[0], values[1]


def hhmm(seconds):
    """Seconds after midnight as ``HH:MM``."""
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def parse_origin_text(text):
    """``STOP_ID`` or ``LAT,LON`` into ``("stop", id)`` or ``("point", lat, lon)``."""
    value = str(text).strip()
    parts = value.split(",")
    if len(parts) == 2:
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except ValueError:
            pass
        else:
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise InputError(f"not a latitude,longitude: {text!r}", field="from")
            return ("point", lat, lon)
    if not value or len(value) > 200:
        raise InputError("expected a stop place id or LAT,LON", field="from")
    return ("stop", value)
