"""Text of the server's safety answers: throttled logins, store faults, busy exports."""

STRINGS = {
    "auth_throttled": {
        "nb": "For mange mislykkede forsøk. Vent {seconds} sekunder og prøv igjen.",
        "en": "Too many failed attempts. Wait {seconds} seconds and try again.",
    },
    "auth_store_fault": {
        "nb": "Innlogging er ikke mulig akkurat nå: datalageret kan ikke leses eller "
        "skrives. Prøv igjen senere, eller si fra til den som drifter dashbordet.",
        "en": "Logging in is not possible right now: the data store cannot be read "
        "or written. Try again later, or tell whoever runs the dashboard.",
    },
    "auth_logout_store_fault": {
        "nb": "Du er logget ut i denne nettleseren, men økten kunne ikke avsluttes på "
        "tjeneren fordi datalageret ikke kan skrives. Si fra til den som drifter "
        "dashbordet (python -m layers users logout-all).",
        "en": "You are logged out in this browser, but the session could not be "
        "ended on the server because the data store cannot be written. Tell whoever "
        "runs the dashboard (python -m layers users logout-all).",
    },
    "fault_disk_full": {
        "nb": "Kunne ikke lagre: disken er full. Ingenting er endret.",
        "en": "Could not save: the disk is full. Nothing was changed.",
    },
    "fault_read_only": {
        "nb": "Kunne ikke lagre: datalageret kan ikke skrives (skrivebeskyttet). "
        "Ingenting er endret.",
        "en": "Could not save: the data store cannot be written (read-only). "
        "Nothing was changed.",
    },
    "fault_unreadable": {
        "nb": "Datalageret kan ikke leses akkurat nå. Ingenting er endret. Last inn "
        "siden på nytt når feilen er rettet.",
        "en": "The data store cannot be read right now. Nothing was changed. Reload "
        "the page once this is fixed.",
    },
    "fault_title": {"nb": "Datalageret svarer ikke", "en": "The data store fails"},
    "export_busy": {
        "nb": "Mange lager filer akkurat nå. Prøv igjen om {seconds} sekunder.",
        "en": "Many files are being made right now. Try again in {seconds} seconds.",
    },
    "register_meta_reader": {
        "nb": "Id {id} · versjon {version} · sist endret {time}",
        "en": "Id {id} · version {version} · last changed {time}",
    },
    "admin_title": {"nb": "Innlogginger", "en": "Logins"},
    "admin_intro": {
        "nb": "Logg en konto ut overalt: alle øktene dens avsluttes med en gang, på "
        "alle enheter (for eksempel etter en tapt PC).",
        "en": "Log an account out everywhere: all its sessions end at once, on every "
        "device (for example after a lost laptop).",
    },
    "admin_logout_all": {"nb": "Logg ut overalt", "en": "Log out everywhere"},
    "admin_done": {
        "nb": "{user} er logget ut overalt.",
        "en": "{user} is logged out everywhere.",
    },
    "admin_only": {
        "nb": "Bare administratorer kan se denne siden.",
        "en": "Only administrators can see this page.",
    },
    "admin_back": {"nb": "Til lokaleregisteret", "en": "To the premises register"},
    "too_large": {
        "nb": "Forespørselen er for stor (høyst {limit}).",
        "en": "The request is too large (at most {limit}).",
    },
}
