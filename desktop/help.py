"""The short built-in help (F1): how to add folders, ask, read the sources, and what Lanterne reads.
Offline like everything else: no web page to open."""
from __future__ import annotations

import html

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget


class HelpDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Help — Lanterne"))
        self.resize(640, 560)
        layout = QVBoxLayout(self)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.text.setAccessibleName(self.tr("Help"))
        sections = [
            (self.tr("Add your folders"),
             self.tr("Drag a folder onto the window, or use File › Add folder… (Ctrl+O). Lanterne reads "
                     "the documents in it and keeps watching it: new and changed files are read again by "
                     "themselves. Each folder belongs to a collection; a question can be limited to some "
                     "collections.")),
            (self.tr("Ask a question"),
             self.tr("Type your question in the box at the bottom and press Ctrl+Enter. Lanterne first "
                     "shows the sentences of your documents that answer it, then the model's answer. "
                     "Ctrl+L goes to the question box; Esc stops an answer.")),
            (self.tr("Check the sources"),
             self.tr("Every answer cites its passages as [1], [2]… Click a source card to open the page "
                     "with the passage highlighted; sentences of the answer that no passage supports are "
                     "marked as not verified.")),
            (self.tr("What Lanterne reads"),
             self.tr("PDF, Word (also .doc 97-2003), Excel (.xlsx, .xls), PowerPoint (also .ppt), "
                     "OpenDocument, RTF, e-mails (.eml, .msg), web pages, text, Markdown and CSV files, "
                     "and scans and photos of documents, whose text it recognises (French and English; "
                     "other languages in Settings). Files it cannot read are listed under View › "
                     "Problems… with the reason.")),
            (self.tr("Privacy"),
             self.tr("Everything stays on this computer: the documents, the index, the models and the "
                     "conversations. Lanterne connects to the network only when you download a model, "
                     "and never in strict offline mode (Settings).")),
        ]
        self.text.setHtml("".join(f"<h3>{html.escape(title)}</h3><p>{html.escape(body)}</p>"
                                  for title, body in sections))
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
