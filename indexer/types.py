"""Plain data passed between the extraction workers, the chunker and the store."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Block:
    """One structural unit of a document: a paragraph, a heading, a table row, a slide's text."""

    text: str
    page: int = 0  # 1-based page or slide number; 0 when the format has none
    kind: str = "para"  # "para" | "heading" | "row" | "title"
    level: int = 0  # heading level (1 = top) for kind == "heading"
    row: int = 0  # spreadsheets and CSV: the row's number in its sheet (1-based); 0 otherwise


@dataclass(slots=True)
class Extracted:
    """What an extractor returns: blocks in reading order, and facts about the file."""

    blocks: list[Block]
    pages: int = 0
    title: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ChunkData:
    """A span of a document, ready to embed. Offsets index the document text, which is the
    blocks' texts joined with blank lines."""

    ordinal: int
    text: str
    page: int
    heading: str
    start: int
    end: int
    tokens: int
    terms: str = ""  # analysed text for BM25 (filled by the worker)
    embed_text: str = ""  # what the embedder sees: a short context header, then the text
    row_first: int = 0  # spreadsheets and CSV: the sheet rows the chunk covers (0: not a table)
    row_last: int = 0
