"""Bar charts of the profile and the comparison, as plain figure dicts.

Plain dicts (what dcc.Graph takes): a go.Figure validates every property, which
costs more than the callback's whole computation.
"""

from __future__ import annotations

import html

from components.figures.theme import (
    ACCENT,
    MUTED,
    PREMISES_COLORS,
    SECTION_COLORS,
    TEMPLATE,
    separators,
)
from components.i18n import fmt_int, fmt_m2, t
from components.i18n.map import premises_type_name, section_name


def _bar_layout(lang, *, height=260, horizontal=False, xtitle="", ytitle="", **extra):
    value_axis = {"tickformat": ",.0f"}  # thousands with the language's separator
    xaxis = {"title": {"text": xtitle}, "fixedrange": True}
    yaxis = {"title": {"text": ytitle}, "fixedrange": True}
    if horizontal:
        xaxis.update(value_axis)
        yaxis["autorange"] = "reversed"
    else:
        yaxis.update(value_axis)
    return {
        "template": TEMPLATE,
        "separators": separators(lang),
        "height": height,
        "margin": {"l": 8, "r": 16, "t": 8, "b": 8},
        "showlegend": False,
        "bargap": 0.25,
        "xaxis": xaxis,
        "yaxis": yaxis,
        **extra,
    }


def empty_figure(message, lang, height=120):
    """A blank chart that says ``message`` (for an empty selection)."""
    annotation = {
        "text": html.escape(message),
        "showarrow": False,
        "x": 0.5,
        "y": 0.5,
        "xref": "paper",
        "yref": "paper",
        "font": {"color": MUTED, "size": 14},
    }
    return {
        "data": [],
        "layout": {
            "template": TEMPLATE,
            "separators": separators(lang),
            "height": height,
            "margin": {"l": 8, "r": 8, "t": 8, "b": 8},
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "annotations": [annotation],
        },
    }


def jobs_by_section_figure(jobs, lang):
    """Horizontal bars: jobs per SN2007 section (``aggregates.jobs_by_section``)."""
    codes, values = list(jobs), list(jobs.values())
    if not any(values):
        return empty_figure(t("profile_chart_empty", lang), lang)
    labels = [f"{s} {section_name(s, lang, short=True)}" for s in codes]
    bar = {
        "type": "bar",
        "x": values,
        "y": labels,
        "orientation": "h",
        "marker": {"color": [SECTION_COLORS.get(s, "#a0a0a0") for s in codes]},
        "text": [fmt_int(v, lang) for v in values],
        "textposition": "auto",
        "customdata": [html.escape(section_name(s, lang)) for s in codes],
        "hovertemplate": "%{customdata}: %{x:,.0f}<extra></extra>",
    }
    height = max(140, 24 * len(labels) + 40)
    return {
        "data": [bar],
        "layout": _bar_layout(
            lang, height=height, horizontal=True, xtitle=t("profile_axis_jobs", lang)
        ),
    }


def size_classes_figure(counts, lang):
    """Bars: establishments per size class (``aggregates.by_size_class``)."""
    values = list(counts.values())
    bar = {
        "type": "bar",
        "x": list(counts),
        "y": values,
        "marker": {"color": ACCENT},
        "text": [fmt_int(v, lang) for v in values],
        "textposition": "outside",
        "cliponaxis": False,
        "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>",
    }
    return {
        "data": [bar],
        "layout": _bar_layout(
            lang,
            xtitle=t("profile_axis_employees", lang),
            ytitle=t("profile_axis_count", lang),
        ),
    }


def premises_by_type_figure(by_type, lang):
    """Horizontal bars: available m² per premises type (see ``aggregates``)."""
    if not by_type:
        return empty_figure(t("profile_chart_empty", lang), lang)
    kinds = list(by_type)
    m2 = [by_type[k]["m2"] for k in kinds]
    labels = [premises_type_name(k, lang) for k in kinds]
    bar = {
        "type": "bar",
        "x": m2,
        "y": labels,
        "orientation": "h",
        "marker": {"color": [PREMISES_COLORS.get(k, "#9e9e9e") for k in kinds]},
        "text": [fmt_m2(v, lang) for v in m2],
        "textposition": "auto",
        "customdata": [by_type[k]["count"] for k in kinds],
        "hovertemplate": "%{y}: %{x:,.0f} m² (%{customdata})<extra></extra>",
    }
    height = max(120, 26 * len(labels) + 40)
    return {
        "data": [bar],
        "layout": _bar_layout(
            lang, height=height, horizontal=True, xtitle=t("profile_axis_m2", lang)
        ),
    }


def new_per_year_figure(per_year, lang):
    """Bars: establishments started per year (``aggregates.new_per_year``)."""
    bar = {
        "type": "bar",
        "x": [str(y) for y in per_year],
        "y": list(per_year.values()),
        "marker": {"color": "#0b6e4f"},
        "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>",
    }
    return {
        "data": [bar],
        "layout": _bar_layout(
            lang,
            xtitle=t("profile_axis_year", lang),
            ytitle=t("profile_axis_count", lang),
        ),
    }


def comparison_figure(names, values, title, lang, *, color=ACCENT, fmt=fmt_int):
    """Horizontal bars of one figure across the areas (and the rest)."""
    bar = {
        "type": "bar",
        "x": [0 if v is None else v for v in values],
        "y": list(names),
        "orientation": "h",
        "marker": {"color": color},
        "text": [fmt(v, lang) if v is not None else "–" for v in values],
        "textposition": "auto",
        "hovertemplate": "%{y}: %{x:,.0f}<extra></extra>",
    }
    layout = _bar_layout(
        lang,
        height=40 + 30 * len(names),
        horizontal=True,
        title={"text": html.escape(title), "x": 0, "font": {"size": 15}},
    )
    layout["margin"]["t"] = 36
    return {"data": [bar], "layout": layout}
