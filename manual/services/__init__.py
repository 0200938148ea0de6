"""What the manual app does: taxonomies, locales, roles and review, queries, demo content."""
