"""The register's text: numbers and dates for the form, times, history, conflicts.

Pure: listings, history entries and errors in, text (or Dash HTML) out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dash import html

from components import auth
from components.i18n import STRINGS, fmt_date, fmt_m2, fmt_num, status_name, t
from components.i18n.errors import error_text
from components.i18n.map import premises_type_name
from layers import register
from layers.sources.addresses import normalise_street, parse_address_line

FIELDS = register.FORM_FIELDS
TEXT_FIELDS = ("title", "address", "contact", "url")
HISTORY_LIMIT = 50
TZ = ZoneInfo("Europe/Oslo")


def fmt_decimal(value, lang, decimals=6):
    """A number for an input field: no thousands separator, trailing zeros dropped."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = f"{float(value):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang != "en" else text


def _parse_stamp(stamp):
    try:
        return datetime.strptime(str(stamp), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def fmt_time(stamp, lang):
    """``2026-11-29T18:05:00Z`` -> ``29.11.2026 19:05`` (Oslo time)."""
    when = _parse_stamp(stamp)
    if when is None:
        return str(stamp or "")
    local = when.astimezone(TZ)
    return local.strftime("%Y-%m-%d %H:%M" if lang == "en" else "%d.%m.%Y %H:%M")


def fmt_clock(stamp, lang, *, now=None):
    """The time of day of ``stamp`` in Oslo, with the date unless it is today."""
    when = _parse_stamp(stamp)
    if when is None:
        return str(stamp or "")
    local = when.astimezone(TZ)
    today = (now or datetime.now(UTC)).astimezone(TZ).date()
    if local.date() == today:
        return local.strftime("%H:%M")
    return fmt_time(stamp, lang)


def form_values(listing, lang):
    """The form's field values (text) for a stored listing, or empty for a new one."""
    if listing is None:
        return {
            f: ("ledig" if f == "status" else None if f == "type" else "")
            for f in FIELDS
        }
    return {
        "title": listing["title"],
        "address": listing["address"],
        "type": listing["type"],
        "size_m2": fmt_decimal(listing["size_m2"], lang, 1),
        "rent_nok_m2_year": fmt_decimal(listing["rent_nok_m2_year"], lang, 0),
        "available_from": (
            fmt_date(listing["available_from"], lang)
            if _present(listing["available_from"])
            else ""
        ),
        "status": listing["status"],
        "contact": listing["contact"],
        "url": listing["url"],
        "lat": fmt_decimal(listing["lat"], lang),
        "lon": fmt_decimal(listing["lon"], lang),
    }


def _present(value):
    """True unless ``value`` is missing (None, "", NaN, NaT): form fields stay empty."""
    return value is not None and value == value and str(value).strip() != ""


def show_value(field, value, lang):
    if value is None or value == "" or isinstance(value, float) and value != value:
        return t("register_empty_value", lang)
    if field == "status":
        return status_name(value, lang)
    if field == "type":
        return premises_type_name(value, lang)
    if field == "size_m2":
        return fmt_m2(value, lang, decimals=0 if float(value).is_integer() else 1)
    if field == "rent_nok_m2_year":
        number = float(value)
        text = fmt_num(number, 0 if number.is_integer() else 1, lang)
        return f"{text} {t('register_rent_unit', lang)}"
    if field == "available_from":
        return fmt_date(value, lang)
    if field == "updated_at":
        return fmt_time(value, lang)
    if isinstance(value, float):
        return fmt_num(value, 0 if value.is_integer() else 6, lang)
    return str(value)


def user_message(error, lang):
    """An error of the layers in the UI language, looked up by its code.

    ``error`` is an InputError/StoreError (or a plain message, shown as it is).
    """
    return error_text(error, lang)


def field_label(field, lang):
    key = f"register_field_{field}"
    return t(key, lang) if key in STRINGS else field


def history_view(entries, lang, *, limit=HISTORY_LIMIT):
    """The change log of a listing (newest first) as an ordered list."""
    if not entries:
        return html.P(t("register_history_empty", lang), className="muted")
    items = []
    for entry in entries[:limit]:
        action = entry["action"]
        key = f"register_action_{action}"
        changes = entry["changes"] or {}
        created = changes and all(old is None for old, _new in changes.values())
        details = []
        if action not in ("renew",) and not created:
            details = [
                html.Li(
                    [
                        html.Span(field_label(f, lang), className="history-field"),
                        ": ",
                        html.Span(show_value(f, old, lang), className="history-old"),
                        " → ",
                        html.Span(show_value(f, new, lang), className="history-new"),
                    ]
                )
                for f, (old, new) in changes.items()
            ]
        items.append(
            html.Li(
                [
                    html.Div(
                        [
                            html.Time(
                                fmt_time(entry["at"], lang),
                                dateTime=entry["at"],
                                className="history-time",
                            ),
                            " ",
                            html.Span(
                                t(key, lang) if key in STRINGS else action,
                                className=f"history-action history-{action}",
                            ),
                            # Editors' names only for logged-in users (issue 9).
                            *(
                                [
                                    f" {t('register_by', lang)} ",
                                    html.Span(entry["user"], className="history-user"),
                                ]
                                if auth.current_user()
                                else []
                            ),
                        ],
                        className="history-head",
                    ),
                    html.Ul(details, className="history-changes") if details else None,
                ],
                className="history-entry",
            )
        )
    if len(entries) > limit:
        items.append(
            html.Li(
                t("register_history_more", lang, n=len(entries) - limit),
                className="history-entry muted",
            )
        )
    return html.Ol(items, className="history-list")


def conflict_text(exc, lang):
    """The message shown when someone else saved the listing first."""
    return t(
        "register_conflict",
        lang,
        user=exc.updated_by,
        time=fmt_clock(exc.updated_at, lang),
    )


def meta_text(listing, lang):
    """One line: id, version, when and by whom the listing was last changed."""
    if listing is None:
        return ""
    return t(
        "register_meta" if auth.current_user() else "register_meta_reader",
        lang,
        id=listing["premises_id"],
        version=listing["version"],
        time=fmt_time(listing["updated_at"], lang),
        user=listing["updated_by"],
    )


def address_key(text):
    """Match key ``(street, number, letter)`` of an address line, or None."""
    street, number, letter = parse_address_line(text)
    if number is None or not street:
        return None
    return normalise_street(street), int(number), letter


def address_point(text, candidates):
    """Place an address by an identical address already in the store.

    Parameters
    ----------
    text : str
        Address as typed ("Skårersletta 12B, 1473 Lørenskog").
    candidates : iterable of (address, lon, lat, label)

    Returns
    -------
    tuple of (lon, lat, label) or None
    """
    key = address_key(text)
    if key is None:
        return None
    for address, lon, lat, label in candidates:
        if address and address_key(address) == key:
            return float(lon), float(lat), label
    return None


def listing_options(rows, lang):
    """Dropdown options: "title – address · status" (plain text, escaped by Dash)."""
    options = []
    for r in rows:
        label = r["title"]
        if r["address"]:
            label += f" – {r['address']}"
        label += f" · {status_name(r['status'], lang)}"
        if r.get("lat") is None or r.get("lon") is None:
            label += f" · {t('register_not_placed', lang)}"
        options.append({"label": label, "value": r["premises_id"]})
    return options
