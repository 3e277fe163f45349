"""Street keys: free-text addresses as keys of the official address register.

:func:`normalise_street` folds a street name to the key Kartverket's register and
Brønnøysund's addresses share; :func:`parse_address_line` splits a free-text line
into street, number and letter. Split from :mod:`layers.sources.addresses`
(reading the register, geocoding), which re-exports these functions.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

# Letters kept as they are by normalise_street; other accented letters are folded.
_KEEP = frozenset("æøå")
_FOLD = {"ä": "æ", "ö": "ø", "ß": "ss"}

_ABBREVIATIONS = (
    (re.compile(r"gt\b\.?"), "gata"),  # "Storgt." -> "storgata"
    (re.compile(r"(?<!a)vn\b\.?"), "veien"),  # "Solheimvn." (not "havn", "navn")
    (re.compile(r"\bv\.|(?<=\w)v\.(?!\w)"), "veien"),  # "Solheimv." -> "veien"
)
_SUFFIXES = (
    (re.compile(r"(?:veien|vegen|veg|vei)$"), "veien"),
    (re.compile(r"(?:gaten|gata|gate)$"), "gata"),
)
_WORD = re.compile(r"[^\W_]+")

# One address segment: street text, house number, optional single letter. Segments
# are separated by commas, semicolons or newlines; the first one with a number wins.
_LINE_PATTERN = (
    r"(?:^|[,;\n])\s*"
    r"(?P<street>[^,;\n]*?[^\W\d_][^,;\n]*?)"
    r"\s+(?P<number>\d{1,5})"
    r"(?:\s?(?P<letter>[^\W\d_]))?"
    r"(?!\w)"
)
_LINE_RE = re.compile(_LINE_PATTERN)
_POSTBOX_RE = re.compile(r"^(?:postboks|post\s+boks|postb|pb|boks)\.?$", re.IGNORECASE)


def _fold_char(c):
    if c in _KEEP:
        return c
    if c in _FOLD:
        return _FOLD[c]
    base = unicodedata.normalize("NFKD", c)
    return "".join(ch for ch in base if not unicodedata.combining(ch))


def normalise_street(s):
    """Return a match key for a street name.

    Rules, in order:

    * case-insensitive (``casefold``);
    * Norwegian ``æ``, ``ø`` and ``å`` are kept distinct (``Bø`` is not ``Bo``),
      ``ä`` is read as ``æ`` and ``ö`` as ``ø``; all other accents are dropped
      (``é`` -> ``e``, ``ü`` -> ``u``);
    * abbreviations: ``gt``/``gt.`` -> ``gata``, ``vn``/``vn.`` and ``v.`` ->
      ``veien`` (``vn`` after an ``a`` is left alone: ``havn``, ``navn``);
    * word endings ``vei``/``veg``/``vegen``/``veien`` all become ``veien``,
      ``gate``/``gaten``/``gata`` become ``gata``;
    * whitespace, hyphens, dots and other punctuation are removed entirely, so
      ``Karl Johans gate`` and ``Karl-Johans-gate`` give the same key.

    Parameters
    ----------
    s : str or None
        Street name as written.

    Returns
    -------
    str
        The key; ``""`` for a missing or empty name.
    """
    if s is None or (isinstance(s, float) and np.isnan(s)):
        return ""
    text = unicodedata.normalize("NFC", str(s)).casefold()
    text = "".join(_fold_char(c) for c in text)
    for pattern, repl in _ABBREVIATIONS:
        text = pattern.sub(repl, text)
    words = _WORD.findall(text)
    for pattern, repl in _SUFFIXES:
        words = [pattern.sub(repl, w) for w in words]
    return "".join(words)


def parse_address_line(text):
    """Split an address line into street, house number and letter.

    The line may hold several segments separated by commas, semicolons or
    newlines (``"c/o Firma AS, Skårersletta 12B"``, ``"Hasselveien 6, 2. etg"``);
    the first segment of the form *street number [letter]* is used. Post boxes
    (``"Postboks 304"``) are not street addresses.

    Parameters
    ----------
    text : str or None
        Address line as written.

    Returns
    -------
    tuple of (str, int or None, str)
        Street, number and upper-case letter (``""`` if none). If no street
        address is found the street is the stripped text and the number ``None``.
    """
    raw = "" if text is None else str(text)
    match = _LINE_RE.search(raw)
    if match is None or _POSTBOX_RE.match(match["street"].strip()):
        return raw.strip(), None, ""
    letter = (match["letter"] or "").upper()
    return match["street"].strip(), int(match["number"]), letter


def parse_address_lines(lines):
    """Vectorised :func:`parse_address_line` over a Series of address lines.

    Parameters
    ----------
    lines : pandas.Series
        Address lines (missing values allowed).

    Returns
    -------
    pandas.DataFrame
        Same index, columns ``street`` (str), ``number`` (nullable ``Int64``,
        missing when no street address was found) and ``letter`` (str, upper case,
        ``""`` if none).
    """
    text = lines.astype(object).where(lines.notna(), "").map(str).astype("str")
    parts = text.str.extract(_LINE_PATTERN)
    street = parts["street"].fillna("").str.strip()
    number = pd.to_numeric(parts["number"], errors="coerce").astype("Int64")
    postbox = street.str.match(_POSTBOX_RE.pattern, case=False).fillna(False)
    number = number.mask(postbox.to_numpy(dtype=bool))
    street = street.where(number.notna(), text.str.strip())
    letter = parts["letter"].fillna("").str.upper().where(number.notna(), "")
    return pd.DataFrame(
        {"street": street, "number": number, "letter": letter}, index=lines.index
    )


def _street_keys(streets):
    """Normalise a Series of street names, computing each distinct name once."""
    values = streets.astype(object).where(streets.notna(), "")
    uniques = pd.unique(values.to_numpy())
    mapping = {u: normalise_street(u) for u in uniques}
    return values.map(mapping).astype("str")


def _postcodes(series):
    """Four-digit zero-padded postcodes as strings; ``""`` when missing."""
    text = series.astype(object).where(series.notna(), "").map(str).str.strip()
    text = text.str.replace(r"\.0$", "", regex=True)
    return text.where(text == "", text.str.zfill(4)).astype("str")
