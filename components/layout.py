"""The page shell: header, navigation, language switch, and routing to the pages.

The pages are an explicit registry, ``PAGES``, in navigation order. Each is a panel
module with ``PATH``, ``NAV_KEY``, ``layout(state, lang)`` and
``validation_components()``; a module with ``FULLSCREEN = True`` is shown without
the header, one with ``HIDDEN_IN_NAV = True`` is left out of the navigation. A new
page is a new ``*_panel.py`` added here. The router re-renders only when the path
changes: panels write their state into the query string without a reload, so a
copied link restores the view.
"""

from __future__ import annotations

from pathlib import Path

from dash import Input, Output, State, callback, clientside_callback, dcc, html

from components import (
    comparison_panel,
    data,
    finder_panel,
    ids,
    map_panel,
    presentation_panel,
    register_panel,
)
from components.i18n import DEFAULT_LANG, lang_or_default, t
from components.urlstate import parse_search, with_params

# The pages, in navigation order: importing a panel registers its callbacks.
PAGES = (
    map_panel,
    comparison_panel,
    finder_panel,
    presentation_panel,
    register_panel,
)


def panels():
    """Return the page modules, in navigation order."""
    return list(PAGES)


def serve_layout():
    """Return the layout for one page load, or a clear page if the store is broken."""
    state = data.status()
    if not state["ok"]:
        return broken_store_page(state)
    return html.Div(
        [
            dcc.Location(id=ids.PAGE_URL, refresh="callback-nav"),
            # Store faults during callbacks (components/server_routes.py).
            html.Div(
                id="page-alert", className="page-alert", role="alert", hidden=True
            ),
            html.Header(id=ids.PAGE_HEADER, className="page-header"),
            # tabIndex -1: the skip link moves focus here.
            html.Main(id=ids.PAGE_CONTENT, className="page-content", tabIndex="-1"),
        ],
        id="page-shell",
        className="page-shell",
    )


def validation_layout():
    """The shell plus every panel's components, so Dash can check all callbacks."""
    children = [
        dcc.Location(id=ids.PAGE_URL),
        html.Header(id=ids.PAGE_HEADER),
        html.Main(id=ids.PAGE_CONTENT),
        html.Div(id="page-shell"),
        html.Div(id="page-alert"),
        html.Div(id="connection-alert"),
        html.A(id=ids.PAGE_LANG_NB),
        html.A(id=ids.PAGE_LANG_EN),
    ]
    for panel in panels():
        children.extend(panel.validation_components())
    return html.Div(children)


def header(pathname, search, lang):
    """The header: title, navigation links and the language switch."""
    keep = {"lang": lang if lang != DEFAULT_LANG else None}
    nav = [
        dcc.Link(
            t(p.NAV_KEY, lang),
            href=p.PATH + with_params("", **keep),
            className="nav-link" + (" active" if p.PATH == pathname else ""),
        )
        for p in panels()
        if not getattr(p, "HIDDEN_IN_NAV", False)
    ]
    langs = html.Div(
        [
            html.A(
                "Norsk",
                id=ids.PAGE_LANG_NB,
                href=pathname + with_params(search, lang=None),
                lang="nb",
                className="lang-link" + (" active" if lang == "nb" else ""),
            ),
            html.A(
                "English",
                id=ids.PAGE_LANG_EN,
                href=pathname + with_params(search, lang="en"),
                lang="en",
                className="lang-link" + (" active" if lang == "en" else ""),
            ),
        ],
        className="lang-switch",
        role="group",
        **{"aria-label": t("lang_label", lang)},
    )
    banners = []
    if any(i.demonstration for i in data.layer_infos().values()):
        banners.append(html.P(t("demo_banner", lang), className="demo-banner"))
    return [
        html.A(t("skip_to_content", lang), href="#page-content", className="skip-link"),
        # Shown by assets/a11y.js when a callback gets no answer from the server.
        html.Div(
            t("connection_lost", lang),
            id="connection-alert",
            className="page-alert connection-alert",
            role="alert",
            hidden=True,
        ),
        html.Div(
            [
                html.H1(t("app_title", lang), className="app-title"),
                html.Nav(nav, className="main-nav"),
                langs,
            ],
            className="header-bar",
        ),
        *banners,
    ]


@callback(
    Output(ids.PAGE_CONTENT, "children"),
    Output(ids.PAGE_HEADER, "children"),
    Output("page-shell", "className"),
    Output("page-shell", "lang"),
    Input(ids.PAGE_URL, "pathname"),
    State(ids.PAGE_URL, "search"),
)
def update_page(pathname, search):
    """Render the panel for the path, in the language of the query string."""
    state = parse_search(search)
    lang = lang_or_default(state.get("lang"))
    pathname = pathname or "/"
    panel = next((p for p in panels() if p.PATH == pathname), None)
    if panel is None:
        content = html.P(t("not_found", lang, path=pathname), className="not-found")
        return content, header(pathname, search, lang), "page-shell", lang
    shell_class = (
        "page-shell fullscreen"
        if getattr(panel, "FULLSCREEN", False)
        else ("page-shell")
    )
    # assets/a11y.js copies the shell's lang to <html lang> (no inline script).
    return panel.layout(state, lang), header(pathname, search, lang), shell_class, lang


# Keep the language links pointing at the current view as its state changes.
clientside_callback(
    """
    function(search, pathname) {
        const params = new URLSearchParams(search || "");
        params.delete("lang");
        const nb = params.toString();
        params.set("lang", "en");
        return [pathname + (nb ? "?" + nb : ""), pathname + "?" + params.toString()];
    }
    """,
    Output(ids.PAGE_LANG_NB, "href"),
    Output(ids.PAGE_LANG_EN, "href"),
    Input(ids.PAGE_URL, "search"),
    State(ids.PAGE_URL, "pathname"),
)


def broken_store_page(state):
    """A page that says what is wrong with the store and how to rebuild it."""
    return html.Main(
        [
            html.H1(t("app_title", "nb")),
            html.H2(f"{t('broken_title', 'nb')} / {t('broken_title', 'en')}"),
            # The file's name only: never the store's absolute path (this page is
            # shown to anonymous readers), and the message without it.
            html.P(
                f"{Path(str(state['store'])).name}: "
                f"{str(state['message']).replace(str(state['store']), '…')}",
                className="broken-detail",
            ),
            html.P(f"{t('broken_rebuild', 'nb')} / {t('broken_rebuild', 'en')}"),
            html.Pre(
                "make rebuild         # python -m layers rebuild: prints the plan\n"
                "make rebuild YES=1   # python -m layers rebuild --yes"
            ),
        ],
        className="broken-store",
    )
