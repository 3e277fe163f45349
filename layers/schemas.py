"""Schemas of the store's layers, checked when a layer is loaded and when it is imported.

Every layer is a GeoDataFrame in EPSG:4326. Distances, areas and buffers are computed
in EPSG:25833 (UTM 33N). Dates are ISO strings (``YYYY-MM-DD``), timestamps ISO
strings in UTC (``YYYY-MM-DDTHH:MM:SSZ``), so that they survive every backend unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.errors import InputError

CRS = "EPSG:4326"
METRIC_CRS = "EPSG:25833"

REST_ID = "rest"
TOTAL_ID = "total"


class _AreaIds(Sequence):
    """The business areas' ids of the kommune this process serves, in display order.

    A read-only sequence that follows ``layers.kommune.active()`` (Lørenskog's six
    areas by default), so that ``from layers.schemas import AREA_IDS`` keeps working
    while the areas are configuration. ``with_rest`` appends ``rest``.
    """

    def __init__(self, *, with_rest=False):
        self._with_rest = with_rest

    def _ids(self):
        from layers import kommune

        ids = kommune.active().areas
        return (*ids, REST_ID) if self._with_rest else tuple(ids)

    def __getitem__(self, index):
        return self._ids()[index]

    def __len__(self):
        return len(self._ids())

    def __contains__(self, value):
        return value in self._ids()

    def __iter__(self):
        return iter(self._ids())

    def __eq__(self, other):
        return tuple(self) == tuple(other) if isinstance(other, Sequence) else False

    def __hash__(self):
        return hash(self._ids())

    def __repr__(self):
        return repr(self._ids())


AREA_IDS = _AreaIds()
# The areas and then the rest of the kommune (the places a point can lie in).
AREA_PLACES = _AreaIds(with_rest=True)

PREMISES_TYPES = (
    "kontor",
    "lager/logistikk",
    "handel",
    "industri",
    "servering",
    "helse/lab",
    "kombinert",
    "annet",
)
PREMISES_STATUSES = ("ledig", "reservert", "utleid", "trukket")

# Column -> kind. Kinds: "str" (object, missing allowed as ""), "int", "float"
# (NaN allowed), "bool". Geometry kinds are listed in GEOMETRY.
SCHEMAS: dict[str, dict[str, str]] = {
    "boundary": {"kommunenummer": "str", "kommunenavn": "str"},
    "neighbours": {"kommunenummer": "str", "kommunenavn": "str"},
    "areas": {
        "area_id": "str",
        "name": "str",
        "description_nb": "str",
        "description_en": "str",
        "ambition_nb": "str",
        "ambition_en": "str",
        "indicative": "bool",
    },
    "landmarks": {"name": "str", "confidence": "str", "source": "str"},
    "establishments": {
        "orgnr": "str",
        "name": "str",
        "parent_orgnr": "str",
        "nace": "str",
        "nace_section": "str",
        "nace_standard": "str",
        "employees": "int",
        "employees_estimated": "bool",
        "org_form": "str",
        "start_date": "str",
        "address": "str",
        "postcode": "str",
        "kommunenummer": "str",
        "placed": "bool",
    },
    "transit_stops": {
        "stop_id": "str",
        "name": "str",
        "lines": "str",
        "departures_peak_hour": "float",
        "departures_day": "int",
    },
    "transit_lines": {
        "route_id": "str",
        "short_name": "str",
        "long_name": "str",
        "route_type": "int",
        "color": "str",
    },
    "addresses": {
        "street": "str",
        "number": "int",
        "letter": "str",
        "postcode": "str",
        "kommunenummer": "str",
        "key": "str",
    },
    "premises": {
        "premises_id": "str",
        "title": "str",
        "address": "str",
        "type": "str",
        "size_m2": "float",
        "rent_nok_m2_year": "float",
        "available_from": "str",
        "status": "str",
        "contact": "str",
        "url": "str",
        "updated_at": "str",
    },
}

GEOMETRY: dict[str, tuple[str, ...]] = {
    "boundary": ("Polygon", "MultiPolygon"),
    "neighbours": ("Polygon", "MultiPolygon"),
    "areas": ("Polygon", "MultiPolygon"),
    "landmarks": ("Point",),
    "establishments": ("Point",),  # null geometry allowed: unplaced
    "transit_stops": ("Point",),
    "transit_lines": ("LineString", "MultiLineString"),
    "addresses": ("Point",),
    "premises": ("Point",),
}

NULL_GEOMETRY_ALLOWED = {"establishments"}

# Layers kept in side tables of the store and edited in place, with the module
# that reads them (``overlay_layer(store)``, ``overlay_info(store)``).
OVERLAYS: dict[str, str] = {"premises": "layers.register"}

# A database holding several kommuner (layers/store/national.py): the national
# layers a kommune reads as its slice, by kommunenummer or by place (near the
# outline of the kommune's own layer SLICE_OUTLINE).
SLICED_BY_NUMBER = ("establishments", "addresses")
SLICED_BY_PLACE = ("transit_stops", "transit_lines")
SLICE_OUTLINE = "boundary"

# Columns added to a schema after stores were built without them: a layer that
# lacks one gets this value (so an older store still loads).
DEFAULTS: dict[str, dict[str, object]] = {
    "establishments": {"employees_estimated": False, "nace_standard": ""},
}

# Norway's mainland with a margin, lon/lat.
NORWAY_BOUNDS = (4.0, 57.5, 31.5, 71.5)


def empty_layer(name):
    """Return an empty GeoDataFrame with the columns of layer ``name``.

    Parameters
    ----------
    name : str
        Layer name, a key of ``SCHEMAS``.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    cols = {c: pd.Series(dtype=_dtype(k)) for c, k in SCHEMAS[name].items()}
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)


def _dtype(kind):
    return {"str": str, "int": "int64", "float": "float64", "bool": bool}[kind]


def conform(name, gdf, *, source="layer"):
    """Check ``gdf`` against the schema of layer ``name`` and return a conformed copy.

    Columns are put in schema order with the schema's dtypes; extra columns are
    dropped; a column of ``DEFAULTS`` that is missing gets its default. The input
    is not changed.

    Parameters
    ----------
    name : str
        Layer name, a key of ``SCHEMAS``.
    gdf : geopandas.GeoDataFrame
        Frame to check. Must have a CRS; it is converted to EPSG:4326.
    source : str
        Name used in error messages (a file name or ``layer``).

    Returns
    -------
    geopandas.GeoDataFrame

    Raises
    ------
    InputError
        A column is missing, a value has the wrong type, or a geometry is of the
        wrong kind or lies outside Norway.
    """
    schema = SCHEMAS[name]
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InputError(
            code="schema.not_geodataframe", params={"layer": name}, file=source
        )
    defaults = DEFAULTS.get(name, {})
    missing = [c for c in schema if c not in gdf.columns and c not in defaults]
    if missing:
        raise InputError(
            code="schema.missing_columns",
            params={"layer": name, "columns": ", ".join(missing)},
            file=source,
            field=missing[0],
        )
    if gdf.crs is None:
        raise InputError(code="schema.no_crs", params={"layer": name}, file=source)
    out = gdf.to_crs(CRS) if gdf.crs != CRS else gdf.copy()
    for col, value in defaults.items():
        if col not in out.columns:
            out[col] = value
    data = {}
    for col, kind in schema.items():
        data[col] = _coerce(out[col], kind, name=name, col=col, source=source)
    geom = out.geometry
    _check_geometry(name, geom, source=source)
    res = gpd.GeoDataFrame(data, geometry=geom.values, crs=CRS, index=out.index)
    return res.reset_index(drop=True)


def _coerce(series, kind, *, name, col, source):
    if kind == "str":
        return series.astype(object).where(series.notna(), "").map(str).astype(str)
    if kind == "bool":
        if series.dtype == bool:
            return series
        bad = ~series.isin([True, False, 0, 1])
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
            raise InputError(code="value.bool", file=source, row=row, field=col)
        return series.astype(bool)
    num = pd.to_numeric(series, errors="coerce")
    bad = num.isna() & series.notna() & (series.astype(str).str.strip() != "")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        raise InputError(
            code="value.number",
            params={"got": repr(str(series.iloc[row - 1]))},
            file=source,
            row=row,
            field=col,
        )
    if kind == "int":
        if num.isna().any():
            row = int(np.flatnonzero(num.isna().to_numpy())[0]) + 1
            raise InputError(
                code="value.whole_number_required", file=source, row=row, field=col
            )
        if not np.all(np.equal(np.mod(num.to_numpy(dtype=float), 1), 0)):
            row = int(np.flatnonzero(np.mod(num.to_numpy(dtype=float), 1) != 0)[0]) + 1
            raise InputError(code="value.whole_number", file=source, row=row, field=col)
        return num.astype("int64")
    return num.astype("float64")


def _check_geometry(name, geom, *, source):
    allowed = GEOMETRY[name]
    isnull = geom.isna() | geom.is_empty
    if isnull.any() and name not in NULL_GEOMETRY_ALLOWED:
        row = int(np.flatnonzero(isnull.to_numpy())[0]) + 1
        raise InputError(
            code="schema.no_geometry", file=source, row=row, field="geometry"
        )
    types = geom[~isnull].geom_type
    wrong = ~types.isin(allowed)
    if wrong.any():
        pos = types.index[wrong][0]
        row = int(geom.index.get_loc(pos)) + 1
        raise InputError(
            code="schema.geometry_kind",
            params={"kind": types[pos], "expected": " or ".join(allowed)},
            file=source,
            row=row,
            field="geometry",
        )
    if not isnull.all():
        b = geom[~isnull].bounds
        minx, miny, maxx, maxy = NORWAY_BOUNDS
        outside = (b.minx < minx) | (b.maxx > maxx) | (b.miny < miny) | (b.maxy > maxy)
        if name in ("neighbours",):
            outside[:] = False
        if outside.any():
            pos = b.index[outside][0]
            row = int(geom.index.get_loc(pos)) + 1
            raise InputError(
                code="schema.outside_norway", file=source, row=row, field="geometry"
            )


def check_lonlat(lon, lat, *, source=None, row=None, field="lat/lon"):
    """Check one WGS84 coordinate pair and explain what looks wrong.

    Parameters
    ----------
    lon, lat : float
        Longitude and latitude in degrees.
    source, row, field
        Where the value came from, for the message.

    Raises
    ------
    InputError
        The pair is not finite, looks projected (metres), looks swapped, or lies
        outside Norway.
    """
    if lon is None or lat is None or not (math.isfinite(lon) and math.isfinite(lat)):
        raise InputError(code="coordinate.missing", file=source, row=row, field=field)
    minx, miny, maxx, maxy = NORWAY_BOUNDS
    if abs(lon) > 180 or abs(lat) > 90:
        raise InputError(
            code="coordinate.projected",
            params={"lat": lat, "lon": lon},
            file=source,
            row=row,
            field=field,
        )
    if minx <= lat <= maxx and miny <= lon <= maxy and not (miny <= lat <= maxy):
        raise InputError(
            code="coordinate.swapped",
            params={"lat": lat, "lon": lon},
            file=source,
            row=row,
            field=field,
        )
    if not (minx <= lon <= maxx and miny <= lat <= maxy):
        raise InputError(
            code="coordinate.outside_norway",
            params={"lat": lat, "lon": lon},
            file=source,
            row=row,
            field=field,
        )
