"""The register editor's actions: load, save, change status, renew, place by address.

Each returns the parts of the editor that change (``update_editor``'s outputs by
key); writes check the editor's role on the server and the listing's version, so
two editors on two workers cannot overwrite each other unseen.
"""

from __future__ import annotations

import shapely
from dash import Patch, no_update
from dash.exceptions import PreventUpdate

from components import auth, data
from components.figures.register_map import MARKER_TRACE, points_trace_data
from components.i18n import status_name, t
from components.register_access import (
    all_listings,
    boundary_or_none,
    can_edit,
    current_store,
    placed_only,
)
from components.register_format import (
    FIELDS,
    address_key,
    address_point,
    conflict_text,
    fmt_decimal,
    fmt_time,
    form_values,
    history_view,
    listing_options,
    meta_text,
    user_message,
)
from components.register_views import listing_heading
from layers import register
from layers.errors import InputError, StoreError
from layers.schemas import PREMISES_STATUSES

# Output groups of update_editor; every key not returned stays as it is.
_KEYS = (
    "values",
    "errors",
    "status_disabled",
    "version",
    "heading",
    "meta",
    "message",
    "message_class",
    "reload_hidden",
    "to_hidden",
    "renew_hidden",
    "history",
    "options",
    "listing",
    "figure",
)


def _clean_values(values):
    """Form values as sent by the browser; anything but text or a number is empty."""
    values = values if isinstance(values, dict) else {}
    out = {}
    for f in FIELDS:
        v = values.get(f)
        ok = (
            v is None
            or isinstance(v, str)
            or (isinstance(v, int | float) and not isinstance(v, bool))
        )
        out[f] = v if ok else None
    return out


def _clean_version(version):
    """``{"id", "version"}`` as sent by the browser, or None when malformed."""
    if not isinstance(version, dict):
        return None
    pid, number = version.get("id"), version.get("version")
    if not isinstance(pid, str) or not pid or isinstance(number, bool):
        return None
    if not isinstance(number, int):
        return None
    return {"id": pid, "version": number}


def _result(**parts):
    out = {k: no_update for k in _KEYS}
    for key in ("values", "errors"):
        out[key] = {f: no_update for f in FIELDS}
    out["to_hidden"] = {s: no_update for s in PREMISES_STATUSES}
    for key, value in parts.items():
        if key in ("values", "errors", "to_hidden"):
            out[key].update(value)
        else:
            out[key] = value
    return out


def _no_errors():
    return {f: "" for f in FIELDS}


def _message(text, kind):
    return {"message": text, "message_class": f"register-message {kind}"}


def _figure_patch(rows, point, lang):
    patch = Patch()
    pts = points_trace_data(placed_only(rows), lang)
    for key, value in pts.items():
        patch["data"][0][key] = value
    if point is not None:
        placed = None not in point
        # An unplaced listing: no marker until a click on the map places it.
        patch["data"][MARKER_TRACE]["lat"] = [point[0]] if placed else []
        patch["data"][MARKER_TRACE]["lon"] = [point[1]] if placed else []
    return patch


def _show_listing(listing, lang, *, values=True, editable=True):
    """Outputs that show a stored listing (after a load or a write)."""
    rows = all_listings()
    allowed = register.TRANSITIONS.get(listing["status"], ())
    parts = {
        "version": {"id": listing["premises_id"], "version": listing["version"]},
        "heading": listing_heading(listing, lang, editable),
        "meta": meta_text(listing, lang),
        "status_disabled": True,
        "reload_hidden": True,
        "to_hidden": {s: not (editable and s in allowed) for s in PREMISES_STATUSES},
        "renew_hidden": not editable,
        "history": history_view(
            register.history(current_store(), listing["premises_id"]), lang
        ),
        "options": listing_options(rows, lang),
        "listing": listing["premises_id"],
        "figure": _figure_patch(rows, (listing["lat"], listing["lon"]), lang),
    }
    if values:
        parts["values"] = form_values(listing, lang)
        parts["errors"] = _no_errors()
    else:
        parts["values"] = {"status": listing["status"]}
    return parts


def load(pid, lang):
    """Show listing ``pid`` in the form (or an empty form for a new listing)."""
    editable = can_edit()
    listing = register.get_listing(current_store(), pid) if pid else None
    if listing is None:
        parts = {
            "values": form_values(None, lang),
            "errors": _no_errors(),
            "version": None,
            "heading": listing_heading(None, lang, editable),
            "meta": "",
            "status_disabled": not editable,
            "reload_hidden": True,
            "to_hidden": dict.fromkeys(PREMISES_STATUSES, True),
            "renew_hidden": True,
            "history": history_view([], lang),
            "listing": None,
            **_message(t("register_not_found", lang, id=pid) if pid else "", "info"),
        }
        return _result(**parts)
    hint = ""
    if editable and not register.is_placed(listing):
        hint = t("register_unplaced_hint", lang)
    return _result(
        **_show_listing(listing, lang, editable=editable),
        **_message(hint, "warning" if hint else "info"),
    )


def _denied(lang):
    key = "auth_expired" if auth.session_expired() else "auth_denied"
    return _result(**_message(t(key, lang), "error"))


def _conflict(exc, lang):
    return _result(**_message(conflict_text(exc, lang), "error"), reload_hidden=False)


def _form_errors(exc, lang):
    errors = _no_errors()
    errors.update(
        {f: user_message(e, lang) for f, e in exc.causes.items() if f in errors}
    )
    other = [user_message(e, lang) for f, e in exc.causes.items() if f not in errors]
    text = t("register_form_errors", lang, n=len(exc.errors))
    if other:
        text += " " + " ".join(other)
    return _result(errors=errors, **_message(text, "error"))


def _edit(lang, write):
    """Run one register write as the logged-in editor and turn its outcome into outputs.

    ``write(username)`` does the write and returns ``(listing, message, values)``:
    the saved listing, the success message, and whether the form's values are
    refreshed. Errors become messages at the fields or above the form.
    """
    try:
        user = auth.require_editor()
    except auth.NotEditor:
        return _denied(lang)
    except StoreError as exc:
        text = t("register_error", lang, message=user_message(exc, lang))
        return _result(**_message(text, "error"))
    try:
        listing, text, values = write(user["username"])
    except register.FormErrors as exc:
        return _form_errors(exc, lang)
    except register.ConflictError as exc:
        return _conflict(exc, lang)
    except (InputError, StoreError) as exc:
        text = t("register_error", lang, message=user_message(exc, lang))
        return _result(**_message(text, "error"))
    try:
        shown = _show_listing(listing, lang, values=values)
    except StoreError:
        # The write is committed; only reading the view back failed (the database
        # went away in between). Say it was saved, and keep the saved version so
        # the next save is checked against it.
        text = t("register_saved_not_shown", lang, saved=text)
        version = {"id": listing["premises_id"], "version": listing["version"]}
        return _result(version=version, **_message(text, "success"))
    return _result(**shown, **_message(text, "success"))


def _shown(version):
    """The ``{"id", "version"}`` of the shown listing; nothing to do without one."""
    version = _clean_version(version)
    if not version:
        raise PreventUpdate
    return version


def save(values, version, lang):
    """Add a new listing, or save the edited one against its version.

    Parameters
    ----------
    values : dict
        Field -> value as typed.
    version : dict or None
        ``{"id", "version"}`` of the listing the form shows; None for a new one.
    lang : str

    Returns
    -------
    dict
        The outputs of ``update_editor`` (``no_update`` where nothing changes).
    """

    def write(user):
        clean = _clean_values(values)
        shown = _clean_version(version)
        if not shown:
            listing = register.add_listing(
                current_store(), clean, user=user, boundary=boundary_or_none()
            )
            return listing, t("register_saved_new", lang, title=listing["title"]), True
        before = shown["version"]
        edited = {f: v for f, v in clean.items() if f != "status"}
        listing = register.update_listing(
            current_store(),
            shown["id"],
            edited,
            expected_version=int(before),
            user=user,
            boundary=boundary_or_none(),
        )
        text = (
            t("register_unchanged", lang)
            if listing["version"] == before
            else t("register_saved", lang, version=listing["version"])
        )
        return listing, text, True

    return _edit(lang, write)


def change_status(status, version, lang):
    """Change the shown listing's status along ``register.TRANSITIONS``."""

    def write(user):
        shown = _shown(version)
        listing = register.set_status(
            current_store(),
            shown["id"],
            status,
            expected_version=int(shown["version"]),
            user=user,
        )
        text = t("register_status_changed", lang, status=status_name(status, lang))
        return listing, text, False

    return _edit(lang, write)


def renew(version, lang):
    """Confirm the shown listing is still current (its updated date becomes now)."""

    def write(user):
        shown = _shown(version)
        listing = register.renew_listing(
            current_store(),
            shown["id"],
            expected_version=int(shown["version"]),
            user=user,
        )
        text = t("register_renewed", lang, time=fmt_time(listing["updated_at"], lang))
        return listing, text, False

    return _edit(lang, write)


def _address_candidates():
    for r in placed_only(all_listings()):
        yield r["address"], r["lon"], r["lat"], r["title"]
    try:
        est = data.layer("establishments")
    except StoreError:
        return
    placed = est[est["placed"] & est.geometry.notna()]
    xs = shapely.get_x(placed.geometry.values)
    ys = shapely.get_y(placed.geometry.values)
    yield from zip(placed["address"], xs, ys, placed["name"], strict=True)


def locate(address, lang):
    """Return ``(lat, lon, message)`` for an address found in the store."""
    if address_key(address or "") is None:
        return no_update, no_update, t("register_locate_empty", lang)
    found = address_point(address, _address_candidates())
    if found is None:
        return no_update, no_update, t("register_locate_none", lang, address=address)
    lon, lat, label = found
    return (
        fmt_decimal(lat, lang),
        fmt_decimal(lon, lang),
        t("register_locate_found", lang, what=label),
    )
