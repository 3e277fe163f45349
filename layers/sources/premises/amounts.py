"""Numbers, amounts and dates as Norwegian spreadsheets write them.

Shared with the in-app register form (one parser for form and import)."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime

from layers.errors import InputError
from layers.sources.premises.values import _show

IMMEDIATE_WORDS = frozenset(
    ("umiddelbart", "straks", "snarest", "nå", "omgående", "immediately", "now")
)

_EMPTY_MARKS = frozenset(("-", "–", "—"))

_NUMBER = re.compile(r"\d+|\d{1,3}(?:(?P<sep>[ .,'])\d{3})(?:(?P=sep)\d{3})*")
_ISO_DATE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::[\d.]+)?Z?)?"
)
_NO_DATE = re.compile(
    r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)


# --------------------------------------------------------------------------
# Value parsers, shared with the in-app register form.
# --------------------------------------------------------------------------


def parse_number(value):
    """Parse a number as Norwegian (and English) spreadsheets write it.

    Decimal comma or point; spaces, non-breaking spaces, dots, commas or
    apostrophes as thousands separators in groups of three ("1 250,5", "1.250,5",
    "1,250.5" and "1250.5" all give 1250.5). A single separator is the decimal
    separator ("1,250" is 1.25, "1.250" is 1.25). A trailing ",-" is ignored.

    Parameters
    ----------
    value : str, int, float or None
        The text or a number already read from a spreadsheet.

    Returns
    -------
    float or None
        None when the value is empty (blank, NaN or a dash).

    Raises
    ------
    InputError
        The text is not a number.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise InputError(code="value.number", params={"got": repr(value)})
    if isinstance(value, (int, float)):
        return None if math.isnan(value) else float(value)
    text = re.sub(r"\s+", " ", str(value)).strip().replace("\u2212", "-")
    if text in _EMPTY_MARKS or not text:
        return None
    body = text.removesuffix(",-").removesuffix(".-").strip()
    sign = body[:1] if body[:1] in "+-" else ""
    body = body[len(sign) :].strip()
    decimal = _decimal_separator(body)
    whole, frac = body.rsplit(decimal, 1) if decimal else (body, "0")
    whole_ok = _NUMBER.fullmatch(whole) if whole else frac
    if not (whole_ok and frac.isdigit()):
        raise InputError(code="value.number", params={"got": _show(value)})
    return float(f"{sign}{re.sub(r'[^0-9]', '', whole) or 0}.{frac}")


_UNIT_WORDS = re.compile(
    r"(?i)\b(?:nok|kr|kroner)\b\.?|,-|\.-|(?:per|pr\.?)\s*(?:m2|m²|kvm|år|aar|year)\b"
    r"|/\s*(?:m2|m²|kvm|år|aar|year|mnd|måned)\b|\b(?:m2|m²|kvm|sqm)\b|m²"
    r"|\b(?:eks|ekskl|inkl)\.?\s*mva\b"
)
_THOUSANDS_ONLY = re.compile(r"\d{1,3}(?:[. ]\d{3})+")


def parse_amount(value):
    """Parse a rent or a size as people write them in a broker's list.

    Currency and units around the number are dropped ("kr 1 850",
    "1850 kr/m²", "1.850,-", "250 m²"), and a dot or space before exactly three
    digits is a thousands separator, the Norwegian way: "1.850" and "12.500" are
    1 850 and 12 500 (plain :func:`parse_number` reads "1.850" as 1.85, which is
    right for coordinates but not for rents). A comma is the decimal separator
    ("1 250,5" is 1 250.5).

    Parameters
    ----------
    value : str, int, float or None

    Returns
    -------
    float or None
        None when the value is empty.

    Raises
    ------
    InputError
        The text is not a number.
    """
    if value is None or isinstance(value, (int, float)) and not isinstance(value, bool):
        return parse_number(value)
    text = re.sub(r"\s+", " ", str(value)).strip()
    body = _UNIT_WORDS.sub(" ", text)
    body = re.sub(r"\s+", " ", body).strip().rstrip("/").strip()
    if body and _THOUSANDS_ONLY.fullmatch(body):
        return float(re.sub(r"[. ]", "", body))
    if not body and text:
        raise InputError(code="value.number", params={"got": _show(value)})
    return parse_number(body)


def _decimal_separator(body):
    if "," in body and "." in body:
        return "," if body.rfind(",") > body.rfind(".") else "."
    for sep in ",.":
        if body.count(sep) == 1:
            return sep
    return None


def parse_date(value, *, today):
    """Parse an availability date.

    Parameters
    ----------
    value : str, datetime.date, datetime.datetime, int, float or None
        ``YYYY-MM-DD`` (a time part is ignored), ``DD.MM.YYYY``, a date or an Excel
        day number. Empty, "umiddelbart", "straks" (and English "immediately",
        "now") mean ``today``.
    today : datetime.date
        The date used for "now".

    Returns
    -------
    str
        ISO date ``YYYY-MM-DD``.

    Raises
    ------
    InputError
        The value is not a date or its year is outside 1900-2100.
    """
    if isinstance(value, datetime):
        return _checked_date(value.date(), value)
    if isinstance(value, date):
        return _checked_date(value, value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if math.isnan(value):
            return today.isoformat()
        return _checked_date(_from_excel(value).date(), value)
    text = "" if value is None else str(value).strip()
    if not text or text.casefold().rstrip(".!") in IMMEDIATE_WORDS:
        return today.isoformat()
    iso, nor = _ISO_DATE.fullmatch(text), _NO_DATE.fullmatch(text)
    try:
        if iso:
            day = date(*(int(x) for x in iso.groups()))
        elif nor:
            d, m, y = (int(x) for x in nor.groups()[:3])
            day = date(y, m, d)
        else:
            raise ValueError(text)
    except ValueError:
        raise InputError(code="value.date", params={"got": _show(value)}) from None
    return _checked_date(day, value)


def _checked_date(day, value):
    if not 1900 <= day.year <= 2100:
        raise InputError(code="value.date_year", params={"got": _show(value)})
    return day.isoformat()


def _from_excel(serial):
    from openpyxl.utils.datetime import from_excel

    if not 1 <= serial < 2_958_466:
        raise InputError(code="value.excel_date", params={"got": repr(serial)})
    return from_excel(serial)


def parse_timestamp(value, *, now):
    """Parse an "updated" value to an ISO UTC timestamp.

    Parameters
    ----------
    value : str, datetime.date, datetime.datetime, int, float or None
        An ISO date or date-time, ``DD.MM.YYYY [HH:MM[:SS]]``, a date or an Excel
        date. Empty means ``now``. Naive values are taken as UTC.
    now : datetime.datetime
        Timezone-aware time used when the value is empty.

    Returns
    -------
    str
        ``YYYY-MM-DDTHH:MM:SSZ``.

    Raises
    ------
    InputError
        The value is not a date or time.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return _iso_utc(now)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = now if math.isnan(value) else _from_excel(value)
    if isinstance(value, datetime):
        return _iso_utc(value)
    if isinstance(value, date):
        return _iso_utc(datetime(value.year, value.month, value.day))
    text = str(value).strip()
    nor = _NO_DATE.fullmatch(text)
    try:
        if nor:
            d, m, y, hh, mm, ss = (int(x or 0) for x in nor.groups())
            stamp = datetime(y, m, d, hh, mm, ss)
        else:
            stamp = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(code="value.timestamp", params={"got": _show(value)}) from None
    _checked_date(stamp.date(), value)
    return _iso_utc(stamp)


def _iso_utc(stamp):
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
