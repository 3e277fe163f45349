"""The register's page parts in HTML: the form and its actions (the bulk-import
section and its preview: ``components.register_import_views``). Pure: values and
the language in, Dash components out.
"""

from __future__ import annotations

from dash import dcc, html

from components import ids
from components.i18n import status_name, t
from components.i18n.map import premises_type_name
from components.register_format import field_label
from layers import register
from layers.register import staging
from layers.schemas import PREMISES_STATUSES, PREMISES_TYPES

# The upload's limits (the import section's, kept here for older callers).
MAX_UPLOAD_MB = staging.MAX_MB
MAX_UPLOAD_BYTES = staging.MAX_BYTES
UPLOAD_SUFFIXES = staging.SUFFIXES


def _field(field, control, lang, hint=None, wide=False):
    label_id = ids.REGISTER_FIELDS[field]
    return html.Div(
        [
            html.Label(field_label(field, lang), htmlFor=label_id),
            control,
            html.Small(hint, className="field-hint") if hint else None,
            html.Div(
                id=ids.REGISTER_ERRORS[field],
                className="field-error",
                role="alert",
            ),
        ],
        className="register-field" + (" wide" if wide else ""),
    )


def _text_input(field, value, disabled, **kw):
    return dcc.Input(
        id=ids.REGISTER_FIELDS[field],
        type="text",
        value=value,
        disabled=disabled,
        debounce=False,
        className="register-input",
        **kw,
    )


def listing_form(values, lang, *, editable, existing):
    type_options = [
        {"label": premises_type_name(k, lang), "value": k} for k in PREMISES_TYPES
    ]
    status_options = [
        {"label": status_name(s, lang), "value": s} for s in PREMISES_STATUSES
    ]
    ro = not editable
    return html.Div(
        [
            _field(
                "title",
                _text_input("title", values["title"], ro, maxLength=200),
                lang,
                wide=True,
            ),
            _field(
                "address",
                _text_input(
                    "address",
                    values["address"],
                    ro,
                    maxLength=200,
                    autoComplete="off",
                ),
                lang,
                wide=True,
            ),
            _field(
                "type",
                dcc.Dropdown(
                    id=ids.REGISTER_FIELDS["type"],
                    options=type_options,
                    value=values["type"],
                    clearable=False,
                    searchable=False,
                    disabled=ro,
                    placeholder=t("register_placeholder_type", lang),
                    className="dropdown",
                ),
                lang,
            ),
            _field(
                "status",
                dcc.Dropdown(
                    id=ids.REGISTER_FIELDS["status"],
                    options=status_options,
                    value=values["status"],
                    clearable=False,
                    searchable=False,
                    disabled=ro or existing,
                    className="dropdown",
                ),
                lang,
            ),
            _field(
                "size_m2",
                _text_input("size_m2", values["size_m2"], ro, inputMode="decimal"),
                lang,
            ),
            _field(
                "rent_nok_m2_year",
                _text_input(
                    "rent_nok_m2_year",
                    values["rent_nok_m2_year"],
                    ro,
                    inputMode="decimal",
                ),
                lang,
                hint=t("register_hint_rent", lang),
            ),
            _field(
                "available_from",
                _text_input("available_from", values["available_from"], ro),
                lang,
                hint=t("register_hint_available_from", lang),
            ),
            _field(
                "contact",
                _text_input("contact", values["contact"], ro, maxLength=200),
                lang,
            ),
            _field(
                "url",
                _text_input("url", values["url"], ro, maxLength=2000, inputMode="url"),
                lang,
                wide=True,
            ),
            html.Fieldset(
                [
                    html.Legend(t("register_place_legend", lang)),
                    html.P(t("register_place_hint", lang), className="field-hint"),
                    html.Div(
                        [
                            _field(
                                "lat",
                                _text_input(
                                    "lat", values["lat"], ro, inputMode="decimal"
                                ),
                                lang,
                            ),
                            _field(
                                "lon",
                                _text_input(
                                    "lon", values["lon"], ro, inputMode="decimal"
                                ),
                                lang,
                            ),
                            html.Button(
                                t("register_locate", lang),
                                id=ids.REGISTER_LOCATE,
                                type="button",
                                className="btn",
                                hidden=ro,
                            ),
                        ],
                        className="register-place-row",
                    ),
                ],
                className="register-place wide",
            ),
        ],
        className="register-form",
    )


def actions_bar(listing, lang, *, editable):
    allowed = register.TRANSITIONS.get(listing["status"], ()) if listing else ()
    return html.Div(
        [
            html.Button(
                t("register_save", lang),
                id=ids.REGISTER_SAVE,
                type="button",
                className="btn btn-primary",
                hidden=not editable,
            ),
            html.Div(
                [
                    html.Button(
                        t(f"register_to_{s}", lang),
                        id=ids.REGISTER_TO[s],
                        type="button",
                        className="btn",
                        hidden=not (editable and s in allowed),
                    )
                    for s in PREMISES_STATUSES
                ]
                + [
                    html.Button(
                        t("register_renew", lang),
                        id=ids.REGISTER_RENEW,
                        type="button",
                        className="btn",
                        hidden=not (editable and listing is not None),
                    )
                ],
                className="register-transitions",
                role="group",
                **{"aria-label": t("register_actions", lang)},
            ),
        ],
        className="register-actions",
    )


def listing_heading(listing, lang, editable):
    if listing is None:
        return t("register_heading_new", lang) if editable else ""
    key = "register_heading_edit" if editable else "register_heading_view"
    return f"{t(key, lang)}: {listing['title']}"
