"""PDF extraction with PyMuPDF: text blocks per page, page numbers kept, headings from the outline
(or, without one, from font sizes). Runs only inside an extraction worker process: MuPDF is not
thread-safe and can crash on broken files."""
from __future__ import annotations

import re
import statistics
import unicodedata

import pymupdf

from indexer.errors import ExtractionError
from indexer.types import Block, Extracted

_FLAGS = (
    pymupdf.TEXT_PRESERVE_LIGATURES
    | pymupdf.TEXT_PRESERVE_WHITESPACE
    | pymupdf.TEXT_MEDIABOX_CLIP
    | pymupdf.TEXT_DEHYPHENATE
)
_WS = re.compile(r"[ \t\u00a0]+")


def _norm(text: str) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()


def _block_text(block: dict) -> tuple[str, float, bool]:
    """Text of a block with lines joined, its dominant font size, and whether it is all bold."""
    lines: list[str] = []
    sizes: dict[float, int] = {}
    bold_chars = total_chars = 0
    for line in block.get("lines", ()):
        parts = []
        for span in line.get("spans", ()):
            text = span.get("text", "")
            if not text:
                continue
            parts.append(text)
            n = len(text.strip())
            size = round(float(span.get("size", 0.0)), 1)
            sizes[size] = sizes.get(size, 0) + n
            total_chars += n
            if span.get("flags", 0) & 16:
                bold_chars += n
        if parts:
            lines.append("".join(parts).strip())
    text = _WS.sub(" ", " ".join(l for l in lines if l)).strip()
    size = max(sizes, key=sizes.get) if sizes else 0.0
    return text, size, total_chars > 0 and bold_chars >= 0.9 * total_chars


def extract_pdf(path: str) -> Extracted:
    try:
        doc = pymupdf.open(path)
    except Exception as exc:  # MuPDF raises its own FileDataError / RuntimeError flavours
        raise ExtractionError(f"corrupt PDF ({_short(exc)})") from exc
    with doc:
        if doc.needs_pass and not doc.authenticate(""):
            raise ExtractionError("password protected")
        if not doc.is_pdf:
            raise ExtractionError("not a PDF document")
        toc_by_page: dict[int, list[tuple[int, str]]] = {}
        try:
            for level, title, page_no in doc.get_toc(simple=True):
                if title and page_no >= 1:
                    toc_by_page.setdefault(page_no, []).append((level, _norm(title)))
        except Exception:
            toc_by_page = {}

        raw: list[tuple[int, str, float, bool]] = []  # (page, text, size, bold)
        pages_with_images_only = 0
        page_count = doc.page_count
        for index in range(page_count):
            try:
                page = doc.load_page(index)
                data = page.get_text("dict", flags=_FLAGS, sort=False)
            except Exception:
                continue  # one broken page must not lose the rest of the document
            found = False
            for block in data.get("blocks", ()):
                if block.get("type", 0) != 0:
                    continue
                text, size, bold = _block_text(block)
                if text:
                    raw.append((index + 1, text, size, bold))
                    found = True
            if not found:
                try:
                    if page.get_images(full=False):
                        pages_with_images_only += 1
                except Exception:
                    pass
        title = ""
        try:
            title = (doc.metadata or {}).get("title", "") or ""
        except Exception:
            pass

    total_chars = sum(len(t) for _, t, _, _ in raw)
    if total_chars < 20 * max(page_count, 1) and pages_with_images_only:
        raise ExtractionError("no text layer (scanned): text recognition (OCR) is not available yet")
    if not raw:
        raise ExtractionError("no text found in the PDF")

    blocks = _classify(raw, toc_by_page)
    warnings = []
    if pages_with_images_only:
        warnings.append(f"{pages_with_images_only} page(s) without a text layer (scanned) were skipped")
    return Extracted(blocks=blocks, pages=page_count, title=title.strip(), warnings=warnings)


def _classify(raw: list[tuple[int, str, float, bool]], toc_by_page: dict[int, list[tuple[int, str]]]) -> list[Block]:
    blocks: list[Block] = []
    if toc_by_page:
        for page, text, _, _ in raw:
            level = 0
            if len(text) <= 200:
                norm = _norm(text)
                for lvl, title in toc_by_page.get(page, ()):
                    if norm == title or (len(title) > 3 and norm.startswith(title) and len(norm) <= len(title) + 8):
                        level = lvl
                        break
            blocks.append(Block(text, page, "heading" if level else "para", level))
        return blocks
    # No outline: a short block set clearly larger than the body text is a heading.
    weights: list[float] = []
    for _, text, size, _ in raw:
        weights.extend([size] * min(len(text), 2000))
    body = statistics.median(weights) if weights else 0.0
    heading_sizes = sorted({s for _, t, s, _ in raw if s >= body * 1.18 and len(t) <= 160}, reverse=True)
    rank = {s: i + 1 for i, s in enumerate(heading_sizes[:4])}
    for page, text, size, bold in raw:
        level = rank.get(size, 0) if len(text) <= 160 and not text.endswith((".", ",", ";")) else 0
        if not level and bold and len(text) <= 80 and size >= body and not text.endswith((".", ",", ";", ":")):
            level = len(rank) + 1 if rank else 1
        blocks.append(Block(text, page, "heading" if level else "para", level))
    return blocks


def _short(exc: Exception) -> str:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    if "Failed to open file" in msg or "cannot open" in msg.lower():
        return "damaged, or not really a PDF"
    return re.sub(r"'[^']*[/\\][^']*'", "", msg)[:120].strip()  # MuPDF messages can embed the path
