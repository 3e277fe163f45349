"""The strategy's published figures live in one place (layers/strategy.py)."""

from __future__ import annotations

from components import comparison_panel, tour_views
from layers import demo, strategy


def test_jobs_split_adds_up():
    """Private and public jobs add up to the published total."""
    assert strategy.JOBS_PRIVATE.value + strategy.JOBS_PUBLIC.value == 24_892


def test_every_figure_names_source_and_as_of():
    """Each figure says where it is from; dated ones carry their date."""
    for figure in strategy.FIGURES.values():
        assert figure.source == strategy.SOURCE and figure.unit
    assert strategy.ENTERPRISES.as_of == "2024-10"
    assert strategy.NEW_ENTERPRISES.as_of == "2023"


def test_checks_and_calibration_use_the_one_place():
    """The comparison check, the presentation and the demo data use these figures."""
    assert comparison_panel.PUBLISHED_JOBS == strategy.JOBS.value
    assert comparison_panel.PUBLISHED_ENTERPRISES == strategy.ENTERPRISES.value
    assert tour_views.INHABITANTS == strategy.INHABITANTS.value
    assert demo.DEMO_TOTAL_JOBS == strategy.JOBS.value
    assert demo.DEMO_TOTAL_ESTABLISHMENTS == strategy.ENTERPRISES.value
    assert demo.DEMO_NEW_IN_2023 == strategy.NEW_ENTERPRISES.value
