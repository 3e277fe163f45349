"""Text of the page shell: header, navigation, banners, error page."""

STRINGS = {
    "app_title": {
        "nb": "Næringsarealer {kommune}",
        "en": "Business areas of {kommune}",
    },
    "nav_map": {"nb": "Kart og områder", "en": "Map and areas"},
    "nav_compare": {"nb": "Sammenligning", "en": "Comparison"},
    "nav_premises": {"nb": "Ledige lokaler", "en": "Available premises"},
    "nav_present": {"nb": "Presentasjon", "en": "Presentation"},
    "lang_label": {"nb": "Språk", "en": "Language"},
    "skip_to_content": {"nb": "Gå til innholdet", "en": "Skip to content"},
    "connection_lost": {
        "nb": "Mistet forbindelsen med serveren: visningen er ikke oppdatert. "
        "Den oppdateres når forbindelsen er tilbake.",
        "en": "Lost the connection to the server: the view is not up to date. "
        "It updates when the connection is back.",
    },
    "fullscreen": {"nb": "Fullskjerm", "en": "Full screen"},
    "demo_banner": {
        "nb": "Demonstrasjonsdata: virksomheter, kollektivtilbud og lokaler er "
        "genererte eksempeldata, kalibrert til næringsstrategiens totaler. Det er "
        "ikke ekte bedrifter.",
        "en": "Demonstration data: firms, public transport and premises are generated "
        "examples, calibrated to the business strategy's totals. They are not real "
        "firms.",
    },
    "indicative_note": {
        "nb": "Områdegrensene er veiledende skisser, ikke vedtatte plangrenser.",
        "en": "The area outlines are indicative sketches, not adopted plan boundaries.",
    },
    "broken_title": {
        "nb": "Datalageret kan ikke leses",
        "en": "The data store cannot be read",
    },
    "broken_rebuild": {
        "nb": "Kjør den første kommandoen under: den viser hva som vil skje. "
        "Kartlagene bygges på nytt; registeret og brukerne beholdes (det som kan "
        "leses), og den gamle filen tas vare på. Kjør så den andre, og last siden "
        "på nytt.",
        "en": "Run the first command below: it shows what will happen. The map "
        "layers are rebuilt; the register and the users are kept (what can be "
        "read), and the old file is kept. Then run the second, and reload the "
        "page.",
    },
    "not_found": {"nb": "Fant ikke siden {path}.", "en": "No page at {path}."},
    "demo": {"nb": "demonstrasjonsdata", "en": "demonstration data"},
    "source": {"nb": "Kilde", "en": "Source"},
    "as_of": {"nb": "per", "en": "as of"},
}
