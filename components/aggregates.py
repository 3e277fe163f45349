"""Moved: the per-area engine is ``layers/aggregates.py`` (reach it through data.py).

This module only re-exports it, for the panels not yet switched to
``components.data`` (``data.frames()``, ``data.figures()``); delete it when none
imports it any more.
"""

from __future__ import annotations

from layers.aggregates import *  # noqa: F403
from layers.aggregates import build_frames
from layers.frames import MEMO


def frames(version, read_layer, as_of=""):
    """The :class:`Frames` of a store version (old signature; see ``data.frames``)."""

    def build():
        return build_frames(
            read_layer("areas"),
            read_layer("establishments"),
            read_layer("premises"),
            read_layer("transit_stops"),
            as_of=as_of,
            boundary=read_layer("boundary"),
        )

    return MEMO.get("aggregates.frames", str(version[0]), as_of, build, version=version)
