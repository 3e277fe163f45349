"""Build small Entur-style GTFS zips in code for the importer tests.

The feed (reference date 2024-01-09, the first Tuesday with service):

* ``NSR:StopPlace:1`` Lørenskog stasjon with ``NSR:Quay:11`` and ``NSR:Quay:12``;
  ``NSR:StopPlace:2`` Ellingsrudåsen with ``NSR:Quay:21`` and ``NSR:Quay:22``;
  standalone stop ``NSR:Quay:30`` Visperud.
* Routes: ``RUT:Line:2`` (metro 401, no shape), ``RUT:Line:25`` (bus 704, two
  shapes), ``RUT:Line:L1`` (rail 100, empty short name, no shape).
* Services: ``WK`` weekdays in January 2024 by calendar.txt, Tuesday 2 January
  removed; ``EXTRA`` only in calendar_dates.txt, on 9 and 13 January.

:func:`cross_border_tables` adds stops abroad as in Entur's national feed, for reads
limited to ``LORENSKOG_BBOX``; :func:`write_large_feed` writes a feed of millions
of stop times for the memory test.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

# lon/lat box around Lørenskog (minx, miny, maxx, maxy), as `import gtfs` uses it
LORENSKOG_BBOX = (10.85, 59.86, 11.05, 59.98)

HEADERS = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone",
    "stops.txt": (
        "stop_id,stop_name,stop_lat,stop_lon,stop_desc,location_type,"
        "parent_station,wheelchair_boarding,vehicle_type,platform_code"
    ),
    "routes.txt": (
        "agency_id,route_id,route_short_name,route_long_name,route_type,"
        "route_color,route_text_color"
    ),
    "trips.txt": ("route_id,service_id,trip_id,trip_headsign,direction_id,shape_id"),
    "stop_times.txt": (
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence,"
        "pickup_type,drop_off_type,shape_dist_traveled"
    ),
    "calendar.txt": (
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
        "start_date,end_date"
    ),
    "calendar_dates.txt": "service_id,date,exception_type",
    "shapes.txt": "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence",
    "feed_info.txt": (
        "feed_id,feed_publisher_name,feed_publisher_url,feed_lang,"
        "feed_start_date,feed_end_date,feed_version"
    ),
}

ROWS = {
    "agency.txt": ["RUT,Ruter,https://ruter.no,Europe/Oslo"],
    "stops.txt": [
        'NSR:StopPlace:1,"Lørenskog stasjon",59.9280,10.9550,,1,,0,,',
        "NSR:Quay:11,Lørenskog stasjon,59.9290,10.9560,,0,NSR:StopPlace:1,1,,1",
        "NSR:Quay:12,Lørenskog stasjon,59.9270,10.9540,,0,NSR:StopPlace:1,1,,2",
        "NSR:StopPlace:2,Ellingsrudåsen,59.9350,10.9120,,1,,0,,",
        "NSR:Quay:21,Ellingsrudåsen,59.9351,10.9121,,0,NSR:StopPlace:2,1,,A",
        "NSR:Quay:22,Ellingsrudåsen,59.9349,10.9119,,0,NSR:StopPlace:2,1,,B",
        "NSR:Quay:30,Visperud,59.9200,10.9800,,0,,0,bus,",
    ],
    "routes.txt": [
        "RUT,RUT:Line:2,2,Østerås - Ellingsrudåsen,401,EC700C,FFFFFF",
        "RUT,RUT:Line:25,25,Majorstuen - Lørenskog stasjon,704,E60000,FFFFFF",
        "RUT,RUT:Line:L1,,Spikkestad - Lillestrøm,100,,",
    ],
    "trips.txt": [
        "RUT:Line:25,WK,T1,Lørenskog,0,S25a",
        "RUT:Line:25,WK,T2,Lørenskog,0,S25b",
        "RUT:Line:2,EXTRA,T3,Ellingsrudåsen,1,",
        "RUT:Line:L1,WK,T4,Lillestrøm,0,",
    ],
    "stop_times.txt": [
        "T1,06:59:59,06:59:59,NSR:Quay:11,1,0,0,0",
        "T1,07:00:00,07:00:00,NSR:Quay:21,2,,,",
        "T1,08:59:59,08:59:59,NSR:Quay:30,3,0,0,",
        "T2,09:00:00,09:00:00,NSR:Quay:11,1,0,0,",
        "T2,25:10:00,25:10:00,NSR:Quay:21,2,0,0,",
        "T3,07:30:00,07:30:00,NSR:Quay:12,1,1,0,",
        "T3,08:00:00,08:00:00,NSR:Quay:22,2,0,0,",
        "T4,08:30:00,,NSR:Quay:11,1,0,0,",
        "T4,10:00:00,10:00:00,NSR:Quay:30,2,0,0,",
    ],
    "calendar.txt": ["WK,1,1,1,1,1,0,0,20240101,20240131"],
    "calendar_dates.txt": [
        "WK,20240102,2",
        "EXTRA,20240109,1",
        "EXTRA,20240113,1",
    ],
    "shapes.txt": [
        "S25a,59.9290,10.9560,1",
        "S25a,59.9351,10.9121,2",
        "S25a,59.9200,10.9800,3",
        "S25b,59.9290,10.9560,1",
        "S25b,59.9400,10.9000,2",
    ],
    "feed_info.txt": [
        "RB,Entur,https://entur.no,no,20240101,20240131,20240101-v1",
    ],
}


def feed_tables():
    """Return the feed as ``{member: [header, *rows]}`` lists, a fresh copy."""
    return {name: [HEADERS[name], *rows] for name, rows in ROWS.items()}


def write_zip(path, tables, *, bom=()):
    """Write ``tables`` (``{member: lines}``) as a deflated GTFS zip at ``path``.

    Parameters
    ----------
    path : pathlib.Path
        Zip file to write.
    tables : dict
        Member name -> list of CSV lines (header first).
    bom : iterable of str
        Members written with a UTF-8 byte order mark.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, lines in tables.items():
            text = "\r\n".join(lines) + "\r\n"
            prefix = "\ufeff" if name in bom else ""
            zf.writestr(name, (prefix + text).encode("utf-8"))
    return path


def write_feed(path, *, drop=(), replace=None, bom=("stops.txt",)):
    """Write the standard feed, minus ``drop`` members, with ``replace`` applied.

    Parameters
    ----------
    path : pathlib.Path
        Zip file to write.
    drop : iterable of str
        Members to leave out.
    replace : dict, optional
        Member name -> lines (header first) replacing the standard ones.
    bom : iterable of str
        Members written with a UTF-8 byte order mark.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    tables = feed_tables()
    tables.update(replace or {})
    kept = {name: lines for name, lines in tables.items() if name not in drop}
    return write_zip(path, kept, bom=bom)


def with_row(member, index, row):
    """Return the standard lines of ``member`` with data row ``index`` replaced.

    ``index`` is 1-based and counts data rows (the header is row 0).
    """
    lines = feed_tables()[member]
    lines[index] = row
    return {member: lines}


# Stops abroad: Stockholm C (inside NORWAY_BOUNDS, which is a box), Kiel (outside
# it) and a standalone stop with lat and lon exchanged, all outside LORENSKOG_BBOX.
CROSS_BORDER_ROWS = {
    "stops.txt": [
        "NSR:StopPlace:90,Stockholm C,59.3000,18.0000,,1,,0,,",
        "NSR:Quay:91,Stockholm C,59.3001,18.0001,,0,NSR:StopPlace:90,1,,1",
        "NSR:Quay:95,Byttet,10.9500,59.9300,,0,,0,,",
        "NSR:Quay:80,Kiel,54.3200,10.1400,,0,,0,,",
    ],
    "routes.txt": [
        "VY,VY:Line:RE11,RE11,Oslo - Stockholm,2,,",
        "RUT,RUT:Line:K1,K1,Visperud - Kiel,200,,",
        "SJ,SJ:Line:1,1,Stockholm - Byttet,2,,",
    ],
    "trips.txt": [
        "VY:Line:RE11,WK,T5,Stockholm,0,SRE",
        "RUT:Line:K1,WK,T6,Kiel,0,SK1",
        "SJ:Line:1,WK,T7,Byttet,0,SSJ",
        "VY:Line:RE11,WK,T8,Stockholm,0,SRE2",
    ],
    "stop_times.txt": [
        "T5,08:00:00,08:00:00,NSR:Quay:11,1,0,0,",
        "T5,13:00:00,13:00:00,NSR:Quay:91,2,0,0,",
        "T6,07:15:00,07:15:00,NSR:Quay:30,1,0,0,",
        "T6,14:00:00,14:00:00,NSR:Quay:80,2,0,0,",
        "T7,07:00:00,07:00:00,NSR:Quay:91,1,0,0,",
        "T7,08:00:00,08:00:00,NSR:Quay:95,2,0,0,",
        "T8,07:10:00,07:10:00,NSR:Quay:91,1,0,0,",
        "T8,09:00:00,09:00:00,NSR:Quay:95,2,0,0,",
    ],
    "shapes.txt": [
        "SRE,59.9290,10.9560,1",
        "SRE,59.8800,12.2900,2",
        "SRE,59.3001,18.0001,3",
        "SK1,59.9200,10.9800,1",
        "SK1,58.0000,10.5000,2",
        "SK1,54.3200,10.1400,3",
        "SK1,54.0000,10.0000,4",
        "SSJ,59.3001,18.0001,1",
        "SSJ,59.9300,10.9500,2",
        "SRE2,59.3001,18.0001,1",
        "SRE2,59.5000,17.0000,2",
    ],
}


def cross_border_tables():
    """The standard feed plus ``CROSS_BORDER_ROWS``, as ``{member: lines}``.

    Routes ``VY:Line:RE11`` (trip T5 from Lørenskog stasjon to Stockholm, and T8
    only abroad) and ``RUT:Line:K1`` (T6 from Visperud to Kiel, whose shape leaves
    Norway's bounds) serve the region; ``SJ:Line:1`` (T7) only stops abroad.
    """
    tables = feed_tables()
    for name, rows in CROSS_BORDER_ROWS.items():
        tables[name] = tables[name] + rows
    return tables


def write_large_feed(path, *, stop_times, stops_per_trip=30, inside_every=100):
    """Write a feed with ``stop_times`` stop times, most of them outside the bbox.

    Stops ``L0``..``L3`` lie in ``LORENSKOG_BBOX``; ``F0``..``F999`` are spread
    over southern Norway outside it. Every trip calls at ``stops_per_trip`` stops;
    one stop time in ``inside_every`` is at a Lørenskog stop. All trips run on
    weekdays of January 2024.

    Returns
    -------
    int
        The number of stop times at Lørenskog stops.
    """
    n_trips = stop_times // stops_per_trip
    n = n_trips * stops_per_trip
    far = [
        f"F{i},Fjern {i},{58.5 + (i % 40) * 0.05:.4f},{5.5 + (i // 40) * 0.15:.4f},,0,,0,,"
        for i in range(1000)
    ]
    near = [
        f"L{i},Lørenskog {i},59.93,{10.90 + i * 0.02:.2f},,0,,0,," for i in range(4)
    ]
    index = np.arange(n)
    trip = pc.binary_join_element_wise(
        "T", pa.array(index // stops_per_trip).cast(pa.string()), ""
    )
    seq = index % stops_per_trip
    inside = index % inside_every == 0
    names = pa.array([f"F{i}" for i in range(1000)] + [f"L{i}" for i in range(4)])
    stop = names.take(np.where(inside, 1000 + index % 4, index % 1000))
    minutes = 6 * 60 + (index // stops_per_trip % 600) + seq * 2
    clock = pa.array(
        [f"{m // 60:02d}:{m % 60:02d}:00" for m in range(minutes.max() + 1)]
    )
    times = clock.take(minutes)
    zeros = pa.array(np.zeros(n, dtype="int8"))
    table = pa.table(
        {
            "trip_id": trip,
            "arrival_time": times,
            "departure_time": times,
            "stop_id": stop,
            "stop_sequence": pa.array(seq),
            "pickup_type": zeros,
            "drop_off_type": zeros,
        }
    )
    buffer = io.BytesIO()
    pacsv.write_csv(
        table, buffer, pacsv.WriteOptions(quoting_style="none", batch_size=1 << 16)
    )
    tables = feed_tables()
    tables["stops.txt"] = [HEADERS["stops.txt"], *near, *far]
    tables["routes.txt"] = [HEADERS["routes.txt"], "RUT,R1,1,Lang,700,,"]
    tables["trips.txt"] = [HEADERS["trips.txt"]] + [
        f"R1,WK,T{t},Lang,0," for t in range(n_trips)
    ]
    del tables["stop_times.txt"], tables["shapes.txt"]
    write_zip(path, tables)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("stop_times.txt", buffer.getvalue())
    return int(inside.sum())
