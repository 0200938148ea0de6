"""The search index bookkeeping (outbox) lives here once the "Faceted search" issue lands."""
