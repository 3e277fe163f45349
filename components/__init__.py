"""Dash panels of the dashboard: one module per panel, ids in ids.py, text in i18n.py."""
