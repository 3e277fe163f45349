"""Writing a frame into a new PostGIS table: COPY in chunks, row order, indexes.

Split from :mod:`layers.store.postgis` (the store itself).
"""

from __future__ import annotations

from layers.schemas import GEOMETRY

COPY_CHUNK = 50_000


def _write_frame(con, kind, name, frame, table, schema):
    """Write one frame to a new table (COPY in chunks) with a row order and index.

    The schema is named: GeoPandas' ``to_postgis`` writes to ``public`` otherwise,
    whatever the connection's search path.
    """
    frame = frame.reset_index(drop=True)
    frame.insert(0, "fid", range(len(frame)))
    if kind == "table":
        frame.to_sql(
            table,
            con,
            schema=schema,
            index=False,
            method=_copy,
            chunksize=COPY_CHUNK,
            dtype=_binary_columns(frame),
        )
        con.exec_driver_sql(f'ALTER TABLE "{schema}"."{table}" ADD PRIMARY KEY (fid)')
        return
    from geoalchemy2 import Geometry

    kinds = GEOMETRY[name]
    multi = any(k.startswith("Multi") for k in kinds)
    geometry_type = (kinds[-1] if multi else kinds[0]).upper()
    if multi:
        frame = frame.set_geometry([_multi(g) for g in frame.geometry], crs=frame.crs)
    # In slices: to_postgis copies the frame it is given (geometries as EWKB), so a
    # national layer is written with one slice's copy in memory, not the whole.
    dtype = {"geometry": Geometry(geometry_type=geometry_type, srid=4326)}
    for start in range(0, max(len(frame), 1), COPY_CHUNK):
        frame.iloc[start : start + COPY_CHUNK].to_postgis(
            table,
            con,
            schema=schema,
            index=False,
            if_exists="append" if start else "fail",
            dtype=dtype,
        )
    con.exec_driver_sql(f'ALTER TABLE "{schema}"."{table}" ADD PRIMARY KEY (fid)')
    if "kommunenummer" in frame.columns:
        # A national layer is read one kommune at a time (layers/store/national.py).
        con.exec_driver_sql(
            f'CREATE INDEX "{table}_knr" ON "{schema}"."{table}" (kommunenummer)'
        )
    # Statistics now, not when autovacuum comes by: a kommune's slice of a national
    # layer is planned as an index scan from the first read.
    con.exec_driver_sql(f'ANALYZE "{schema}"."{table}"')


def _multi(geom):
    from shapely.geometry import MultiLineString, MultiPoint, MultiPolygon

    kinds = {
        "Polygon": MultiPolygon,
        "LineString": MultiLineString,
        "Point": MultiPoint,
    }
    if geom is None or geom.geom_type not in kinds:
        return geom
    return kinds[geom.geom_type]([geom])


def _binary_columns(frame):
    """``{column: LargeBinary}`` for the columns holding bytes (bytea, not text)."""
    from sqlalchemy import LargeBinary

    out = {}
    for column in frame.columns:
        values = frame[column].dropna()
        if frame[column].dtype == object and len(values):
            if isinstance(values.iloc[0], (bytes, bytearray, memoryview)):
                out[column] = LargeBinary()
    return out


def _copy_value(value):
    # COPY's text form of bytea is hex ("\x0a1b..."); pandas would write repr().
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(value).hex()
    return value


def _copy(table, conn, keys, data_iter):
    """pandas ``to_sql`` method: COPY the rows (psycopg 3)."""
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf).writerows([_copy_value(v) for v in row] for row in data_iter)
    buf.seek(0)
    columns = ", ".join(f'"{k}"' for k in keys)
    target = f'"{table.table.name}"'
    if table.table.schema:
        target = f'"{table.table.schema}".{target}'
    with (
        conn.connection.cursor() as cur,
        cur.copy(f"COPY {target} ({columns}) FROM STDIN WITH CSV") as copy,
    ):
        copy.write(buf.read())
