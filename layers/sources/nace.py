"""Industry codes (næringskoder) in SN2025 and SN2007: standard, section, tables.

Brønnøysund serves SN2025 from 2025; older files carry SN2007. The code tables
are data files in ``geodata/`` (``nace_sn2007.csv``, ``nace_sn2025.csv``; what
they are based on and how sure we are: ``geodata/README.md``).
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

__all__ = [
    "DEFAULT_NACE_STANDARD",
    "NACE_STANDARDS",
    "nace_section",
    "nace_standard_of",
    "nace_table",
]

# The two industry standards, each a code table shipped in geodata/ (see its README).
NACE_STANDARDS = ("SN2025", "SN2007")
DEFAULT_NACE_STANDARD = "SN2025"  # what Brønnøysund serves from 2025
_NACE_FILES = {"SN2007": "nace_sn2007.csv", "SN2025": "nace_sn2025.csv"}
_GEODATA = Path(__file__).resolve().parents[2] / "geodata"


@cache
def nace_table(standard):
    """Return the code table of one industry standard, read from ``geodata/``.

    Parameters
    ----------
    standard : {"SN2007", "SN2025"}

    Returns
    -------
    dict
        ``{"divisions": {division: (section, SN2007 section)}, "classes":
        {class: (section, SN2007 section)}, "sections": {letter: English name}}``;
        ``classes`` lists only the classes that exist in this standard and not in
        the other one (they identify the standard of a code).
    """
    if standard not in _NACE_FILES:
        raise ValueError(f"unknown industry standard {standard!r}")
    table = {"divisions": {}, "classes": {}, "sections": {}}
    with open(_GEODATA / _NACE_FILES[standard], encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            level, code = row["level"], row["code"]
            if level == "section":
                table["sections"][code] = row["name_en"]
            else:
                key = "divisions" if level == "division" else "classes"
                table[key][code] = (row["section"], row["sn2007_section"])
    return table


def _code_parts(code):
    text = "" if code is None else str(code).strip()
    division = text[:2]
    if len(division) != 2 or not division.isdigit():
        return None, None
    klass = text[:5] if len(text) >= 5 and text[2] == "." else None
    return division, klass


def nace_standard_of(code):
    """Return the standard an industry code can only belong to, or ``""``.

    A code is SN2007 when its division or class exists only in SN2007 (division
    45, class 62.01, ...), SN2025 when its class exists only in SN2025 (62.10,
    70.20, ...); most codes exist in both and give ``""``.

    Parameters
    ----------
    code : str or None
        Næringskode such as ``"62.100"``.

    Returns
    -------
    str
        ``"SN2007"``, ``"SN2025"`` or ``""`` (either, or not a code).
    """
    division, klass = _code_parts(code)
    if division is None:
        return ""
    old, new = nace_table("SN2007"), nace_table("SN2025")
    if division in old["divisions"] and division not in new["divisions"]:
        return "SN2007"
    if klass in old["classes"]:
        return "SN2007"
    if klass in new["classes"]:
        return "SN2025"
    return ""


def nace_section(code, standard="SN2007", *, frame="SN2007"):
    """Return the section letter of an industry code.

    Parameters
    ----------
    code : str or None
        Næringskode such as ``"47.111"`` or ``"47"``.
    standard : {"SN2007", "SN2025"}
        The standard the code is written in.
    frame : {"SN2007", "SN2025"} or None
        The standard whose section letters are returned. ``"SN2007"`` (default)
        gives the sections the dashboard shows for every record, whatever its
        standard: an SN2025 code lands in the SN2007 section of the same activity
        (SN2025 J and K are SN2007 J, SN2025 L is SN2007 K, ...). ``None`` or the
        code's own standard gives the letter in that standard.

    Returns
    -------
    str
        The section letter; ``""`` for a missing or unknown code (e.g.
        ``"00.000"``, uoppgitt).
    """
    division, klass = _code_parts(code)
    if division is None:
        return ""
    table = nace_table(standard)
    own = frame is None or frame == standard
    if klass in table["classes"]:
        return table["classes"][klass][0 if own else 1]
    entry = table["divisions"].get(division)
    if entry is None:
        return ""
    if own:
        return entry[0]
    if frame != "SN2007":
        raise ValueError("SN2007 codes can only be given SN2007 sections")
    return entry[1]
