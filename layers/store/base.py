"""What every store backend offers, and the plumbing shared by all of them.

A store holds named layers (GeoDataFrames checked against ``layers.schemas``) and
side tables (the register's listings, accounts …) that their owners create and
read through :func:`reading` and :func:`writing`. The interface is small so that
a PostGIS backend can implement it next to the GeoPackage one:

``exists()``, ``read_layer(name)``, ``replace_layers({name: (gdf, meta)})``,
``list_layers()``, ``layer_info(name)``, ``version(name=None)``, ``key()``,
``recover()``, ``write_lock()``, ``connect(readonly=True)``, ``transaction()``
(a write transaction: commit at the end, roll back on error, writers serialised),
``snapshot()`` (a consistent read-only connection) and ``read_table(name)`` (a
plain DataFrame that ``replace_layers`` was given instead of a GeoDataFrame).

Side-table SQL is written once for both backends: ``?`` parameters, standard SQL,
rows addressable by name and position. Only the DDL differs: SQLite tables are
created by their owners' ``ensure_schema``; PostGIS tables by the migrations in
``layers/store/migrations/``.

The store knows no layer by name. A layer kept in side tables and edited in place
(an *overlay*, such as the premises register) is declared in
``layers.schemas.OVERLAYS`` with the module that reads it; that module provides
``overlay_layer(store)`` and ``overlay_info(store)``, each returning None when it
holds nothing (then the stored layer is used).
"""

from __future__ import annotations

import contextlib
import importlib
import json
from collections.abc import Hashable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Protocol

from layers.errors import StoreError
from layers.schemas import OVERLAYS


class Store(Protocol):
    """The interface every backend implements (see the module's docstring)."""

    def exists(self) -> bool: ...
    def key(self) -> str: ...
    def version(self, name: str | None = None) -> Hashable: ...
    def read_layer(self, name: str): ...
    def replace_layers(self, layers: dict, *, reproducible: bool = False): ...
    def list_layers(self) -> list[LayerInfo]: ...
    def layer_info(self, name: str) -> LayerInfo: ...
    def recover(self) -> None: ...
    def write_lock(self): ...
    def connect(self, *, readonly: bool = True): ...
    def transaction(self): ...
    def snapshot(self): ...
    def read_table(self, name: str): ...


@dataclass(frozen=True)
class LayerInfo:
    """Where a layer's data comes from and how old it is."""

    name: str
    source: str
    licence: str
    as_of: str
    demonstration: bool
    imported_at: str
    rows: int
    details: str = "{}"

    def to_dict(self):
        """Return the info as a plain dict (details parsed from JSON)."""
        d = asdict(self)
        d["details"] = json.loads(self.details or "{}")
        return d


def overlay(name):
    """Return the module that keeps layer ``name`` in side tables, or None."""
    module = OVERLAYS.get(name)
    return None if module is None else importlib.import_module(module)


def timestamp(now=None):
    """Return ``now`` (default: the current time) as ``YYYY-MM-DDTHH:MM:SSZ``.

    Parameters
    ----------
    now : datetime.datetime, optional
        Naive values are taken as UTC.

    Returns
    -------
    str
    """
    now = datetime.now(UTC) if now is None else now
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def require_store(store):
    """Raise :class:`~layers.errors.StoreError` when the store does not exist."""
    if not store.exists():
        raise StoreError(code="store.not_built", params={"path": str(store.path)})


@contextlib.contextmanager
def writing(store, schema=None):
    """Context manager: one write transaction on the store, under its write lock.

    Commits when the block ends, rolls back on any exception (the backend's
    ``transaction()``).

    Parameters
    ----------
    store : Store
    schema : callable, optional
        Called with the connection inside the transaction to create side tables
        (SQLite). Skipped on a backend whose connection says ``migrated`` (PostGIS:
        its tables come from migrations).

    Yields
    ------
    DB-API connection
        ``execute(sql, params)`` with ``?`` parameters; rows addressable by column
        name and by position.
    """
    require_store(store)
    with store.transaction() as con:
        if schema is not None and not getattr(con, "migrated", False):
            schema(con)
        yield con


@contextlib.contextmanager
def reading(store):
    """Context manager: a read-only connection to the store (rows by column name).

    Parameters
    ----------
    store : Store

    Yields
    ------
    DB-API connection
    """
    require_store(store)
    with store.snapshot() as con:
        yield con


def table_exists(con, name):
    """Return True when side table ``name`` exists in the connected store."""
    probe = getattr(con, "table_exists", None)
    if probe is not None:
        return probe(name)
    row = con.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


def info_from_meta(name, frame, meta):
    """The :class:`LayerInfo` of a layer written from ``frame`` with ``meta``.

    Parameters
    ----------
    name : str
    frame : pandas.DataFrame
    meta : dict
        ``source``, ``licence``, ``as_of``, ``demonstration``, ``imported_at``,
        ``details`` (all optional).

    Returns
    -------
    LayerInfo
    """
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


# The metadata columns as both backends keep them (META_TABLE), in this order.
INFO_COLUMNS = "name, source, licence, as_of, demonstration, imported_at, rows, details"


def info_from_row(row):
    """The :class:`LayerInfo` of a metadata row (:data:`INFO_COLUMNS`)."""
    r = row
    return LayerInfo(r[0], r[1], r[2], r[3], bool(r[4]), r[5], int(r[6]), r[7])


class StoreBase:
    """What the backends share: reading through the memo, overlays, layer infos.

    A backend provides ``exists()``, ``recover()``, ``read_stored(name)``, ``path``
    and ``_stored_infos()`` (the :class:`LayerInfo` of its stored layers).
    """

    def read_layer(self, name):
        """Read one layer, checked against its schema (cached per layer version).

        The frame is shared: callers must not modify it (copy first).

        Parameters
        ----------
        name : str
            A key of ``layers.schemas.SCHEMAS``.

        Returns
        -------
        geopandas.GeoDataFrame
        """
        from layers.frames import MEMO
        from layers.schemas import SCHEMAS

        if name not in SCHEMAS:
            raise StoreError(code="store.unknown_layer", params={"layer": name})
        if not self.exists():
            raise StoreError(code="store.missing", params={"path": str(self.path)})
        self.recover()
        return MEMO.get(
            "store.layer", self, name, lambda: self._read(name), layers=(name,)
        )

    def _read(self, name):
        if name in OVERLAYS:
            gdf = overlay(name).overlay_layer(self)
            if gdf is not None:
                return gdf
        return self.read_stored(name)

    def list_layers(self):
        """Return a list of :class:`LayerInfo`, one per stored layer, sorted by name.

        An overlay that holds rows (the register) gives its own info.
        """
        if not self.exists():
            raise StoreError(code="store.missing", params={"path": str(self.path)})
        infos = self._stored_infos()
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
            code="store.no_layer", params={"path": str(self.path), "layer": name}
        )
