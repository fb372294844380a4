"""What a citation's preview shows, without Qt: the cited document found by its id, a PDF page or
an image rendered with the passage's rectangles, or the document's text rebuilt from its chunks
with the passage located. The desktop puts these on screen; tests run them headless.

PyMuPDF is only asked to open files that were already indexed successfully (the risky first read
happened in a sandboxed worker process)."""
from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass, field

from core.library import Library
from core.paths import display_path, path_from_db

ZOOM = 1.6  # ~115 dpi: readable without scrolling sideways on a laptop screen


@dataclass
class PageImage:
    png: bytes
    page: int  # 1-based
    pages: int
    rects: list[tuple[float, float, float, float]]  # highlight rectangles, in image pixels


@dataclass
class DocumentText:
    text: str
    spans: list[tuple[int, int]] = field(default_factory=list)  # the passage, in ``text`` offsets


@dataclass
class CitedDocument:
    path: str  # the file on disk (its real name, even when it is not valid UTF-8)
    passage: str  # the whole cited chunk (a citation keeps a snippet)
    chunks: list[dict]  # every chunk of the document, in reading order


def cited_document(library: Library, citation: dict) -> CitedDocument:
    """The document a citation points to, found by its document id (the path in a citation is for
    display: it loses undecodable bytes), with the cited chunk's full text."""
    doc_id, ordinal = citation.get("doc_id"), citation.get("ordinal")
    if doc_id is None:  # a turn saved before citations carried ids: "doc-generation-ordinal"
        try:
            doc_id, _gen, ordinal = (int(x) for x in (citation.get("chunk_id") or "").split("-"))
        except ValueError:
            return CitedDocument(citation.get("path", ""), citation.get("text", ""), [])
    row = library.catalog.document_by_id(int(doc_id))
    path = path_from_db(row.path) if row is not None else citation.get("path", "")
    chunks = library.store.document_chunks(int(doc_id))
    for c in chunks:
        if c["ordinal"] == ordinal:
            return CitedDocument(path, c["text"], chunks)
    return CitedDocument(path, citation.get("text", ""), chunks)


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp")


@dataclass
class Preview:
    """What the preview window shows for a citation: a page image (PDFs, scans saved as images),
    the document's text with the passage located, or that the file is gone. It travels as JSON
    from a Lanterne server to a desktop client (``as_json``/``from_json``)."""
    path: str
    passage: str
    image: PageImage | None = None
    text: DocumentText | None = None
    missing: bool = False

    def as_json(self) -> dict:
        out: dict = {"path": display_path(self.path), "passage": self.passage, "missing": self.missing}
        if self.image is not None:
            out["image"] = {"png": base64.b64encode(self.image.png).decode("ascii"), "page": self.image.page,
                            "pages": self.image.pages, "rects": [list(r) for r in self.image.rects]}
        if self.text is not None:
            out["text"] = {"text": self.text.text, "spans": [list(s) for s in self.text.spans]}
        return out

    @classmethod
    def from_json(cls, data: dict) -> "Preview":
        image = text = None
        if data.get("image"):
            i = data["image"]
            image = PageImage(base64.b64decode(i["png"]), int(i["page"]), int(i["pages"]),
                              [tuple(float(x) for x in r) for r in i.get("rects", [])])
        if data.get("text"):
            text = DocumentText(str(data["text"]["text"]), [(int(a), int(b)) for a, b in data["text"].get("spans", [])])
        return cls(str(data.get("path", "")), str(data.get("passage", "")), image, text, bool(data.get("missing")))


def shown_as_pages(path: str) -> bool:
    """PDFs and scans saved as images are shown as page images; everything else as text."""
    return path.lower().endswith((".pdf",) + IMAGE_SUFFIXES)


def preview(library: Library, citation: dict, page: int | None = None, width_px: int = 0) -> Preview:
    """The preview of a citation (``page``: another page of the same document)."""
    doc = cited_document(library, citation)
    if not doc.path or not os.path.exists(doc.path):
        return Preview(doc.path, doc.passage, missing=True)
    if shown_as_pages(doc.path):
        render = render_image_page if doc.path.lower().endswith(IMAGE_SUFFIXES) else render_pdf_page
        number = page or int(citation.get("page") or 1)
        return Preview(doc.path, doc.passage,
                       image=render(doc.path, number, doc.passage, width_px, str(library.layout.ocr)))
    return Preview(doc.path, doc.passage, text=document_text(doc.chunks, doc.passage))


def _windows(text: str, size: int = 6) -> list[str]:
    words = text.replace("…", " ").split()
    return [" ".join(words[i:i + size]) for i in range(0, max(1, len(words) - size + 1), size)][:40]



def render_pdf_page(path: str, page: int, passage: str, width_px: int = 0, ocr_dir: str = "") -> PageImage:
    """Render one page (fitted to ``width_px`` when given) with the passage's rectangles: from the
    text layer, or for a scanned page from the words its recognition stored (``ocr_dir``)."""
    import pymupdf

    with pymupdf.open(path) as doc:
        page = min(max(1, page), doc.page_count)
        p = doc[page - 1]
        zoom = min(3.0, max(0.8, width_px / p.rect.width)) if width_px else ZOOM
        rects: list[tuple[float, float, float, float]] = []
        for needle in _windows(passage):
            for r in p.search_for(needle):
                rects.append((r.x0 * zoom, r.y0 * zoom, r.x1 * zoom, r.y1 * zoom))
        pix = p.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
        if not rects and ocr_dir:
            rects = ocr_rects(path, page, passage, ocr_dir, pix.width, pix.height)
        return PageImage(pix.tobytes("png"), page, doc.page_count, rects)


def render_image_page(path: str, page: int, passage: str, width_px: int = 0, ocr_dir: str = "") -> PageImage:
    """A photo or scan saved as an image (a TIFF frame per page), upright, with the recognised
    words of the passage highlighted."""
    import io

    from PIL import Image, ImageOps

    with Image.open(path) as image:
        frames = max(1, int(getattr(image, "n_frames", 1) or 1))
        page = min(max(1, page), frames)
        image.seek(page - 1)
        frame = ImageOps.exif_transpose(image) if page == 1 else image.copy()
        frame = frame.convert("RGB")
        target = width_px or int(frame.width * 0.5)
        if frame.width > target:
            frame = frame.resize((target, max(1, int(frame.height * target / frame.width))))
        buf = io.BytesIO()
        frame.save(buf, "PNG")
        rects = ocr_rects(path, page, passage, ocr_dir, frame.width, frame.height) if ocr_dir else []
        return PageImage(buf.getvalue(), page, frames, rects)


def _norm_word(word: str) -> str:
    return re.sub(r"[^\w]", "", word.lower())


def ocr_rects(path: str, page: int, passage: str, ocr_dir: str, width: float, height: float
              ) -> list[tuple[float, float, float, float]]:
    """The boxes of the passage's words on a recognised page: the page's words aligned with the
    passage's (runs of two words or more, so stray matches of "le" or "de" are not lit)."""
    import difflib

    from indexer.ocr import cached_words
    from indexer.scan import content_hash

    try:
        words = cached_words(ocr_dir, content_hash(path), page)
    except OSError:
        return []
    if not words or not passage:
        return []
    page_words = [_norm_word(w[0]) for w in words]
    wanted = [_norm_word(w) for w in passage.split()]
    matcher = difflib.SequenceMatcher(None, page_words, [w for w in wanted if w], autojunk=False)
    rects = []
    for block in matcher.get_matching_blocks():
        if block.size < 2:
            continue
        for w in words[block.a:block.a + block.size]:
            _, x0, y0, x1, y1 = w
            rects.append((x0 * width, y0 * height, x1 * width, y1 * height))
    return rects


def document_text(chunks: list[dict], passage: str) -> DocumentText:
    """The document rebuilt from its chunks (overlaps removed), with the passage located."""
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    prev_start, prev_end = -1, -1
    for c in chunks:
        text, start, end = c["text"], int(c["start"]), int(c["end"])
        if prev_start <= start < prev_end:  # overlaps the previous chunk: keep only the new tail
            text = text[prev_end - start:]
            sep = ""
        else:
            sep = "\n\n" if pieces else ""
        pieces.append(sep + text)
        begin = length + len(sep)
        length += len(sep) + len(text)
        if c["text"] == passage:
            spans.append((begin - (len(c["text"]) - len(text)), length))
        prev_start, prev_end = start, end
    full = "".join(pieces)
    if not spans and passage:
        at = full.find(passage[:80])
        if at >= 0:
            spans.append((at, at + len(passage)))
    return DocumentText(full, spans)
