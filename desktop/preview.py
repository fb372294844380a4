"""The built-in preview a citation opens: the PDF page rendered by PyMuPDF with the passage
highlighted, or the document's text scrolled to the passage; plus "Open with default app".

Rendering runs off the UI thread. PyMuPDF is only asked to open files that were already indexed
successfully (the risky first read happened in a sandboxed worker process)."""
from __future__ import annotations

import html
import logging
import os
import re
from dataclasses import dataclass, field

from PySide6.QtCore import QRectF, QUrl, Qt
from PySide6.QtGui import QColor, QDesktopServices, QGuiApplication, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QPushButton, QScrollArea, QStackedWidget,
                               QTextBrowser, QVBoxLayout, QWidget)

from core.library import Library
from desktop.bridge import Runner
from desktop.i18n import Retranslatable
from desktop.messages import citation_place, error_text
from desktop.style import emphasize, icon

log = logging.getLogger(__name__)

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


def chunk_text(library: Library, citation: dict) -> tuple[str, list[dict]]:
    """The full text of the cited chunk and all the chunks of its document (reading order)."""
    chunk_id = citation.get("chunk_id") or ""
    try:
        doc_id, _gen, ordinal = (int(x) for x in chunk_id.split("-"))
    except ValueError:
        return citation.get("text", ""), []
    chunks = library.store.document_chunks(doc_id)
    for c in chunks:
        if c["ordinal"] == ordinal:
            return c["text"], chunks
    return citation.get("text", ""), chunks


def _windows(text: str, size: int = 6) -> list[str]:
    words = text.replace("…", " ").split()
    return [" ".join(words[i:i + size]) for i in range(0, max(1, len(words) - size + 1), size)][:40]


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp")


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


class PreviewDialog(Retranslatable, QDialog):
    """A non-modal window showing where a citation comes from."""

    def __init__(self, library: Library, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.runner = runner
        self.citation: dict = {}
        self.path = ""
        self.page = 1
        self.pages = 1
        self.passage = ""
        self.image: PageImage | None = None
        # 900 × 1000 when the screen allows it, never taller or wider than the screen's free area
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        free = screen.availableGeometry() if screen is not None else None
        if free is not None:
            self.resize(min(900, int(free.width() * 0.9)), min(1000, int(free.height() * 0.9)))
        else:
            self.resize(900, 1000)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.heading = QLabel()
        emphasize(self.heading)
        self.heading.setWordWrap(True)
        top.addWidget(self.heading, 1)
        self.prev_button = QPushButton(icon("chevron-left"), "")
        self.prev_button.clicked.connect(lambda: self.show_page(self.page - 1))
        self.page_label = QLabel()
        self.next_button = QPushButton(icon("chevron-right"), "")
        self.next_button.clicked.connect(lambda: self.show_page(self.page + 1))
        self.open_button = QPushButton(icon("open-external"), "")
        self.open_button.clicked.connect(self.open_external)
        for w in (self.prev_button, self.page_label, self.next_button, self.open_button):
            top.addWidget(w)
        layout.addLayout(top)
        self.stack = QStackedWidget()
        self.scroll = QScrollArea()
        self.scroll.setAlignment(Qt.AlignHCenter)
        self.image_label = QLabel()
        self.image_label.setAlignment(Qt.AlignCenter)
        self.scroll.setWidget(self.image_label)
        self.scroll.setWidgetResizable(True)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignCenter)
        self.message.setWordWrap(True)
        for w in (self.scroll, self.text, self.message):
            self.stack.addWidget(w)
        layout.addWidget(self.stack, 1)
        self.retranslate()

    @property
    def is_pdf(self) -> bool:
        """Shown as page images (PDF, or a scan saved as an image), rather than as text."""
        return self.path.lower().endswith((".pdf",) + IMAGE_SUFFIXES)

    def _render(self, path: str, page: int, passage: str, width: int) -> PageImage:
        ocr_dir = str(self.library.layout.ocr)
        if path.lower().endswith(IMAGE_SUFFIXES):
            return render_image_page(path, page, passage, width, ocr_dir)
        return render_pdf_page(path, page, passage, width, ocr_dir)

    def show_citation(self, citation: dict) -> None:
        self.citation = citation
        self.path = citation["path"]
        self.page = int(citation.get("page") or 1)
        self.passage = citation.get("text", "")
        self.image = None
        self.retranslate()
        self.message.setText(self.tr("Loading…"))
        self.stack.setCurrentWidget(self.message)
        library, path, page = self.library, self.path, self.page
        width = self._fit_width()
        if not os.path.exists(path):
            self.message.setText(self.tr("This file is no longer at {0}.").format(path))
            return
        if self.is_pdf:
            def work():
                passage, _ = chunk_text(library, citation)
                return passage, self._render(path, page, passage, width)

            def done(payload) -> None:
                self.passage, image = payload
                self._show_image(image)

            self.runner.run(work, done, self._failed, name="lanterne-preview")
        else:
            def work_text():
                passage, chunks = chunk_text(library, citation)
                return document_text(chunks, passage)

            self.runner.run(work_text, self._show_text, self._failed, name="lanterne-preview")

    def show_page(self, page: int) -> None:
        if not self.is_pdf or not (1 <= page <= self.pages):
            return
        path, passage, width = self.path, self.passage, self._fit_width()
        self.runner.run(lambda: self._render(path, page, passage, width), self._show_image, self._failed,
                        name="lanterne-preview")

    def _fit_width(self) -> int:
        """Page width in device pixels that fits the view without a horizontal scroll bar."""
        ratio = self.devicePixelRatioF()
        return int(max(400, self.scroll.viewport().width() - 24) * ratio)

    def _show_image(self, image: PageImage) -> None:
        self.image = image
        self.page, self.pages = image.page, image.pages
        qimage = QImage.fromData(image.png, "PNG").convertToFormat(QImage.Format_ARGB32)
        painter = QPainter(qimage)
        painter.setPen(Qt.NoPen)
        painter.setBrush(QColor(255, 213, 0, 90))
        for x0, y0, x1, y1 in image.rects:
            painter.drawRect(QRectF(x0 - 1, y0 - 1, x1 - x0 + 2, y1 - y0 + 2))
        painter.end()
        pixmap = QPixmap.fromImage(qimage)
        pixmap.setDevicePixelRatio(self.devicePixelRatioF())  # crisp on high-DPI screens
        self.image_label.setPixmap(pixmap)
        self.stack.setCurrentWidget(self.scroll)
        if image.rects:
            top = min(r[1] for r in image.rects)
            self.scroll.verticalScrollBar().setValue(max(0, int(top / self.devicePixelRatioF()) - 120))
        self.retranslate()

    def _show_text(self, doc: DocumentText) -> None:
        body = []
        pos = 0
        for start, end in doc.spans[:1]:
            body.append(html.escape(doc.text[pos:start]))
            body.append("<a name='passage'></a><span style='background-color: rgba(255, 213, 0, 0.45)'>"
                        + html.escape(doc.text[start:end]) + "</span>")
            pos = end
        body.append(html.escape(doc.text[pos:]))
        self.text.setHtml("<div style='white-space: pre-wrap'>" + re.sub(r"\n", "<br>", "".join(body)) + "</div>")
        self.stack.setCurrentWidget(self.text)
        if doc.spans:
            self.text.scrollToAnchor("passage")
        self.retranslate()

    def _failed(self, error: BaseException) -> None:
        code, message = getattr(error, "code", None), getattr(error, "message", None)
        if not (code and message):
            log.error("preview failed for %s", self.path, exc_info=error)
        self.message.setText(error_text(code, message) if code and message else
                             self.tr("This document cannot be shown here. Use “Open with default app”."))
        self.stack.setCurrentWidget(self.message)

    def open_external(self) -> None:
        if self.path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(self.path))

    def retranslate(self) -> None:
        name = os.path.basename(self.path)
        self.setWindowTitle(self.tr("{0} — Lanterne").format(name) if name else self.tr("Preview — Lanterne"))
        if self.citation.get("rows"):
            where = citation_place(self.citation)
        else:
            where = self.tr("page {0}").format(self.page) if self.is_pdf else ""
        self.heading.setText(f"[{self.citation.get('n', '')}] {name}" + (f" — {where}" if where else ""))
        self.heading.setToolTip(self.path)
        self.open_button.setText(self.tr("Open with default app"))
        self.prev_button.setToolTip(self.tr("Previous page"))
        self.prev_button.setAccessibleName(self.tr("Previous page"))
        self.next_button.setToolTip(self.tr("Next page"))
        self.next_button.setAccessibleName(self.tr("Next page"))
        self.page_label.setText(self.tr("{0} / {1}").format(self.page, self.pages) if self.is_pdf else "")
        for w in (self.prev_button, self.next_button, self.page_label):
            w.setVisible(self.is_pdf)
        self.prev_button.setEnabled(self.page > 1)
        self.next_button.setEnabled(self.page < self.pages)
        self.image_label.setAccessibleName(self.tr("Page image with the cited passage highlighted"))
