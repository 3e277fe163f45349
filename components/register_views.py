"""The register's page parts in HTML: the form, its actions, the bulk-import section
and its preview. Pure: values, reports and the language in, Dash components out.
"""

from __future__ import annotations

from dash import dcc, html

from components import ids
from components.i18n import status_name, t
from components.i18n.map import premises_type_name
from components.register_format import field_label, show_value, user_message
from layers import register
from layers.register import staging
from layers.schemas import PREMISES_STATUSES, PREMISES_TYPES

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


def import_section(lang, *, editable):
    return html.Section(
        [
            html.H3(t("register_import_heading", lang)),
            html.P(
                t("register_import_intro", lang, limit=MAX_UPLOAD_MB),
                className="muted",
            ),
            dcc.Upload(
                html.Div(t("register_upload", lang)),
                id=ids.REGISTER_UPLOAD,
                accept=",".join(UPLOAD_SUFFIXES),
                multiple=False,
                className="register-upload",
                className_active="register-upload active",
            ),
            html.Div(id=ids.REGISTER_PREVIEW, **{"aria-live": "polite"}),
            html.Button(
                "",
                id=ids.REGISTER_CONFIRM,
                type="button",
                className="btn btn-primary",
                hidden=True,
            ),
        ],
        className="register-import",
        hidden=not editable,
    )


def listing_heading(listing, lang, editable):
    if listing is None:
        return t("register_heading_new", lang) if editable else ""
    key = "register_heading_edit" if editable else "register_heading_view"
    return f"{t(key, lang)}: {listing['title']}"


def problems_of(exc):
    return list(getattr(exc, "problems", None) or [exc])


def _count_card(label, n, kind):
    return html.Div(
        [html.P(label, className="card-title"), html.P(str(n), className="card-value")],
        className=f"card preview-{kind}",
    )


def preview_view(name, lang, *, report=None, problems=None):
    """The preview: counts, the field changes, and the rejected rows and why."""
    heading = html.H4(t("register_preview_heading", lang, name=name))
    if problems:
        rows = {p.row for p in problems if p.row is not None}
        table = html.Table(
            [
                html.Thead(
                    html.Tr(
                        [
                            html.Th(t("register_col_row", lang)),
                            html.Th(t("register_col_field", lang)),
                            html.Th(t("register_col_problem", lang)),
                        ]
                    )
                ),
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Td("" if p.row is None else str(p.row)),
                                html.Td(p.field or ""),
                                html.Td(user_message(p, lang)),
                            ]
                        )
                        for p in problems
                    ]
                ),
            ],
            className="data-table preview-problems",
        )
        return html.Div(
            [
                heading,
                html.Div(
                    [
                        _count_card(t("register_preview_added", lang), 0, "added"),
                        _count_card(t("register_preview_changed", lang), 0, "changed"),
                        _count_card(
                            t("register_preview_rejected", lang),
                            len(rows) or len(problems),
                            "rejected",
                        ),
                    ],
                    className="cards preview-counts",
                ),
                html.P(
                    t("register_preview_blocked", lang),
                    className="register-message error",
                ),
                html.Div(table, className="table-scroll"),
            ],
            className="register-preview",
        )
    added, changed = report["added"], report["changed"]
    parts = [
        heading,
        html.Div(
            [
                _count_card(t("register_preview_added", lang), len(added), "added"),
                _count_card(
                    t("register_preview_changed", lang), len(changed), "changed"
                ),
                _count_card(
                    t("register_preview_unchanged", lang),
                    len(report["unchanged"]),
                    "unchanged",
                ),
                _count_card(t("register_preview_rejected", lang), 0, "rejected"),
            ],
            className="cards preview-counts",
        ),
    ]
    if added or changed:
        body = [
            html.Tr(
                [
                    html.Td(t("register_preview_added", lang)),
                    html.Td(e["title"]),
                    html.Td(""),
                ],
                className="preview-added",
            )
            for e in added
        ] + [
            html.Tr(
                [
                    html.Td(t("register_preview_changed", lang)),
                    html.Td(e["title"]),
                    html.Td(
                        html.Ul(
                            [
                                html.Li(
                                    f"{field_label(f, lang)}: "
                                    f"{show_value(f, old, lang)} → "
                                    f"{show_value(f, new, lang)}"
                                )
                                for f, (old, new) in e["changes"].items()
                            ],
                            className="history-changes",
                        )
                    ),
                ],
                className="preview-changed",
            )
            for e in changed
        ]
        parts.append(
            html.Div(
                html.Table(
                    [
                        html.Thead(
                            html.Tr(
                                [
                                    html.Th(""),
                                    html.Th(t("register_col_listing", lang)),
                                    html.Th(t("register_col_changes", lang)),
                                ]
                            )
                        ),
                        html.Tbody(body),
                    ],
                    className="data-table preview-table",
                ),
                className="table-scroll",
            )
        )
        parts.append(html.P(t("register_preview_ready", lang), className="muted"))
    else:
        parts.append(html.P(t("register_preview_nothing", lang), className="muted"))
    return html.Div(parts, className="register-preview")
