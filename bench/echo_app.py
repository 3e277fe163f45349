"""The dashboard plus one trivial echo callback, for benchmarks only.

``gunicorn bench.echo_app:server`` serves the real dashboard with the same
settings as production, and adds a callback that returns its input unchanged, so
that a benchmark can compare a real callback with the cost of the machinery alone
(HTTP, sessions, CSRF check, compression, Dash dispatch) on the same server.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dash import Input, Output

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402

ECHO_IN = "bench-echo-in"
ECHO_OUT = "bench-echo-out"

app = create_app()


@app.callback(Output(ECHO_OUT, "children"), Input(ECHO_IN, "value"))
def update_echo(value):
    """Return the input unchanged."""
    return value


server = app.server
