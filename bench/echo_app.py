"""The dashboard plus one trivial echo callback, for benchmarks only.

``gunicorn bench.echo_app:server`` serves the real dashboard with the same
settings as production, and adds a callback that returns its input unchanged (its
input and output are on every page, hidden), so that a benchmark can compare a
real callback with the cost of the machinery alone (HTTP, sessions, CSRF check,
compression, Dash dispatch, rendering in the browser) on the same server.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dash import Input, Output, dcc, html

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app, warm  # noqa: E402
from components import layout  # noqa: E402

ECHO_IN = "bench-echo-in"
ECHO_OUT = "bench-echo-out"

app = create_app()


def _echo_components():
    return [dcc.Input(id=ECHO_IN, value=""), html.Div(id=ECHO_OUT)]


def serve_layout():
    """Every page of the dashboard, with the echo's input and output beside it."""
    return html.Div([layout.serve_layout(), html.Div(_echo_components(), hidden=True)])


app.validation_layout = html.Div([app.validation_layout, *_echo_components()])
app.layout = serve_layout


@app.callback(Output(ECHO_OUT, "children"), Input(ECHO_IN, "value"))
def update_echo(value):
    """Return the input unchanged."""
    return value


warm(app)  # as app:server does in production
server = app.server
