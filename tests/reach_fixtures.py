"""Hand-made timetables for the reach tests, and an independent oracle.

The oracle reads the feed's CSV lines itself (times, calendars, stops) and, for
each departure minute separately, runs a plain Dijkstra over (stop place, rides
used) states, trying every trip that leaves after the ready time, not only the
first: it assumes nothing about trips keeping their order, and shares no code
with ``layers.timetable`` or ``layers.reach`` but the walking formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import math
import random

from pyproj import Transformer

from tests.gtfs_fixtures import HEADERS, write_zip

DAY = dt.date(2024, 1, 9)  # a Tuesday
UNREACHED = 1 << 40
_TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:25833", always_xy=True)

AGENCY = ["RUT,Ruter,https://ruter.no,Europe/Oslo"]
LAT = 59.93


def place_rows(places):
    """Stop places with two quays each; ``places`` is {key: (name, lon, lat)}."""
    rows = []
    for key, (name, lon, lat) in places.items():
        rows.append(f"NSR:StopPlace:{key},{name},{lat:.6f},{lon:.6f},,1,,0,,")
        for q in (1, 2):
            rows.append(
                f"NSR:Quay:{key}{q},{name},{lat:.6f},{lon + q * 1e-5:.6f},,0,"
                f"NSR:StopPlace:{key},1,,{q}"
            )
    return rows


def hms(seconds):
    """Seconds as GTFS ``H:MM:SS`` (hours may pass 24)."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def trip_rows(trip_id, calls):
    """stop_times lines; ``calls`` is [(place key, arr_s, dep_s, pickup, drop)]."""
    rows = []
    for seq, (key, arr, dep, pickup, drop) in enumerate(calls, start=1):
        quay = f"NSR:Quay:{key}{1 + seq % 2}"
        rows.append(
            f"{trip_id},{hms(arr)},{hms(dep)},{quay},{seq * 10},{pickup},{drop},"
        )
    return rows


def feed(places, trips, calendar, calendar_dates):
    """Feed tables ``{member: lines}``.

    ``trips`` is [(trip_id, service_id, calls)]; the stop times are written in
    reverse order, so a reader must sort by ``stop_sequence``.
    """
    stop_times, trip_lines = [], []
    for trip_id, service, calls in trips:
        trip_lines.append(f"R1,{service},{trip_id},x,0,S1")
        stop_times += trip_rows(trip_id, calls)
    return {
        "agency.txt": [HEADERS["agency.txt"], *AGENCY],
        "stops.txt": [HEADERS["stops.txt"], *place_rows(places)],
        "routes.txt": [HEADERS["routes.txt"], "RUT,R1,1,Linje,700,,"],
        "trips.txt": [HEADERS["trips.txt"], *trip_lines],
        "stop_times.txt": [HEADERS["stop_times.txt"], *stop_times[::-1]],
        "calendar.txt": [HEADERS["calendar.txt"], *calendar],
        "calendar_dates.txt": [HEADERS["calendar_dates.txt"], *calendar_dates],
        # One shape through the places, so that the line layer is not empty.
        "shapes.txt": [
            HEADERS["shapes.txt"],
            *(
                f"S1,{lat},{lon},{k}"
                for k, (_name, lon, lat) in enumerate(places.values(), start=1)
            ),
        ],
    }


def write(path, tables):
    """Write ``tables`` as a GTFS zip at ``path``."""
    return write_zip(path, tables)


# ------------------------------------------------------------------ scenario

# Places along a line ~1.67 km apart; C2 ~220 m east of C (a walk transfer).
SCENARIO_PLACES = {
    "1": ("A", 10.90, LAT),
    "2": ("B", 10.93, LAT),
    "3": ("C", 10.96, LAT),
    "4": ("C2", 10.964, LAT),
    "5": ("D", 10.99, LAT),
    "6": ("E", 11.02, LAT),
    "7": ("F", 10.90, LAT + 0.02),
}
H = 3600


def _t(h, m, s=0):
    return h * H + m * 60 + s


def scenario_tables():
    """The scenario feed (date ``DAY``): every case the issue names.

    * ``SLOW`` A 07:00 → B 07:20 → C 07:40 is overtaken by ``EXPRESS`` A 07:05 →
      B 07:10 → C 07:15 on the same stops.
    * ``L2`` C 07:20 → D 07:30: a transfer at the same place (5 min after
      ``EXPRESS``); ``L3`` C2 07:19 → E 07:29: a walk transfer (~3.6 min).
    * ``PREV`` runs Monday only; its 31:02 is Tuesday 07:02: A → F 07:12.
    * ``WED`` is Tuesday's 31:03 (Wednesday morning): not on Tuesday.
    * ``REMOVED`` A 07:01 → F 07:05 runs on weekdays but calendar_dates removes
      Tuesday 9 January.
    * ``NOPICK`` A 07:00:30 → F 07:03 has ``pickup_type=1`` at A.
    """
    wk = "WK,1,1,1,1,1,0,0,20240101,20240131"
    wk2 = "WK2,1,1,1,1,1,0,0,20240101,20240131"
    trips = [
        (
            "SLOW",
            "WK",
            [
                ("1", _t(7, 0), _t(7, 0), 0, 0),
                ("2", _t(7, 20), _t(7, 20), 0, 0),
                ("3", _t(7, 40), _t(7, 40), 0, 0),
            ],
        ),
        (
            "EXPRESS",
            "WK",
            [
                ("1", _t(7, 5), _t(7, 5), 0, 0),
                ("2", _t(7, 10), _t(7, 10), 0, 0),
                ("3", _t(7, 15), _t(7, 15), 0, 0),
            ],
        ),
        (
            "L2",
            "WK",
            [("3", _t(7, 20), _t(7, 20), 0, 0), ("5", _t(7, 30), _t(7, 30), 0, 0)],
        ),
        (
            "L3",
            "WK",
            [("4", _t(7, 19), _t(7, 19), 0, 0), ("6", _t(7, 29), _t(7, 29), 0, 0)],
        ),
        (
            "PREV1",
            "PREV",
            [("1", _t(31, 2), _t(31, 2), 0, 0), ("7", _t(31, 12), _t(31, 12), 0, 0)],
        ),
        (
            "WED1",
            "WED",
            [("1", _t(31, 3), _t(31, 3), 0, 0), ("6", _t(31, 8), _t(31, 8), 0, 0)],
        ),
        (
            "REMOVED1",
            "WK2",
            [("1", _t(7, 1), _t(7, 1), 0, 0), ("7", _t(7, 5), _t(7, 5), 0, 0)],
        ),
        (
            "NOPICK",
            "WK",
            [("1", _t(7, 0, 30), _t(7, 0, 30), 1, 0), ("7", _t(7, 3), _t(7, 3), 0, 0)],
        ),
    ]
    calendar_dates = ["PREV,20240108,1", "WED,20240109,1", "WK2,20240109,2"]
    return feed(SCENARIO_PLACES, trips, [wk, wk2], calendar_dates)


# ------------------------------------------------------------- random feeds


def random_tables(seed, *, n_places=8, n_patterns=5, n_trips=60):
    """A random feed: shared patterns (so trips overtake), four kinds of service.

    Services: ``WK`` (weekdays), ``GONE`` (weekdays, removed on ``DAY``),
    ``ADDED`` (only ``DAY``, by calendar_dates) and ``MON`` (the day before
    only, at times past 24:00 reaching into ``DAY``'s morning). Some stops do
    not let passengers board or alight.
    """
    rnd = random.Random(seed)
    places = {
        str(i + 1): (f"P{i}", 10.90 + rnd.random() * 0.05, LAT + rnd.random() * 0.025)
        for i in range(n_places)
    }
    keys = list(places)
    patterns = [rnd.sample(keys, rnd.randint(2, 5)) for _ in range(n_patterns)]
    trips = []
    for n in range(n_trips):
        stops = patterns[rnd.randrange(n_patterns)]
        service = rnd.choice(["WK", "WK", "WK", "GONE", "ADDED", "MON"])
        t = _t(6, 40) + rnd.randrange(0, 100 * 60, 30)
        if service == "MON":
            t += 24 * H
        calls = []
        for k, key in enumerate(stops):
            if k:
                t += rnd.randrange(60, 12 * 60, 15)
            dwell = rnd.choice([0, 0, 30, 60])
            pickup = 1 if rnd.random() < 0.12 else 0
            drop = 1 if rnd.random() < 0.12 else 0
            calls.append((key, t, t + dwell, pickup, drop))
            t += dwell
        trips.append((f"T{n}", service, calls))
    calendar = [
        "WK,1,1,1,1,1,0,0,20240101,20240131",
        "GONE,1,1,1,1,1,0,0,20240101,20240131",
    ]
    calendar_dates = ["GONE,20240109,2", "ADDED,20240109,1", "MON,20240108,1"]
    return feed(places, trips, calendar, calendar_dates)


# ------------------------------------------------------------------- oracle


def _rows(lines):
    return list(csv.DictReader(lines))


def _secs(text):
    h, m, s = (int(v) for v in text.split(":"))
    return h * H + m * 60 + s


def _runs(service, day, calendar, calendar_dates):
    on = False
    for row in calendar:
        start = dt.datetime.strptime(row["start_date"], "%Y%m%d").date()
        end = dt.datetime.strptime(row["end_date"], "%Y%m%d").date()
        weekday = day.strftime("%A").lower()
        if row["service_id"] == service and start <= day <= end and row[weekday] == "1":
            on = True
    for row in calendar_dates:
        if row["service_id"] == service and row["date"] == day.strftime("%Y%m%d"):
            on = row["exception_type"] == "1"
    return on


class Oracle:
    """Earliest arrivals by plain Dijkstra, minute by minute."""

    def __init__(
        self,
        tables,
        day,
        *,
        walk_kmh=4.8,
        detour=1.3,
        max_walk_m=1000.0,
        min_transfer_s=120,
        max_rides=5,
    ):
        self.min_tr, self.max_rides = min_transfer_s, max_rides
        self.speed, self.detour, self.max_walk = walk_kmh / 3.6, detour, max_walk_m
        stops = _rows(tables["stops.txt"])
        self.place_of = {}
        self.xy = {}
        for s in stops:
            place = s["parent_station"] or s["stop_id"]
            self.place_of[s["stop_id"]] = place
            if not s["parent_station"]:
                self.xy[place] = _TO_METRIC.transform(
                    float(s["stop_lon"]), float(s["stop_lat"])
                )
        cal = _rows(tables.get("calendar.txt", []))
        dates = _rows(tables.get("calendar_dates.txt", []))
        service_of = {t["trip_id"]: t["service_id"] for t in _rows(tables["trips.txt"])}
        by_trip = {}
        for r in _rows(tables["stop_times.txt"]):
            by_trip.setdefault(r["trip_id"], []).append(r)
        self.trips = []  # [(place, arr, dep, boards, alights)] per running trip copy
        for trip_id, rows in by_trip.items():
            rows.sort(key=lambda r: int(r["stop_sequence"]))
            for offset in (-1, 0, 1):
                if _runs(
                    service_of[trip_id], day + dt.timedelta(days=offset), cal, dates
                ):
                    shift = offset * 24 * H
                    self.trips.append(
                        [
                            (
                                self.place_of[r["stop_id"]],
                                _secs(r["arrival_time"]) + shift,
                                _secs(r["departure_time"]) + shift,
                                r["pickup_type"] != "1",
                                r["drop_off_type"] != "1",
                            )
                            for r in rows
                        ]
                    )

    def walk(self, a_xy, b_xy):
        """Walking seconds between two EPSG:25833 points, or None if too far."""
        d = math.hypot(a_xy[0] - b_xy[0], a_xy[1] - b_xy[1])
        if d * self.detour > self.max_walk + 1e-9:
            return None
        return math.ceil(d * self.detour / self.speed - 1e-9)

    def access(self, origin):
        """[(place, walk_s)] from ``("stop", place)`` or ``("point", x, y)``."""
        if origin[0] == "stop":
            xy, own = self.xy[origin[1]], origin[1]
        else:
            xy, own = (origin[1], origin[2]), None
        out = []
        for place, pxy in self.xy.items():
            w = 0 if place == own else self.walk(xy, pxy)
            if w is not None:
                out.append((place, w))
        return out

    def arrivals(self, origin, t):
        """Earliest arrival (clock seconds) at every stop place for departure ``t``."""
        arrive = dict.fromkeys(self.xy, math.inf)
        best = {}
        heap = []
        for place, w in self.access(origin):
            arrive[place] = min(arrive[place], t + w)
            if t + w < best.get((place, 0), math.inf):
                best[(place, 0)] = t + w
                heapq.heappush(heap, (t + w, place, 0))
        while heap:
            ready, place, rides = heapq.heappop(heap)
            if ready > best[(place, rides)] or rides == self.max_rides:
                continue
            for calls in self.trips:
                for i, (p, _, dep, boards, _) in enumerate(calls):
                    if p != place or not boards or dep < ready:
                        continue
                    for q, arr, _, _, alights in calls[i + 1 :]:
                        if not alights:
                            continue
                        arrive[q] = min(arrive[q], arr)
                        self._relax(heap, best, q, arr + self.min_tr, rides + 1)
                        for r, rxy in self.xy.items():
                            w = None if r == q else self.walk(self.xy[q], rxy)
                            if w is None:
                                continue
                            arrive[r] = min(arrive[r], arr + w)
                            self._relax(
                                heap, best, r, arr + max(w, self.min_tr), rides + 1
                            )
        return arrive

    @staticmethod
    def _relax(heap, best, place, when, rides):
        if when < best.get((place, rides), math.inf):
            best[(place, rides)] = when
            heapq.heappush(heap, (when, place, rides))

    def travel_times(self, origin, start_s, end_s, max_s):
        """{place: [travel seconds per minute]} (``UNREACHED`` beyond ``max_s``)."""
        out = {p: [] for p in self.xy}
        for t in range(start_s, end_s, 60):
            arrive = self.arrivals(origin, t)
            for p in self.xy:
                tt = arrive[p] - t
                out[p].append(int(tt) if tt <= max_s else UNREACHED)
        return out
