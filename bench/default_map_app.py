"""A default Dash page with one map of the six areas, built the textbook way.

The reference for the first-load budget: ``Dash(compress=True)`` (the same
compression as the dashboard) and one ``dcc.Graph`` holding ``px.choropleth_map``
of the areas read from the store named by ``$NARING_STORE``, on the blank
``white-bg`` map style (no tile server, like our offline basemap). Served by
``gunicorn bench.default_map_app:server``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import plotly.express as px
from dash import Dash, dcc, html

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from layers.store import open_store  # noqa: E402

areas = open_store(os.environ.get("NARING_STORE")).read_layer("areas")
figure = px.choropleth_map(
    areas,
    geojson=areas.geometry,
    locations=areas.index,
    color="name",
    hover_name="name",
    center={"lat": 59.92, "lon": 10.96},
    zoom=10.5,
    map_style="white-bg",
)

app = Dash(__name__, compress=True)
app.layout = html.Div([html.H1("Næringsområder i Lørenskog"), dcc.Graph(figure=figure)])
server = app.server
