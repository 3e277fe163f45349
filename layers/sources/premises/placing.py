"""Placing listings by their address with the store's address register."""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from layers.errors import InputError
from layers.schemas import (
    CRS,
)
from layers.sources.premises.values import _show


def split_address(text):
    """Split an address line into the street part and a postcode.

    Parameters
    ----------
    text : str
        E.g. "Skårersletta 12B, 1473 Lørenskog" or "Skårersletta 12B".

    Returns
    -------
    tuple of str
        ("Skårersletta 12B", "1473"); the postcode is "" when none is given.
    """
    text = text.strip()
    street, comma, rest = text.partition(",")
    if comma:
        postcode = re.search(r"\b(\d{4})\b", rest)
        return street.strip(), postcode.group(1) if postcode else ""
    match = re.fullmatch(r"(.+?)\s+(\d{4})\s+\D.*", text)
    return (match.group(1), match.group(2)) if match else (text, "")


def _geocode(addresses, register):
    """Return (lon, lat) or None for each address, placed with the register."""
    from layers.sources import addresses as address_register

    if not isinstance(register, gpd.GeoDataFrame):
        register = address_register.read_addresses(register)
    streets, postcodes = zip(*map(split_address, addresses), strict=True)
    frame = pd.DataFrame({"street": list(streets), "postcode": list(postcodes)})
    found = address_register.geocode(
        frame, register, street_col="street", postcode_col="postcode"
    )
    crs = getattr(found, "crs", None) or register.crs or CRS
    geoms = [
        g if isinstance(g, BaseGeometry) and not g.is_empty else None for g in found
    ]
    points = gpd.GeoSeries(geoms, crs=crs).to_crs(CRS)
    # 6 decimals (about 0.1 m), as the register's form shows and saves them, so a
    # listing placed by address is unchanged when it is saved from the form.
    return [
        None if g is None else (round(g.centroid.x, 6), round(g.centroid.y, 6))
        for g in points
    ]


def place_addresses(addresses, register):
    """Place address lines with an address register: what "Finn adressen" needs.

    Parameters
    ----------
    addresses : list of str
        Address lines as typed ("Skårersletta 12B, 1473 Lørenskog").
    register : geopandas.GeoDataFrame or str or pathlib.Path
        The store's ``addresses`` layer, or a Kartverket address file.

    Returns
    -------
    list of (float, float) or None
        ``(lon, lat)`` in EPSG:4326 (6 decimals) per line; None when the address
        is not in the register or is ambiguous.
    """
    if not addresses:
        return []
    return _geocode(list(addresses), register)


def _place_by_address(pending, register, columns, source):
    """Place rows (number, address); return ({number: point}, errors)."""
    if not pending:
        return {}, []
    points = _geocode([a for _, a in pending], register)
    placed, errors = {}, []
    for (number, address), point in zip(pending, points, strict=True):
        if point is None:
            errors.append(
                InputError(
                    code="premises.address_not_found",
                    params={"address": _show(address)},
                    file=source,
                    row=number,
                    field=columns["address"],
                )
            )
        else:
            placed[number] = point
    return placed, errors
