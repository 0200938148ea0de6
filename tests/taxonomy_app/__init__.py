"""A taxonomy kind declared outside ``manual``, installed only by ``tests.taxonomy_app.settings``.

``proof.py`` shows that its one declaration (``models.CASE_FILTERS``) reaches every place a kind is
used; ``tests/test_taxonomy_registry.py`` runs it in a process of its own.
"""
