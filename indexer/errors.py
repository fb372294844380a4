"""Why a document could not be indexed. Each reason is a short sentence a person understands."""
from __future__ import annotations


class ExtractionError(Exception):
    """A known problem with one file (corrupt, encrypted, empty, too large...). Never a bug."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnsupportedFormat(ExtractionError):
    pass
