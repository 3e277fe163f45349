"""The PostGIS backend of the store: layers and side tables in one PostgreSQL schema.

Selected by a ``postgresql://`` URL (``DATABASE_URL``, or ``--store`` on the command
line). Several app servers share one database:

- **Schema by migrations.** The tables are created and upgraded by the numbered SQL
  files in ``layers/store/migrations/`` (applied in order, each once, recorded in
  ``schema_migrations``, under an advisory lock so that two servers starting
  together do not race). Nothing is created by hand or by the side tables'
  owners: their SQLite ``CREATE TABLE`` statements are skipped here.
- **Layers** are tables ``layer_<name>`` written with ``GeoDataFrame.to_postgis``
  (GeoAlchemy2 types, COPY for the rows, a GiST index) and read with
  ``read_postgis``. An import writes new tables under fresh names, then drops the
  old ones and renames the new ones in the same transaction: readers see the old or
  the new layers, never half of them.
- **Side tables** (the register, users, sessions, staged uploads) are read and
  written through :func:`layers.store.base.reading` / ``writing`` with the same SQL
  as on SQLite: the connection here takes ``?`` parameters and returns rows
  addressable by name and position. Every write transaction holds an advisory
  lock (the counterpart of the GeoPackage's ``flock``), so the register's
  optimistic version check is exact across processes and machines.
- **Store version.** ``store_meta.version`` is bumped in the same transaction as
  every write; per-process caches (``layers.frames.MEMO``) compare it on each
  request, so no app server shows older data than one request after a write.
- **Database down.** Every database error on the way in or out is raised as
  :class:`~layers.errors.StoreError` ``store.unavailable``; the pool checks a
  connection before handing it out, so the app recovers when the database is back.

The URL may carry ``?schema=NAME`` (default ``public``) to keep several stores in
one database.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import threading
import zlib
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import geopandas as gpd
import pandas as pd

from layers.errors import StoreError
from layers.frames import MEMO
from layers.schemas import GEOMETRY, OVERLAYS, SCHEMAS, conform, empty_layer
from layers.store.base import LayerInfo, overlay

MIGRATIONS = Path(__file__).with_name("migrations")
META_TABLE = "store_layers"
SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_ENGINES = {}
_ENGINES_LOCK = threading.Lock()
_MIGRATED = set()
_QUICK = threading.local()
CONNECT_TIMEOUT_S = 5


def is_url(locator):
    """Return True when ``locator`` names a PostgreSQL database (not a file)."""
    return isinstance(locator, str) and locator.split(":", 1)[0] in SCHEMES


def parse_url(url):
    """Split a store URL into ``(SQLAlchemy URL, schema)``.

    ``postgresql://`` and ``postgres://`` become ``postgresql+psycopg://``; a
    ``schema`` query parameter is taken out (default ``public``).
    """
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    schema = query.pop("schema", "public")
    if not _SCHEMA_NAME.fullmatch(schema):
        raise StoreError(code="store.bad_url", params={"url": redact(url)})
    sa = urlunsplit(
        ("postgresql+psycopg", parts.netloc, parts.path, urlencode(query), "")
    )
    return sa, schema


def redact(url):
    """Return ``url`` without its password (for messages, /health and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _unavailable(url, exc):
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return StoreError(
        code="store.unavailable",
        params={"store": redact(url), "reason": reason[0] if reason else ""},
    )


@contextlib.contextmanager
def _guard(url):
    """Raise database errors (server gone, refused, …) as ``store.unavailable``."""
    import psycopg
    import sqlalchemy.exc as sa_exc

    try:
        yield
    except (sa_exc.OperationalError, sa_exc.InterfaceError) as exc:
        raise _unavailable(url, exc) from exc
    except sa_exc.DBAPIError as exc:
        if exc.connection_invalidated:
            raise _unavailable(url, exc) from exc
        raise
    except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
        raise _unavailable(url, exc) from exc


class Row(tuple):
    """A result row addressable by position and by column name (like sqlite3.Row)."""

    def __new__(cls, values, names, index):
        row = super().__new__(cls, values)
        row._names = names
        row._index = index
        return row

    def __getitem__(self, key):
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self):
        return list(self._names)


def _row_factory(cursor):
    names = tuple(d.name for d in cursor.description or ())
    index = {n: i for i, n in enumerate(names)}
    return lambda values: Row(values, names, index)


def _pg_sql(sql, params):
    # The side tables' SQL uses qmark parameters (sqlite3); psycopg uses %s.
    if params is None:
        return sql
    return sql.replace("%", "%%").replace("?", "%s")


class Connection:
    """A DB-API-like connection over psycopg that speaks the side tables' SQL.

    ``execute(sql, params)`` takes ``?`` parameters and returns a cursor whose rows
    are :class:`Row`; ``table_exists(name)`` answers for the store's schema.
    ``migrated`` tells :func:`layers.store.base.writing` that the tables come from
    migrations (the owners' SQLite DDL is not run).
    """

    migrated = True
    dialect = "postgresql"

    def __init__(self, raw, schema):
        self._raw = raw
        self._pg = raw.driver_connection
        self._schema = schema
        self.dirty = False

    def execute(self, sql, params=None):
        if sql.split(None, 1)[0].upper() not in ("SELECT", "SHOW"):
            self.dirty = True
        cur = self._pg.cursor(row_factory=_row_factory)
        cur.execute(_pg_sql(sql, params), params)
        return cur

    def executemany(self, sql, seq):
        self.dirty = True
        cur = self._pg.cursor(row_factory=_row_factory)
        cur.executemany(_pg_sql(sql, ()), seq)
        return cur

    def table_exists(self, name):
        row = self._pg.execute(
            "SELECT to_regclass(%s) IS NOT NULL", (f'"{self._schema}"."{name}"',)
        ).fetchone()
        return bool(row[0])

    @property
    def raw(self):
        """The psycopg connection (for COPY and the like)."""
        return self._pg


class PostGISStore:
    """Layers and side tables in a PostgreSQL/PostGIS schema.

    Parameters
    ----------
    url : str
        ``postgresql://user:password@host:port/database[?schema=NAME]``.
    """

    def __init__(self, url):
        self.url = str(url)
        self._sa_url, self.schema = parse_url(self.url)

    def __repr__(self):
        return f"PostGISStore({redact(self.url)!r})"

    @property
    def path(self):
        """Where the store is (the URL without password), for messages."""
        return redact(self.url)

    def key(self):
        """Return the store's identity for caches (its URL without password)."""
        return redact(self.url)

    # -- connections ------------------------------------------------------------

    def engine(self):
        """Return this process's SQLAlchemy engine for the store (pooled)."""
        key = (os.getpid(), self._sa_url, self.schema)
        engine = _ENGINES.get(key)
        if engine is None:
            with _ENGINES_LOCK:
                engine = _ENGINES.get(key)
                if engine is None:
                    engine = _ENGINES[key] = self._create_engine()
        return engine

    def _create_engine(self):
        import sqlalchemy as sa

        return sa.create_engine(
            self._sa_url,
            pool_size=int(os.environ.get("NARING_DB_POOL", "5")),
            max_overflow=5,
            pool_pre_ping=True,
            pool_recycle=1800,
            connect_args={
                "connect_timeout": CONNECT_TIMEOUT_S,
                "options": f"-c search_path={self.schema},public",
                "application_name": "naring",
            },
        )

    def _lock_key(self):
        return zlib.crc32(f"naring-store:{self.schema}".encode()) & 0x7FFFFFFF

    @contextlib.contextmanager
    def _raw(self):
        with _guard(self.url):
            raw = self.engine().raw_connection()
        try:
            yield raw
        finally:
            with contextlib.suppress(Exception):
                raw.close()

    # -- migrations -------------------------------------------------------------

    def migrations(self):
        """Return the migration files, ``[(number, name, path)]`` in order."""
        out = []
        for path in sorted(MIGRATIONS.glob("*.sql")):
            number = int(path.name.split("_", 1)[0])
            out.append((number, path.stem, path))
        return out

    def applied(self):
        """Return the numbers of the migrations applied to this store (may be [])."""
        with self._raw() as raw, _guard(self.url):
            con = Connection(raw, self.schema)
            try:
                if not con.table_exists("schema_migrations"):
                    return []
                rows = con.execute("SELECT version FROM schema_migrations ORDER BY 1")
                return [int(r[0]) for r in rows]
            finally:
                raw.rollback()

    def upgrade(self):
        """Apply every migration not applied yet (in one transaction); return them.

        Safe to run from several processes at once (advisory lock).
        """
        done = []
        with self._raw() as raw, _guard(self.url):
            pg = raw.driver_connection
            try:
                pg.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_key(),))
                pg.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
                pg.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    "version integer PRIMARY KEY, name text NOT NULL, "
                    "applied_at timestamptz NOT NULL DEFAULT now())"
                )
                have = {
                    r[0] for r in pg.execute("SELECT version FROM schema_migrations")
                }
                for number, name, path in self.migrations():
                    if number in have:
                        continue
                    pg.execute(path.read_text())
                    pg.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                        (number, name),
                    )
                    done.append(name)
                raw.commit()
            except BaseException:
                raw.rollback()
                raise
        _MIGRATED.add((self._sa_url, self.schema))
        return done

    def _ensure_migrated(self):
        if (self._sa_url, self.schema) not in _MIGRATED:
            self.upgrade()

    # -- the Store interface ----------------------------------------------------

    def exists(self):
        """Return True when the store has been set up (its migrations applied)."""
        if (self._sa_url, self.schema) in _MIGRATED:
            return True
        latest = self.migrations()[-1][0]
        applied = self.applied()
        if not applied:
            return False
        if max(applied) < latest:
            self.upgrade()
        _MIGRATED.add((self._sa_url, self.schema))
        return True

    def recover(self):
        """Nothing to do: PostgreSQL rolls back a killed writer's transaction."""

    def write_lock(self):
        """Context manager: hold the store's write lock (a session advisory lock)."""
        return self._session_lock()

    @contextlib.contextmanager
    def _session_lock(self):
        with self._raw() as raw, _guard(self.url):
            pg = raw.driver_connection
            pg.execute("SELECT pg_advisory_lock(%s)", (self._lock_key(),))
            raw.commit()
            try:
                yield
            finally:
                with contextlib.suppress(Exception):
                    pg.execute("SELECT pg_advisory_unlock(%s)", (self._lock_key(),))
                    raw.commit()

    def connect(self, *, readonly=True):
        """Return a :class:`Connection` (the caller commits or rolls back, closes)."""
        with _guard(self.url):
            raw = self.engine().raw_connection()
        con = Connection(raw, self.schema)
        con.commit = raw.commit
        con.rollback = raw.rollback
        con.close = raw.close
        return con

    @contextlib.contextmanager
    def transaction(self):
        """One write transaction under the store's lock; bumps the store version.

        Yields
        ------
        Connection
        """
        self._ensure_migrated()
        with self._raw() as raw:
            con = Connection(raw, self.schema)
            try:
                with _guard(self.url):
                    raw.driver_connection.execute(
                        "SELECT pg_advisory_xact_lock(%s)", (self._lock_key(),)
                    )
                yield con
                with _guard(self.url):
                    if con.dirty:
                        _bump(raw.driver_connection)
                    raw.commit()
            except BaseException:
                with contextlib.suppress(Exception):
                    raw.rollback()
                raise

    @contextlib.contextmanager
    def snapshot(self):
        """A read-only transaction (one consistent snapshot); yields a Connection."""
        with self._raw() as raw:
            con = Connection(raw, self.schema)
            try:
                with _guard(self.url):
                    raw.driver_connection.execute(
                        "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"
                    )
                with _guard(self.url):
                    yield con
            finally:
                with contextlib.suppress(Exception):
                    raw.rollback()

    def version(self, name=None):
        """Return the store version (or a layer's generation) kept in the database.

        Parameters
        ----------
        name : str, optional
            A layer. Overlays (edited in place) follow the store version; other
            layers change only when imported.

        Returns
        -------
        tuple
        """
        if not self.exists():
            return (None,)
        if name is None or name in OVERLAYS:
            row = self._quick("SELECT value FROM store_meta WHERE key = 'version'")
        else:
            row = self._quick(
                f"SELECT generation FROM {META_TABLE} WHERE name = %s", (name,)
            )
        return (None if row is None else int(row[0]),)

    def _quick(self, sql, params=None):
        """One small autocommit query on this thread's own connection (versions).

        Every request checks the store version, several times: a pool checkout
        with its liveness check would cost more than the query. A broken
        connection is dropped and the error raised as ``store.unavailable``; the
        next call connects again (a kept connection that fails is replaced once
        at once, as the pool's liveness check would).
        """
        import psycopg

        key = (os.getpid(), self._sa_url, self.schema)
        cons = _quick_cons()
        for attempt in (1, 2):
            con = cons.get(key)
            fresh = con is None or con.closed
            try:
                if fresh:
                    con = cons[key] = psycopg.connect(
                        self._conninfo(),
                        autocommit=True,
                        connect_timeout=CONNECT_TIMEOUT_S,
                        options=f"-c search_path={self.schema},public",
                        application_name="naring-version",
                    )
                return con.execute(sql, params).fetchone()
            except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
                cons.pop(key, None)
                if con is not None:
                    with contextlib.suppress(Exception):
                        con.close()
                # A connection kept from before a database restart: try a new one.
                if fresh or attempt == 2:
                    raise _unavailable(self.url, exc) from exc
        raise AssertionError("unreachable")

    def _conninfo(self):
        import sqlalchemy as sa

        url = sa.engine.make_url(self._sa_url)
        return url.set(drivername="postgresql").render_as_string(hide_password=False)

    def list_layers(self):
        """Return a list of :class:`LayerInfo`, one per stored layer, sorted by name."""
        if not self.exists():
            raise StoreError(code="store.missing", params={"path": self.path})
        with self.snapshot() as con:
            rows = con.execute(
                f"SELECT name, source, licence, as_of, demonstration, imported_at, "
                f"rows, details FROM {META_TABLE} WHERE kind = 'layer' ORDER BY name"
            ).fetchall()
        infos = [
            LayerInfo(r[0], r[1], r[2], r[3], bool(r[4]), r[5], int(r[6]), r[7])
            for r in rows
        ]
        for name in OVERLAYS:
            info = overlay(name).overlay_info(self)
            if info is not None:
                infos = [i for i in infos if i.name != name] + [info]
        return sorted(infos, key=lambda i: i.name)

    def layer_info(self, name):
        """Return the :class:`LayerInfo` of one layer."""
        for info in self.list_layers():
            if info.name == name:
                return info
        raise StoreError(
            code="store.no_layer", params={"path": self.path, "layer": name}
        )

    def read_layer(self, name):
        """Read one layer, checked against its schema (cached per layer version).

        The frame is shared: callers must not modify it (copy first).
        """
        if name not in SCHEMAS:
            raise StoreError(code="store.unknown_layer", params={"layer": name})
        if not self.exists():
            raise StoreError(code="store.missing", params={"path": self.path})
        return MEMO.get(
            "store.layer", self, name, lambda: self._read(name), layers=(name,)
        )

    def _table_of(self, name, kind):
        with self.snapshot() as con:
            row = con.execute(
                f"SELECT table_name FROM {META_TABLE} WHERE name = ? AND kind = ?",
                (name, kind),
            ).fetchone()
        return None if row is None else row[0]

    def _read(self, name):
        if name in OVERLAYS:
            gdf = overlay(name).overlay_layer(self)
            if gdf is not None:
                return gdf
        return self.read_stored(name)

    def read_stored(self, name):
        """Read a layer as imported (an overlay's stored layer, not its side tables)."""
        table = self._table_of(name, "layer")
        if table is None:
            raise StoreError(
                code="store.layer_unreadable",
                params={"path": self.path, "layer": name, "reason": "no such layer"},
            )
        with _guard(self.url), self.engine().connect() as con:
            raw = gpd.read_postgis(
                f'SELECT * FROM "{table}" ORDER BY fid', con, geom_col="geometry"
            )
        raw = raw.drop(columns="fid")
        if len(raw) == 0:
            return empty_layer(name)
        return conform(name, raw, source=f"{self.path}:{name}")

    def read_table(self, name):
        """Return plain table ``name`` (a DataFrame written by replace_layers)."""
        if not self.exists():
            raise StoreError(code="store.missing", params={"path": self.path})

        def build():
            table = self._table_of(name, "table")
            if table is None:
                raise StoreError(
                    code="store.no_layer", params={"path": self.path, "layer": name}
                )
            with _guard(self.url), self.engine().connect() as con:
                frame = pd.read_sql(f'SELECT * FROM "{table}" ORDER BY fid', con)
            return frame.drop(columns="fid")

        return MEMO.get("store.table", self, name, build, layers=(name,))

    def replace_layers(self, layers, *, reproducible=False):
        """Replace layers (and plain tables) in one transaction; return their infos.

        Every frame is checked against its schema before anything is written. The
        new tables are written under fresh names (COPY), then swapped in: readers
        see the old layers or the new ones.

        Parameters
        ----------
        layers : dict
            ``{name: (GeoDataFrame or DataFrame, dict of metadata)}`` (metadata as
            for the GeoPackage store). A plain DataFrame is kept as a table, read
            back with :meth:`read_table`.
        reproducible : bool
            Accepted for the interface; a database has no bytes to reproduce.

        Returns
        -------
        list of LayerInfo
        """
        checked = {}
        for name, (frame, meta) in layers.items():
            if isinstance(frame, gpd.GeoDataFrame) or name in SCHEMAS:
                if name not in SCHEMAS:
                    raise StoreError(code="store.unknown_layer", params={"layer": name})
                checked[name] = ("layer", conform(name, frame, source=name), dict(meta))
            else:
                if not _SCHEMA_NAME.fullmatch(name):
                    raise StoreError(code="store.unknown_layer", params={"layer": name})
                checked[name] = ("table", pd.DataFrame(frame), dict(meta))
        if not self.exists():
            self.upgrade()
        infos = []
        with _guard(self.url), self.engine().connect() as con, con.begin():
            pg = con.connection.driver_connection
            pg.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_key(),))
            generation = _bump(pg)
            old = dict(
                pg.execute(f"SELECT name, table_name FROM {META_TABLE}").fetchall()
            )
            for name, (kind, frame, meta) in sorted(checked.items()):
                table = f"{kind}_{name}_{generation}_{secrets.token_hex(3)}"
                _write_frame(con, kind, name, frame, table, self.schema)
                info = _info(name, frame, meta)
                pg.execute(
                    f"INSERT INTO {META_TABLE} (name, source, licence, as_of, "
                    "demonstration, imported_at, rows, details, kind, generation, "
                    "table_name) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) "
                    "ON CONFLICT (name) DO UPDATE SET source = EXCLUDED.source, "
                    "licence = EXCLUDED.licence, as_of = EXCLUDED.as_of, "
                    "demonstration = EXCLUDED.demonstration, "
                    "imported_at = EXCLUDED.imported_at, rows = EXCLUDED.rows, "
                    "details = EXCLUDED.details, kind = EXCLUDED.kind, "
                    "generation = EXCLUDED.generation, "
                    "table_name = EXCLUDED.table_name",
                    (
                        info.name,
                        info.source,
                        info.licence,
                        info.as_of,
                        int(info.demonstration),
                        info.imported_at,
                        info.rows,
                        info.details,
                        kind,
                        generation,
                        table,
                    ),
                )
                if name in old:
                    pg.execute(f'DROP TABLE IF EXISTS "{old[name]}"')
                infos.append(info)
        return infos

    def row_counts(self):
        """Return ``{layer: rows}`` counted in the database (not from metadata)."""
        out = {}
        with self.snapshot() as con:
            rows = con.execute(
                f"SELECT name, table_name FROM {META_TABLE} WHERE kind = 'layer'"
            ).fetchall()
            for name, table in rows:
                out[name] = int(
                    con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                )
        return out


def _quick_cons():
    if not hasattr(_QUICK, "cons"):
        _QUICK.cons = {}
    return _QUICK.cons


def _bump(pg):
    """Bump the store version (inside the caller's transaction); return it."""
    row = pg.execute(
        "UPDATE store_meta SET value = value + 1 WHERE key = 'version' RETURNING value"
    ).fetchone()
    return int(row[0])


def _info(name, frame, meta):
    return LayerInfo(
        name=name,
        source=str(meta.get("source", "")),
        licence=str(meta.get("licence", "")),
        as_of=str(meta.get("as_of", "")),
        demonstration=bool(meta.get("demonstration", False)),
        imported_at=str(meta.get("imported_at", "")),
        rows=len(frame),
        details=json.dumps(meta.get("details", {}), sort_keys=True),
    )


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


def _copy(table, conn, keys, data_iter):
    """pandas ``to_sql`` method: COPY the rows (psycopg 3)."""
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf).writerows(data_iter)
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


def dispose(store):
    """Close this process's pooled connections to ``store`` (tests, CLI)."""
    key = (os.getpid(), store._sa_url, store.schema)
    con = _quick_cons().pop(key, None)
    if con is not None:
        con.close()
    engine = _ENGINES.pop(key, None)
    if engine is not None:
        engine.dispose()
    _MIGRATED.discard((store._sa_url, store.schema))
