"""The store: one small interface over the layers and side tables, and its backends.

``open_store()`` returns the store named by the argument, ``$NARING_STORE`` or
``instance/store.gpkg``: a :class:`~layers.store.gpkg.GeoPackageStore` (the only
backend today; a PostGIS one, selected by ``DATABASE_URL``, implements the same
interface, :mod:`layers.store.base`).

A layer import validates everything first and replaces the layers in one atomic
step; side tables are read and written through :func:`reading` and
:func:`writing`. The functions below call the store's methods of the same name.
"""

from __future__ import annotations

import os
from pathlib import Path

from layers.errors import StoreError
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

DEFAULT_STORE = Path("instance") / "store.gpkg"
STORE_ENV = "NARING_STORE"

__all__ = [
    "DEFAULT_STORE",
    "FIXED_GPKG_DATE",
    "META_TABLE",
    "STORE_ENV",
    "GeoPackageStore",
    "LayerInfo",
    "Store",
    "layer_info",
    "list_layers",
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
    """Resolve the store's path: the argument, ``$NARING_STORE`` or the default."""
    if path:
        return Path(path)
    env = os.environ.get(STORE_ENV)
    return Path(env) if env else DEFAULT_STORE


def open_store(path=None):
    """Open the store named by ``path``, ``$NARING_STORE`` or the default.

    Parameters
    ----------
    path : str or pathlib.Path, optional

    Returns
    -------
    GeoPackageStore
    """
    if os.environ.get("DATABASE_URL") and not path:
        raise StoreError(code="store.database_url")
    return GeoPackageStore(store_path(path))


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
