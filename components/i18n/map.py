"""Text of the map, the area profile and the comparison page."""

# SN2007 (NACE rev. 2) sections: the full name for lists, a short one for the legend.
NACE_SECTIONS = {
    "A": (
        "Jordbruk, skogbruk og fiske",
        "Agriculture, forestry and fishing",
        "Jordbruk, skog, fiske",
        "Agriculture, forestry",
    ),
    "B": (
        "Bergverksdrift og utvinning",
        "Mining and quarrying",
        "Bergverk",
        "Mining",
    ),
    "C": ("Industri", "Manufacturing", "Industri", "Manufacturing"),
    "D": (
        "Elektrisitets-, gass-, damp- og varmtvannsforsyning",
        "Electricity, gas, steam and air conditioning supply",
        "Kraftforsyning",
        "Energy supply",
    ),
    "E": (
        "Vannforsyning, avløps- og renovasjonsvirksomhet",
        "Water supply, sewerage, waste management and remediation",
        "Vann, avløp, renovasjon",
        "Water and waste",
    ),
    "F": (
        "Bygge- og anleggsvirksomhet",
        "Construction",
        "Bygg og anlegg",
        "Construction",
    ),
    "G": (
        "Varehandel, reparasjon av motorvogner",
        "Wholesale and retail trade; repair of motor vehicles",
        "Varehandel",
        "Trade",
    ),
    "H": (
        "Transport og lagring",
        "Transportation and storage",
        "Transport og lagring",
        "Transport, storage",
    ),
    "I": (
        "Overnattings- og serveringsvirksomhet",
        "Accommodation and food service activities",
        "Overnatting, servering",
        "Hotels, restaurants",
    ),
    "J": (
        "Informasjon og kommunikasjon",
        "Information and communication",
        "Informasjon, kommunikasjon",
        "Information, communication",
    ),
    "K": (
        "Finansierings- og forsikringsvirksomhet",
        "Financial and insurance activities",
        "Finans, forsikring",
        "Finance, insurance",
    ),
    "L": (
        "Omsetning og drift av fast eiendom",
        "Real estate activities",
        "Eiendom",
        "Real estate",
    ),
    "M": (
        "Faglig, vitenskapelig og teknisk tjenesteyting",
        "Professional, scientific and technical activities",
        "Faglig, teknisk tjenesteyting",
        "Professional, technical",
    ),
    "N": (
        "Forretningsmessig tjenesteyting",
        "Administrative and support service activities",
        "Forretningsmessig tjenesteyting",
        "Administrative, support",
    ),
    "O": (
        "Offentlig administrasjon og forsvar, og trygdeordninger underlagt "
        "offentlig forvaltning",
        "Public administration and defence; compulsory social security",
        "Offentlig administrasjon",
        "Public administration",
    ),
    "P": ("Undervisning", "Education", "Undervisning", "Education"),
    "Q": (
        "Helse- og sosialtjenester",
        "Human health and social work activities",
        "Helse og sosial",
        "Health, social work",
    ),
    "R": (
        "Kulturell virksomhet, underholdning og fritidsaktiviteter",
        "Arts, entertainment and recreation",
        "Kultur og fritid",
        "Arts, recreation",
    ),
    "S": (
        "Annen tjenesteyting",
        "Other service activities",
        "Annen tjenesteyting",
        "Other services",
    ),
    "T": (
        "Lønnet arbeid i private husholdninger",
        "Activities of households as employers",
        "Private husholdninger",
        "Households",
    ),
    "U": (
        "Internasjonale organisasjoner og organer",
        "Activities of extraterritorial organisations and bodies",
        "Internasjonale organisasjoner",
        "Extraterritorial bodies",
    ),
    "?": ("Ukjent næring", "Unknown industry", "Ukjent næring", "Unknown"),
}

PREMISES_TYPES = {
    "kontor": ("Kontor", "Office"),
    "lager/logistikk": ("Lager/logistikk", "Warehouse/logistics"),
    "handel": ("Handel", "Retail"),
    "industri": ("Industri", "Industrial"),
    "servering": ("Servering", "Food and drink"),
    "helse/lab": ("Helse/lab", "Health/lab"),
    "kombinert": ("Kombinert", "Mixed use"),
    "annet": ("Annet", "Other"),
}

STRINGS = {
    # --- map panel -----------------------------------------------------------
    "map_heading": {"nb": "Kart og områder", "en": "Map and areas"},
    "map_filters": {"nb": "Utvalg", "en": "Selection"},
    "map_area_label": {"nb": "Område", "en": "Area"},
    "map_area_placeholder": {
        "nb": "Hele kommunen",
        "en": "Whole municipality",
    },
    "map_sections_label": {"nb": "Bransjer (næring)", "en": "Industries (section)"},
    "map_sections_placeholder": {"nb": "Alle bransjer", "en": "All industries"},
    "map_size_label": {"nb": "Antall ansatte", "en": "Number of employees"},
    "map_layers_label": {"nb": "Kartlag", "en": "Map layers"},
    "map_basemap_label": {"nb": "Bakgrunnskart", "en": "Basemap"},
    "map_reset": {"nb": "Nullstill utvalg", "en": "Clear selection"},
    "map_layer_firms": {"nb": "Virksomheter", "en": "Firms"},
    "map_layer_jobs": {"nb": "Arbeidsplasser per km²", "en": "Jobs per km²"},
    "map_layer_transit": {"nb": "Kollektivtilbud", "en": "Public transport"},
    "map_layer_premises": {"nb": "Ledige lokaler", "en": "Available premises"},
    "map_basemap_offline": {"nb": "Enkelt (uten nett)", "en": "Plain (offline)"},
    "map_basemap_kartverket": {"nb": "Kartverket topografisk", "en": "Kartverket topo"},
    "map_basemap_osm": {"nb": "OpenStreetMap", "en": "OpenStreetMap"},
    "map_aria": {
        "nb": "Kart over {kommune} med de {areas_n} næringsområdene. Klikk på et område "
        "for å se profilen, eller velg området i listen.",
        "en": "Map of {kommune} with the {areas_n} business areas. Click an area to see "
        "its profile, or choose it from the list.",
    },
    "map_summary": {
        "nb": "Kartet viser {firms} virksomheter med {jobs} arbeidsplasser.",
        "en": "The map shows {firms} firms with {jobs} jobs.",
    },
    "map_hint": {
        "nb": "Klikk på et område i kartet for å se profilen.",
        "en": "Click an area on the map to see its profile.",
    },
    "map_legend_title": {"nb": "Tegnforklaring", "en": "Legend"},
    "map_legend_hide": {"nb": "Skjul tegnforklaring", "en": "Hide legend"},
    "map_legend_show": {"nb": "Vis tegnforklaring", "en": "Show legend"},
    "map_offline_notice": {
        "nb": "Bakgrunnskart ikke tilgjengelig uten nett — viser enkelt kart",
        "en": "Background map not available offline — showing the simple map",
    },
    "map_legend_firms": {"nb": "Virksomheter etter bransje", "en": "Firms by industry"},
    "map_legend_premises": {"nb": "Ledige lokaler", "en": "Available premises"},
    "map_legend_transit": {"nb": "Kollektivtilbud", "en": "Public transport"},
    "map_legend_context": {"nb": "Områder", "en": "Areas"},
    "map_areas_trace": {"nb": "Næringsområder", "en": "Business areas"},
    "map_selected_trace": {"nb": "Valgt område", "en": "Selected area"},
    "map_jobs_trace": {"nb": "Arbeidsplasser per km²", "en": "Jobs per km²"},
    "map_stops_trace": {"nb": "Holdeplasser", "en": "Stops"},
    "map_lines_trace": {"nb": "Linjer", "en": "Lines"},
    "map_landmarks_trace": {"nb": "Kjente steder", "en": "Landmarks"},
    "map_route_rail": {"nb": "Tog", "en": "Rail"},
    "map_route_metro": {"nb": "T-bane", "en": "Metro"},
    "map_route_bus": {"nb": "Buss", "en": "Bus"},
    "map_route_other": {"nb": "Andre linjer", "en": "Other lines"},
    "map_hover_employees": {"nb": "Ansatte", "en": "Employees"},
    "map_cell_firms": {"nb": "{n} virksomheter", "en": "{n} establishments"},
    "map_cell_detail": {
        "nb": "{jobs} ansatte i en rute på {size} m<br>Flest jobber: {section}",
        "en": "{jobs} employees in a {size} m square<br>Most jobs: {section}",
    },
    "map_hover_lines": {"nb": "Linjer", "en": "Lines"},
    "map_hover_departures": {
        "nb": "Avganger i rushtimen",
        "en": "Departures in the peak hour",
    },
    "map_hover_size": {"nb": "Størrelse", "en": "Size"},
    "map_hover_rent": {"nb": "Leie", "en": "Rent"},
    "map_hover_from": {"nb": "Ledig fra", "en": "Available from"},
    "map_hover_jobs_km2": {"nb": "arbeidsplasser per km²", "en": "jobs per km²"},
    "map_hover_click": {"nb": "Klikk for profil", "en": "Click for profile"},
    "map_size_all": {"nb": "Alle størrelser", "en": "All sizes"},
    "map_dropdown_search": {"nb": "Søk", "en": "Search"},
    "map_dropdown_clear": {"nb": "Fjern valg", "en": "Clear selection"},
    "map_dropdown_none": {"nb": "Ingen treff", "en": "No match"},
    "map_dropdown_all": {"nb": "Velg alle", "en": "Select all"},
    "map_dropdown_deselect": {"nb": "Fjern alle", "en": "Deselect all"},
    "map_dropdown_count": {"nb": "valgt", "en": "selected"},
    "map_attr_kartverket": {"nb": "© Kartverket", "en": "© Kartverket"},
    "map_attr_osm": {
        "nb": "© OpenStreetMap-bidragsytere",
        "en": "© OpenStreetMap contributors",
    },
    "map_online_note": {
        "nb": "Nettkart hentes fra eksterne tjenester; uten nett vises det enkle "
        "kartet.",
        "en": "Online basemaps come from external services; without a network the "
        "plain map is shown.",
    },
    # --- area profile --------------------------------------------------------
    "profile_heading_total": {"nb": "Hele {kommune}", "en": "All of {kommune}"},
    "profile_whole_note": {
        "nb": "Tallene gjelder hele kommunen. Velg et område for å se profilen.",
        "en": "Figures for the whole municipality. Choose an area to see its profile.",
    },
    "profile_filtered": {
        "nb": "Utvalg: {what}. Tall for virksomheter og arbeidsplasser følger "
        "utvalget.",
        "en": "Selection: {what}. Figures for firms and jobs follow the selection.",
    },
    "profile_employees_range": {"nb": "{range} ansatte", "en": "{range} employees"},
    "profile_card_establishments": {"nb": "Virksomheter", "en": "Establishments"},
    "profile_card_jobs": {"nb": "Arbeidsplasser", "en": "Jobs"},
    "profile_card_new": {
        "nb": "Nye virksomheter siste 12 mnd.",
        "en": "New establishments, last 12 months",
    },
    "profile_card_premises": {"nb": "Ledige lokaler", "en": "Available premises"},
    "profile_card_premises_detail": {
        "nb": "{m2} · median leie {rent}",
        "en": "{m2} · median rent {rent}",
    },
    "profile_card_transit": {"nb": "Holdeplasser", "en": "Stops"},
    "profile_card_transit_detail": {
        "nb": "{lines} · {departures} i rushtimen",
        "en": "{lines} · {departures} in the peak hour",
    },
    "profile_card_jobs_detail": {
        "nb": "{density} per km² ({km2} km²)",
        "en": "{density} per km² ({km2} km²)",
    },
    "profile_card_new_detail": {
        "nb": "start {since}–{until}",
        "en": "started {since}–{until}",
    },
    "profile_card_jobs_estimated": {
        "nb": "herav anslått: {n} arbeidsplasser i virksomheter med 1–4 ansatte",
        "en": "of which estimated: {n} jobs in firms with 1–4 employees",
    },
    "profile_card_est_detail": {
        "nb": "{share} av kommunen",
        "en": "{share} of the municipality",
    },
    "profile_source": {
        "nb": "Kilde: {source}, per {as_of}",
        "en": "Source: {source}, as of {as_of}",
    },
    "profile_demo": {"nb": "demonstrasjonsdata", "en": "demonstration data"},
    "profile_chart_jobs": {
        "nb": "Arbeidsplasser etter bransje",
        "en": "Jobs by industry",
    },
    "profile_chart_sizes": {
        "nb": "Virksomheter etter antall ansatte",
        "en": "Establishments by number of employees",
    },
    "profile_chart_premises": {
        "nb": "Ledige lokaler etter type (m²)",
        "en": "Available premises by type (m²)",
    },
    "profile_chart_new": {
        "nb": "Nye virksomheter per år (oppstartsår)",
        "en": "New establishments per year (start year)",
    },
    "profile_chart_empty": {
        "nb": "Ingen data i utvalget",
        "en": "No data in the selection",
    },
    "profile_axis_jobs": {"nb": "Arbeidsplasser", "en": "Jobs"},
    "profile_axis_count": {"nb": "Antall", "en": "Count"},
    "profile_axis_m2": {"nb": "m²", "en": "m²"},
    "profile_axis_year": {"nb": "År", "en": "Year"},
    "profile_axis_employees": {"nb": "Ansatte", "en": "Employees"},
    "profile_character": {"nb": "Områdets karakter", "en": "The area's character"},
    "profile_ambition": {"nb": "Strategiens ambisjon", "en": "The strategy's ambition"},
    "profile_strategy_source": {
        "nb": "Kilde: {kommune} kommune, Næringsstrategi 2025–2037",
        "en": "Source: {kommune} kommune, Næringsstrategi 2025–2037 "
        "(business strategy)",
    },
    "profile_employers": {
        "nb": "De største arbeidsgiverne",
        "en": "The largest employers",
    },
    "profile_col_name": {"nb": "Virksomhet", "en": "Establishment"},
    "profile_col_industry": {"nb": "Bransje", "en": "Industry"},
    "profile_col_employees": {"nb": "Ansatte", "en": "Employees"},
    "profile_col_address": {"nb": "Adresse", "en": "Address"},
    "profile_no_employers": {
        "nb": "Ingen virksomheter i utvalget.",
        "en": "No establishments in the selection.",
    },
    "profile_indicative": {
        "nb": "Områdegrensene er veiledende skisser laget av prosjektet, ikke vedtatte "
        "plangrenser. Tallene avhenger av hvor grensene går.",
        "en": "The area outlines are indicative sketches drawn by this project, not "
        "adopted plan boundaries. The figures depend on where the lines are drawn.",
    },
    "profile_unplaced": {
        "nb": "{n} virksomheter har ingen kjent plassering og telles i resten av "
        "kommunen.",
        "en": "{n} establishments have no known location and count towards the rest "
        "of the municipality.",
    },
    "profile_size_0": {"nb": "0", "en": "0"},
    # --- comparison ----------------------------------------------------------
    "compare_heading": {
        "nb": "Sammenligning av næringsområdene",
        "en": "Comparison of the business areas",
    },
    "compare_intro": {
        "nb": "De {areas_n} næringsområdene og resten av kommunen side om side. "
        "Områdene og resten summerer til kommunens total.",
        "en": "The {areas_n} business areas and the rest of the municipality side by side. "
        "The areas and the rest add up to the municipal total.",
    },
    "compare_table_caption": {
        "nb": "Nøkkeltall per område",
        "en": "Key figures per area",
    },
    "compare_col_area": {"nb": "Område", "en": "Area"},
    "compare_choose_label": {"nb": "Områder som sammenlignes", "en": "Areas compared"},
    "compare_sort_label": {"nb": "Sorter etter", "en": "Sort by"},
    "compare_sort_order": {"nb": "Områdenes rekkefølge", "en": "The areas' order"},
    "compare_sort_asc": {"nb": "Stigende", "en": "Ascending"},
    "compare_sort_desc": {"nb": "Synkende", "en": "Descending"},
    "compare_col_km2": {"nb": "Areal (km²)", "en": "Area (km²)"},
    "compare_col_establishments": {"nb": "Virksomheter", "en": "Establishments"},
    "compare_col_jobs": {"nb": "Arbeidsplasser", "en": "Jobs"},
    "compare_col_jobs_share": {"nb": "Andel av jobbene", "en": "Share of jobs"},
    "compare_col_density": {"nb": "Arb.plasser per km²", "en": "Jobs per km²"},
    "compare_col_new": {"nb": "Nye siste 12 mnd.", "en": "New, last 12 months"},
    "compare_col_premises": {"nb": "Ledige lokaler", "en": "Available premises"},
    "compare_col_premises_m2": {"nb": "Ledig areal", "en": "Available floor area"},
    "compare_col_rent": {"nb": "Median leie", "en": "Median rent"},
    "compare_col_stops": {"nb": "Holdeplasser", "en": "Stops"},
    "compare_col_departures": {
        "nb": "Avganger i rushtimen",
        "en": "Peak-hour departures",
    },
    "compare_rest": {"nb": "Resten av kommunen", "en": "Rest of the municipality"},
    "compare_profile_link": {
        "nb": "Vis profilen til {name} på kartet",
        "en": "Show the profile of {name} on the map",
    },
    "compare_total": {"nb": "Hele kommunen", "en": "Whole municipality"},
    "compare_chart_jobs": {"nb": "Arbeidsplasser", "en": "Jobs"},
    "compare_chart_density": {"nb": "Arbeidsplasser per km²", "en": "Jobs per km²"},
    "compare_chart_establishments": {"nb": "Virksomheter", "en": "Establishments"},
    "compare_chart_premises": {
        "nb": "Ledig lokaleareal (m²)",
        "en": "Available floor area (m²)",
    },
    "compare_check_heading": {
        "nb": "Kontroll mot næringsstrategiens tall",
        "en": "Check against the business strategy's figures",
    },
    "compare_check_intro": {
        "nb": "Kommunens totaler i datalageret sammenlignet med tallene som er "
        "publisert i næringsstrategien.",
        "en": "The municipal totals in the data store compared with the figures "
        "published in the business strategy.",
    },
    "compare_check_col_figure": {"nb": "Tall", "en": "Figure"},
    "compare_check_col_ours": {"nb": "Datalageret", "en": "Data store"},
    "compare_check_col_published": {"nb": "Publisert", "en": "Published"},
    "compare_check_col_diff": {"nb": "Avvik", "en": "Difference"},
    "compare_check_col_diff_pct": {"nb": "Avvik (%)", "en": "Difference (%)"},
    "compare_check_col_as_of": {"nb": "Publisert per", "en": "Published as of"},
    "compare_check_jobs": {"nb": "Arbeidsplasser", "en": "Jobs"},
    "compare_check_enterprises": {
        "nb": "Registrerte virksomheter",
        "en": "Registered businesses",
    },
    "compare_check_jobs_as_of": {
        "nb": "oppgitt i næringsstrategien (uten dato)",
        "en": "given in the business strategy (no date)",
    },
    "compare_check_enterprises_as_of": {"nb": "oktober 2024", "en": "October 2024"},
    "compare_check_enterprises_note": {
        "nb": "Datalageret teller virksomheter (underenheter i Enhetsregisteret); "
        "strategien teller registrerte virksomheter i de vanligste selskapsformene. "
        "Tallene er derfor ikke helt like størrelser.",
        "en": "The data store counts establishments (sub-units in the Central "
        "Coordinating Register); the strategy counts registered businesses of the "
        "most common company forms, so the two are not quite the same measure.",
    },
    "compare_sources": {"nb": "Kilder", "en": "Sources"},
}


def section_name(code, lang="nb", *, short=False):
    """Return the name of SN2007 section ``code`` (``""`` or unknown: "unknown")."""
    names = NACE_SECTIONS.get(code or "?", NACE_SECTIONS["?"])
    return names[(2 if short else 0) + (1 if lang == "en" else 0)]


def premises_type_name(kind, lang="nb"):
    """Return the display name of a premises type."""
    names = PREMISES_TYPES.get(kind, (kind, kind))
    return names[1 if lang == "en" else 0]


def area_name(area_id, stored, lang="nb"):
    """An area's name: the stored one, or its English name for the default text.

    A municipality's own polygons may bring their own names; those are kept as
    they are in both languages.
    """
    from layers.sources.areas import AREA_INFO

    info = AREA_INFO.get(area_id, {})
    if lang == "en" and stored == info.get("name"):
        return info.get("name_en") or stored
    return stored
