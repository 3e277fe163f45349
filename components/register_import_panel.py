"""The register's bulk import: upload -> preview (nothing written) -> confirm.

The staged file lives in the store (``layers.register.staging``), so any worker
can confirm what another previewed. Editors only, checked on the server.
"""

from __future__ import annotations

from dash import Input, Output, State, callback, html, no_update
from dash.exceptions import PreventUpdate

from components import auth, ids
from components.i18n import t
from components.register_access import all_listings, boundary_or_none, current_store
from components.register_format import listing_options, user_message
from components.register_views import MAX_UPLOAD_MB, preview_view, problems_of
from layers.errors import InputError, StoreError
from layers.register import staging


def _confirm_outputs(report, lang):
    n_added, n_changed = len(report["added"]), len(report["changed"])
    label = t("register_confirm", lang, added=n_added, changed=n_changed)
    return label, not (n_added or n_changed)


def preview_upload(upload, lang):
    """Check an uploaded broker list and show what an import would do.

    Parameters
    ----------
    upload : dict
        ``{"name", "contents"}`` (a data URL) or ``{"name", "size", "too_big"}``.
    lang : str

    Returns
    -------
    tuple
        (preview children, import data for the confirm button or None,
        confirm label, confirm hidden).
    """
    try:
        auth.require_editor()
    except auth.NotEditor:
        key = "auth_expired" if auth.session_expired() else "auth_denied"
        return html.P(t(key, lang), className="register-message error"), None, "", True

    def fail(text):
        return html.P(text, className="register-message error"), None, "", True

    name, raw = staging.decode(upload)
    if isinstance(raw, staging.Refused):
        if raw.reason == "too_big":
            size = f"{raw.size / 1024 / 1024:.1f}".replace(
                ".", "," if lang != "en" else "."
            )
            return fail(
                t("register_too_big", lang, name=name, size=size, limit=MAX_UPLOAD_MB)
            )
        if raw.reason == "file_type":
            return fail(t("register_bad_type", lang, name=name))
        return fail(t("register_bad_upload", lang))
    try:
        staged = staging.stage(current_store(), name, raw, boundary=boundary_or_none())
    except InputError as exc:
        return preview_view(name, lang, problems=problems_of(exc)), None, "", True
    view = preview_view(name, lang, report=staged.report)
    if staged.ticket is None:
        return view, None, "", True
    label, _hidden = _confirm_outputs(staged.report, lang)
    return view, staged.ticket, label, False


def apply_upload(token_data, lang):
    """Import the previewed list, if the register has not changed since the preview.

    Returns
    -------
    tuple
        (preview children, import data, confirm label, confirm hidden, listing
        options or ``no_update``).
    """
    try:
        user = auth.require_editor()
    except auth.NotEditor:
        key = "auth_expired" if auth.session_expired() else "auth_denied"
        msg = html.P(t(key, lang), className="register-message error")
        return msg, no_update, no_update, no_update, no_update
    try:
        outcome = staging.confirm(
            current_store(),
            token_data,
            user=user["username"],
            boundary=boundary_or_none(),
        )
    except InputError as exc:
        name = str((token_data or {}).get("name") or "")[: staging.MAX_NAME]
        view = preview_view(name, lang, problems=problems_of(exc))
        return view, None, "", True, no_update
    except StoreError as exc:
        msg = html.P(
            t("register_error", lang, message=user_message(exc, lang)),
            className="register-message error",
        )
        return msg, no_update, no_update, no_update, no_update
    if outcome.state == "expired":
        msg = html.P(
            t("register_preview_expired", lang), className="register-message error"
        )
        return msg, None, "", True, no_update
    if outcome.state == "stale":
        label, hidden = _confirm_outputs(outcome.report, lang)
        view = html.Div(
            [
                html.P(
                    t("register_preview_stale", lang),
                    className="register-message warning",
                ),
                preview_view(outcome.name, lang, report=outcome.report),
            ]
        )
        return view, outcome.ticket, label, hidden, no_update
    done = outcome.report
    text = t(
        "register_imported",
        lang,
        added=len(done["added"]),
        changed=len(done["changed"]),
    )
    return (
        html.P(text, className="register-message success"),
        None,
        "",
        True,
        listing_options(all_listings(), lang),
    )


@callback(
    Output(ids.REGISTER_PREVIEW, "children"),
    Output(ids.REGISTER_IMPORT, "data"),
    Output(ids.REGISTER_CONFIRM, "children"),
    Output(ids.REGISTER_CONFIRM, "hidden"),
    Input(ids.REGISTER_UPLOAD_DATA, "data"),
    State(ids.REGISTER_LANG, "data"),
    prevent_initial_call=True,
)
def update_preview(upload, lang):
    """Preview an uploaded broker list; nothing is written."""
    if not upload:
        raise PreventUpdate
    return preview_upload(upload, lang)


@callback(
    Output(ids.REGISTER_PREVIEW, "children", allow_duplicate=True),
    Output(ids.REGISTER_IMPORT, "data", allow_duplicate=True),
    Output(ids.REGISTER_CONFIRM, "children", allow_duplicate=True),
    Output(ids.REGISTER_CONFIRM, "hidden", allow_duplicate=True),
    Output(ids.REGISTER_LISTING, "options", allow_duplicate=True),
    Input(ids.REGISTER_CONFIRM, "n_clicks"),
    State(ids.REGISTER_IMPORT, "data"),
    State(ids.REGISTER_LANG, "data"),
    prevent_initial_call=True,
)
def update_import(n_clicks, token_data, lang):
    """Apply the previewed import in one transaction."""
    if not n_clicks:
        raise PreventUpdate
    return apply_upload(token_data, lang)
