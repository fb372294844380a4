"""Extractors, one module per family of formats. ``extract(path)`` sniffs the real format from the
file's bytes (a mislabelled file is read as what it is) and dispatches."""
from indexer.formats.detect import detect_format, extract

__all__ = ["detect_format", "extract"]
