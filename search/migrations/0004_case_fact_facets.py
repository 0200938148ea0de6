"""MAPPING_VERSION 4: the case facts that are categories are facets (issue 14, point 8).

The documents already indexed lack the new facet fields and the database driver's rows lack their
terms, so each indexed page is queued for an update (one outbox row per translation key): the next
processing of the outbox (the worker's task, or ``manage.py search_index sync``) writes their
documents again. The engine's indexes need the new mapping: ``manage.py search_index rebuild`` once
after deploying (docs/search.md "Upgrading").
"""

from django.db import migrations


def queue_indexed_pages(apps, schema_editor):
    SearchDocument = apps.get_model("manual_search", "SearchDocument")
    IndexOutbox = apps.get_model("manual_search", "IndexOutbox")
    keys = SearchDocument.objects.values_list("translation_key", flat=True).distinct()
    IndexOutbox.objects.bulk_create([IndexOutbox(translation_key=key) for key in keys], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("manual_search", "0003_folded_words"),
    ]

    operations = [
        migrations.RunPython(queue_indexed_pages, migrations.RunPython.noop),
    ]
