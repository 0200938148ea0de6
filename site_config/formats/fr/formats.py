# French typography groups thousands with a narrow no-break space (U+202F, as CLDR), "11 000";
# Django's module has a full no-break space.
THOUSAND_SEPARATOR = "\u202f"
