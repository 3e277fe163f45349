"""Each establishment's codes, kept in the store so that no view reads every firm.

The engine needs, per establishment, only a handful of numbers: its place (area
or rest), industry section, size class, jobs, start day and position, and, for the
few it names (top employers, a zoomed-in map), its name and address. Reading the
``establishments`` layer and locating every point costs tens of seconds and about a
gigabyte at a million establishments; these arrays load in well under a second
and take about 60 bytes a firm.

:func:`compute` derives the index from the layer and the areas. :func:`with_index`
adds it, as a plain table, to a ``replace_layers`` call that writes either layer,
so the index and the layers it was computed from are written in the same atomic
step; each of the two layers carries a digest of its content in its metadata
(``details``), and the index the digests it was computed from. :func:`load` reads
the index back and returns it only when both digests still match the layers the
store holds; otherwise (an older store, a writer that did not add it) the caller
computes it from the layers, as before: slower, never different.

Usage::

    from layers import firm_index

    layers = firm_index.with_index(store, {"establishments": (gdf, meta)})
    store.replace_layers(layers)
    index = firm_index.load(store)  # FirmIndex, or None when stale or missing
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from layers.errors import StoreError
from layers.places import locate_xy
from layers.schemas import REST_ID, conform

FORMAT = 1
TABLE = "firm_index"
DIGEST_KEY = "content_digest"
SOURCES = ("establishments", "areas")  # the layers the index is computed from
# Size classes of establishments by employees (SSB's classes): lower bounds.
SIZE_BOUNDS = (0, 1, 5, 10, 20, 50, 100, 250)
UNKNOWN_SECTION = "?"
SECTIONS = (*"ABCDEFGHIJKLMNOPQRSTU", UNKNOWN_SECTION)
ALL_SIZES = (0, len(SIZE_BOUNDS) - 1)  # first and last size class
NO_DAY = np.iinfo(np.int32).min  # start day unknown
_EPOCH = np.datetime64("1970-01-01", "D")
# Array name -> dtype, in the order they are written.
ARRAYS = {
    "place": np.int8,
    "section": np.int8,
    "size": np.int8,
    "jobs": np.int64,
    "estimated": np.bool_,
    "placed": np.bool_,
    "start_day": np.int32,
    "lon": np.float64,
    "lat": np.float64,
    "order": np.int32,
    "standard": np.int8,
    "name_offsets": np.int64,
    "name_bytes": np.uint8,
    "address_offsets": np.int64,
    "address_bytes": np.uint8,
}


def size_class(employees):
    """Return the size class (0-7, see ``SIZE_BOUNDS``) of each employee count."""
    return np.searchsorted(SIZE_BOUNDS, np.asarray(employees), side="right") - 1


class PackedText:
    """Many short strings as one UTF-8 buffer and offsets (no Python object each).

    ``text[k]`` is the k-th string; ``text.take(rows)`` a list of them.
    """

    __slots__ = ("_bytes", "_offsets")

    def __init__(self, data, offsets):
        self._bytes = data
        self._offsets = offsets

    @classmethod
    def pack(cls, values):
        encoded = [("" if v is None else str(v)).encode("utf-8") for v in values]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        return cls(data, offsets)

    def __len__(self):
        return len(self._offsets) - 1

    def __getitem__(self, k):
        k = int(k)
        if k < 0:
            k += len(self)
        start, end = self._offsets[k], self._offsets[k + 1]
        return self._bytes[start:end].tobytes().decode("utf-8")

    def take(self, rows):
        return [self[k] for k in rows]

    @property
    def nbytes(self):
        return int(self._bytes.nbytes + self._offsets.nbytes)


@dataclass(frozen=True)
class FirmIndex:
    """Per establishment (in the layer's row order), read-only arrays.

    ``place`` indexes ``places`` (the areas' ids, then ``rest``), ``section``
    indexes ``SECTIONS``, ``standard`` indexes ``standards`` (-1: none).
    """

    places: tuple
    standards: tuple
    place: np.ndarray
    section: np.ndarray
    size: np.ndarray
    jobs: np.ndarray
    estimated: np.ndarray
    placed: np.ndarray
    start_day: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    order: np.ndarray  # positions, most employees first, ties by name
    standard: np.ndarray
    name: PackedText
    address: PackedText
    digests: tuple = ("", "")  # of the establishments and areas it came from

    def __len__(self):
        return len(self.place)

    def place_codes(self, places):
        """``place`` as codes into ``places`` (another order; unknown ids: -1)."""
        lookup = np.array(
            [places.index(p) if p in places else -1 for p in self.places],
            dtype=np.int8,
        )
        return lookup[self.place] if len(self.places) else self.place.copy()

    def arrays(self):
        """``{name: array}`` as :data:`ARRAYS` names them (text as bytes, offsets)."""
        out = {k: getattr(self, k) for k in ARRAYS if hasattr(self, k)}
        for text in ("name", "address"):
            out[f"{text}_offsets"] = getattr(self, text)._offsets
            out[f"{text}_bytes"] = getattr(self, text)._bytes
        return out

    @property
    def nbytes(self):
        return int(sum(a.nbytes for a in self.arrays().values()))


def compute(establishments, areas, digests=("", "")):
    """Compute the :class:`FirmIndex` of an establishments layer and the areas.

    Parameters
    ----------
    establishments, areas : geopandas.GeoDataFrame
        As the store holds them (conformed to their schemas), EPSG:4326.
    digests : tuple of str
        The layers' :func:`digest`, kept with the index.
    """
    geometry = establishments.geometry
    valid = ~(geometry.isna().to_numpy() | geometry.is_empty.to_numpy())
    lon = np.full(len(establishments), np.nan)
    lat = np.full(len(establishments), np.nan)
    lon[valid] = shapely.get_x(geometry.values[valid])
    lat[valid] = shapely.get_y(geometry.values[valid])
    places = (*[str(a) for a in areas["area_id"]], REST_ID)
    where = locate_xy(lon, lat, areas)
    place = pd.Categorical(where, categories=places).codes.astype(np.int8)
    section = pd.Categorical(
        establishments["nace_section"].where(
            establishments["nace_section"].isin(SECTIONS[:-1]), UNKNOWN_SECTION
        ),
        categories=SECTIONS,
    ).codes.astype(np.int8)
    jobs = establishments["employees"].to_numpy().astype(np.int64)
    start = pd.to_datetime(
        establishments["start_date"], errors="coerce", format="ISO8601"
    )
    days = start.to_numpy(dtype="datetime64[D]")
    known = ~np.isnat(days)
    start_day = np.full(len(days), NO_DAY, dtype=np.int32)
    start_day[known] = (days[known] - _EPOCH).astype(np.int64).astype(np.int32)
    if "nace_standard" in establishments:
        std = establishments["nace_standard"].fillna("").astype(str).to_numpy()
    else:
        std = np.full(len(establishments), "", dtype=object)
    standards = tuple(sorted({s for s in pd.unique(std) if s}))
    named = np.where(std == "", None, std)  # no standard: code -1
    standard = pd.Categorical(named, categories=standards).codes.astype(np.int8)
    estimated = (
        establishments["employees_estimated"].to_numpy().astype(bool)
        if "employees_estimated" in establishments
        else np.zeros(len(establishments), dtype=bool)
    )
    placed = (
        establishments["placed"].to_numpy().astype(bool)
        if "placed" in establishments
        else valid.copy()
    )
    names = establishments["name"].to_numpy(dtype=object)
    return FirmIndex(
        places=places,
        standards=standards,
        place=place,
        section=section,
        size=size_class(jobs).astype(np.int8),
        jobs=jobs,
        estimated=estimated,
        placed=placed,
        start_day=start_day,
        lon=lon,
        lat=lat,
        order=np.lexsort((names.astype(str), -jobs)).astype(np.int32),
        standard=standard,
        name=PackedText.pack(names),
        address=PackedText.pack(establishments["address"].to_numpy(dtype=object)),
        digests=tuple(digests),
    )


def relocate(index, areas, digests):
    """The index with every firm located again in new ``areas`` (no layer read)."""
    places = (*[str(a) for a in areas["area_id"]], REST_ID)
    where = locate_xy(index.lon, index.lat, areas)
    place = pd.Categorical(where, categories=places).codes.astype(np.int8)
    fields = {f: getattr(index, f) for f in index.__dataclass_fields__}
    return FirmIndex(
        **{**fields, "places": places, "place": place, "digests": tuple(digests)}
    )


# --------------------------------------------------------------------------
# Digests: what the index was computed from.
# --------------------------------------------------------------------------


def digest(frame):
    """A digest of a layer's content (every column, geometry as WKB), as text."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{FORMAT}:{len(frame)}".encode())
    geom = frame.geometry.name
    for column in sorted(c for c in frame.columns if c != geom):
        h.update(column.encode("utf-8"))
        values = frame[column].astype(object).where(frame[column].notna(), None)
        h.update(pd.util.hash_pandas_object(values, index=False).to_numpy().tobytes())
    wkb = shapely.to_wkb(frame.geometry.values)
    h.update(b"\0".join(b"" if w is None else w for w in wkb))
    return h.hexdigest()


def stored_digest(store, name):
    """The digest kept in a layer's metadata (``""`` when none or no layer)."""
    try:
        info = store.layer_info(name)
    except StoreError:
        return ""
    try:
        return str(json.loads(info.details or "{}").get(DIGEST_KEY, ""))
    except (ValueError, AttributeError):
        return ""


def _with_digest(meta, value):
    meta = dict(meta)
    meta["details"] = {**dict(meta.get("details") or {}), DIGEST_KEY: value}
    return meta


# --------------------------------------------------------------------------
# Writing and reading the index as a plain table of the store.
# --------------------------------------------------------------------------


def with_index(store, layers):
    """Return ``layers`` (for ``replace_layers``) with the firm index added.

    When ``layers`` writes ``establishments`` or ``areas``, each written one gets
    its :func:`digest` in its metadata and the index is recomputed: from the
    written frames, or, for the layer not written, from the store (the areas are
    re-located from the stored index when it is current, so importing areas does
    not read a million establishments). When neither is written, or the store
    lacks one of them, ``layers`` is returned unchanged (apart from digests).
    """
    if not set(SOURCES) & set(layers):
        return layers
    out = dict(layers)
    frames, digests = {}, {}
    for name in SOURCES:
        if name in layers:
            gdf, meta = layers[name]
            gdf = conform(name, gdf, source=name)
            digests[name] = digest(gdf)
            frames[name] = gdf
            out[name] = (gdf, _with_digest(meta, digests[name]))
        else:
            digests[name] = stored_digest(store, name)
    if "establishments" not in frames:
        old = load(store)
        if old is not None and "areas" in frames:
            index = relocate(old, frames["areas"], _pair(digests))
            out[TABLE] = (to_table(index), {})
            return out
        if not digests["establishments"]:
            return out  # an older store: no index until establishments are written
        frames["establishments"] = _read(store, "establishments")
    if "areas" not in frames:
        frames["areas"] = _read(store, "areas")
        if frames["areas"] is not None and not digests["areas"]:
            # Areas written before digests: written again (small) with theirs.
            digests["areas"] = digest(frames["areas"])
            meta = _stored_meta(store, "areas")
            out["areas"] = (frames["areas"], _with_digest(meta, digests["areas"]))
    if frames["establishments"] is None or frames["areas"] is None:
        return out
    index = compute(frames["establishments"], frames["areas"], _pair(digests))
    out[TABLE] = (to_table(index), {})
    return out


def refresh(store):
    """Compute the index from the store's layers and write it (with the areas).

    For a kommune of a database holding several, after a national import of the
    establishments: its index follows the national layer again. Returns whether
    an index was written.
    """
    areas = _read(store, "areas")
    if areas is None:
        return False
    layers = with_index(store, {"areas": (areas, _stored_meta(store, "areas"))})
    if TABLE not in layers:
        return False
    store.replace_layers(layers)
    return True


def _stored_meta(store, name):
    """A layer's metadata as ``replace_layers`` takes it (to write it again)."""
    meta = store.layer_info(name).to_dict()
    for key in ("name", "rows"):
        meta.pop(key, None)
    return meta


def _pair(digests):
    return (digests["establishments"], digests["areas"])


def _read(store, name):
    try:
        return store.read_layer(name)
    except StoreError:
        return None


def to_table(index):
    """The index as a plain table: one row per array (``name``, ``dtype``, ``data``)."""
    arrays = index.arrays()
    meta = {
        "format": FORMAT,
        "rows": len(index),
        "places": list(index.places),
        "standards": list(index.standards),
        "digests": list(index.digests),
    }
    names = ["meta", *arrays]
    data = [json.dumps(meta).encode("utf-8")]
    data += [
        np.ascontiguousarray(a, dtype=ARRAYS[k]).tobytes() for k, a in arrays.items()
    ]
    return pd.DataFrame({"name": names, "data": data})


def from_table(table):
    """The :class:`FirmIndex` of a table written by :func:`to_table`, or None."""
    if table is None or not len(table):
        return None
    blobs = dict(zip(table["name"], table["data"], strict=True))
    try:
        meta = json.loads(bytes(blobs["meta"]).decode("utf-8"))
    except (KeyError, ValueError):
        return None
    if meta.get("format") != FORMAT or any(k not in blobs for k in ARRAYS):
        return None
    arr = {k: np.frombuffer(blobs[k], dtype=dtype) for k, dtype in ARRAYS.items()}
    n = int(meta["rows"])
    if any(len(arr[k]) != n for k in ("place", "jobs", "lon", "order")):
        return None
    return FirmIndex(
        places=tuple(meta["places"]),
        standards=tuple(meta["standards"]),
        name=PackedText(arr.pop("name_bytes"), arr.pop("name_offsets")),
        address=PackedText(arr.pop("address_bytes"), arr.pop("address_offsets")),
        digests=tuple(meta["digests"]),
        **arr,
    )


def load(store):
    """The store's firm index when it matches the layers it holds, else None."""
    try:
        index = from_table(store.read_table(TABLE))
    except StoreError:
        return None
    if index is None:
        return None
    current = (stored_digest(store, "establishments"), stored_digest(store, "areas"))
    if not all(current) or index.digests != current:
        return None
    try:
        if store.layer_info("establishments").rows != len(index):
            return None  # a writer kept an old digest in new metadata
    except StoreError:
        return None
    return index


# --------------------------------------------------------------------------
# Counts per (place, section, size class): a filter without a pass over every firm.
# --------------------------------------------------------------------------


def filter_masks(sections=None, size=ALL_SIZES):
    """``(section_ok, size_ok)``: booleans over ``SECTIONS`` and the size classes.

    ``sections`` empty or None: every section; ``size``: first and last class.
    """
    lo, hi = size
    size_ok = np.zeros(len(SIZE_BOUNDS), dtype=bool)
    size_ok[lo : hi + 1] = True
    if not sections:
        return np.ones(len(SECTIONS), dtype=bool), size_ok
    chosen = set(sections)
    section_ok = np.fromiter((s in chosen for s in SECTIONS), bool, len(SECTIONS))
    return section_ok, size_ok


@dataclass(frozen=True)
class Cube:
    """Firms, jobs, estimated jobs and new firms per (place, section, size class).

    Axis 0 is the place code (one more slot at the end for a place not among
    the places), axis 1 the section, axis 2 the size class. A filter of
    sections and sizes is then a sum over a few hundred cells.
    """

    count: np.ndarray
    jobs: np.ndarray
    jobs_estimated: np.ndarray
    new: np.ndarray

    def totals(self, place=None, sections=None, size=ALL_SIZES):
        """``{"establishments", "jobs", "jobs_estimated", "new_12m"}`` under a filter.

        ``place``: a place code, or None for every firm.
        """
        section_ok, size_ok = filter_masks(sections, size)
        keep = section_ok[:, None] & size_ok[None, :]
        sl = slice(None) if place is None else slice(place, place + 1)
        return {
            "establishments": int(self.count[sl][:, keep].sum()),
            "jobs": int(self.jobs[sl][:, keep].sum()),
            "jobs_estimated": int(self.jobs_estimated[sl][:, keep].sum()),
            "new_12m": int(self.new[sl][:, keep].sum()),
        }

    def jobs_per_place(self, sections=None, size=ALL_SIZES):
        """Jobs of each place code (the extra slot last) under a filter."""
        section_ok, size_ok = filter_masks(sections, size)
        keep = section_ok[:, None] & size_ok[None, :]
        return self.jobs[:, keep].sum(axis=1)


def cube(place, section, size, jobs, estimated, new, n_places):
    """The :class:`Cube` of per-firm codes (``place`` -1: not among the places)."""
    p = np.where(place < 0, n_places, place).astype(np.int64)
    shape = (n_places + 1, len(SECTIONS), len(SIZE_BOUNDS))
    key = (p * shape[1] + section.astype(np.int64)) * shape[2] + size.astype(np.int64)
    n = shape[0] * shape[1] * shape[2]

    def sums(weights=None):
        out = np.bincount(key, weights=weights, minlength=n)
        return np.rint(out).astype(np.int64).reshape(shape)

    return Cube(
        count=sums(),
        jobs=sums(jobs),
        jobs_estimated=sums(np.where(estimated, jobs, 0)),
        new=sums(new.astype(np.int64)),
    )
