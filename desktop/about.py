"""About Lanterne: version, licence (AGPL-3.0-or-later) and the third-party notices of what the
installed app bundles."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

import resources
from desktop.style import app_icon

NOTICES = Path(resources.__file__).resolve().parent / "THIRD_PARTY_NOTICES.txt"


def app_version() -> str:
    try:
        return version("lanterne")
    except PackageNotFoundError:
        return "dev"


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("About Lanterne"))
        self.resize(720, 560)
        layout = QVBoxLayout(self)
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(64, 64))
        logo.setAlignment(Qt.AlignCenter)
        layout.addWidget(logo)
        text = QLabel(self.tr("<h3>Lanterne {0}</h3><p>Your documents, answered offline. Nothing leaves this "
                              "computer.</p><p>Free software under the GNU Affero General Public License, "
                              "version 3 or later. The third-party components it contains and their licences "
                              "are listed below.</p>").format(app_version()))
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignCenter)
        layout.addWidget(text)
        notices = QPlainTextEdit()
        notices.setReadOnly(True)
        notices.setAccessibleName(self.tr("Third-party notices"))
        try:
            notices.setPlainText(NOTICES.read_text(encoding="utf-8"))
        except OSError:
            notices.setPlainText(self.tr("The third-party notices file is missing from this installation."))
        layout.addWidget(notices, 1)
        box = QDialogButtonBox(QDialogButtonBox.Close)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
