"""Submissions are stored here once the "Case submissions" issue lands."""
