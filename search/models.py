"""Bookkeeping of the manual's search index.

``SearchDocument`` rows are the database driver's index (and the source of engine rebuilds is the
pages themselves); ``IndexOutbox`` holds index updates until the engine has taken them, so an
update is never lost while the engine is down.
"""

from django.db import models
from django.utils import timezone


class SearchDocument(models.Model):
    """One published page as the database driver searches it."""

    page_id = models.PositiveBigIntegerField(unique=True)
    translation_key = models.UUIDField(db_index=True)
    locale = models.CharField(max_length=16, db_index=True)
    type = models.CharField(max_length=16)
    title = models.TextField()
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=1000, blank=True)
    # Space-delimited Snowball stems, with a leading and trailing space so " stem " matches words;
    # "folded": the stems with accents folded (search.languages.fold), what a search matches.
    stems = models.TextField(blank=True)
    title_stems = models.TextField(blank=True)
    folded_stems = models.TextField(blank=True)
    title_folded_stems = models.TextField(blank=True)
    # The title's words in lower case, as written and folded, the same way: for type-ahead.
    title_words = models.TextField(blank=True)
    title_folded_words = models.TextField(blank=True)
    start_year = models.PositiveSmallIntegerField(null=True)
    end_year = models.PositiveSmallIntegerField(null=True)
    published_at = models.DateTimeField(null=True)
    document = models.JSONField(help_text="The document as sent to the engine.")

    class Meta:
        indexes = [models.Index(fields=["locale", "type"])]

    def __str__(self) -> str:
        return f"{self.locale}:{self.page_id} {self.title}"


class SearchDocumentTerm(models.Model):
    """A facet value of a document (taxonomy code, country, type), for SQL facet counts."""

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="terms")
    key = models.CharField(max_length=32)
    code = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["key", "code"])]

    def __str__(self) -> str:
        return f"{self.key}={self.code}"


class IndexOutbox(models.Model):
    """A pending index update for all pages sharing ``translation_key``.

    Rows are deleted once the engine has the update; a failure keeps the row with a back-off
    (``next_attempt_at``) for the next ``process_outbox`` (a re-enqueued task, or
    ``manage.py search_index sync`` from cron or the worker).
    """

    translation_key = models.UUIDField(db_index=True)
    page_ids = models.JSONField(default=list, help_text="Pages deleted since; their documents must go.")
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.translation_key} (attempts: {self.attempts})"


class IndexGeneration(models.Model):
    """A counter bumped whenever the index changes (one row).

    Cached search answers are keyed by it, so every process stops serving an answer the moment
    any process changed the index: the database is the one thing all workers share.
    """

    value = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"index generation {self.value}"
