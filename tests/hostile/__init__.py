"""A hostile-input corpus for the four importers (and areas); see corpus.py."""
