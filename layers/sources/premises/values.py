"""Type and status words, text, links and ids of premises listings."""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from urllib.parse import urlsplit

from layers import limits
from layers.errors import InputError
from layers.schemas import (
    PREMISES_STATUSES,
    PREMISES_TYPES,
)

# Canonical value -> synonyms, "|"-separated, compared after _key().
_TYPE_SYNONYMS = {
    "kontor": "kontor|kontorer|kontorlokale|kontorlokaler|kontorbygg|office|offices",
    "lager/logistikk": "lager|lagerlokale|lagerbygg|logistikk|warehouse|storage|"
    "logistics|warehouse/logistics|lager og logistikk",
    "handel": "handel|butikk|butikklokale|forretning|forretningslokale|detaljhandel|"
    "retail|shop|store",
    "industri": "industri|produksjon|verksted|industrial|industry|production|"
    "manufacturing|workshop",
    "servering": "servering|restaurant|kafé|kafe|kantine|café|cafe|hospitality|"
    "food and drink",
    "helse/lab": "helse|lab|laboratorium|klinikk|legekontor|health|healthcare|"
    "laboratory|medical|clinic|health/lab",
    "kombinert": "kombinert|kombinasjon|kombinasjonsbygg|flerbruk|mixed|mixed use|"
    "mixed-use|combined",
    "annet": "annet|andre|diverse|other|misc",
}
_STATUS_SYNONYMS = {
    "ledig": "ledig|tilgjengelig|available|vacant|free|to let",
    "reservert": "reservert|under forhandling|reserved|pending|under offer",
    "utleid": "utleid|leid ut|let|leased|rented|occupied",
    "trukket": "trukket|trukket tilbake|withdrawn|off market|off-market",
}


def _synonyms(table):
    pairs = {word: t for t, words in table.items() for word in words.split("|")}
    return {**pairs, **{t: t for t in table}}


TYPE_SYNONYMS = _synonyms(_TYPE_SYNONYMS)
STATUS_SYNONYMS = _synonyms(_STATUS_SYNONYMS)

RENT_ON_REQUEST = frozenset(
    ("etter avtale", "på forespørsel", "ta kontakt", "on request", "negotiable")
)
_EMPTY_MARKS = frozenset(("-", "–", "—"))
# C0 and C1 controls except tab, LF, CR; bidirectional embedding/override/isolate.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)


def _key(value):
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    return " ".join(text.casefold().split())


def normalise_type(value):
    """Map a premises type, or a synonym of one, to ``schemas.PREMISES_TYPES``.

    Case-insensitive. Norwegian and English synonyms are accepted ("lager" and
    "warehouse" give "lager/logistikk", "butikk" gives "handel"). Several types
    joined by "/", "+", "&", "," or "og"/"and" give "kombinert" ("kontor/lager"),
    or the one type they all mean ("lager og logistikk").

    Parameters
    ----------
    value : str
        The type as written.

    Returns
    -------
    str

    Raises
    ------
    InputError
        The value is empty or not a known type.
    """
    key = _key(value)
    if key in TYPE_SYNONYMS:
        return TYPE_SYNONYMS[key]
    parts = [p for p in re.split(r"\s*(?:[/+&,]|\bog\b|\band\b)\s*", key) if p]
    found = {TYPE_SYNONYMS.get(p) for p in parts}
    if len(parts) > 1 and None not in found:
        return found.pop() if len(found) == 1 else "kombinert"
    choices = ", ".join(PREMISES_TYPES)
    if not key:
        raise InputError(code="premises.type_empty", params={"choices": choices})
    raise InputError(
        code="premises.type_unknown", params={"got": _show(value), "choices": choices}
    )


def normalise_status(value):
    """Map a listing status to ``schemas.PREMISES_STATUSES``.

    Parameters
    ----------
    value : str or None
        ledig, reservert, utleid or trukket, or English available, reserved, let
        (leased, rented) or withdrawn; case-insensitive. Empty means "ledig".

    Returns
    -------
    str

    Raises
    ------
    InputError
        The value is not a known status.
    """
    key = _key(value)
    if not key:
        return "ledig"
    if key in STATUS_SYNONYMS:
        return STATUS_SYNONYMS[key]
    raise InputError(
        code="premises.status_unknown",
        params={"got": _show(value), "choices": ", ".join(PREMISES_STATUSES)},
    )


def clean_text(value):
    """Return a text field stripped of surrounding whitespace.

    Parameters
    ----------
    value : object
        The cell value; None and NaN give "", whole floats are written without
        ".0" (spreadsheet numbers such as phone numbers).

    Returns
    -------
    str

    Raises
    ------
    InputError
        The text holds a control character (other than tab or a line break) or a
        bidirectional override character.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    bad = _FORBIDDEN.search(text)
    if bad:
        raise InputError(
            code="value.control_character",
            params={"char": f"U+{ord(bad.group()):04X}"},
        )
    return text


def check_url(value):
    """Return a cleaned link, allowing only absolute ``http``/``https`` URLs.

    Parameters
    ----------
    value : str or None
        The link; empty is allowed and gives "".

    Returns
    -------
    str

    Raises
    ------
    InputError
        The link has another scheme (javascript:, data:, ftp: …), no host, or
        contains whitespace.
    """
    text = bounded_text(value, "link", limits.MAX_URL)
    if not text:
        return ""
    parts = urlsplit(text)
    if re.search(r"\s", text) or parts.scheme.lower() not in ("http", "https"):
        raise InputError(code="link.scheme", params={"got": _show(text)})
    if not parts.hostname:
        raise InputError(code="link.no_host", params={"got": _show(text)})
    return text


def _show(value, limit=60):
    text = repr(value if not isinstance(value, str) else value.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def premises_id(title, address):
    """Return the stable id of a listing without one: 12 hex chars of a SHA-1.

    Parameters
    ----------
    title, address : str
        Compared case-insensitively, with whitespace collapsed.

    Returns
    -------
    str
    """
    data = f"{_key(title)}\n{_key(address)}".encode()
    return hashlib.sha1(data).hexdigest()[:12]


def bounded_text(value, what, limit=limits.MAX_TEXT):
    """:func:`clean_text`, refused past ``limit`` characters (the register's)."""
    text = clean_text(value)
    if len(text) > limit:
        raise InputError(
            code="value.too_long", params={"what": what, "n": len(text), "limit": limit}
        )
    return text
