"""Structure-aware chunking, sized in tokens of the embedder's own tokenizer.

A chunk never crosses a heading or a page (so its citation is exact), never exceeds the embedder's
maximum sequence length, and overlaps the previous chunk of the same section by a few sentences.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from indexer.types import Block, ChunkData

CountFn = Callable[[Sequence[str]], list[int]]

_BOUNDARY = re.compile(r"[.!?…]+(?:[ \u00a0\u202f]*[»”]|[\"')\]])*\s+|\n+")
_ABBREV = {"m", "mm", "mme", "mlle", "dr", "pr", "me", "st", "ste", "etc", "cf", "ex", "art", "al", "p", "pp",
           "vol", "no", "n°", "fig", "mr", "mrs", "ms", "vs", "inc", "ltd", "jr", "sr", "av", "bd", "env"}


@dataclass(slots=True)
class _Unit:
    start: int
    end: int
    tokens: int
    page: int
    row: int = 0


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of ``text``; abbreviations do not end a sentence."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.start() + len(m.group().rstrip())
        if m.group()[0] != "\n" and m.end() < len(text) and text[m.end()].islower():
            continue  # "[…] et j'espère", "« Quoi ? » dit-il", "p. ex. la"
        if m.group()[0] == ".":
            word = text[max(0, m.start() - 6):m.start()].split()[-1:] or [""]
            w = word[0].lower().lstrip("(«\"")
            if w in _ABBREV or (len(w) == 1 and w.isalpha()):
                continue
        if text[start:end].strip():
            spans.append((start, end))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


class Chunker:
    """Turns a document's blocks into chunks. ``count`` is a batch token counter."""

    def __init__(self, count: CountFn, *, max_tokens: int, target_tokens: int = 200, overlap_tokens: int = 40) -> None:
        self.count = count
        self.max_tokens = max_tokens
        self.target = max(32, min(target_tokens, max_tokens))
        self.overlap = max(0, min(overlap_tokens, self.target // 3))

    def document_text(self, blocks: Sequence[Block]) -> tuple[str, list[int]]:
        starts, parts, pos = [], [], 0
        for block in blocks:
            starts.append(pos)
            parts.append(block.text)
            pos += len(block.text) + 2
        return "\n\n".join(parts), starts

    def chunk(self, blocks: Sequence[Block], *, header_tokens: int = 0,
              headings: Sequence[tuple[int, str]] = ()) -> tuple[str, list[ChunkData]]:
        """Chunk ``blocks``. ``headings`` is the heading path in force before them (when a long
        document is chunked part by part); the path at the end is left in ``last_headings``."""
        text, starts = self.document_text(blocks)
        budget = max(16, self.target - header_tokens)
        hard_max = max(16, self.max_tokens - header_tokens)

        # Sentences of every non-heading block, counted in one batch call.
        pieces: list[tuple[int, int, int, int]] = []  # (block index, start, end, page)
        row_of = {i: b.row for i, b in enumerate(blocks) if b.row}
        for i, block in enumerate(blocks):
            if block.kind == "heading":
                continue
            base = starts[i]
            spans = split_sentences(block.text) if block.kind != "row" else [(0, len(block.text))]
            for s, e in spans:
                pieces.append((i, base + s, base + e, block.page))
        counts = self.count([text[s:e] for _, s, e, _ in pieces]) if pieces else []

        chunks: list[ChunkData] = []
        heading_path: list[tuple[int, str]] = list(headings)
        current: list[_Unit] = []
        current_tokens = 0
        current_heading = " > ".join(t for _, t in heading_path)

        def flush(keep_overlap: bool) -> None:
            nonlocal current, current_tokens
            if not current:
                return
            start, end = current[0].start, current[-1].end
            chunk = ChunkData(len(chunks), text[start:end], current[0].page, current_heading, start, end, current_tokens)
            rows = [u.row for u in current if u.row]
            if rows:
                chunk.row_first, chunk.row_last = min(rows), max(rows)
            chunks.append(chunk)
            if keep_overlap and self.overlap:
                carried: list[_Unit] = []
                total = 0
                for unit in reversed(current):
                    if total + unit.tokens > self.overlap:
                        break
                    carried.insert(0, unit)
                    total += unit.tokens
                if len(carried) == len(current):
                    carried, total = [], 0  # a chunk must move forward
                current, current_tokens = carried, total
            else:
                current, current_tokens = [], 0

        piece_iter = iter(zip(pieces, counts))
        pending = next(piece_iter, None)
        for i, block in enumerate(blocks):
            if block.kind == "heading":
                flush(False)
                level = block.level or 1
                heading_path = [(lv, t) for lv, t in heading_path if lv < level] + [(level, block.text.strip()[:200])]
                current_heading = " > ".join(t for _, t in heading_path)
                continue
            while pending is not None and pending[0][0] == i:
                (_, s, e, page), tokens = pending
                pending = next(piece_iter, None)
                if current and current[-1].page != page:
                    flush(False)
                for unit in self._fit(s, e, tokens, page, text, hard_max):
                    unit.row = row_of.get(i, 0)
                    if current and current_tokens + unit.tokens > budget:
                        flush(True)
                        if current and current_tokens + unit.tokens > budget:
                            current, current_tokens = [], 0
                    current.append(unit)
                    current_tokens += unit.tokens
        flush(False)
        self.last_headings = heading_path
        return text, chunks

    def _fit(self, start: int, end: int, tokens: int, page: int, text: str, hard_max: int) -> list[_Unit]:
        """A sentence longer than the model accepts is cut into word windows that fit."""
        if tokens <= min(hard_max, self.target):
            return [_Unit(start, end, tokens, page)]
        words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
        if not words:
            return []
        per_word = max(tokens / len(words), 1.0)
        step = max(1, int(min(hard_max, self.target) * 0.9 / per_word))
        units = []
        for k in range(0, len(words), step):
            window = words[k:k + step]
            s, e = window[0][0], window[-1][1]
            units.append(_Unit(s, e, 0, page))
        for unit, n in zip(units, self.count([text[u.start:u.end] for u in units])):
            unit.tokens = n
        out: list[_Unit] = []
        for unit in units:  # rare: a window still too long (very long "words"); halve by characters
            if unit.tokens > hard_max and unit.end - unit.start > 1:
                mid = (unit.start + unit.end) // 2
                out.extend(self._fit(unit.start, mid, unit.tokens // 2, page, text, hard_max))
                out.extend(self._fit(mid, unit.end, unit.tokens - unit.tokens // 2, page, text, hard_max))
            else:
                out.append(unit)
        return out
