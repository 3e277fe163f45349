"""A demonstration timetable as an Entur GTFS feed."""

from __future__ import annotations

import math

from layers.demo.common import (
    _TO_METRIC,
    AS_OF,
    REST_ID,
    _csv_text,
    _lonlat,
)

# ----------------------------------------------------------------------- GTFS

# fmt: off
# key -> (name, lon, lat, area id, "" outside Lørenskog).
STOP_PLACES = {
    "bussterminal": ("Lørenskog bussterminal", 10.956704, 59.928309, "sentrum"),
    "skarersletta": ("Skårersletta", 10.956693, 59.923993, "sentrum"),
    "triaden": ("Triaden", 10.953929, 59.920222, "sentrum"),
    "radhus": ("Lørenskog rådhus", 10.960792, 59.934458, "sentrum"),
    "lorenskog_st": ("Lørenskog stasjon", 10.944995, 59.945007, "stasjonsomradet"),
    "snobyen": ("Snøbyen", 10.951612, 59.943617, "stasjonsomradet"),
    "haneborg": ("Haneborg", 10.943852, 59.94113, "stasjonsomradet"),
    "fjellhamar_st": ("Fjellhamar stasjon", 10.981366, 59.949472, "fjellhamar"),
    "fjellhamar_s": ("Fjellhamar sentrum", 10.984696, 59.94418, "fjellhamar"),
    "visperud": ("Visperud", 10.934569, 59.929156, "visperud"),
    "visperudveien": ("Visperudveien", 10.929668, 59.932601, "visperud"),
    "ahus": ("Ahus", 10.995084, 59.932359, "ahus"),
    "nordbyhagen": ("Nordbyhagen", 10.988512, 59.934856, "ahus"),
    "losby": ("Losby gods", 10.982426, 59.887471, "losbydalen"),
    "monevang": ("Mønevang", 10.977227, 59.894954, "losbydalen"),
    "rasta": ("Rasta", 10.934993, 59.91838, REST_ID),
    "finstad": ("Finstad", 10.963278, 59.906664, REST_ID),
    "kurland": ("Kurland", 10.972457, 59.919532, REST_ID),
    "kirke": ("Lørenskog kirke", 10.984426, 59.924213, REST_ID),
    "hasselbakken": ("Hasselbakken", 10.973123, 59.936184, REST_ID),
    "gronlia": ("Øvre Grønlia", 10.96093, 59.952444, REST_ID),
    "loken": ("Løkenåsen", 11.004572, 59.92051, REST_ID),
    "skarer": ("Skårer", 10.976786, 59.913371, REST_ID),
    "oslo_s": ("Oslo S", 10.7528, 59.9111, ""),
    "oslo_bt": ("Oslo bussterminal", 10.7590, 59.9117, ""),
    "jernbanetorget": ("Jernbanetorget", 10.7502, 59.9120, ""),
    "helsfyr": ("Helsfyr", 10.8003, 59.9127, ""),
    "okern": ("Økern", 10.8062, 59.9286, ""),
    "majorstuen": ("Majorstuen", 10.7149, 59.9297, ""),
    "furuset": ("Furuset", 10.8935, 59.9403, ""),
    "ellingsrudasen": ("Ellingsrudåsen", 10.916389, 59.935833, ""),
    "grorud": ("Grorud stasjon", 10.8875, 59.949722, ""),
    "strommen": ("Strømmen stasjon", 11.0093, 59.9475, ""),
    "lillestrom": ("Lillestrøm stasjon", 11.04444, 59.95306, ""),
    "kjeller": ("Kjeller", 11.0390, 59.9722, ""),
    "blystadlia": ("Blystadlia", 11.1000, 59.9250, ""),
    "vallerudtoppen": ("Vallerudtoppen", 11.0550, 59.9390, ""),
    "olavsgaard": ("Olavsgaard", 10.9400, 59.9900, ""),
    "enebakk": ("Enebakk", 11.1440, 59.7650, ""),
}
# fmt: on

# fmt: off
# Timetable patterns: service -> list of (first, end, headway) in minutes after
# midnight of the service day; departures from the first stop.
_TRUNK = {
    "weekday": ((300, 390, 30), (390, 540, None), (540, 900, 20), (900, 1050, None),
                (1055, 1506, 30)),
    "weekend": ((365, 1506, 30),),
}
_LOCAL = {
    "weekday": ((330, 390, 30), (390, 540, 15), (540, 900, 30), (900, 1050, 15),
                (1050, 1420, 30)),
    "weekend": ((420, 1400, 30),),
}
_METRO = {
    "weekday": ((320, 390, 15), (390, 1200, 8), (1200, 1506, 15)),
    "weekend": ((365, 1506, 15),),
}
_SCHOOL = {"weekday": ((430, 431, 1), (460, 461, 1), (850, 851, 1), (910, 911, 1))}
_RAIL30 = {"weekday": ((305, 1506, 30),), "weekend": ((305, 1506, 30),)}
_RAIL60 = {"weekday": ((335, 1420, 60),), "weekend": ((395, 1400, 60),)}

# Routes: (agency, line, long name, route_type, colour, pattern, peak headway,
# km/h, stops). Ruter's numbers and names are the real ones; the stops are not.
_ROUTES = (
    ("RUT", "2", "Østerås - Ellingsrudåsen", 401, "EC700C", _METRO, None, 36,
     ("jernbanetorget", "helsfyr", "furuset", "ellingsrudasen")),
    ("RUT", "25", "Majorstuen - Lørenskog stasjon", 704, "E60000", _TRUNK, 10, 24,
     ("majorstuen", "okern", "furuset", "ellingsrudasen", "visperud",
      "visperudveien", "haneborg", "lorenskog_st")),
    ("RUT", "67", "Økern T - Lørenskog sentrum", 704, "E60000", _TRUNK, 15, 24,
     ("okern", "furuset", "ellingsrudasen", "visperud", "rasta", "triaden",
      "skarersletta", "bussterminal")),
    ("RUT", "100", "Kjeller - Oslo bussterminal", 704, "E60000", _TRUNK, 15, 30,
     ("kjeller", "lillestrom", "strommen", "gronlia", "snobyen", "lorenskog_st",
      "oslo_bt")),
    ("RUT", "110", "Lillestrøm - Oslo bussterminal", 704, "E60000", _TRUNK, 10, 28,
     ("lillestrom", "strommen", "fjellhamar_s", "hasselbakken", "radhus",
      "bussterminal", "oslo_bt")),
    ("RUT", "300", "Blystadlia - Ahus - Oslo bussterminal", 704, "E60000", _TRUNK,
     15, 28, ("blystadlia", "ahus", "nordbyhagen", "kirke", "kurland",
              "bussterminal", "oslo_bt")),
    ("RUT", "315", "Vallerudtoppen - Ahus", 704, "76A300", _LOCAL, None, 22,
     ("vallerudtoppen", "loken", "ahus")),
    ("RUT", "316", "Øvre Grønlia - Hanaborg - Lørenskog sentrum", 704, "76A300",
     _LOCAL, None, 22, ("gronlia", "snobyen", "haneborg", "radhus",
                        "bussterminal")),
    ("RUT", "385", "Rotnes - Olavsgaard - Ahus", 704, "76A300", _LOCAL, None, 26,
     ("olavsgaard", "lorenskog_st", "fjellhamar_st", "fjellhamar_s", "nordbyhagen",
      "ahus")),
    ("RUT", "3071", "Enebakk - Lørenskog", 712, "76A300", _SCHOOL, None, 40,
     ("enebakk", "losby", "monevang", "finstad", "skarer", "bussterminal")),
    ("VYG", "L1", "Spikkestad - Lillestrøm", 100, "005B3C", _RAIL30, None, 55,
     ("oslo_s", "grorud", "lorenskog_st", "fjellhamar_st", "strommen",
      "lillestrom")),
    ("VYG", "R13", "Drammen - Dal", 106, "005B3C", _RAIL60, None, 65,
     ("oslo_s", "lorenskog_st", "fjellhamar_st", "lillestrom")),
)
_SERVICES = {
    "weekday": "DEMO:DayType:Hverdag",
    "weekend": "DEMO:DayType:Helg",
    "extra": "DEMO:DayType:Nyttaarsaften",
}
_FEED_START, _FEED_END = "20241001", "20250630"
_HOLIDAYS = (
    "20241225", "20241226", "20250101", "20250417", "20250418", "20250421",
    "20250501", "20250529", "20250609",
)
_EXTRA_DAY = "20241231"
_EXTRA_DEPARTURES = (1535, 1565)  # 25:35 and 26:05 on New Year's Eve
_EXTRA_LINES = ("110", "L1")
_STOP_PLACE_BASE = 990001
_QUAY_BASE = 995001
# fmt: on


def _mode(route_type):
    if 100 <= route_type < 200:
        return "rail"
    if route_type == 401:
        return "metro"
    return "bus"


def _departures(segments, peak):
    out = []
    for first, end, headway in segments:
        out += list(range(first, end, headway or peak))
    return out


def _hms(minutes):
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def _quays():
    """Quay per (stop place, mode, direction), in a fixed order, with ids.

    Returns
    -------
    dict
        (stop key, mode, direction) -> (quay id, x, y) in EPSG:25833.
    """
    modes = {}
    for route in _ROUTES:
        for stop in route[8]:
            modes.setdefault(stop, set()).add(_mode(route[3]))
    quays = {}
    n = _QUAY_BASE
    for key, (_, lon, lat, _) in STOP_PLACES.items():
        x, y = _TO_METRIC.transform(lon, lat)
        for k, mode in enumerate(sorted(modes.get(key, ()))):
            for direction in (0, 1):
                dx = (12.0 if direction else -12.0) + 6.0 * k
                quays[(key, mode, direction)] = (f"NSR:Quay:{n}", x + dx, y - 8.0 * k)
                n += 1
    return quays


def _stops_rows(quays):
    header = [
        "stop_id",
        "stop_name",
        "stop_desc",
        "stop_lat",
        "stop_lon",
        "location_type",
        "parent_station",
        "wheelchair_boarding",
        "vehicle_type",
        "platform_code",
    ]
    rows = [header]
    parent = {}
    for i, (key, (name, lon, lat, _)) in enumerate(STOP_PLACES.items()):
        parent[key] = f"NSR:StopPlace:{_STOP_PLACE_BASE + i}"
        rows.append(
            [parent[key], name, "", f"{lat:.6f}", f"{lon:.6f}", 1, "", 1, "", ""]
        )
    vehicle = {"bus": 700, "metro": 401, "rail": 100}
    for (key, mode, direction), (qid, x, y) in quays.items():
        lon, lat = _lonlat(x, y)
        code = str(direction + 1) if mode != "bus" else "AB"[direction]
        rows.append(
            [
                qid,
                STOP_PLACES[key][0],
                "",
                f"{lat:.6f}",
                f"{lon:.6f}",
                0,
                parent[key],
                1,
                vehicle[mode],
                code,
            ]
        )
    return rows


def _shape(points):
    """Shape vertices (x, y) through the stops, with a bend on long segments.

    Returns the vertices and, per stop, the index of its vertex.
    """
    verts, at = [points[0]], [0]
    for (x0, y0), (x1, y1) in zip(points[:-1], points[1:], strict=True):
        length = math.hypot(x1 - x0, y1 - y0)
        if length > 1500:
            nx, ny = -(y1 - y0) / length, (x1 - x0) / length
            bend = 0.04 * length
            verts.append(((x0 + x1) / 2 + nx * bend, (y0 + y1) / 2 + ny * bend))
        verts.append((x1, y1))
        at.append(len(verts) - 1)
    return verts, at


def _cumulative(verts):
    d = [0.0]
    for (x0, y0), (x1, y1) in zip(verts[:-1], verts[1:], strict=True):
        d.append(d[-1] + math.hypot(x1 - x0, y1 - y0))
    return d


def _trip_rows(route, direction, quays, services):
    """Rows of trips, stop_times and shapes for one route direction."""
    agency, line, _, route_type, _, pattern, peak, speed, stops = route
    mode = _mode(route_type)
    seq = stops if direction == 0 else stops[::-1]
    pts = [quays[(s, mode, direction)][1:] for s in seq]
    verts, at = _shape(pts)
    dist = _cumulative(verts)
    shape_id = f"{agency}:JourneyPattern:{line}_{direction}"
    route_id = f"{agency}:Line:{line}"
    shapes = []
    for i, (x, y) in enumerate(verts, start=1):
        lon, lat = _lonlat(x, y)
        shapes.append([shape_id, f"{lat:.6f}", f"{lon:.6f}", i, f"{dist[i - 1]:.1f}"])
    offsets = [0]
    for a, b in zip(at[:-1], at[1:], strict=True):
        minutes = (dist[b] - dist[a]) / (speed * 1000 / 60)
        offsets.append(offsets[-1] + max(1, round(minutes)))
    trips, stop_times = [], []
    shift = 7 if direction else 0
    for service, starts in services.items():
        for start in starts:
            t0 = start + shift
            hhmm = f"{t0 // 60:02d}{t0 % 60:02d}"
            trip_id = f"{agency}:ServiceJourney:{line}_{service}_{direction}_{hhmm}"
            trips.append(
                [
                    route_id,
                    _SERVICES[service],
                    trip_id,
                    STOP_PLACES[seq[-1]][0],
                    direction,
                    shape_id,
                ]
            )
            last = len(seq) - 1
            for k, stop in enumerate(seq):
                when = _hms(t0 + offsets[k])
                stop_times.append(
                    [
                        trip_id,
                        when,
                        when,
                        quays[(stop, mode, direction)][0],
                        k + 1,
                        1 if k == last else 0,
                        1 if k == 0 else 0,
                        f"{dist[at[k]]:.1f}",
                    ]
                )
    return trips, stop_times, shapes


def _route_services(route):
    line, pattern, peak = route[1], route[5], route[6]
    services = {
        s: _departures(pattern[s], peak) for s in ("weekday", "weekend") if s in pattern
    }
    if line in _EXTRA_LINES:
        services["extra"] = list(_EXTRA_DEPARTURES)
    return services


def _build_gtfs(seed):
    """The GTFS members as {file name: text}."""
    quays = _quays()
    routes = [
        [
            "agency_id",
            "route_id",
            "route_short_name",
            "route_long_name",
            "route_type",
            "route_color",
            "route_text_color",
        ]
    ]
    trips = [
        [
            "route_id",
            "service_id",
            "trip_id",
            "trip_headsign",
            "direction_id",
            "shape_id",
        ]
    ]
    stop_times = [
        [
            "trip_id",
            "arrival_time",
            "departure_time",
            "stop_id",
            "stop_sequence",
            "pickup_type",
            "drop_off_type",
            "shape_dist_traveled",
        ]
    ]
    shapes = [
        [
            "shape_id",
            "shape_pt_lat",
            "shape_pt_lon",
            "shape_pt_sequence",
            "shape_dist_traveled",
        ]
    ]
    for route in _ROUTES:
        agency, line, long_name, route_type, colour = route[:5]
        routes.append(
            [
                agency,
                f"{agency}:Line:{line}",
                line,
                long_name,
                route_type,
                colour,
                "FFFFFF",
            ]
        )
        services = _route_services(route)
        for direction in (0, 1):
            t, st, sh = _trip_rows(route, direction, quays, services)
            trips += t
            stop_times += st
            shapes += sh
    agency = [
        ["agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang"],
        ["RUT", "Ruter", "https://ruter.no", "Europe/Oslo", "no"],
        ["VYG", "Vy", "https://www.vy.no", "Europe/Oslo", "no"],
    ]
    days = (
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    )
    calendar = [
        ["service_id", *days, "start_date", "end_date"],
        [_SERVICES["weekday"], 1, 1, 1, 1, 1, 0, 0, _FEED_START, _FEED_END],
        [_SERVICES["weekend"], 0, 0, 0, 0, 0, 1, 1, _FEED_START, _FEED_END],
    ]
    calendar_dates = [["service_id", "date", "exception_type"]]
    for day in _HOLIDAYS:
        calendar_dates.append([_SERVICES["weekday"], day, 2])
        calendar_dates.append([_SERVICES["weekend"], day, 1])
    calendar_dates.append([_SERVICES["extra"], _EXTRA_DAY, 1])
    feed_info = [
        [
            "feed_publisher_name",
            "feed_publisher_url",
            "feed_lang",
            "feed_start_date",
            "feed_end_date",
            "feed_version",
        ],
        [
            "Demonstrasjonsdata – ikke Entur",
            "https://example.invalid/gtfs",
            "no",
            _FEED_START,
            _FEED_END,
            f"demo-{AS_OF.isoformat()}-seed{seed}",
        ],
    ]
    tables = {
        "agency.txt": agency,
        "stops.txt": _stops_rows(quays),
        "routes.txt": routes,
        "trips.txt": trips,
        "stop_times.txt": stop_times,
        "calendar.txt": calendar,
        "calendar_dates.txt": calendar_dates,
        "shapes.txt": shapes,
        "feed_info.txt": feed_info,
    }
    return {name: _csv_text(rows, delimiter=",") for name, rows in tables.items()}
