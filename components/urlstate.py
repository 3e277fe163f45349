"""The view's state in the URL query string, so that a copied link restores it."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode


def parse_search(search):
    """Parse ``?a=1&b=x,y`` into ``{"a": "1", "b": "x,y"}`` (last value wins)."""
    return dict(parse_qsl((search or "").lstrip("?"), keep_blank_values=False))


def build_search(state):
    """Build a query string from ``state``, leaving out empty values, keys sorted."""
    items = sorted((k, str(v)) for k, v in state.items() if v not in (None, "", [], ()))
    return "?" + urlencode(items, safe=",.:-") if items else ""


def with_params(search, **changes):
    """Return ``search`` with some parameters changed (None removes one)."""
    state = parse_search(search)
    for key, value in changes.items():
        if value is None:
            state.pop(key, None)
        else:
            state[key] = value
    return build_search(state)


def get_list(state, key, allowed=None):
    """Read a comma-separated list parameter, keeping only ``allowed`` values."""
    values = [v for v in state.get(key, "").split(",") if v]
    return [v for v in values if allowed is None or v in allowed]
