"""All user-facing text, Norwegian bokmål by default and English, and number formats.

Strings live in the modules of this package, one dict per part of the UI, merged
here: ``t("key", lang)``. A key missing in English falls back to bokmål; a key
missing altogether raises, so a typo cannot pass silently.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from components.i18n import exports as exports_text
from components.i18n import finder as finder_text
from components.i18n import map as map_text
from components.i18n import plural as plural_text
from components.i18n import presentation as presentation_text
from components.i18n import register as register_text
from components.i18n import security as security_text
from components.i18n import shell

LANGS = ("nb", "en")
DEFAULT_LANG = "nb"
NBSP = "\u00a0"

STRINGS: dict[str, dict[str, str]] = {}
for _part in (
    shell,
    map_text,
    presentation_text,
    register_text,
    finder_text,
    exports_text,
    security_text,
):
    _dup = set(STRINGS) & set(_part.STRINGS)
    if _dup:
        raise RuntimeError(f"duplicate i18n keys: {sorted(_dup)}")
    STRINGS.update(_part.STRINGS)


def lang_or_default(lang):
    """Return ``lang`` if it is a supported language, else the default (bokmål)."""
    return lang if lang in LANGS else DEFAULT_LANG


def t(key, lang=DEFAULT_LANG, **fmt):
    """Return the text for ``key`` in ``lang``, formatted with ``fmt``.

    Parameters
    ----------
    key : str
    lang : str
        ``nb`` or ``en``.
    **fmt
        Values for ``str.format`` placeholders.

    Returns
    -------
    str
    """
    entry = STRINGS[key]
    text = entry.get(lang_or_default(lang)) or entry[DEFAULT_LANG]
    if "{kommune" in text or "{areas_n" in text:
        text = _kommune_text(text, lang_or_default(lang))
    return text.format(**fmt) if fmt else text


_NUMBER_WORDS = {
    "nb": (
        "null",
        "ett",
        "to",
        "tre",
        "fire",
        "fem",
        "seks",
        "sju",
        "åtte",
        "ni",
        "ti",
    ),
    "en": (
        "no",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
    ),
}


def _kommune_text(text, lang):
    """Fill in the kommune this process serves (``layers.kommune``): its name, and
    the number of its business areas as a word (``seks``/``six``) or digits."""
    from layers import kommune

    k = kommune.active()
    n = len(k.areas)
    words = _NUMBER_WORDS[lang]
    word = words[n] if n < len(words) else str(n)
    text = text.replace("{kommune}", k.name)
    text = text.replace("{areas_n}", word)
    return text.replace("{areas_N}", word[:1].upper() + word[1:])


def plural(n, noun, lang=DEFAULT_LANG):
    """The ``noun`` (a key of ``plural.NOUNS``) in the number that ``n`` asks for.

    ``n`` of 1 or -1 gives the singular; anything else (0, 2, None) the plural.
    """
    one, many = plural_text.NOUNS[noun][lang_or_default(lang)]
    try:
        single = abs(float(n)) == 1
    except (TypeError, ValueError):
        single = False
    return one if single else many


def fmt_count(n, noun, lang=DEFAULT_LANG):
    """A whole number with its noun: ``1 linje``, ``2 linjer``, ``1 line``."""
    return f"{fmt_int(n, lang)} {plural(n, noun, lang)}"


def fmt_num(value, decimals=0, lang=DEFAULT_LANG):
    """Format a number the Norwegian way: ``24 892``, ``1 250,5`` (English: ``24,892``).

    Missing values (None, NaN) give an en dash.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang_or_default(lang) == "nb":
        return text.replace(",", NBSP).replace(".", ",")
    return text


def fmt_int(value, lang=DEFAULT_LANG):
    """Format a whole number: ``24 892``."""
    return fmt_num(value, 0, lang)


def fmt_m2(value, lang=DEFAULT_LANG, decimals=0):
    """Format an area in square metres: ``1 250,5 m²``."""
    text = fmt_num(value, decimals, lang)
    return text if text == "–" else f"{text}{NBSP}m²"


def fmt_nok(value, lang=DEFAULT_LANG):
    """Format a rent in NOK per m² per year: ``1 850 kr/m²/år``."""
    text = fmt_num(value, 0, lang)
    if text == "–":
        return text
    unit = "kr/m²/år" if lang_or_default(lang) == "nb" else "NOK/m²/yr"
    return f"{text}{NBSP}{unit}"


def fmt_date(value, lang=DEFAULT_LANG):
    """Format a date for display: ``16.01.2024`` (bokmål) or ``2024-01-16`` (English).

    Parameters
    ----------
    value : str, datetime.date or None
        An ISO date (``2024-01-16``) or timestamp (``2024-01-16T08:00:00Z``: its
        date is shown), or a ``date``/``datetime``.
    lang : str
        ``nb`` or ``en``.

    Returns
    -------
    str
        A missing value (None, ``""``, NaN, NaT) gives an en dash ``–``, as
        ``fmt_num`` does; text that is not a date is returned as it is (data,
        shown as text). A form field that must stay empty checks for a value first.
    """
    if value is None or value != value:  # NaN and NaT are not equal to themselves
        return "–"
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        day = value
    else:
        text = str(value).strip()
        if text in ("", "nan", "NaN", "NaT", "None"):
            return "–"
        try:
            day = date.fromisoformat(text[:10])
        except ValueError:
            return text
    if lang_or_default(lang) == "en":
        return day.isoformat()
    return day.strftime("%d.%m.%Y")


def status_name(status, lang=DEFAULT_LANG):
    """The display name of a premises status (``ledig`` -> ``Ledig``/``Available``).

    An unknown status is shown as it is; a missing one as ``""``.
    """
    key = f"status_{status}"
    if key in STRINGS:
        return t(key, lang)
    return "" if status is None else str(status)
