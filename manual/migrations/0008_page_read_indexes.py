"""Indexes on Wagtail's page table for the manual's reads at 10,000 cases (docs/performance.md).

Wagtail indexes ``locale_id`` and ``first_published_at`` apart; the reads of a locale's cases sort
by title (the case list's default order) or by first publication (the latest cases), and count
the public ones. With the locale first, the database walks one locale's pages in the order asked
for and stops after a list's page, and counts from the index alone. Plain SQL, the same for SQLite
and PostgreSQL: the table is Wagtail's, whose model this app cannot give indexes.
"""

from django.db import migrations

INDEXES = {
    "manual_page_locale_title": "locale_id, title",
    "manual_page_locale_first_published": "locale_id, first_published_at",
    "manual_page_locale_public": "locale_id, live, alias_of_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("manual", "0007_case_participation_facts"),
        ("wagtailcore", "0001_squashed_0016_change_page_url_path_to_text_field"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON wagtailcore_page ({columns})",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, columns in INDEXES.items()
    ]
