"""The finder's page parts in HTML: filters, toolbar, grid columns, detail card,
and the query that the filter controls' values stand for.

Pure: listings, the query and the language in, Dash components (or a Query) out.
"""

from __future__ import annotations

from dash import dcc, html

from components import finder, ids, reach_views
from components.figures import PREMISES_COLORS
from components.i18n import fmt_date, fmt_int, fmt_m2, fmt_nok, fmt_num, status_name, t
from components.i18n.map import premises_type_name
from components.urlstate import with_params
from layers.schemas import PREMISES_STATUSES, PREMISES_TYPES

REGISTER_PATH = "/lokaler/register"


def map_legend(listings_, lang):
    """The map's key, as HTML under the map (plotly's legend would cover it)."""
    present = set(listings_.frame["type"])
    items = [
        html.Li(
            [
                html.Span(
                    className="finder-swatch",
                    style={"backgroundColor": PREMISES_COLORS.get(kind, "#9e9e9e")},
                ),
                premises_type_name(kind, lang),
            ]
        )
        for kind in PREMISES_TYPES
        if kind in present
    ]
    items.append(
        html.Li(
            [
                html.Span(className="finder-swatch finder-swatch-stop"),
                t("finder_stops_trace", lang),
            ]
        )
    )
    return html.Ul(
        items, className="finder-legend", **{"aria-label": t("finder_legend", lang)}
    )


def grid_columns(lang):
    """Column definitions: text cells only (no HTML renderers), sorted server-side."""

    def col(field, width, **kw):
        return {
            "field": field,
            "colId": field,
            "headerName": t(f"finder_grid_{field}", lang),
            "width": width,
            **kw,
        }

    right = {"type": "rightAligned"}
    return [
        col("title", 235, pinned="left", tooltipField="title"),
        col("size", 92, **right),
        col("available", 112),
        col("walk", 78, **right),
        col("stop", 190, tooltipField="stop"),
        col("rent", 135, **right),
        col("area", 140),
        col("type", 140),
        col(
            "updated",
            200,
            cellClassRules={
                "finder-stale": "params.data && params.data.stale === true"
            },
        ),
        col("status", 100),
    ]


def grid_locale(lang):
    """AG Grid's own texts (pagination, loading) in the page's language."""
    if lang == "en":
        return {}
    return {
        "page": "Side",
        "of": "av",
        "to": "til",
        "more": "flere",
        "firstPage": "Første side",
        "lastPage": "Siste side",
        "nextPage": "Neste side",
        "previousPage": "Forrige side",
        "loadingOoo": "Laster …",
        "noRowsToShow": "Ingen lokaler passer til søket",
        "pageLastRowUnknown": "?",
        "ariaChecked": "valgt",
        "ariaUnchecked": "ikke valgt",
        "ariaRowSelect": "Trykk mellomrom for å velge raden",
        "ariaRowDeselect": "Trykk mellomrom for å fjerne valget",
        "ariaRowToggleSelection": "Trykk mellomrom for å velge eller fjerne raden",
        "ariaLabelSelectAll": "Velg alle",
        "ariaLabelRowSelection": "Velg rad",
    }


def count_text(n, lang):
    """``23 lokaler`` / ``1 lokale``."""
    key = "finder_count_one" if n == 1 else "finder_count_many"
    return t(key, lang, n=fmt_int(n, lang))


def _fact(label, value):
    return html.Div([html.Dt(label), html.Dd(value)], className="finder-fact")


def detail_card(listings_, pid, query, today, lang, reach=None):
    """The card of one listing, or a hint when none is chosen. Text only.

    ``reach``: the listing's travel times (``reach_views.detail_facts``), if any.
    """
    k = listings_.index.get(pid) if pid else None
    if k is None:
        return html.P(t("finder_detail_empty", lang), className="finder-detail-empty")
    r = finder.records(listings_, [k], query, today)[0]
    rent = r["rent_nok_m2_year"]
    facts = [
        _fact(t("finder_types", lang), premises_type_name(r["type"], lang)),
        _fact(t("finder_size", lang), fmt_m2(r["size_m2"], lang)),
        _fact(
            t("finder_rent", lang),
            fmt_nok(rent, lang) if rent is not None else t("finder_no_rent", lang),
        ),
        _fact(t("finder_grid_available", lang), fmt_date(r["available_from"], lang)),
        _fact(t("finder_status", lang), status_name(r["status"], lang)),
    ]
    if r["stop_name"]:
        dep = r["stop_departures"]
        facts += [
            _fact(t("finder_detail_stop", lang), r["stop_name"]),
            _fact(
                t("finder_detail_lines", lang),
                ", ".join(finder.sorted_lines(r["stop_lines"])) or "–",
            ),
            _fact(
                t("finder_detail_departures", lang),
                f"{fmt_num(dep, 0 if dep == int(dep) else 1, lang)} "
                f"{t('finder_detail_per_hour', lang)}",
            ),
            _fact(t("finder_detail_walk", lang), finder.walk_text(r["walk_m"], lang)),
        ]
    else:
        facts.append(
            _fact(t("finder_detail_stop", lang), t("finder_detail_no_stop", lang))
        )
    updated = [fmt_date(r["updated_day"], lang)]
    if r["age_days"] is not None:
        updated.append(
            f" ({t('finder_detail_fresh', lang, days=fmt_int(r['age_days'], lang))})"
        )
    facts.append(_fact(t("finder_detail_updated", lang), updated))
    if r["contact"]:
        facts.append(_fact(t("finder_detail_contact", lang), r["contact"]))
    link = finder.safe_link(r["url"])
    if link:
        facts.append(
            _fact(
                t("finder_detail_link", lang),
                html.A(
                    t("finder_detail_open_link", lang),
                    href=link,
                    target="_blank",
                    rel="noopener noreferrer",
                ),
            )
        )
    badges = []
    if r["stale"]:
        badges.append(
            html.P(
                t("finder_stale_long", lang, days=fmt_int(finder.STALE_DAYS, lang)),
                className="finder-stale-note",
            )
        )
    if r.get("demonstration"):
        badges.append(html.Span(t("finder_demo_tag", lang), className="demo-tag"))
    register_href = REGISTER_PATH + with_params(
        "", id=r["premises_id"], lang=lang if lang == "en" else None
    )
    return html.Article(
        [
            html.H3(r["title"], className="finder-detail-title"),
            html.P(
                f"{r['address']} · {finder.area_name(listings_, r['area_id'], lang)}",
                className="finder-detail-address",
            ),
            *badges,
            html.Dl(facts, className="finder-facts"),
            *reach_views.detail_facts(reach, lang),
            dcc.Link(
                t("finder_detail_register", lang),
                href=register_href,
                className="finder-register-link",
            ),
        ],
        className="finder-detail-card",
        **{"data-id": r["premises_id"]},
    )


def _reach_fieldset(q, lang, reach):
    """The reach filter (``reach``: the stop places, or None without a timetable:
    then the fields stay, for the callbacks, with a note)."""
    note = []
    if reach is None:
        import pandas as pd

        reach = pd.DataFrame(columns=["stop_id", "name", "lon", "lat"])
        note = [html.P(t("reach_none", lang), className="finder-hint")]
    minutes = _number_input(
        ids.FINDER_REACH_MINUTES, q.reach_minutes, t("reach_minutes", lang), "30"
    )
    return [
        html.Fieldset(
            [
                html.Legend(t("reach_filter", lang)),
                minutes,
                *reach_views.from_fields(q, reach, lang),
                *note,
            ],
            className="finder-group finder-reach",
        )
    ]


def _options(values, label):
    return [{"label": label(v), "value": v} for v in values]


def _number_input(id_, value, label, placeholder="", inline=False):
    return html.Div(
        [
            html.Label(label, htmlFor=id_),
            dcc.Input(
                id=id_,
                type="number",
                min=0,
                step="any",
                value=value,
                debounce=0.4,
                placeholder=placeholder,
                inputMode="numeric",
                className="finder-number",
            ),
        ],
        className="finder-field finder-field-inline" if inline else "finder-field",
    )


def filter_controls(L, q, lang, reach=None):
    return html.Div(
        [
            html.H2(t("finder_filters", lang), className="finder-filters-title"),
            html.Fieldset(
                [
                    html.Legend(t("finder_areas", lang)),
                    dcc.Checklist(
                        id=ids.FINDER_AREAS,
                        options=_options(
                            finder.AREA_CHOICES,
                            lambda a: finder.area_name(L, a, lang),
                        ),
                        value=list(q.areas),
                        className="finder-choices",
                        labelClassName="choice",
                    ),
                ],
                className="finder-group",
            ),
            html.Fieldset(
                [
                    html.Legend(t("finder_types", lang)),
                    dcc.Checklist(
                        id=ids.FINDER_TYPES,
                        options=_options(
                            PREMISES_TYPES, lambda k: premises_type_name(k, lang)
                        ),
                        value=list(q.types),
                        className="finder-choices",
                        labelClassName="choice",
                    ),
                    html.P(t("finder_none_is_all", lang), className="finder-hint"),
                ],
                className="finder-group",
            ),
            html.Fieldset(
                [
                    html.Legend(t("finder_size_legend", lang)),
                    html.Div(
                        [
                            _number_input(
                                ids.FINDER_SIZE_MIN,
                                q.size_min,
                                t("finder_from", lang),
                                inline=True,
                            ),
                            _number_input(
                                ids.FINDER_SIZE_MAX,
                                q.size_max,
                                t("finder_to", lang),
                                inline=True,
                            ),
                        ],
                        className="finder-pair",
                    ),
                ],
                className="finder-group",
            ),
            html.Div(
                [
                    html.Label(
                        t("finder_available_by", lang), htmlFor=ids.FINDER_AVAILABLE
                    ),
                    dcc.DatePickerSingle(
                        id=ids.FINDER_AVAILABLE,
                        date=q.available_by,
                        display_format="DD.MM.YYYY",
                        first_day_of_week=1,
                        clearable=True,
                        placeholder=t("finder_date_placeholder", lang),
                        className="finder-date",
                    ),
                    html.P(t("finder_available_hint", lang), className="finder-hint"),
                ],
                className="finder-group finder-field",
            ),
            html.Fieldset(
                [
                    html.Legend(t("finder_transit", lang)),
                    _number_input(
                        ids.FINDER_WALK, q.max_walk_m, t("finder_walk", lang), "800"
                    ),
                    _number_input(
                        ids.FINDER_DEPARTURES,
                        q.min_departures,
                        t("finder_min_departures", lang),
                        "4",
                    ),
                    html.P(t("finder_walk_note", lang), className="finder-hint"),
                ],
                className="finder-group",
            ),
            *_reach_fieldset(q, lang, reach),
            html.Fieldset(
                [
                    html.Legend(t("finder_rent_legend", lang)),
                    html.Div(
                        [
                            _number_input(
                                ids.FINDER_RENT_MIN,
                                q.rent_min,
                                t("finder_from", lang),
                                inline=True,
                            ),
                            _number_input(
                                ids.FINDER_RENT_MAX,
                                q.rent_max,
                                t("finder_to", lang),
                                inline=True,
                            ),
                        ],
                        className="finder-pair",
                    ),
                    dcc.RadioItems(
                        id=ids.FINDER_RENT_MISSING,
                        options=[
                            {"label": t("finder_rent_keep", lang), "value": "keep"},
                            {
                                "label": t("finder_rent_exclude", lang),
                                "value": "exclude",
                            },
                        ],
                        value=q.rent_missing,
                        className="finder-radios",
                        labelClassName="choice",
                    ),
                ],
                className="finder-group",
            ),
            html.Fieldset(
                [
                    html.Legend(t("finder_status", lang)),
                    dcc.Checklist(
                        id=ids.FINDER_STATUS,
                        options=_options(
                            PREMISES_STATUSES, lambda s: status_name(s, lang)
                        ),
                        value=list(q.statuses),
                        className="finder-choices",
                        labelClassName="choice",
                    ),
                ],
                className="finder-group",
            ),
            html.Button(
                t("finder_reset", lang),
                id=ids.FINDER_RESET,
                type="button",
                className="btn finder-reset",
            ),
        ],
        className="finder-filters",
        role="search",
        **{"aria-label": t("finder_filters", lang)},
    )


def toolbar(n, shortlist, note, lang):
    empty = not shortlist
    return html.Div(
        [
            html.Div(
                [
                    html.P(
                        [
                            html.Span(
                                count_text(n, lang),
                                id=ids.FINDER_COUNT,
                                className="finder-count",
                            ),
                            html.Span(
                                note, id=ids.FINDER_NOTE, className="finder-note"
                            ),
                        ],
                        className="finder-count-line",
                        **{"aria-live": "polite"},
                    ),
                    dcc.Clipboard(
                        id=ids.FINDER_COPY,
                        children=t("finder_copy", lang),
                        copied_children=t("finder_copied", lang),
                        title=t("finder_copy", lang),
                        className="btn btn-small finder-copy",
                    ),
                    dcc.Link(
                        t("finder_register_link", lang),
                        href=REGISTER_PATH + ("?lang=en" if lang == "en" else ""),
                        className="finder-register",
                    ),
                ],
                className="finder-toolbar-row",
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.Span(
                                t(
                                    "finder_shortlist_count",
                                    lang,
                                    n=fmt_int(len(shortlist), lang),
                                ),
                                id=ids.FINDER_SHORTLIST_COUNT,
                                className="finder-shortlist-count",
                                title=t("finder_shortlist_hint", lang),
                                **{"aria-live": "polite"},
                            ),
                            html.Button(
                                t("finder_shortlist_clear", lang),
                                id=ids.FINDER_SHORTLIST_CLEAR,
                                type="button",
                                disabled=empty,
                                className="btn btn-small",
                            ),
                        ],
                        className="finder-toolbar-group",
                    ),
                    html.Div(
                        [
                            html.Span(
                                f"{t('finder_export', lang)}:",
                                className="finder-toolbar-label",
                            ),
                            html.Span(
                                t("finder_export_list", lang),
                                className="finder-toolbar-sub",
                            ),
                            _export_button(
                                ids.FINDER_EXPORT_LIST_XLSX,
                                "XLSX",
                                "finder_export_list_xlsx",
                                empty,
                                lang,
                            ),
                            _export_button(
                                ids.FINDER_EXPORT_LIST_CSV,
                                "CSV",
                                "finder_export_list_csv",
                                empty,
                                lang,
                            ),
                            html.Span(
                                t("finder_export_all", lang),
                                className="finder-toolbar-sub",
                            ),
                            _export_button(
                                ids.FINDER_EXPORT_ALL_XLSX,
                                "XLSX",
                                "finder_export_all_xlsx",
                                False,
                                lang,
                            ),
                            _export_button(
                                ids.FINDER_EXPORT_ALL_CSV,
                                "CSV",
                                "finder_export_all_csv",
                                False,
                                lang,
                            ),
                        ],
                        className="finder-toolbar-group",
                        role="group",
                        **{"aria-label": t("finder_export", lang)},
                    ),
                ],
                className="finder-toolbar-row",
            ),
        ],
        className="finder-toolbar",
    )


def _export_button(id_, fmt, aria_key, disabled, lang):
    return html.Button(
        fmt,
        id=id_,
        type="button",
        disabled=disabled,
        className="btn btn-small",
        title=t(aria_key, lang),
        **{"aria-label": t(aria_key, lang)},
    )


def notes(L, q, lang):
    """Warnings about the search itself (a reversed range, an impossible stop)."""
    out = []
    if q.size_min is not None and q.size_max is not None and q.size_min > q.size_max:
        out.append(t("finder_note_size", lang))
    if q.rent_min is not None and q.rent_max is not None and q.rent_min > q.rent_max:
        out.append(t("finder_note_rent", lang))
    if q.min_departures is not None and finder.stop_level(L, q.min_departures) is None:
        out.append(t("finder_note_no_stop", lang))
    if q.reach_minutes is not None and not q.reach_from:
        out.append(t("reach_note_no_place", lang))
    return " ".join(out)


def query_from_controls(
    areas,
    types,
    size_min,
    size_max,
    rent_min,
    rent_max,
    rent_missing,
    available,
    statuses,
    walk,
    departures,
    reach_minutes=None,
    reach_from=None,
):
    """The :class:`finder.Query` of the filter controls' values."""
    return finder.make_query(
        areas=areas,
        types=types,
        size=(size_min, size_max),
        rent=(rent_min, rent_max),
        rent_missing=rent_missing,
        available_by=available,
        statuses=statuses or (),
        min_departures=departures,
        max_walk_m=walk,
        reach_minutes=reach_minutes,
        reach_from=reach_from,
    )
