"""A demonstration timetable as an Entur GTFS feed, on the real stops and rail.

The stop places are Ruter's real ones (NSR ids, names and positions, from
``geodata/ruter_stopplaces_lorenskog_area.csv``) and the rail stations, quays and
track are Vy's (``geodata/vy_rail_lorenskog_area_2021.geojson``). What is
generated: the bus quays (two per stop place, a few metres apart), which stops
each line calls at, the bus shapes (straight lines between the quays) and every
time in the timetable. Line numbers and names are Ruter's and Vy's.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

from layers.demo.common import (
    _TO_METRIC,
    AS_OF,
    _csv_text,
    _lonlat,
)

GEODATA = Path(__file__).resolve().parents[2] / "geodata"
STOPS_FILE = "ruter_stopplaces_lorenskog_area.csv"
RAIL_FILE = "vy_rail_lorenskog_area_2021.geojson"


def _read_stop_places():
    """Real stop places: NSR id -> (name, lon, lat, kommunenummer)."""
    with open(GEODATA / STOPS_FILE, encoding="utf-8", newline="") as f:
        return {
            r["stop_id"]: (
                r["stop_name"],
                float(r["stop_lon"]),
                float(r["stop_lat"]),
                r["kommunenummer"],
            )
            for r in csv.DictReader(f)
        }


STOP_PLACES = _read_stop_places()

# Vy's stations on Hovedbanen through Lørenskog, west to east: NeTEx stop point
# code -> (station name, parent stop place). Where Ruter's stop place of the
# same station lies within 100 m of the rail quays it is the parent (an
# inference: one stop place per station); else a stop place named by Vy's code.
RAIL_STATIONS = {
    "GRO": ("Grorud stasjon", "VYG:StopPlace:GRO"),
    "HGA": ("Haugenstua stasjon", "VYG:StopPlace:HGA"),
    "HOeB": ("Høybråten stasjon", "VYG:StopPlace:HOeB"),
    "LOeR": ("Lørenskog stasjon", "NSR:StopPlace:5497"),
    "HAB": ("Hanaborg stasjon", "VYG:StopPlace:HAB"),
    "FJE": ("Fjellhamar stasjon", "NSR:StopPlace:5385"),
    "STN": ("Strømmen stasjon", "NSR:StopPlace:5511"),
    "SDA": ("Sagdalen stasjon", "VYG:StopPlace:SDA"),
}
# The stop points of each direction, in running order (eastbound first).
RAIL_POINTS = (
    ("GRO-1", "HGA-1", "HOeB-1", "LOeR-2", "HAB-1", "FJE-1", "STN-3", "SDA-1"),
    ("SDA-2", "STN-1", "FJE-2", "HAB-2", "LOeR-3", "HOeB-2", "HGA-2", "GRO-2"),
)


def _read_rail():
    """Vy's stop points (code -> (quay id, lon, lat)) and track links."""
    data = json.loads((GEODATA / RAIL_FILE).read_text(encoding="utf-8"))
    points, links = {}, {}
    prefix = "VYG:ScheduledStopPoint:"
    for feature in data["features"]:
        props, geom = feature["properties"], feature["geometry"]
        if props["kind"] == "rail_stop_point":
            lon, lat = geom["coordinates"]
            points[props["id"].removeprefix(prefix)] = (props["quay"], lon, lat)
        else:
            key = (props["from"].removeprefix(prefix), props["to"].removeprefix(prefix))
            links[key] = [tuple(c) for c in geom["coordinates"]]
    return points, links


RAIL_STOP_POINTS, RAIL_LINKS = _read_rail()

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
_SCHOOL = {"weekday": ((430, 431, 1), (460, 461, 1), (850, 851, 1), (910, 911, 1))}
_RAIL30 = {"weekday": ((305, 1506, 30),), "weekend": ((305, 1506, 30),)}

# Routes: (agency, line, long name, route_type, colour, pattern, peak headway,
# km/h, stops: NSR:StopPlace numbers, or "rail"). The numbers and names are
# Ruter's and Vy's; which real stops a line calls at here is generated (the part
# of each line inside the area of the stop file), not Ruter's timetable.
_ROUTES = (
    ("RUT", "25", "Majorstuen - Lørenskog stasjon", 704, "E60000", _TRUNK, 10, 24,
     (5643, 5639, 5647, 5492, 5494, 5350, 5348, 5497)),
    ("RUT", "33", "Filipstad - Ellingsrudåsen T", 704, "E60000", _LOCAL, None, 22,
     (5689, 5691, 5694, 5696, 5698, 5641)),
    ("RUT", "67", "Økern T - Lørenskog sentrum", 704, "E60000", _TRUNK, 15, 24,
     (5682, 5680, 5643, 5639, 5492, 5477, 5353, 5355, 5358, 5362)),
    ("RUT", "100", "Kjeller - Oslo bussterminal", 704, "E60000", _TRUNK, 15, 30,
     (5503, 5500, 5508, 5499, 5429, 5385, 5388, 5435, 5348, 5703, 5771)),
    ("RUT", "110", "Lillestrøm - Oslo bussterminal", 704, "E60000", _TRUNK, 10, 28,
     (5545, 5515, 5511, 5385, 5439, 5397, 5367, 5358, 5355, 5479, 5647)),
    ("RUT", "120", "Nesåsen - Grorud", 704, "76A300", _LOCAL, None, 22,
     (5380, 5378, 5372, 5369, 5466, 5489, 5459, 5406, 5469, 5409, 5470, 5426,
      5475, 5494, 5698, 5700, 5703, 5771, 5773, 5775, 5777)),
    ("RUT", "300", "Blystadlia - Ahus - Oslo bussterminal", 704, "E60000", _TRUNK,
     15, 28, (5170, 5167, 5165, 5172, 5162, 5174, 5442, 5444, 5383, 5414, 5437,
              5364, 5475, 5647)),
    ("RUT", "310", "Fjerdingby - Vallerudtoppen", 704, "76A300", _LOCAL, None, 22,
     (5451, 5454, 5401, 5463, 5406, 5407, 5409, 5482, 5424, 5484, 5486, 5421,
      5419)),
    ("RUT", "315", "Vallerudtoppen - Ahus", 704, "76A300", _LOCAL, None, 22,
     (5419, 5412, 5407, 5403, 5456, 5454, 5451, 5446, 5383)),
    ("RUT", "316", "Øvre Grønlia - Hanaborg - Lørenskog sentrum", 704, "76A300",
     _LOCAL, None, 22, (5497, 5435, 5433, 5431, 5362)),
    ("RUT", "385", "Rotnes - Olavsgaard - Ahus", 704, "76A300", _LOCAL, None, 26,
     (5150, 5104, 5158, 5155, 60129, 5160, 5153, 5506, 5429, 5444, 5383)),
    ("RUT", "2873", "Røykås - Lørenskog sentrum - Strømmen - Rælingen", 712,
     "76A300", _SCHOOL, None, 30,
     (5482, 5426, 5479, 5362, 5397, 5388, 5395, 5385, 5511)),
    ("RUT", "3073", "Vallerudtoppen - Skåreråsen - Ahus - Knatten", 712, "76A300",
     _SCHOOL, None, 30, (5419, 5459, 5466, 5463, 5383, 5437, 5397)),
    ("VYG", "L1", "Spikkestad - Lillestrøm", 100, "005B3C", _RAIL30, None, 55,
     "rail"),
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
_QUAY_OFFSET_M = 12.0
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


def _bus_quay_id(number, direction):
    return f"DEMO:Quay:{number}-{direction + 1}"


def _quays():
    """Quays in EPSG:25833: bus (generated, two per stop place) and rail (Vy's).

    Returns
    -------
    dict
        ``(NSR:StopPlace number, direction)`` or ``("rail", stop point code)`` ->
        ``(quay id, x, y)``.
    """
    used = sorted({n for r in _ROUTES if r[8] != "rail" for n in r[8]})
    quays = {}
    for number in used:
        _, lon, lat, _ = STOP_PLACES[f"NSR:StopPlace:{number}"]
        x, y = _TO_METRIC.transform(lon, lat)
        for direction in (0, 1):
            dx = _QUAY_OFFSET_M if direction else -_QUAY_OFFSET_M
            quays[(number, direction)] = (_bus_quay_id(number, direction), x + dx, y)
    for code, (quay, lon, lat) in RAIL_STOP_POINTS.items():
        x, y = _TO_METRIC.transform(lon, lat)
        quays[("rail", code)] = (quay, x, y)
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
    for stop_id, (name, lon, lat, _) in STOP_PLACES.items():
        rows.append([stop_id, name, "", f"{lat:.6f}", f"{lon:.6f}", 1, "", 1, "", ""])
    for code, (name, parent) in RAIL_STATIONS.items():
        if parent in STOP_PLACES:
            continue
        points = [v for k, v in RAIL_STOP_POINTS.items() if k.split("-")[0] == code]
        lon = sum(p[1] for p in points) / len(points)
        lat = sum(p[2] for p in points) / len(points)
        rows.append([parent, name, "", f"{lat:.6f}", f"{lon:.6f}", 1, "", 1, "", ""])
    for key, (qid, x, y) in quays.items():
        lon, lat = _lonlat(x, y)
        if key[0] == "rail":
            code, track = key[1].split("-")
            name, parent = RAIL_STATIONS[code]
            row = [qid, name, "", f"{lat:.6f}", f"{lon:.6f}", 0, parent, 1, 100, track]
        else:
            number, direction = key
            parent = f"NSR:StopPlace:{number}"
            name = STOP_PLACES[parent][0]
            platform = "AB"[direction]
            row = [
                qid,
                name,
                "",
                f"{lat:.6f}",
                f"{lon:.6f}",
                0,
                parent,
                1,
                700,
                platform,
            ]
        rows.append(row)
    return rows


def _rail_shape(codes):
    """Vy's track through the stop points ``codes`` (vertices x, y; stop indices)."""
    verts, at = [], []
    for a, b in zip(codes[:-1], codes[1:], strict=True):
        link = [_TO_METRIC.transform(lon, lat) for lon, lat in RAIL_LINKS[(a, b)]]
        if not verts:
            verts.append(link[0])
            at.append(0)
        verts.extend(link[1:])
        at.append(len(verts) - 1)
    return verts, at


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
    if stops == "rail":
        codes = RAIL_POINTS[direction]
        seq = [("rail", c) for c in codes]
        verts, at = _rail_shape(codes)
        last_name = RAIL_STATIONS[codes[-1].split("-")[0]][0]
    else:
        numbers = stops if direction == 0 else stops[::-1]
        seq = [(n, direction) for n in numbers]
        verts, at = _shape([quays[k][1:] for k in seq])
        last_name = STOP_PLACES[f"NSR:StopPlace:{numbers[-1]}"][0]
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
                    last_name,
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
                        quays[stop][0],
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
