"""The built-in preview a citation opens: the PDF page rendered by PyMuPDF with the passage
highlighted, or the document's text scrolled to the passage; plus "Open with default app".

Rendering runs off the UI thread. PyMuPDF is only asked to open files that were already indexed
successfully (the risky first read happened in a sandboxed worker process)."""
from __future__ import annotations

import html
import logging
import os
import re

from PySide6.QtCore import QRectF, QUrl, Qt, Signal
from PySide6.QtGui import QColor, QDesktopServices, QGuiApplication, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QPushButton, QScrollArea, QStackedWidget,
                               QTextBrowser, QVBoxLayout, QWidget)

from core.library import Library
from core.paths import display_path
from core.preview import DocumentText, PageImage, Preview, preview, shown_as_pages
from desktop.bridge import Runner
from desktop.i18n import Retranslatable
from desktop.messages import citation_place, error_text
from desktop.style import emphasize, icon

log = logging.getLogger(__name__)

class PreviewDialog(Retranslatable, QDialog):
    """A non-modal window showing where a citation comes from.

    Signals:
        pin_requested(dict): "Read the whole document" was pressed (the citation shown).
    """

    pin_requested = Signal(dict)

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
        self.pin_button = QPushButton(icon("document"), "")
        self.pin_button.clicked.connect(lambda: self.pin_requested.emit(dict(self.citation)))
        for w in (self.prev_button, self.page_label, self.next_button, self.pin_button, self.open_button):
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
        return shown_as_pages(self.path)

    @property
    def on_server(self) -> bool:
        """The cited document is on the Lanterne server: its pages come from there."""
        return bool(self.citation.get("server"))

    def _fetch(self, citation: dict, page: int | None, width: int) -> Preview:
        if citation.get("server"):
            return self.library.server_client().preview(citation, page, width)
        return preview(self.library, citation, page, width)

    def show_citation(self, citation: dict) -> None:
        self.citation = citation
        self.path = citation["path"]
        self.page = int(citation.get("page") or 1)
        self.passage = citation.get("text", "")
        self.image = None
        self.retranslate()
        self.message.setText(self.tr("Loading…"))
        self.stack.setCurrentWidget(self.message)
        width = self._fit_width()
        self.runner.run(lambda: self._fetch(citation, None, width), self._show, self._failed,
                        name="lanterne-preview")

    def _show(self, shown: Preview) -> None:
        self.path, self.passage = shown.path, shown.passage
        if shown.missing:
            self.message.setText(self.tr("This file is no longer at {0}.").format(display_path(shown.path)))
            self.stack.setCurrentWidget(self.message)
            self.retranslate()
        elif shown.image is not None:
            self._show_image(shown.image)
        elif shown.text is not None:
            self._show_text(shown.text)

    def show_page(self, page: int) -> None:
        if not self.is_pdf or not (1 <= page <= self.pages):
            return
        citation, width = self.citation, self._fit_width()
        self.runner.run(lambda: self._fetch(citation, page, width), self._show, self._failed,
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
        from core.errors import LanterneError

        known = isinstance(error, LanterneError)
        if not known:
            log.error("preview failed for %s", self.path, exc_info=error)
        self.message.setText(error_text(error.code, error.message) if known else
                             self.tr("This document cannot be shown here. Use “Open with default app”."))
        self.stack.setCurrentWidget(self.message)

    def open_external(self) -> None:
        if self.path and not self.on_server:
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
        self.open_button.setVisible(not self.on_server)  # the file is on the server, not here
        self.pin_button.setText(self.tr("Read the whole document"))
        self.pin_button.setToolTip(self.tr("Pin this document to the conversation: the next questions read it whole"))
        self.pin_button.setVisible(not self.on_server and self.citation.get("doc_id") is not None)
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
