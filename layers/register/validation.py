"""Checking listings: form values, the point against the municipality, status changes."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
from shapely.geometry import Point

from layers.errors import InputError
from layers.limits import MAX_RENT_NOK_M2_YEAR, MAX_SIZE_M2, MAX_TEXT, MAX_URL
from layers.register.tables import BOUNDARY_TOLERANCE_M, _today
from layers.schemas import (
    CRS,
    METRIC_CRS,
    PREMISES_STATUSES,
    check_lonlat,
)
from layers.sources.premises import (
    check_url,
    clean_text,
    normalise_status,
    normalise_type,
    parse_amount,
    parse_date,
    parse_number,
)

# Status -> statuses it may change to. A listing is reserved before it is let;
# reserved or let premises can become available again (deal fell through,
# tenant left); any listing can be withdrawn, and a withdrawn one re-listed.
TRANSITIONS = {
    "ledig": ("reservert", "trukket"),
    "reservert": ("ledig", "utleid", "trukket"),
    "utleid": ("ledig", "trukket"),
    "trukket": ("ledig",),
}


class FormErrors(InputError):
    """One or more form fields are wrong; nothing has been written.

    Parameters
    ----------
    errors : dict
        ``{field: InputError}`` (or ``{field: message}``), every wrong field at once.

    Attributes
    ----------
    errors : dict
        ``{field: message}`` (English). ``field`` (from :class:`InputError`) is the
        first wrong field.
    causes : dict
        ``{field: InputError}``: each field's error, with its code and params (an
        error given as a message has code None).
    """

    def __init__(self, errors):
        self.causes = {
            f: e if isinstance(e, InputError) else InputError(str(e), field=f)
            for f, e in dict(errors).items()
        }
        self.errors = {f: e.message for f, e in self.causes.items()}
        message = "; ".join(f"{f}: {m}" for f, m in self.errors.items())
        super().__init__(message, field=next(iter(self.errors), None))

    def __str__(self):
        return self.message


def _text(value, *, what, required=False, limit=MAX_TEXT):
    text = clean_text(value)
    if required and not text:
        raise InputError(code="value.required", params={"what": what})
    if len(text) > limit:
        raise InputError(
            code="value.too_long", params={"what": what, "n": len(text), "limit": limit}
        )
    return text


def _number(value, *, what, high, unit, required):
    # One parser for the form and the import: "1.850,-", "kr 1 850", "1850 kr/m²".
    number = parse_amount(value)
    if number is None:
        if required:
            raise InputError(code="value.required", params={"what": what})
        return None
    if not math.isfinite(number) or number <= 0:
        raise InputError(
            code="value.not_positive", params={"what": what, "value": number}
        )
    if number > high:
        raise InputError(
            code="value.implausible",
            params={"what": what, "value": number, "limit": high, "unit": unit},
        )
    return number


def _coordinate(value, *, what):
    number = parse_number(value)
    if number is None:
        raise InputError(code="value.required", params={"what": what})
    return number


def _url(value):
    text = check_url(value)
    if len(text) > MAX_URL:
        raise InputError(
            code="value.too_long",
            params={"what": "link", "n": len(text), "limit": MAX_URL},
        )
    return text


def _status(value):
    if not clean_text(value):
        raise InputError(
            code="premises.status_required",
            params={"choices": ", ".join(PREMISES_STATUSES)},
        )
    return normalise_status(value)


def _field_checks(today):
    return {
        "title": lambda v: _text(v, what="title", required=True),
        "address": lambda v: _text(v, what="address"),
        "type": normalise_type,
        "size_m2": lambda v: _number(
            v, what="size", high=MAX_SIZE_M2, unit="m²", required=True
        ),
        "rent_nok_m2_year": lambda v: _number(
            v, what="rent", high=MAX_RENT_NOK_M2_YEAR, unit="NOK/m²/yr", required=False
        ),
        "available_from": lambda v: parse_date(v, today=today),
        "status": _status,
        "contact": lambda v: _text(v, what="contact"),
        "url": _url,
        "lat": lambda v: _coordinate(v, what="latitude"),
        "lon": lambda v: _coordinate(v, what="longitude"),
    }


def check_inside(lon, lat, boundary, *, tolerance_m=BOUNDARY_TOLERANCE_M):
    """Check that a point lies inside the municipality, within a tolerance.

    Parameters
    ----------
    lon, lat : float
        Degrees, EPSG:4326.
    boundary : geopandas.GeoDataFrame
        The municipality's (generalised) boundary.
    tolerance_m : float
        Distance outside the boundary still accepted, in metres (EPSG:25833).

    Raises
    ------
    InputError
        The point lies farther outside.
    """
    shape = boundary.to_crs(METRIC_CRS).union_all()
    point = gpd.GeoSeries([Point(lon, lat)], crs=CRS).to_crs(METRIC_CRS).iloc[0]
    distance = shape.distance(point)
    if distance > tolerance_m:
        raise InputError(
            code="point.outside_municipality", params={"distance": round(distance)}
        )


def check_all_inside(gdf, boundary, *, source=None, tolerance_m=BOUNDARY_TOLERANCE_M):
    """Check that every listing of ``gdf`` lies inside the municipality (vectorised).

    Raises
    ------
    InputError
        Naming the first listing (1-based row) that lies farther outside.
    """
    if len(gdf) == 0:
        return
    shape = boundary.to_crs(METRIC_CRS).union_all()
    distance = gdf.geometry.to_crs(METRIC_CRS).distance(shape).to_numpy()
    far = np.flatnonzero(distance > tolerance_m)
    if len(far):
        k = int(far[0])
        raise InputError(
            code="listing.outside_municipality",
            params={"distance": round(float(distance[k]))},
            file=None if source is None else str(source),
            row=k + 1,
            field="lat/lon",
        )


def validate_listing(values, *, boundary=None, today=None):
    """Check and normalise the fields of a listing entered in a form.

    Parameters
    ----------
    values : dict
        Field -> value as entered (text or numbers); keys are ``FORM_FIELDS``,
        other keys are ignored, a missing key counts as empty. Type and status
        accept the synonyms of ``layers.sources.premises`` (case-insensitive).
        ``available_from`` accepts ``YYYY-MM-DD`` or ``DD.MM.YYYY``; empty or
        "umiddelbart" mean ``today``. Rent may be empty.
    boundary : geopandas.GeoDataFrame, optional
        The municipality; when given, the point must lie inside it (with a
        ``BOUNDARY_TOLERANCE_M`` margin).
    today : datetime.date, optional
        Default: today in Oslo.

    Returns
    -------
    dict
        ``FORM_FIELDS`` -> normalised value: text stripped (otherwise verbatim),
        numbers as float (rent None when empty), the date as ``YYYY-MM-DD``.

    Raises
    ------
    FormErrors
        With a message for every wrong field. A coordinate pair that is wrong as
        a pair (swapped, outside Norway or the municipality) is reported under
        both ``lat`` and ``lon``.
    """
    checks = _field_checks(today or _today())
    out, errors = {}, {}
    for field, check in checks.items():
        try:
            out[field] = check(values.get(field))
        except InputError as exc:
            errors[field] = exc
    if "lat" not in errors and "lon" not in errors:
        try:
            check_lonlat(out["lon"], out["lat"])
            if boundary is not None:
                check_inside(out["lon"], out["lat"], boundary)
        except InputError as exc:
            errors["lat"] = errors["lon"] = exc
    if errors:
        raise FormErrors(errors)
    return out


def check_transition(old, new):
    """Check that a listing may change status from ``old`` to ``new``.

    Parameters
    ----------
    old, new : str
        Statuses of ``PREMISES_STATUSES``; see ``TRANSITIONS``.

    Raises
    ------
    FormErrors
        Under ``status``, naming the statuses allowed from ``old``.
    """
    allowed = TRANSITIONS.get(old, PREMISES_STATUSES)
    if new == old:
        raise FormErrors(
            {"status": InputError(code="listing.same_status", params={"status": old})}
        )
    if new not in allowed:
        params = {"old": old, "new": new, "allowed": ", ".join(allowed)}
        raise FormErrors(
            {"status": InputError(code="listing.transition", params=params)}
        )


def _check_user(user):
    if not isinstance(user, str) or not user.strip():
        raise InputError(code="listing.no_user", field="user")
    return user.strip()
