"""One PostGIS database for several kommuner: national layers, one slice per kommune.

The national layers (Enhetsregisteret's underenheter, Kartverket's addresses,
Entur's national GTFS) are imported **once**, into the database's schema (the
URL's ``?schema=``, default ``public``), by a store opened without a kommune::

    python -m layers import establishments NATIONAL.json.gz --kommune all \\
        --addresses NATIONAL_ADRESSER.csv --store postgresql://…/naring

Each kommune's dashboard opens the same URL with a kommune (``?kommune=3226`` in
the URL, ``NARING_KOMMUNE=3226``, or ``--kommune`` where a command has it) and
gets a :class:`KommuneStore`:

- **Its own schema** (``k3226``; ``<schema>_k3226`` under another schema) holds
  what is the kommune's alone: boundary, neighbours, areas, landmarks, the premises
  register with its history, the accounts, sessions and staged uploads (so the
  register and the users are **per kommune**: each municipality's editors keep
  their own listings and log in to their own dashboard). ``init --kommune`` and
  every import on this store write there.
- **A national layer the kommune does not hold itself** is read as its slice:
  rows whose ``kommunenummer`` is the kommune's (or a former number of it) for
  ``establishments`` and ``addresses`` (an index on ``kommunenummer`` is made with
  every such layer), rows whose geometry lies within about 3 km of the kommune's
  boundary box for ``transit_stops`` and ``transit_lines`` (the GiST index). The
  timetable's plain tables are read as stored (a national timetable is clipped
  to its region when imported, ``layers.sources.gtfs``).
- **Versions.** A slice's version is the national layer's generation (and the
  kommune's boundary generation for a spatial slice); the store version is the
  pair (kommune's, national), so a national import or a kommune's edit each
  reaches every app server at the next request. Caches are per kommune (the
  store's key names it). Per-area aggregates are computed from the slice, so
  they are per kommune and cost what a kommune-only database costs.
"""

from __future__ import annotations

import contextlib
import json
import os
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from layers.errors import StoreError
from layers.frames import MEMO
from layers.schemas import (
    OVERLAYS,
    SCHEMAS,
    SLICE_OUTLINE,
    SLICED_BY_NUMBER,
    SLICED_BY_PLACE,
)
from layers.store.base import LayerInfo
from layers.store.postgis import META_TABLE, PostGISStore, _guard

KOMMUNE_ENV = "NARING_KOMMUNE"
# Layers a kommune reads from the national schema, and how they are sliced.
BY_NUMBER = SLICED_BY_NUMBER
BY_PLACE = SLICED_BY_PLACE
# About 3 km around the kommune's boundary box (degrees of latitude).
PLACE_MARGIN_DEG = 0.03
# Former kommune numbers still found in registers (the configuration's aliases
# extend these for a kommune set up from a TOML file).
_ALIASES = {"3222": ("3029", "0230"), "3224": ("3027", "0228")}
NATIONAL = ("", "all", "national")


def clean_kommune(value):
    """Return a four-digit kommune number, or None for the national store."""
    text = str(value or "").strip().lower()
    if text in NATIONAL:
        return None
    if len(text) != 4 or not text.isdigit():
        raise StoreError(code="store.bad_url", params={"url": f"kommune={text[:10]}"})
    return text


def split_url(url):
    """Return ``(url without ?kommune=, kommune or None)``."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    kommune = query.pop("kommune", None)
    return urlunsplit(parts._replace(query=urlencode(query))), kommune


def open_postgis(url, kommune=None):
    """Open a PostGIS store: the national schema, or one kommune's slice of it.

    Parameters
    ----------
    url : str
        ``postgresql://…[?schema=NAME][&kommune=NNNN]``.
    kommune : str, optional
        Overrides ``?kommune=``; default ``$NARING_KOMMUNE``. ``all`` (or none)
        opens the national store.

    Returns
    -------
    PostGISStore or KommuneStore
    """
    base, in_url = split_url(str(url))
    number = clean_kommune(
        kommune if kommune is not None else in_url or os.environ.get(KOMMUNE_ENV)
    )
    if number is None:
        return PostGISStore(base)
    return KommuneStore(base, number)


def kommune_stores(store):
    """The kommuner set up in the database of the national ``store`` (a list).

    Each is a :class:`KommuneStore` whose own schema holds its outline (boundary).
    """
    if isinstance(store, KommuneStore) or not isinstance(store, PostGISStore):
        return []
    base = store.schema
    prefix = "k" if base == "public" else f"{base}_k"
    sql = (
        "SELECT schema_name FROM information_schema.schemata "
        "WHERE schema_name LIKE %s ORDER BY schema_name"
    )
    with _guard(store.url), store.engine().connect() as con:
        names = [r[0] for r in con.exec_driver_sql(sql, (prefix + "%",))]
    found = []
    for name in names:
        number = name[len(prefix) :]
        if len(number) == 4 and number.isdigit():
            k = KommuneStore(store.url, number)
            if k._own_generation(SLICE_OUTLINE) is not None:
                found.append(k)
    return found


def _schema_url(url, schema):
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["schema"] = schema
    return urlunsplit(parts._replace(query=urlencode(query)))


class KommuneStore(PostGISStore):
    """One kommune's store in a database of several (see the module's docstring).

    Parameters
    ----------
    url : str
        The database (its schema, default ``public``, holds the national layers).
    kommune : str
        Four-digit kommunenummer.
    """

    def __init__(self, url, kommune):
        self.national = PostGISStore(url)
        self.kommune = kommune
        base = self.national.schema
        own = f"k{kommune}" if base == "public" else f"{base}_k{kommune}"
        super().__init__(_schema_url(url, own))
        self.database_url = url

    def __repr__(self):
        return f"KommuneStore({self.national.path!r}, {self.kommune!r})"

    def key(self):
        """The store's identity for caches: the database and the kommune."""
        return f"{self.national.key()}#kommune={self.kommune}"

    @property
    def numbers(self):
        """The kommune's current and former numbers (a sorted list of str).

        The former numbers of its configuration (recorded with its boundary),
        else those known here.
        """
        aliases = set(_ALIASES.get(self.kommune, ()))
        row = None
        if self.exists():
            sql = f"SELECT details FROM {META_TABLE} WHERE name = %s"
            row = self._quick(sql, (SLICE_OUTLINE,))
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            found = json.loads(row[0]).get("kommune", {}).get("aliases", ())
            aliases.update(str(a) for a in found)
        return sorted({self.kommune, *aliases})

    def shared_layers(self):
        """The national layers this kommune reads as its slice (not held itself)."""
        return tuple(n for n in BY_NUMBER + BY_PLACE if self._sliced(n))

    # -- which layers come from where --------------------------------------------

    def _own_generation(self, name):
        if not self.exists():
            return None
        row = self._quick(
            f"SELECT generation FROM {META_TABLE} WHERE name = %s", (name,)
        )
        return None if row is None else int(row[0])

    def _holds(self, name):
        """True when the kommune's own schema holds layer ``name`` with rows.

        An empty own copy is the placeholder ``init`` writes while the database
        has no national layer yet; once a national one is imported, it is read.
        """
        if not self.exists():
            return False
        row = self._quick(f"SELECT rows FROM {META_TABLE} WHERE name = %s", (name,))
        return row is not None and int(row[0]) > 0

    def _sliced(self, name):
        """True when layer ``name`` is read from the national schema (not held)."""
        if name not in BY_NUMBER + BY_PLACE:
            return False
        return not self._holds(name) and self._national_has(name)

    def _national_has(self, name):
        if not self.national.exists():
            return False
        return self.national.version(name) != (None,)

    def version(self, name=None):
        """The kommune's version paired with the national one (or a layer's).

        One round trip, as the single-schema store's: both schemas are read in
        one query.
        """
        if not self.exists():
            return (None,)
        own, nat = self.schema, self.national.schema
        if not self.national.exists():
            return super().version(name)
        if name is None or name in OVERLAYS:
            row = self._quick(
                f'SELECT (SELECT value FROM "{own}".store_meta WHERE key = '
                f"'version'), (SELECT value FROM \"{nat}\".store_meta WHERE key = "
                "'version')"
            )
            return (row[0], row[1])
        if name not in BY_NUMBER + BY_PLACE:
            return super().version(name)
        row = self._quick(
            f'SELECT (SELECT generation FROM "{own}".{META_TABLE} WHERE name = %s), '
            f'(SELECT generation FROM "{nat}".{META_TABLE} WHERE name = %s), '
            f'(SELECT generation FROM "{own}".{META_TABLE} WHERE name = %s), '
            f'(SELECT rows FROM "{own}".{META_TABLE} WHERE name = %s)',
            (name, name, SLICE_OUTLINE, name),
        )
        held = row[0] is not None and int(row[3] or 0) > 0
        if held or row[1] is None:
            return (None if row[0] is None else int(row[0]),)
        token = ("national", int(row[1]))
        return token + (row[2],) if name in BY_PLACE else token

    # -- reading ---------------------------------------------------------------

    def _slice_where(self, name):
        """``(WHERE clause, params)`` selecting the kommune's rows of a layer."""
        if name in BY_NUMBER:
            return "kommunenummer = ANY(%(numbers)s)", {"numbers": self.numbers}
        boundary = self._table_of(SLICE_OUTLINE, "layer")
        if boundary is None:
            return "false", {}
        box = (
            f"(SELECT ST_SetSRID(ST_Expand(ST_Extent(geometry)::geometry, "
            f'{PLACE_MARGIN_DEG}), 4326) FROM "{self.schema}"."{boundary}")'
        )
        return f"geometry && {box}", {}

    def _read(self, name):
        if not self._sliced(name):
            return super()._read(name)
        table = self.national._table_of(name, "layer")
        where, params = self._slice_where(name)
        sql = (
            f'SELECT * FROM "{self.national.schema}"."{table}" WHERE {where} '
            "ORDER BY fid"
        )
        return self._query_layer(name, sql, params or None)

    def read_table(self, name):
        """A plain table of the kommune, else the national schema's."""
        if not self.exists():
            raise StoreError(code="store.missing", params={"path": self.path})
        if self._table_of(name, "table") is None and self._national_has(name):
            return MEMO.get(
                "store.table",
                self,
                name,
                lambda: self.national.read_table(name),
                version=("national", self.national.version(name)[0]),
            )
        return super().read_table(name)

    def _slice_count(self, name):
        table = self.national._table_of(name, "layer")
        where, params = self._slice_where(name)
        sql = f'SELECT count(*) FROM "{self.national.schema}"."{table}" WHERE {where}'
        with _guard(self.url), self.engine().connect() as con:
            return int(con.exec_driver_sql(sql, params or None).scalar())

    def list_layers(self):
        """The kommune's layers and its slices of the national ones."""
        infos = super().list_layers()
        if not self.national.exists():
            return infos
        # An empty placeholder gives way to the national layer's slice.
        infos = [i for i in infos if not self._sliced(i.name)]
        held = {i.name for i in infos}
        for info in self.national.list_layers():
            if info.name in held or info.name not in BY_NUMBER + BY_PLACE:
                continue
            infos.append(
                LayerInfo(
                    info.name,
                    info.source,
                    info.licence,
                    info.as_of,
                    info.demonstration,
                    info.imported_at,
                    self._slice_count(info.name),
                    info.details,
                )
            )
        return sorted(infos, key=lambda i: i.name)

    def row_counts(self):
        """``{layer: rows}`` counted in the database, slices included."""
        out = super().row_counts()
        for name in BY_NUMBER + BY_PLACE:
            if self._sliced(name):
                out[name] = self._slice_count(name)
        return out

    def read_national(self, name):
        """Read a national layer whole (not the kommune's slice)."""
        if name not in SCHEMAS:
            raise StoreError(code="store.unknown_layer", params={"layer": name})
        return self.national.read_layer(name)
