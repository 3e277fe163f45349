"""The PostGIS backend's SQL plumbing: URLs, errors, and a connection that speaks
the side tables' SQL (``?`` parameters, rows by name and position).

Split from :mod:`layers.store.postgis` (the store itself).
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from layers.errors import StoreError

SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


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
