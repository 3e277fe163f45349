"""Read-only per-process frames, and the one per-store-version memo every cache uses.

Workers share no memory, so each process keeps its own copies of what it has read
or computed. Everything derived from the store is memoised in :data:`MEMO` under a
namespace and key, together with the version of the store it was computed from
(``store.version()``, or the versions of the layers it depends on). A new store
version recomputes the entry on the next call; the memo is bounded in (estimated)
bytes and drops the least recently used entries first.

Values in the memo are shared between callers and threads: never modify them
(copy first).

Usage::

    from layers.frames import MEMO, frame

    gdf = frame(store, "areas")                       # a layer, read once per version
    rows = MEMO.get("stats", store, "rows", lambda: compute(store))
    fig = MEMO.get("map", store, (area, lang), build, layers=("areas", "premises"))
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict

import numpy as np
import pandas as pd

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
# Bytes counted for a geometry beyond its coordinates (shapely object, GEOS).
_GEOMETRY_OVERHEAD = 120
# Containers deeper than this, or longer, are estimated from a sample.
_SAMPLE = 1000


def nbytes(value, _depth=0):
    """Estimate the memory a value holds, in bytes.

    Exact enough to bound a cache: frames count their arrays (object columns
    deeply), geometries their coordinates, containers their items (sampled when
    long).

    Parameters
    ----------
    value : object

    Returns
    -------
    int
    """
    if value is None or isinstance(value, (bool, int, float)):
        return 32
    if isinstance(value, (str, bytes, bytearray)):
        return sys.getsizeof(value)
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return value.nbytes + _sampled(list(value.ravel()), _depth)
        return int(value.nbytes)
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return _frame_bytes(value)
    if isinstance(value, dict):
        items = list(value.items())
        return sys.getsizeof(value) + _sampled(items, _depth)
    if isinstance(value, (list, tuple, set, frozenset)):
        return sys.getsizeof(value) + _sampled(list(value), _depth)
    own = getattr(value, "nbytes", None)
    if isinstance(own, int):  # a value that counts itself (firm_index.PackedText)
        return own
    fields = getattr(value, "__dataclass_fields__", None)
    if fields is not None and _depth < 4:
        return 64 + sum(nbytes(getattr(value, f), _depth + 1) for f in fields)
    if hasattr(value, "geom_type"):
        return _geometry_bytes([value])
    return sys.getsizeof(value)


def _sampled(items, depth):
    if not items or depth > 6:
        return 0
    sample = items[:_SAMPLE]
    total = sum(nbytes(v, depth + 1) for v in sample)
    return int(total * len(items) / len(sample))


def _geometry_bytes(geoms):
    import shapely

    arr = np.asarray(geoms, dtype=object)
    coords = int(shapely.get_num_coordinates(arr).sum())
    return coords * 16 + len(arr) * _GEOMETRY_OVERHEAD


def _frame_bytes(obj):
    frame = obj.to_frame() if isinstance(obj, pd.Series) else obj
    total = 0
    for _name, col in frame.items():
        if str(col.dtype) == "geometry":
            total += _geometry_bytes(col.array)
        elif col.dtype == object and len(col) > _SAMPLE:
            # Deep sizes of a sample, scaled: exact sizes of a million strings
            # would cost more than the value is worth.
            sample = col.iloc[:_SAMPLE].memory_usage(index=False, deep=True)
            total += int(sample * len(col) / _SAMPLE)
        else:
            total += int(col.memory_usage(index=False, deep=col.dtype == object))
    return total + int(frame.index.memory_usage())


def store_key(store):
    """Return the identity of a store for the memo (its path, or its URL)."""
    key = getattr(store, "key", None)
    if callable(key):
        return key()
    return str(getattr(store, "path", store))


def store_version(store, layers=None):
    """Return the version token of a store, or of the given layers only.

    Parameters
    ----------
    store : layers.store.Store
    layers : iterable of str, optional
        Layer names; without them, the version of the whole store.

    Returns
    -------
    hashable
    """
    if layers is None:
        return store.version()
    return tuple(store.version(name) for name in layers)


class Memo:
    """Values computed from a store, one per (namespace, store, key), kept per version.

    Parameters
    ----------
    max_bytes : int
        Bound of the estimated size of all values (:func:`nbytes`). The least
        recently used entries are dropped first. A single value larger than the
        bound is kept alone (the others are dropped), so it is not rebuilt per call.
    """

    def __init__(self, max_bytes=DEFAULT_MAX_BYTES):
        self.max_bytes = int(max_bytes)
        self._entries = OrderedDict()  # (ns, store, key) -> (version, value, bytes)
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(
        self, namespace, store, key, build, *, version=None, layers=None, limit=None
    ):
        """Return the memoised value, or ``build()`` when missing or stale.

        Parameters
        ----------
        namespace : str
            Who caches (``"stats"``, ``"map.context"`` …): keys of different
            namespaces never collide.
        store : layers.store.Store or str
            The store the value comes from (its path identifies it).
        key : hashable
            What was computed (arguments: area, filters, language …).
        build : callable
            ``build() -> value``, called without the memo's lock.
        version : hashable, optional
            The version the value depends on. Default: ``store_version(store,
            layers)``.
        layers : iterable of str, optional
            The layers the value depends on (default: the whole store).
        limit : int, optional
            The most entries this namespace may keep (its least recently used
            are dropped first), on top of the bound in bytes.

        Returns
        -------
        object
            Shared and read-only.
        """
        if version is None:
            version = store_version(store, layers)
        full = (namespace, store_key(store), key)
        with self._lock:
            hit = self._entries.get(full)
            if hit is not None and hit[0] == version:
                self._entries.move_to_end(full)
                self.hits += 1
                return hit[1]
            self.misses += 1
        value = build()
        self.put(namespace, store, key, value, version=version, limit=limit)
        return value

    def put(self, namespace, store, key, value, *, version, limit=None):
        """Keep ``value`` for ``version`` (replacing any older version's)."""
        size = nbytes(value)
        full = (namespace, store_key(store), key)
        with self._lock:
            old = self._entries.pop(full, None)
            if old is not None:
                self._bytes -= old[2]
            self._entries[full] = (version, value, size)
            self._bytes += size
            while self._bytes > self.max_bytes and len(self._entries) > 1:
                _k, (_v, _value, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped
            if limit is not None:
                mine = [k for k in self._entries if k[0] == namespace]
                for old_key in mine[: max(0, len(mine) - int(limit))]:
                    self._bytes -= self._entries.pop(old_key)[2]

    def clear(self, namespace=None):
        """Drop every entry, or those of one namespace."""
        with self._lock:
            if namespace is None:
                self._entries.clear()
                self._bytes = 0
                return
            for full in [k for k in self._entries if k[0] == namespace]:
                self._bytes -= self._entries.pop(full)[2]

    def stats(self):
        """Return ``{"entries", "bytes", "max_bytes", "hits", "misses"}``."""
        with self._lock:
            return {
                "entries": len(self._entries),
                "bytes": self._bytes,
                "max_bytes": self.max_bytes,
                "hits": self.hits,
                "misses": self.misses,
            }

    def __len__(self):
        return len(self._entries)


MEMO = Memo()


def memoised(namespace, store, key, build, *, layers=None):
    """Shorthand for ``MEMO.get(namespace, store, key, build, layers=layers)``."""
    return MEMO.get(namespace, store, key, build, layers=layers)


def frame(store, name):
    """Return a layer of the store, read once per layer version (shared, read-only).

    Parameters
    ----------
    store : layers.store.Store
    name : str

    Returns
    -------
    geopandas.GeoDataFrame
    """
    return store.read_layer(name)
