"""The register's bulk import: upload -> preview (nothing written) -> confirm.

The staged file lives in the store (``layers.register.staging``), so any worker
can confirm what another previewed. Editors only, checked on the server, in every
callback (the progress poll too).

A big upload (over ``staging.BACKGROUND_BYTES``) is previewed and confirmed by a
background job: the callback returns at once with a progress bar, and a
``dcc.Interval`` reads the job's row (kept in the store, ``layers.register.jobs``,
so any app server can answer) until it is done. Small ones are answered in the
request. A job is shown only to the editor who started it.
"""

from __future__ import annotations

from pathlib import Path

from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components import auth, ids
from components import ids as rids
from components.i18n import t
from components.register_access import all_listings, boundary_or_none, current_store
from components.register_format import listing_options, user_message
from components.register_import_views import (
    MAX_UPLOAD_MB,
    preview_view,
    problems_of,
    progress_view,
)
from layers.errors import InputError, StoreError
from layers.register import jobs, staging
from layers.sources.premises_template import template_bytes


def _confirm_outputs(report, lang):
    n = staging.counts(report)
    n_added, n_changed = n["added"], n["changed"]
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
    view = preview_view(name, lang, report=staged.report, rows=staged.rows)
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
    return _outcome_outputs(outcome, lang)


def _outcome_outputs(outcome, lang):
    """The outputs of :func:`apply_upload` for a confirm's outcome."""
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
    n = staging.counts(done)
    text = t("register_imported", lang, added=n["added"], changed=n["changed"])
    return (
        html.P(text, className="register-message success"),
        None,
        "",
        True,
        listing_options(all_listings(), lang),
    )


def _denied_view(lang):
    key = "auth_expired" if auth.session_expired() else "auth_denied"
    return html.P(t(key, lang), className="register-message error")


def preview_or_start(upload, lang):
    """Preview a small upload now, or start a background job for a big one.

    Returns
    -------
    tuple
        The outputs of :func:`preview_upload`, then the job data (or None) and
        whether the poll is disabled.
    """
    try:
        user = auth.require_editor()
    except auth.NotEditor:
        return _denied_view(lang), None, "", True, None, True
    name, raw = staging.decode(upload)
    if isinstance(raw, staging.Refused) or len(raw) <= staging.BACKGROUND_BYTES:
        return (*preview_upload(upload, lang), None, True)
    try:
        token = staging.start_stage(
            current_store(),
            name,
            raw,
            user=user["username"],
            boundary=boundary_or_none(),
        )
    except InputError as exc:
        view = preview_view(name, lang, problems=problems_of(exc))
        return view, None, "", True, None, True
    job = {"token": token, "kind": "stage", "name": name}
    return progress_view(name, lang, {"phase": "read"}), None, "", True, job, False


def apply_or_start(token_data, lang):
    """Confirm a small staged list now, or start a background job for a big one.

    Returns
    -------
    tuple
        The outputs of :func:`apply_upload`, then the job data (or None) and
        whether the poll is disabled.
    """
    try:
        user = auth.require_editor()
    except auth.NotEditor:
        denied = (no_update,) * 4
        return (_denied_view(lang), *denied, None, True)
    ticket = token_data or {}
    size = staging.fetch_size(
        current_store(), ticket.get("token"), ticket.get("suffix")
    )
    if size is None or size <= staging.BACKGROUND_BYTES:
        return (*apply_upload(token_data, lang), None, True)
    token = staging.start_confirm(
        current_store(), ticket, user=user["username"], boundary=boundary_or_none()
    )
    if token is None:
        return (*apply_upload(token_data, lang), None, True)
    name = str(ticket.get("name") or "")[: staging.MAX_NAME]
    job = {"token": token, "kind": "confirm", "name": name}
    view = progress_view(name, lang, {"phase": "read"})
    return view, None, "", True, no_update, job, False


def _job_of(job, user):
    """The job's row when it is this editor's job of that kind, else None."""
    job = job or {}
    record = jobs.status(current_store(), job.get("token"))
    if record is None or record["kind"] != job.get("kind"):
        return None
    return record if record["username"] == user["username"] else None


def poll_job(job, lang):
    """Show a running job's progress, or its result when it is done.

    Returns
    -------
    tuple
        (preview children, import data, confirm label, confirm hidden, listing
        options, job data, poll disabled).
    """
    keep = (no_update,) * 5
    try:
        user = auth.require_editor()
    except auth.NotEditor:
        return _denied_view(lang), None, "", True, no_update, None, True
    job = job or {}
    record = _job_of(job, user)
    name = str(job.get("name") or "")[: staging.MAX_NAME]
    if record is None:
        # Finished and shown by an earlier poll (polls can overlap), or gone:
        # leave the page as it is and stop polling.
        return (*keep, None, True)
    state, result = record["state"], record["result"] or {}
    if state == "running":
        # The job again (not no_update): should this answer overtake the one
        # that showed the result, polling goes on and shows the result again.
        return progress_view(name, lang, record), *keep[1:], job, False
    # The record stays (any overlapping poll shows the same result); the
    # confirm's job overwrites it, and ``staging.clean`` removes it in time.
    if state == "interrupted":
        msg = html.P(
            t("register_job_interrupted", lang), className="register-message error"
        )
        return msg, None, "", True, no_update, None, True
    if state == "failed":
        view = preview_view(name, lang, problems=jobs.problems_from(result))
        return view, None, "", True, no_update, None, True
    if state == "error":
        error = result.get("error") or {}
        exc = StoreError(
            error.get("message") or "",
            code=error.get("code"),
            params=error.get("params"),
        )
        msg = html.P(
            t("register_error", lang, message=user_message(exc, lang)),
            className="register-message error",
        )
        return msg, None, "", True, no_update, None, True
    if record["kind"] == "stage":
        report, ticket = result["report"], result.get("ticket")
        view = preview_view(name, lang, report=report, rows=result.get("rows"))
        if ticket is None:
            return view, None, "", True, no_update, None, True
        label, _hidden = _confirm_outputs(report, lang)
        return view, ticket, label, False, no_update, None, True
    outcome = staging.Outcome(
        result.get("outcome"), name, result.get("report"), result.get("ticket")
    )
    return (*_outcome_outputs(outcome, lang), None, True)


# What an import's result sets (the confirm callback and an ended job's).
_RESULT_OUTPUTS = (
    Output(ids.REGISTER_PREVIEW, "children", allow_duplicate=True),
    Output(ids.REGISTER_IMPORT, "data", allow_duplicate=True),
    Output(ids.REGISTER_CONFIRM, "children", allow_duplicate=True),
    Output(ids.REGISTER_CONFIRM, "hidden", allow_duplicate=True),
    Output(ids.REGISTER_LISTING, "options", allow_duplicate=True),
    Output(rids.REGISTER_JOB, "data", allow_duplicate=True),
    Output(rids.REGISTER_POLL, "disabled", allow_duplicate=True),
)


@callback(
    Output(ids.REGISTER_PREVIEW, "children"),
    Output(ids.REGISTER_IMPORT, "data"),
    Output(ids.REGISTER_CONFIRM, "children"),
    Output(ids.REGISTER_CONFIRM, "hidden"),
    Output(rids.REGISTER_JOB, "data"),
    Output(rids.REGISTER_POLL, "disabled"),
    Input(ids.REGISTER_UPLOAD_DATA, "data"),
    State(ids.REGISTER_LANG, "data"),
    prevent_initial_call=True,
)
def update_preview(upload, lang):
    """Preview an uploaded broker list; nothing is written."""
    if not upload:
        raise PreventUpdate
    return preview_or_start(upload, lang)


@callback(
    *_RESULT_OUTPUTS,
    Input(ids.REGISTER_CONFIRM, "n_clicks"),
    State(ids.REGISTER_IMPORT, "data"),
    State(ids.REGISTER_LANG, "data"),
    prevent_initial_call=True,
)
def update_import(n_clicks, token_data, lang):
    """Apply the previewed import in one transaction."""
    if not n_clicks:
        raise PreventUpdate
    return apply_or_start(token_data, lang)


def poll_step(job, lang):
    """One tick of the progress poll: the progress, or hand the ended job on.

    Kept small and quick: a poll answer that arrives after the next tick is
    dropped by the browser, so the (big) result is shown by its own callback,
    triggered once through ``REGISTER_JOB_DONE``.

    Returns
    -------
    tuple
        (preview children, ended job or ``no_update``, poll disabled).
    """
    try:
        user = auth.require_editor()
    except auth.NotEditor:
        return _denied_view(lang), no_update, True
    job = job or {}
    record = _job_of(job, user)
    if record is None:
        return no_update, no_update, True
    if record["state"] == "running":
        name = str(job.get("name") or "")[: staging.MAX_NAME]
        return progress_view(name, lang, record), no_update, False
    return no_update, job, True


@callback(
    Output(ids.REGISTER_PREVIEW, "children", allow_duplicate=True),
    Output(rids.REGISTER_JOB_DONE, "data"),
    Output(rids.REGISTER_POLL, "disabled", allow_duplicate=True),
    Input(rids.REGISTER_POLL, "n_intervals"),
    State(rids.REGISTER_JOB, "data"),
    State(ids.REGISTER_LANG, "data"),
    prevent_initial_call=True,
)
def update_job(_n, job, lang):
    """Read a running bulk-import job's progress."""
    if not job:
        raise PreventUpdate
    return poll_step(job, lang)


@callback(
    *_RESULT_OUTPUTS,
    Input(rids.REGISTER_JOB_DONE, "data"),
    State(ids.REGISTER_LANG, "data"),
    prevent_initial_call=True,
)
def update_job_result(job, lang):
    """Show what an ended job did (its preview, or the import's outcome)."""
    if not job:
        raise PreventUpdate
    return poll_job(job, lang)


@callback(
    Output(rids.REGISTER_TEMPLATE_DOWNLOAD, "data"),
    Input(rids.REGISTER_TEMPLATE["xlsx"], "n_clicks"),
    Input(rids.REGISTER_TEMPLATE["csv"], "n_clicks"),
    State(rids.REGISTER_TEMPLATE_LANG, "value"),
    State(ids.REGISTER_LANG, "data"),
    prevent_initial_call=True,
)
def update_template_download(_xlsx, _csv, template_lang, lang):
    """Send the premises template (XLSX or CSV) in the chosen language (editors)."""
    try:
        auth.require_editor()
    except auth.NotEditor:
        raise PreventUpdate from None
    fmt = "csv" if ctx.triggered_id == rids.REGISTER_TEMPLATE["csv"] else "xlsx"
    chosen = template_lang if template_lang in ("nb", "en") else lang
    chosen = "en" if chosen == "en" else "nb"
    name = Path(t("register_template_file", chosen)).name
    return dcc.send_bytes(template_bytes(fmt, chosen), f"{name}.{fmt}")
