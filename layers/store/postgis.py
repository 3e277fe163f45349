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
one database, and ``?kommune=NNNN`` to open one kommune's slice of a database holding
several (:mod:`layers.store.national`). The SQL plumbing is in
:mod:`layers.store.pg_sql`, the table writing in :mod:`layers.store.pg_write`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
import zlib
from pathlib import Path

import geopandas as gpd
import pandas as pd

from layers.errors import StoreError
from layers.frames import MEMO
from layers.schemas import OVERLAYS, SCHEMAS, conform, empty_layer
from layers.store.base import (
    INFO_COLUMNS,
    StoreBase,
    info_from_meta,
    info_from_row,
)
from layers.store.pg_sql import (  # noqa: F401 - is_url, parse_url: the API here
    _SCHEMA_NAME,
    SCHEMES,
    Connection,
    _guard,
    _unavailable,
    is_url,
    parse_url,
    redact,
)
from layers.store.pg_write import _write_frame

MIGRATIONS = Path(__file__).with_name("migrations")
META_TABLE = "store_layers"
_ENGINES = {}
_ENGINES_LOCK = threading.Lock()
_MIGRATED = set()
_QUICK = threading.local()
CONNECT_TIMEOUT_S = 5


class PostGISStore(StoreBase):
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

    def _stored_infos(self):
        with self.snapshot() as con:
            rows = con.execute(
                f"SELECT {INFO_COLUMNS} FROM {META_TABLE} WHERE kind = 'layer'"
            ).fetchall()
        return [info_from_row(r) for r in rows]

    def _table_of(self, name, kind):
        with self.snapshot() as con:
            row = con.execute(
                f"SELECT table_name FROM {META_TABLE} WHERE name = ? AND kind = ?",
                (name, kind),
            ).fetchone()
        return None if row is None else row[0]

    def read_stored(self, name):
        """Read a layer as imported (an overlay's stored layer, not its side tables)."""
        table = self._table_of(name, "layer")
        if table is None:
            raise StoreError(
                code="store.layer_unreadable",
                params={"path": self.path, "layer": name, "reason": "no such layer"},
            )
        return self._query_layer(name, f'SELECT * FROM "{table}" ORDER BY fid')

    def _query_layer(self, name, sql, params=None):
        """Layer ``name`` from the rows of ``sql`` (with ``fid``), schema-checked."""
        with _guard(self.url), self.engine().connect() as con:
            raw = gpd.read_postgis(sql, con, geom_col="geometry", params=params)
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
                info = info_from_meta(name, frame, meta)
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
