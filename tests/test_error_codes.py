"""Errors carry codes; every code has a bokmål and an English message in the UI."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from components.i18n.errors import MESSAGES, error_text
from layers import register
from layers.errors import CODES, InputError, StoreError, english, param_names

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = {
    "value": 250000.5,
    "limit": 200000,
    "n": 3,
    "distance": 1234,
    "line": 7,
    "first_row": 2,
    "lat": 59.9,
    "lon": 10.9,
    "what": "size",
    "unit": "NOK/m²/yr",
    "status": "ledig",
    "old": "utleid",
    "new": "reservert",
}


def _params(code):
    return {n: SAMPLES.get(n, f"<{n}>") for n in param_names(CODES[code])}


def _placeholders(text):
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_has_a_message_in_both_languages(code):
    """Raise the code; the UI finds a filled nb and en message for it."""
    kind = StoreError if code.startswith("store.") else InputError
    with pytest.raises(kind) as info:
        raise kind(code=code, params=_params(code))
    err = info.value
    assert err.code == code and err.message == english(code, _params(code))
    texts = {lang: error_text(err, lang) for lang in ("nb", "en")}
    for lang, text in texts.items():
        assert text and "{" not in text and "}" not in text, (lang, text)
        assert _placeholders(MESSAGES[code][lang]) <= param_names(CODES[code])


def test_messages_cover_exactly_the_codes():
    """No code lacks a message, and no message names a code that does not exist."""
    assert set(MESSAGES) == set(CODES)


def test_params_are_translated():
    """Numbers are written the Norwegian way, statuses and units translated."""
    err = InputError(code="listing.transition", params=_params("listing.transition"))
    assert "Utleid" in error_text(err, "nb") or "utleid" in error_text(err, "nb")
    err = InputError(code="value.implausible", params=_params("value.implausible"))
    assert "kr/m²/år" in error_text(err, "nb") and "200\u00a0000" in error_text(
        err, "nb"
    )
    assert "NOK/m²/yr" in error_text(err, "en") and "200,000" in error_text(err, "en")


def test_message_only_errors_still_work():
    """An error built from a message has no code and shows its message."""
    err = InputError("something odd", file="f.csv", row=2)
    assert err.code is None and str(err) == "f.csv, row 2: something odd"
    assert error_text(err, "nb") == "Something odd"


def test_unknown_code_is_refused():
    """A typo in a code fails where it is raised, not silently in the UI."""
    with pytest.raises(KeyError):
        InputError(code="no.such_code")


def test_form_errors_keep_codes_per_field():
    """The register's form errors carry each field's code and params."""
    with pytest.raises(register.FormErrors) as info:
        register.validate_listing({"title": "", "size_m2": "-3", "lat": "x"})
    causes = info.value.causes
    assert causes["title"].code == "value.required"
    assert causes["size_m2"].code == "value.not_positive"
    assert causes["lat"].code == "value.number"
    assert info.value.errors["size_m2"] == "size must be greater than 0, got -3"
    assert error_text(causes["title"], "nb") == "Må fylles ut."


def _raised_codes(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "code":
            if isinstance(node.value, ast.Constant) and isinstance(
                node.value.value, str
            ):
                yield node.value.value
        if isinstance(node, ast.Tuple) and node.elts:
            first = node.elts[0]
            if isinstance(first, ast.Constant) and first.value in CODES:
                yield first.value


def test_every_code_raised_in_layers_is_registered():
    """Codes written in layers/ are keys of CODES (parsed from the source)."""
    found = set()
    for path in sorted((ROOT / "layers").rglob("*.py")):
        found |= set(_raised_codes(path))
    assert found and found <= set(CODES), sorted(found - set(CODES))
