"""The per-store-version memo every cache uses (layers.frames)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from layers.frames import Memo, nbytes


class FakeStore:
    """A store stand-in whose version the test sets."""

    def __init__(self, path, version=1):
        self.path = path
        self.v = version

    def version(self, name=None):
        return (self.v, name)


def test_memo_builds_once_per_version():
    """A value is built once per store version and rebuilt when it changes."""
    memo, store, calls = Memo(), FakeStore("/a.gpkg"), []

    def build():
        calls.append(1)
        return len(calls)

    assert [memo.get("ns", store, "k", build) for _ in range(3)] == [1, 1, 1]
    store.v = 2
    assert memo.get("ns", store, "k", build) == 2
    assert memo.stats()["entries"] == 1


def test_memo_keys_namespaces_and_stores_apart():
    """Equal keys in other namespaces or stores are other entries."""
    memo = Memo()
    a, b = FakeStore("/a.gpkg"), FakeStore("/b.gpkg")
    memo.get("one", a, "k", lambda: "a1")
    assert memo.get("two", a, "k", lambda: "a2") == "a2"
    assert memo.get("one", b, "k", lambda: "b1") == "b1"
    assert memo.get("one", a, "k", lambda: "again") == "a1"


def test_memo_layer_versions():
    """A value that depends on some layers keys on those layers' versions."""
    memo, store = Memo(), FakeStore("/a.gpkg")
    memo.get("ns", store, "k", lambda: 1, layers=("areas",))
    assert memo.get("ns", store, "k", lambda: 2, layers=("areas",)) == 1
    assert memo.get("ns", store, "k", lambda: 3, layers=("areas", "premises")) == 3


def test_memo_is_bounded_in_bytes():
    """The least recently used entries go when the bound is passed."""
    memo, store = Memo(max_bytes=3 * 8000 + 100), FakeStore("/a.gpkg")
    for i in range(5):
        memo.get("ns", store, i, lambda: np.zeros(1000))
    stats = memo.stats()
    assert stats["entries"] == 3 and stats["bytes"] <= stats["max_bytes"]
    built = []
    memo.get("ns", store, 0, lambda: built.append(0) or np.zeros(1000))
    assert built == [0]


def test_memo_keeps_a_value_over_the_bound_alone():
    """A single value bigger than the bound is kept, and only it."""
    memo, store = Memo(max_bytes=100), FakeStore("/a")
    memo.get("ns", store, "small", lambda: 1)
    value = memo.get("ns", store, "k", lambda: np.zeros(1000))
    assert len(value) == 1000 and len(memo) == 1
    assert memo.get("ns", store, "k", lambda: None) is value


def test_memo_clear_one_namespace():
    """clear(namespace) leaves the other namespaces."""
    memo, store = Memo(), FakeStore("/a")
    memo.get("a", store, 1, lambda: 1)
    memo.get("b", store, 1, lambda: 2)
    memo.clear("a")
    assert len(memo) == 1 and memo.get("b", store, 1, lambda: 3) == 2


def test_nbytes_counts_frames_deeply():
    """Object columns count their strings; numbers their arrays."""
    small = pd.DataFrame({"x": np.zeros(10)})
    big = pd.DataFrame({"x": np.zeros(10), "s": ["x" * 1000] * 10})
    assert nbytes(big) > nbytes(small) + 9000
