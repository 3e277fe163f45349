"""Moved: the per-area engine is ``layers/aggregates.py`` (reach it through data.py).

This module only re-exports it, for the panels not yet switched to
``components.data`` (``data.frames()``, ``data.figures()``); delete it when none
imports it any more.
"""

from __future__ import annotations

from layers import aggregates as _engine
from layers.aggregates import *  # noqa: F403
from layers.store import open_store


def frames(version, read_layer=None, as_of=None):
    """The engine's frames of the store a version names (old signature).

    ``version`` is ``data.version()``: ``(store path, stamp)``. The frames are the
    ones ``data.frames()`` returns (one memo entry per store version);
    ``read_layer`` and ``as_of`` are no longer needed.
    """
    return _engine.frames(open_store(version[0]))
