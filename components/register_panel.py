"""The premises register: editors add, edit, re-status and renew listings, and import
broker lists; everyone else can read the listings and their change logs.

Every write goes through ``layers.register`` and is authorised on the server by
``auth.require_editor()`` in the callback itself, whatever the page showed. The
form carries the version of the listing it shows, so a stale edit gets a conflict
message instead of overwriting someone else's change. The register is read from
the store for each request (not from a per-process cache), so editors on other
workers see each change at once.
"""

from __future__ import annotations

from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    dcc,
    html,
)
from dash.exceptions import PreventUpdate

from components import (
    auth,
    figures,
    ids,
    register_import_panel,  # noqa: F401  (its callbacks)
)
from components.figures.register_map import map_figure
from components.i18n import STRINGS, t
from components.register_access import (
    all_listings,
    can_edit,
    current_store,
    placed_only,
)
from components.register_editor import change_status, load, locate, renew, save
from components.register_format import (
    FIELDS,
    form_values,
    history_view,
    listing_options,
    meta_text,
)
from components.register_import_views import (
    import_section,
    import_validation_components,
)
from components.register_views import (
    actions_bar,
    listing_form,
    listing_heading,
)
from components.urlstate import with_params
from layers import register
from layers.schemas import PREMISES_STATUSES

PATH = "/lokaler/register"
NAV_KEY = "nav_register"
HIDDEN_IN_NAV = False


def _user_bar(lang):
    user = auth.current_user()
    login_href = "/login" + with_params(
        "",
        next=PATH + with_params("", lang=None if lang == "nb" else lang),
        lang=None if lang == "nb" else lang,
    )
    if user is None:
        return html.Div(
            [
                html.Span(t("auth_reader", lang)),
                " ",
                html.A(t("auth_login_link", lang), href=login_href, className="btn"),
            ],
            id=ids.REGISTER_USER,
            className="register-user",
        )
    role_key = f"auth_role_{user['role']}"
    role = t(role_key, lang) if role_key in STRINGS else user["role"]
    next_path = PATH + with_params("", lang=None if lang == "nb" else lang)
    return html.Div(
        [
            html.Span(t("auth_logged_in", lang, user=user["username"], role=role)),
            html.Form(
                [
                    dcc.Input(
                        type="hidden", name=auth.CSRF_FIELD, value=auth.csrf_token()
                    ),
                    dcc.Input(type="hidden", name="next", value=next_path),
                    html.Button(t("auth_logout", lang), type="submit", className="btn"),
                ],
                id=ids.AUTH_LOGOUT,
                method="post",
                action="/logout" + with_params("", lang=None if lang == "nb" else lang),
                className="logout-form",
            ),
        ],
        id=ids.REGISTER_USER,
        className="register-user",
    )


def layout(state, lang):
    """The register page; ``state["id"]`` preselects a listing (from the finder)."""
    editable = can_edit()
    rows = all_listings()
    pid = state.get("id")
    listing = None
    message = ""
    if pid:
        listing = register.get_listing(current_store(), pid)
        if listing is None:
            message = t("register_not_found", lang, id=pid)
    values = form_values(listing, lang)
    placed = listing is not None and register.is_placed(listing)
    point = (listing["lat"], listing["lon"]) if placed else None
    version = (
        {"id": listing["premises_id"], "version": listing["version"]}
        if listing
        else None
    )
    heading = listing_heading(listing, lang, editable)
    return html.Div(
        [
            dcc.Store(id=ids.REGISTER_LANG, data=lang),
            dcc.Store(id=ids.REGISTER_VERSION, data=version),
            dcc.Store(id=ids.REGISTER_ARIA),
            dcc.Store(id=ids.REGISTER_MAP_READY),
            dcc.Store(id=ids.REGISTER_UPLOAD_DATA),
            dcc.Store(id=ids.REGISTER_IMPORT),
            html.Div(
                [
                    html.Div(
                        [
                            html.H2(t("register_heading", lang)),
                            html.P(t("register_intro", lang), className="muted"),
                        ]
                    ),
                    _user_bar(lang),
                ],
                className="register-top",
            ),
            html.Div(
                [
                    html.Section(
                        [
                            html.Div(
                                dcc.Graph(
                                    id=ids.REGISTER_MAP,
                                    figure=map_figure(placed_only(rows), point, lang),
                                    config=figures.MAP_GRAPH_CONFIG,
                                    className="register-graph",
                                ),
                                className="register-map-frame",
                                role="region",
                                **{"aria-label": t("register_map_aria", lang)},
                            ),
                            html.P(
                                t("register_place_hint", lang),
                                className="map-status muted",
                            ),
                        ],
                        className="register-map-column",
                    ),
                    html.Section(
                        [
                            html.Div(
                                [
                                    html.Label(
                                        t("register_choose", lang),
                                        htmlFor=ids.REGISTER_LISTING,
                                    ),
                                    html.Div(
                                        [
                                            dcc.Dropdown(
                                                id=ids.REGISTER_LISTING,
                                                options=listing_options(rows, lang),
                                                value=listing["premises_id"]
                                                if listing
                                                else None,
                                                placeholder=t(
                                                    "register_choose_placeholder",
                                                    lang,
                                                ),
                                                clearable=True,
                                                searchable=True,
                                                className="dropdown",
                                            ),
                                            html.Button(
                                                t("register_new", lang),
                                                id=ids.REGISTER_NEW,
                                                type="button",
                                                className="btn",
                                                hidden=not editable,
                                            ),
                                        ],
                                        className="register-choose-row",
                                    ),
                                ],
                                className="register-choose",
                            ),
                            html.H3(heading, id=ids.REGISTER_HEADING),
                            html.P(
                                meta_text(listing, lang),
                                id=ids.REGISTER_META,
                                className="register-meta muted",
                            ),
                            listing_form(
                                values,
                                lang,
                                editable=editable,
                                existing=listing is not None,
                            ),
                            actions_bar(listing, lang, editable=editable),
                            html.Div(
                                [
                                    html.Div(
                                        message,
                                        id=ids.REGISTER_MESSAGE,
                                        className="register-message"
                                        + (" error" if message else ""),
                                        role="status",
                                        **{"aria-live": "polite"},
                                    ),
                                    html.Button(
                                        t("register_reload", lang),
                                        id=ids.REGISTER_RELOAD,
                                        type="button",
                                        className="btn",
                                        hidden=True,
                                    ),
                                ],
                                className="register-message-row",
                            ),
                            html.Section(
                                [
                                    html.H3(t("register_history", lang)),
                                    html.Div(
                                        history_view(
                                            register.history(
                                                current_store(), listing["premises_id"]
                                            )
                                            if listing
                                            else [],
                                            lang,
                                        ),
                                        id=ids.REGISTER_HISTORY,
                                    ),
                                ],
                                className="register-history",
                            ),
                        ],
                        className="register-form-column",
                    ),
                ],
                className="register-layout",
            ),
            import_section(lang, editable=editable),
        ],
        className="register-page",
    )


def validation_components():
    """Every component a callback of this panel names, for the validation layout."""
    fields = [dcc.Input(id=i) for f, i in ids.REGISTER_FIELDS.items()]
    fields[FIELDS.index("type")] = dcc.Dropdown(id=ids.REGISTER_FIELDS["type"])
    fields[FIELDS.index("status")] = dcc.Dropdown(id=ids.REGISTER_FIELDS["status"])
    return [
        dcc.Store(id=ids.REGISTER_LANG),
        dcc.Store(id=ids.REGISTER_VERSION),
        dcc.Store(id=ids.REGISTER_ARIA),
        dcc.Store(id=ids.REGISTER_MAP_READY),
        dcc.Store(id=ids.REGISTER_UPLOAD_DATA),
        dcc.Store(id=ids.REGISTER_IMPORT),
        dcc.Graph(id=ids.REGISTER_MAP),
        dcc.Dropdown(id=ids.REGISTER_LISTING),
        html.Button(id=ids.REGISTER_NEW),
        html.H3(id=ids.REGISTER_HEADING),
        html.P(id=ids.REGISTER_META),
        html.Div(id=ids.REGISTER_MESSAGE),
        html.Button(id=ids.REGISTER_RELOAD),
        *fields,
        *[html.Div(id=i) for i in ids.REGISTER_ERRORS.values()],
        html.Button(id=ids.REGISTER_LOCATE),
        html.Button(id=ids.REGISTER_SAVE),
        *[html.Button(id=i) for i in ids.REGISTER_TO.values()],
        html.Button(id=ids.REGISTER_RENEW),
        html.Div(id=ids.REGISTER_HISTORY),
        dcc.Upload(id=ids.REGISTER_UPLOAD),
        html.Div(id=ids.REGISTER_PREVIEW),
        html.Button(id=ids.REGISTER_CONFIRM),
        html.Div(id=ids.REGISTER_USER),
        *import_validation_components(),
    ]


_BUTTONS = {ids.REGISTER_SAVE, ids.REGISTER_RENEW, *ids.REGISTER_TO.values()}
_TO_STATUS = {i: s for s, i in ids.REGISTER_TO.items()}


@callback(
    output={
        "values": {
            f: Output(ids.REGISTER_FIELDS[f], "value", allow_duplicate=True)
            for f in FIELDS
        },
        "errors": {f: Output(ids.REGISTER_ERRORS[f], "children") for f in FIELDS},
        "status_disabled": Output(ids.REGISTER_FIELDS["status"], "disabled"),
        "version": Output(ids.REGISTER_VERSION, "data"),
        "heading": Output(ids.REGISTER_HEADING, "children"),
        "meta": Output(ids.REGISTER_META, "children"),
        "message": Output(ids.REGISTER_MESSAGE, "children"),
        "message_class": Output(ids.REGISTER_MESSAGE, "className"),
        "reload_hidden": Output(ids.REGISTER_RELOAD, "hidden"),
        "to_hidden": {
            s: Output(ids.REGISTER_TO[s], "hidden") for s in PREMISES_STATUSES
        },
        "renew_hidden": Output(ids.REGISTER_RENEW, "hidden"),
        "history": Output(ids.REGISTER_HISTORY, "children"),
        "options": Output(ids.REGISTER_LISTING, "options", allow_duplicate=True),
        "listing": Output(ids.REGISTER_LISTING, "value"),
        "figure": Output(ids.REGISTER_MAP, "figure", allow_duplicate=True),
    },
    inputs={
        "listing": Input(ids.REGISTER_LISTING, "value"),
        "new": Input(ids.REGISTER_NEW, "n_clicks"),
        "reload": Input(ids.REGISTER_RELOAD, "n_clicks"),
        "save_clicks": Input(ids.REGISTER_SAVE, "n_clicks"),
        "renew_clicks": Input(ids.REGISTER_RENEW, "n_clicks"),
        "to_clicks": {
            s: Input(ids.REGISTER_TO[s], "n_clicks") for s in PREMISES_STATUSES
        },
    },
    state={
        "values": {f: State(ids.REGISTER_FIELDS[f], "value") for f in FIELDS},
        "version": State(ids.REGISTER_VERSION, "data"),
        "lang": State(ids.REGISTER_LANG, "data"),
    },
    prevent_initial_call=True,
)
def update_editor(
    listing, new, reload, save_clicks, renew_clicks, to_clicks, values, version, lang
):
    """Load, save, re-status or renew the listing shown in the form."""
    trigger = ctx.triggered_id
    if trigger in _BUTTONS:
        # A button that was just (re)inserted reports no click.
        clicks = {ids.REGISTER_SAVE: save_clicks, ids.REGISTER_RENEW: renew_clicks}
        clicks.update({ids.REGISTER_TO[s]: c for s, c in to_clicks.items()})
        if not clicks.get(trigger):
            raise PreventUpdate
    if trigger == ids.REGISTER_SAVE:
        return save(values, version, lang)
    if trigger == ids.REGISTER_RENEW:
        return renew(version, lang)
    if trigger in _TO_STATUS:
        return change_status(_TO_STATUS[trigger], version, lang)
    if trigger == ids.REGISTER_NEW:
        return load(None, lang)
    if trigger == ids.REGISTER_RELOAD:
        return load((version or {}).get("id") or listing, lang)
    if trigger == ids.REGISTER_LISTING:
        if version and listing == version.get("id"):
            raise PreventUpdate
        return load(listing, lang)
    raise PreventUpdate


@callback(
    Output(ids.REGISTER_FIELDS["lat"], "value", allow_duplicate=True),
    Output(ids.REGISTER_FIELDS["lon"], "value", allow_duplicate=True),
    Output(ids.REGISTER_ERRORS["address"], "children", allow_duplicate=True),
    Input(ids.REGISTER_LOCATE, "n_clicks"),
    State(ids.REGISTER_FIELDS["address"], "value"),
    State(ids.REGISTER_LANG, "data"),
    prevent_initial_call=True,
)
def update_locate(n_clicks, address, lang):
    """Place the listing at an identical address already in the store."""
    if not n_clicks:
        raise PreventUpdate
    return locate(address, lang)


clientside_callback(
    ClientsideFunction("register", "attach"),
    Output(ids.REGISTER_MAP_READY, "data"),
    Input(ids.REGISTER_MAP, "figure"),
    State(ids.REGISTER_LANG, "data"),
    State(ids.REGISTER_MAP, "id"),
    State(ids.REGISTER_FIELDS["lat"], "id"),
    State(ids.REGISTER_FIELDS["lon"], "id"),
)


clientside_callback(
    ClientsideFunction("register", "pick"),
    Output(ids.REGISTER_FIELDS["lat"], "value", allow_duplicate=True),
    Output(ids.REGISTER_FIELDS["lon"], "value", allow_duplicate=True),
    Input(ids.REGISTER_MAP, "clickData"),
    State(ids.REGISTER_FIELDS["lat"], "disabled"),
    State(ids.REGISTER_LANG, "data"),
    prevent_initial_call=True,
)


clientside_callback(
    ClientsideFunction("register", "marker"),
    Output(ids.REGISTER_MAP, "figure", allow_duplicate=True),
    Input(ids.REGISTER_FIELDS["lat"], "value"),
    Input(ids.REGISTER_FIELDS["lon"], "value"),
    prevent_initial_call=True,
)


clientside_callback(
    ClientsideFunction("register", "aria"),
    Output(ids.REGISTER_ARIA, "data"),
    [Input(ids.REGISTER_ERRORS[f], "children") for f in FIELDS],
    [State(ids.REGISTER_FIELDS[f], "id") for f in FIELDS],
)


clientside_callback(
    ClientsideFunction("register", "upload"),
    Output(ids.REGISTER_UPLOAD_DATA, "data"),
    Output(ids.REGISTER_UPLOAD, "contents"),
    Input(ids.REGISTER_UPLOAD, "contents"),
    State(ids.REGISTER_UPLOAD, "filename"),
    prevent_initial_call=True,
)
