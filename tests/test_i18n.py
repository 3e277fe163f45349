"""The one date format and the one status name of the UI (components/i18n)."""

import datetime

import pandas as pd
import pytest

from components.i18n import STRINGS, fmt_date, status_name
from layers.schemas import PREMISES_STATUSES


@pytest.mark.parametrize(
    ("value", "nb", "en"),
    [
        ("2024-01-16", "16.01.2024", "2024-01-16"),
        ("2024-01-16T08:30:00Z", "16.01.2024", "2024-01-16"),
        (datetime.date(2026, 3, 1), "01.03.2026", "2026-03-01"),
        (pd.Timestamp("2026-03-01 12:00"), "01.03.2026", "2026-03-01"),
    ],
)
def test_dates_are_day_month_year_in_bokmal_and_iso_in_english(value, nb, en):
    """A date reads 16.01.2024 in bokmål and 2024-01-16 in English."""
    assert fmt_date(value, "nb") == nb
    assert fmt_date(value, "en") == en


@pytest.mark.parametrize("missing", [None, "", "  ", float("nan"), pd.NaT])
def test_missing_date_is_an_en_dash(missing):
    """A missing date shows as an en dash in both languages, as a missing number does."""
    assert fmt_date(missing, "nb") == "–"
    assert fmt_date(missing, "en") == "–"


def test_text_that_is_not_a_date_is_shown_as_it_is():
    """Text that is not a date is data: returned unchanged, never guessed at."""
    assert fmt_date("snart <b>", "nb") == "snart <b>"


def test_every_status_has_a_name_in_both_languages():
    """Each premises status has one bokmål and one English name."""
    for status in PREMISES_STATUSES:
        assert STRINGS[f"status_{status}"]["nb"] and STRINGS[f"status_{status}"]["en"]
    assert status_name("ledig", "nb") == "Ledig"
    assert status_name("ledig", "en") == "Available"


def test_unknown_status_is_shown_as_it_is():
    """An unknown status is shown verbatim; a missing one as empty text."""
    assert status_name("solgt", "en") == "solgt"
    assert status_name(None, "nb") == ""


def test_the_builds_own_source_lines_read_in_either_language(default_store):
    """Every source and licence line the build writes has its nb and en sentence.

    A real file's source (a name) is shown as it is; the demonstration and
    bundled-geodata lines are known sentences, shown in the reader's language.
    """
    from components.exports.text import source_text
    from components.i18n.sources import SOURCES, source_label
    from layers.store import open_store

    infos = [i for i in open_store(default_store).list_layers() if i.source]
    translated = [i for i in infos if i.source in SOURCES]
    assert {"establishments", "premises", "transit_stops", "addresses"} <= {
        i.name for i in translated
    }
    for info in translated:
        nb, en = source_label(info.source, "nb"), source_label(info.source, "en")
        assert nb != en
        assert "Demonstrasjonsdata" not in en and "demonstrasjonsdata" not in en
        assert "Demonstration data" not in nb and "drawn by this project" not in nb
        line = source_text(info.to_dict(), "en")
        assert "Demonstrasjonsdata" not in line and "generert" not in line
    assert source_label("Enhetsregisteret: underenheter_alle.json.gz", "en") == (
        "Enhetsregisteret: underenheter_alle.json.gz"
    )
    demo = "Demonstrasjonsdata (lokaleregister)"
    assert source_label(demo, None) == source_label(demo, "de") == demo
