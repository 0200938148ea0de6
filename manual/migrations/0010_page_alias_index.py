"""An index on Wagtail's page table for the aliases of a page, in tree order (docs/performance.md
"Imports").

Wagtail reads a page's aliases on every publication (``update_aliases``) and an import reads the
aliases it makes, both by ``alias_of_id`` in the pages' default order (``path``). With only
``alias_of_id``'s own index, SQLite prefers walking the tree index for the order and tests every
page: 3 to 6 ms a read at 10,000 cases x 2 locales. With the order in the index, the database
finds the aliases and their order at once. Plain SQL, as in 0008: the table is Wagtail's.
"""

from django.db import migrations

NAME = "manual_page_alias_of_path"


class Migration(migrations.Migration):
    dependencies = [
        ("manual", "0009_glossary"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON wagtailcore_page (alias_of_id, path)",
            reverse_sql=f"DROP INDEX IF EXISTS {NAME}",
        )
    ]
