"""The manual's corrections to Django's number formats (``FORMAT_MODULE_PATH``), per language.

Only what differs from Django's own module is stated; the rest falls back to it. Figures on the
reader's pages (population, participants, outcome metrics) are grouped with these separators
(``manual.services.reader.localized_number``).
"""
