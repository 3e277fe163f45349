"""The store: one small interface over the layers and side tables, and its backends.

``open_store()`` returns the store named by the argument, ``$DATABASE_URL``,
``$NARING_STORE`` or ``instance/store.gpkg``: a ``postgresql://`` URL opens a
:class:`~layers.store.postgis.PostGISStore`, anything else a
:class:`~layers.store.gpkg.GeoPackageStore` (both implement
:mod:`layers.store.base`).

A layer import validates everything first and replaces the layers in one atomic
step; side tables are read and written through :func:`reading` and
:func:`writing`. The functions below call the store's methods of the same name.
"""

from __future__ import annotations

import os
from pathlib import Path

from layers.store.base import (
    LayerInfo,
    Store,
    reading,
    require_store,
    table_exists,
    timestamp,
    writing,
)
from layers.store.gpkg import FIXED_GPKG_DATE, META_TABLE, GeoPackageStore
from layers.store.national import KommuneStore, kommune_stores, open_postgis
from layers.store.postgis import PostGISStore, is_url

DEFAULT_STORE = Path("instance") / "store.gpkg"
STORE_ENV = "NARING_STORE"
DATABASE_ENV = "DATABASE_URL"

__all__ = [
    "DEFAULT_STORE",
    "FIXED_GPKG_DATE",
    "META_TABLE",
    "STORE_ENV",
    "GeoPackageStore",
    "KommuneStore",
    "PostGISStore",
    "is_url",
    "LayerInfo",
    "Store",
    "layer_info",
    "list_layers",
    "kommune_stores",
    "open_national",
    "open_store",
    "read_layer",
    "read_table",
    "reading",
    "replace_layers",
    "require_store",
    "store_path",
    "table_exists",
    "timestamp",
    "version",
    "writing",
]


def store_path(path=None):
    """Resolve the store's locator: the argument, ``$DATABASE_URL``,
    ``$NARING_STORE`` or the default (a URL stays a string, a file is a Path)."""
    locator = path or os.environ.get(DATABASE_ENV) or os.environ.get(STORE_ENV)
    if not locator:
        return DEFAULT_STORE
    return str(locator) if is_url(str(locator)) else Path(locator)


def open_store(path=None, *, kommune=None):
    """Open the store named by ``path``, ``$DATABASE_URL``, ``$NARING_STORE`` or
    the default.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A GeoPackage file, or a ``postgresql://`` URL.
    kommune : str, optional
        On PostGIS: open this kommune's slice of a database of several kommuner
        (default ``?kommune=`` in the URL, then ``$NARING_KOMMUNE``; see
        :mod:`layers.store.national`). A GeoPackage holds one kommune: ignored.

    Returns
    -------
    GeoPackageStore, PostGISStore or KommuneStore
    """
    locator = store_path(path)
    if isinstance(locator, str):
        return open_postgis(locator, kommune)
    return GeoPackageStore(locator)


def open_national(path=None):
    """Open the national store of ``path`` for a national import (``--kommune all``).

    A PostGIS database's national schema is set up (its migrations applied) when
    new; a GeoPackage must exist, as for any import.
    """
    store = open_store(path, kommune="all")
    if isinstance(store, PostGISStore) and not store.exists():
        store.upgrade()
    require_store(store)
    return store


def read_layer(store, name):
    """Return layer ``name`` of ``store`` (shared, read-only; see the store)."""
    return store.read_layer(name)


def read_table(store, name):
    """A plain table written alongside the layers, or None (``Store.read_table``)."""
    return store.read_table(name)


def replace_layers(store, layers, *, reproducible=False):
    """Replace layers of ``store`` in one atomic step; return their LayerInfo."""
    return store.replace_layers(layers, reproducible=reproducible)


def list_layers(store):
    """Return the :class:`LayerInfo` of every layer of ``store``, sorted by name."""
    return store.list_layers()


def layer_info(store, name):
    """Return the :class:`LayerInfo` of layer ``name`` of ``store``."""
    return store.layer_info(name)


def version(store, name=None):
    """Return the version token of ``store`` (or of one layer)."""
    return store.version(name)
