"""The first screen: what stays on this computer, what is ready, and where to drop a folder."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.i18n import Retranslatable
from desktop.style import app_icon, emphasize, icon, muted


class WelcomePage(Retranslatable, QWidget):
    """Shown until the first folder is added. The whole window accepts drops; this page says so.

    Signals:
        add_folder_requested()
        download_requested(str): the user accepted the recommended model (its catalog name)
    """

    add_folder_requested = Signal()
    download_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.first_run = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 32)
        layout.addStretch(1)
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(72, 72))
        logo.setAlignment(Qt.AlignCenter)
        layout.addWidget(logo)
        self.title = QLabel()
        self.title.setAlignment(Qt.AlignCenter)
        emphasize(self.title, scale=1.8)
        layout.addWidget(self.title)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setAlignment(Qt.AlignCenter)
        self.intro.setFixedWidth(600)
        layout.addWidget(self.intro, 0, Qt.AlignHCenter)
        self.drop = QFrame()
        self.drop.setObjectName("dropzone")
        self.drop.setMinimumHeight(160)
        self.drop.setFixedWidth(600)
        self.restyle()
        drop_layout = QVBoxLayout(self.drop)
        folder = QLabel()
        folder.setPixmap(icon("folder-add").pixmap(40, 40))
        folder.setAlignment(Qt.AlignCenter)
        drop_layout.addWidget(folder)
        self.drop_text = QLabel()
        self.drop_text.setAlignment(Qt.AlignCenter)
        emphasize(self.drop_text, bold=False, scale=1.25)
        drop_layout.addWidget(self.drop_text)
        self.add_button = QPushButton(icon("folder-add"), "")
        self.add_button.clicked.connect(self.add_folder_requested)
        drop_layout.addWidget(self.add_button, 0, Qt.AlignHCenter)
        layout.addSpacing(16)
        layout.addWidget(self.drop, 0, Qt.AlignHCenter)
        self.models = QLabel()
        self.models.setWordWrap(True)
        self.models.setAlignment(Qt.AlignCenter)
        self.models.setFixedWidth(600)
        muted(self.models)
        layout.addSpacing(12)
        layout.addWidget(self.models, 0, Qt.AlignHCenter)
        # First run: the model recommended for this computer, one click to download it.
        self.offer = QFrame()
        self.offer.setObjectName("offer")
        self.offer.setFixedWidth(600)
        offer_layout = QVBoxLayout(self.offer)
        self.offer_text = QLabel()
        self.offer_text.setWordWrap(True)
        self.offer_text.setFixedWidth(570)
        self.offer_text.setAlignment(Qt.AlignCenter)
        offer_layout.addWidget(self.offer_text)
        self.offer_button = QPushButton(icon("download"), "")
        self.offer_button.clicked.connect(lambda: self.download_requested.emit(self.recommended.name)
                                          if self.recommended is not None else None)
        offer_layout.addWidget(self.offer_button, 0, Qt.AlignHCenter)
        self.demo_button = QPushButton()
        self.demo_button.setFlat(True)
        self.demo_button.clicked.connect(lambda: self.offer.setVisible(False))
        offer_layout.addWidget(self.demo_button, 0, Qt.AlignHCenter)
        self.offer.setVisible(False)
        self.recommended = None
        self.reason = ""
        self.machine = None
        layout.addSpacing(12)
        layout.addWidget(self.offer, 0, Qt.AlignHCenter)
        layout.addStretch(2)
        self.retranslate()

    def offer_model(self, model, reason: str, machine=None) -> None:
        """Show the recommended catalog model (None: no offer) and why it suits this computer
        (``reason``: models.catalog's code, put in words at each language change)."""
        self.recommended, self.reason, self.machine = model, reason, machine
        self.offer.setVisible(model is not None and self.first_run)
        self.retranslate()

    def set_model_state(self, state: str) -> None:
        """The same truth as the status bar: "loading", "ready" or "error"."""
        self.model_state = state
        self.retranslate()

    def set_first_run(self, first: bool) -> None:
        self.first_run = first
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Welcome to Lanterne") if self.first_run else self.tr("Add your documents"))
        self.intro.setText(self.tr(
            "Lanterne answers questions from your own documents and cites the passages it used. Everything "
            "stays on this computer: your files, the index and the conversations are never sent anywhere."))
        self.intro.setVisible(self.first_run)
        self.drop_text.setText(self.tr("Drop a folder here"))
        self.add_button.setText(self.tr("Add folder…"))
        self.add_button.setAccessibleName(self.tr("Add folder…"))
        state = getattr(self, "model_state", "loading")
        if state == "ready":
            models = self.tr("The models are ready. The bundled model is a small demonstration: its answers "
                             "are often wrong. For real answers, get a stronger model (Llama 3.2 3B, "
                             "Mistral 7B…) in Models.")
        elif state == "error":
            models = self.tr("The language model could not be loaded; search still works. Choose another "
                             "model in Models.")
        else:
            models = self.tr("The models are loading; you can add folders meanwhile. The bundled model is a "
                             "small demonstration: for real answers, get a stronger model in Models.")
        self.models.setText(models)
        if self.recommended is not None:
            from desktop.models_view import _gb, recommendation_reason

            self.offer_text.setText(self.tr("<b>Recommended for this computer: {0}</b><br>{1}").format(
                self.recommended.title, recommendation_reason(self.reason, self.machine)))
            self.offer_button.setText(self.tr("Download {0} ({1})").format(
                self.recommended.title.split(" (")[0], _gb(self.recommended.size_gb * 2**30)))
            self.offer_button.setAccessibleName(self.offer_button.text())
            self.demo_button.setText(self.tr("Continue with the demonstration model"))
            self.demo_button.setAccessibleName(self.demo_button.text())
            self.offer_text.setFixedHeight(self.offer_text.heightForWidth(self.offer_text.width()) + 4)
        for label in (self.intro, self.models):  # wrapped text: reserve the height it needs
            label.setFixedHeight(label.heightForWidth(label.width()) + 4)

    def restyle(self) -> None:
        # re-applied on palette changes: a stylesheet keeps the colours it was given
        self.drop.setStyleSheet("QFrame#dropzone { border: 2px dashed palette(mid); border-radius: 12px; }")
