"""The store's own source and licence lines, in both languages.

A layer's ``source`` and ``licence`` are data written with the layer. Those the
build writes itself (demonstration data, the bundled geodata) are known sentences
and are shown in the reader's language; any other text (a real file's name, an
official source's name) is a name and is shown as it is.
"""

from __future__ import annotations

_KNOWN = (
    {
        "nb": "Demonstrasjonsdata i Enhetsregisterets format (underenheter)",
        "en": "Demonstration data in the Central Coordinating Register's format "
        "(sub-units)",
    },
    {
        "nb": "Holdeplasser og jernbane: Entur/Ruter og Vy (ekte); rutetider: "
        "demonstrasjonsdata i Enturs GTFS-format",
        "en": "Stops and railway: Entur/Ruter and Vy (real); timetable: "
        "demonstration data in Entur's GTFS format",
    },
    {
        "nb": "Demonstrasjonsdata i Kartverkets format (Matrikkelen adresse)",
        "en": "Demonstration data in the Norwegian Mapping Authority's format "
        "(cadastre addresses)",
    },
    {
        "nb": "Demonstrasjonsdata (lokaleregister)",
        "en": "Demonstration data (premises register)",
    },
    {
        "nb": "Veiledende omriss tegnet av prosjektet rundt kjente punkter (ikke "
        "vedtatte plangrenser)",
        "en": "Indicative outlines drawn by this project around known points (not "
        "official plan polygons)",
    },
    {
        "nb": "Wikipedia, Wikidata, OpenStreetMap, Vys NeTEx og Ruters holdeplasser "
        "(se geodata/README.md)",
        "en": "Wikipedia, Wikidata, OpenStreetMap, Vy's NeTEx and Ruter's stops "
        "(see geodata/README.md)",
    },
    {
        "nb": "NLOD (holdeplasser, jernbane); CC0 (generert rutetabell)",
        "en": "NLOD (stops, railway); CC0 (generated timetable)",
    },
    {"nb": "CC0 (generert)", "en": "CC0 (generated)"},
)
# Either language's sentence -> both.
SOURCES = {text: entry for entry in _KNOWN for text in entry.values()}


def source_label(text, lang):
    """``text`` (a source or licence line) in ``lang`` when it is a known one."""
    entry = SOURCES.get(str(text or "").strip())
    # An unknown language reads Norwegian, as every other text does (i18n.t).
    return entry.get(lang, entry["nb"]) if entry else text
