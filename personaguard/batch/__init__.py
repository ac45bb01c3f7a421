"""Batch moderation of files: readers that report bad rows instead of dropping them."""

from personaguard.batch.readers import BatchRow, read_rows

__all__ = ["BatchRow", "read_rows"]
