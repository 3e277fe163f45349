"""Næringsarealer Lørenskog: GeoPandas layers, store, importers and per-area figures (no Dash)."""
