"""Nouns that meet numbers: singular and plural, per language ("1 linje", "2 linjer").

``components.i18n.fmt_count(n, "line", lang)`` gives the number with its noun;
``plural(n, "line", lang)`` the noun alone. Only 1 (and -1) takes the singular, in
bokmål and in English; 0 takes the plural ("0 linjer", "0 lines").
"""

NOUNS = {
    "line": {"nb": ("linje", "linjer"), "en": ("line", "lines")},
    "departure": {"nb": ("avgang", "avganger"), "en": ("departure", "departures")},
    "premises": {"nb": ("lokale", "lokaler"), "en": ("premises", "premises")},
    "stop": {
        "nb": ("holdeplass", "holdeplasser"),
        "en": ("public transport stop", "public transport stops"),
    },
    "establishment": {
        "nb": ("virksomhet", "virksomheter"),
        "en": ("establishment", "establishments"),
    },
    "job": {"nb": ("arbeidsplass", "arbeidsplasser"), "en": ("job", "jobs")},
}
