"""The model manager: installed models, the catalog with resumable downloads, Import GGUF…, and the
embedder choice."""
from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale, QObject, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QMessageBox, QProgressBar, QPushButton, QTableWidget,
                               QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from core.library import Library
from desktop.bridge import Runner
from desktop.i18n import Retranslatable
from desktop.notify import Notifier
from desktop.style import icon

log = logging.getLogger(__name__)


def _gb(n: float) -> str:
    # sizes in the UI language's units and decimals: "0,8 Go" in French
    return QLocale().formattedDataSize(int(n), 1, QLocale.DataSizeFormat.DataSizeTraditionalFormat)


def languages_label(text: str) -> str:
    """The catalog's language list ("en, fr, de" or "29 languages incl. fr, en") in words of the UI
    language: "29 langues, dont français et anglais" / "français, English, Deutsch…"."""
    import re

    from desktop.messages import language_name

    codes = re.findall(r"\b([a-z]{2})\b", text.split("incl.")[-1])
    names = [language_name(code) for code in codes]
    count = re.match(r"\s*(\d+)\s+languages", text)
    if count:
        return QCoreApplication.translate("ModelsDialog", "{0} languages, including {1}").format(QLocale().toString(int(count.group(1))),
                                                                  ", ".join(names))
    return ", ".join(names)


_REASONS = {
    "fits": QT_TRANSLATE_NOOP("ModelsDialog", "Writes good French and runs well on this computer ({0} of memory, {1} cores{2})."),
    "slow-cpu": QT_TRANSLATE_NOOP("ModelsDialog", "The best model this computer runs at a comfortable speed without a graphics card ({1} cores)."),
    "small-ram": QT_TRANSLATE_NOOP("ModelsDialog", "The best model that fits in this computer's memory ({0})."),
    "no-disk": QT_TRANSLATE_NOOP("ModelsDialog", "The best model that fits in the free disk space ({3})."),
    "too-small": QT_TRANSLATE_NOOP("ModelsDialog", "This computer has too little memory for the catalog's models; the demonstration model stays."),
}
_GPU = QT_TRANSLATE_NOOP("ModelsDialog", ", graphics card")


def recommendation_reason(reason: str, machine) -> str:
    """Why the recommended model suits this computer, in the UI language."""
    if machine is None:
        return ""
    text = QCoreApplication.translate("ModelsDialog", _REASONS.get(reason, _REASONS["too-small"]))
    gpu = QCoreApplication.translate("ModelsDialog", _GPU) if machine.gpu else ""
    return text.format(_gb(machine.ram_gb * 2**30), QLocale().toString(machine.cores), gpu,
                       _gb(machine.free_disk_gb * 2**30))


def _table(columns: int) -> QTableWidget:
    """A read-only table of rows; the first column takes the spare width."""
    table = QTableWidget(0, columns)
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
    return table


class _DownloadSignals(QObject):
    progress = Signal(str, int, int)  # name, done, total


class ModelsDialog(Retranslatable, QDialog):
    """Signals:
        models_changed(): installed models or the active one changed.
        embedder_changed(str): the embedder setting changed (re-indexing follows).
    """

    models_changed = Signal()
    embedder_changed = Signal(str)

    def __init__(self, library: Library, runner: Runner, notifier: Notifier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.runner = runner
        self.notifier = notifier
        self.entries = []
        self.active = ""  # the active model's name
        self.downloads: dict[str, threading.Event] = {}
        self.bars: dict[str, QProgressBar] = {}
        self._signals = _DownloadSignals(self)
        self._signals.progress.connect(self._download_progress)
        self.resize(900, 520)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)

        # installed
        installed = QWidget()
        il = QVBoxLayout(installed)
        self.installed = _table(6)
        self.installed.setSelectionMode(QAbstractItemView.SingleSelection)
        il.addWidget(self.installed, 1)
        row = QHBoxLayout()
        self.use_button = QPushButton()
        self.use_button.clicked.connect(self.use_selected)
        self.import_button = QPushButton(icon("import"), "")
        self.import_button.clicked.connect(self.import_file)
        self.remove_button = QPushButton(icon("trash"), "")
        self.remove_button.clicked.connect(self.remove_selected)
        row.addWidget(self.use_button)
        row.addWidget(self.import_button)
        row.addStretch(1)
        row.addWidget(self.remove_button)
        il.addLayout(row)
        self.tabs.addTab(installed, "")

        # catalog
        catalog = QWidget()
        cl = QVBoxLayout(catalog)
        self.catalog_note = QLabel()
        self.catalog_note.setWordWrap(True)
        cl.addWidget(self.catalog_note)
        self.catalog = _table(6)
        # full model names ("Mistral 7B Instruct v0.3 (Q4_K_M)"), scrolling sideways if needed
        self.catalog.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeToContents)
        self.catalog.setTextElideMode(Qt.ElideNone)
        self.catalog.setWordWrap(False)
        cl.addWidget(self.catalog, 1)
        self.tabs.addTab(catalog, "")

        # embedder
        embedder = QWidget()
        el = QVBoxLayout(embedder)
        self.embedder_label = QLabel()
        self.embedder_label.setWordWrap(True)
        el.addWidget(self.embedder_label)
        erow = QHBoxLayout()
        self.embedder_edit = QLineEdit(library.settings.embedder)
        erow.addWidget(self.embedder_edit, 1)
        self.embedder_browse = QPushButton()
        self.embedder_browse.clicked.connect(self._browse_embedder)
        erow.addWidget(self.embedder_browse)
        el.addLayout(erow)
        self.embedder_warning = QLabel()
        self.embedder_warning.setWordWrap(True)
        self.embedder_warning.setStyleSheet("color: #b26a00")
        el.addWidget(self.embedder_warning)
        self.embedder_apply = QPushButton()
        self.embedder_apply.clicked.connect(self._apply_embedder)
        el.addWidget(self.embedder_apply, 0, Qt.AlignLeft)
        el.addStretch(1)
        self.tabs.addTab(embedder, "")

        box = QDialogButtonBox(QDialogButtonBox.Close)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self.installed.itemSelectionChanged.connect(self._selection_changed)
        self.retranslate()
        self.refresh()

    # -- installed
    def refresh(self) -> None:
        registry = self.library.registry

        folder = str(self.library.layout.root)

        def work():  # off the UI thread: detecting the GPU imports llama.cpp
            from models.catalog import Machine

            return registry.list(), registry.active().name, Machine.detect(folder)

        self.runner.run(work, self._fill, name="lanterne-models")

    def _fill(self, payload) -> None:
        self.entries, active, self.machine = payload
        self.installed.setRowCount(len(self.entries))
        for r, e in enumerate(self.entries):
            name = QTableWidgetItem(("● " if e.name == active else "") + e.name)
            name.setToolTip(e.notes or e.file)
            self.installed.setItem(r, 0, name)
            self.installed.setItem(r, 1, QTableWidgetItem(_gb(e.size)))
            self.installed.setItem(r, 2, QTableWidgetItem(e.quantization))
            self.installed.setItem(r, 3, QTableWidgetItem(_gb(e.ram_bytes) if e.ram_bytes else "—"))
            self.installed.setItem(r, 4, QTableWidgetItem(QLocale().toString(int(e.context_length))))
            self.installed.setItem(r, 5, QTableWidgetItem(self._source_label(e.source)))
        self.active = active
        for column in range(1, 6):
            self.installed.resizeColumnToContents(column)
        self._fill_catalog()
        self._selection_changed()

    def _source_label(self, source: str) -> str:
        return {"bundled": self.tr("bundled (demo)"), "imported": self.tr("imported"), "linked": self.tr("linked"),
                "downloaded": self.tr("downloaded")}.get(source, source)

    def selected(self):
        rows = {i.row() for i in self.installed.selectedIndexes()}
        return self.entries[min(rows)] if rows else None

    def _selection_changed(self) -> None:
        entry = self.selected()
        self.use_button.setEnabled(entry is not None and entry.name != self.active)
        self.remove_button.setEnabled(entry is not None and entry.source != "bundled")

    def use_selected(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        library = self.library

        def done(_e) -> None:
            self.refresh()
            self.models_changed.emit()

        self.runner.run(lambda: library.use_model(entry.name), done, self.notifier.show_error)

    def import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import a GGUF model"), "",
                                              self.tr("GGUF models (*.gguf);;All files (*)"))
        if path:
            self.import_path(path)

    def import_path(self, path: str) -> None:
        """Check and copy a GGUF file into the data folder (off the UI thread)."""
        registry = self.library.registry

        def done(entry) -> None:
            self.notifier.show_message(self.tr("Model “{0}” imported. Choose it in a conversation or click Use.")
                                       .format(entry.name))
            self.refresh()
            self.models_changed.emit()

        self.runner.run(lambda: registry.add_file(path), done, self.notifier.show_error, name="lanterne-import")

    def remove_selected(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        if QMessageBox.question(self, self.tr("Remove model"),
                                self.tr("Remove “{0}”? Its file in the data folder is deleted.").format(entry.name)) \
                != QMessageBox.Yes:
            return
        library = self.library

        def work():
            library.remove_model(entry.name)

        def done(_r) -> None:
            self.refresh()
            self.models_changed.emit()

        self.runner.run(work, done, self.notifier.show_error)

    # -- catalog
    def _fill_catalog(self) -> None:
        from models.catalog import CATALOG

        from models.catalog import Recommendation, recommend

        installed = {e.name for e in self.entries}
        offline = self.library.settings.strict_offline
        machine = getattr(self, "machine", None)
        self.recommended = recommend(machine) if machine is not None else Recommendation(None, "")
        self.catalog.setRowCount(len(CATALOG))
        for r, item in enumerate(CATALOG):
            title = QTableWidgetItem(item.title)
            if self.recommended.model is not None and item.name == self.recommended.model.name:
                title.setText("★ " + self.tr("{0} — recommended for this computer").format(item.title))
                title.setToolTip(recommendation_reason(self.recommended.reason, self.machine))
                font = title.font()
                font.setBold(True)
                title.setFont(font)
            self.catalog.setItem(r, 0, title)
            self.catalog.setItem(r, 1, QTableWidgetItem(_gb(item.size_gb * 2**30)))
            self.catalog.setItem(r, 2, QTableWidgetItem(_gb(item.ram_gb * 2**30)))
            self.catalog.setItem(r, 3, QTableWidgetItem(languages_label(item.languages)))
            self.catalog.setItem(r, 4, QTableWidgetItem(item.license))
            if item.name in installed:
                self.catalog.setCellWidget(r, 5, QLabel(self.tr("Installed")))
            elif offline:
                self.catalog.setCellWidget(r, 5, None)
            elif item.name in self.downloads:
                self.catalog.setCellWidget(r, 5, self._progress_cell(item.name))
            else:
                button = QPushButton(icon("download"), self.tr("Download"))
                button.setAccessibleName(self.tr("Download {0}").format(item.title))
                button.clicked.connect(lambda _c=False, n=item.name: self.download(n))
                self.catalog.setCellWidget(r, 5, button)
        for column in range(1, 6):
            self.catalog.resizeColumnToContents(column)

    def _progress_cell(self, name: str) -> QWidget:
        cell = QWidget()
        row = QHBoxLayout(cell)
        row.setContentsMargins(2, 0, 2, 0)
        bar = QProgressBar()
        bar.setRange(0, 0)
        self.bars[name] = bar
        row.addWidget(bar)
        cancel = QPushButton(icon("close"), "")
        cancel.setToolTip(self.tr("Cancel the download (it resumes later)"))
        cancel.setAccessibleName(self.tr("Cancel download"))
        cancel.clicked.connect(lambda: self.downloads.get(name, threading.Event()).set())
        row.addWidget(cancel)
        return cell

    def download(self, name: str) -> None:
        if self.library.settings.strict_offline or name in self.downloads:
            return
        cancel = threading.Event()
        self.downloads[name] = cancel
        self._fill_catalog()
        registry, signals = self.library.registry, self._signals

        def work():
            return registry.download(name, progress=lambda done, total: signals.progress.emit(name, done, total),
                                     cancel=cancel, strict_offline=False)

        def finished(_entry) -> None:
            self.downloads.pop(name, None)
            self.notifier.show_message(self.tr("Download finished: the model is ready."))
            self.refresh()
            self.models_changed.emit()

        def failed(error: BaseException) -> None:
            self.downloads.pop(name, None)
            self.notifier.show_error(error)
            self._fill_catalog()

        self.runner.run(work, finished, failed, name="lanterne-download")

    def _download_progress(self, name: str, done: int, total: int) -> None:
        bar = self.bars.get(name)
        if bar is None:
            return
        if total > 0:
            bar.setRange(0, 1000)
            bar.setValue(int(1000 * done / total))
            bar.setFormat(f"{_gb(done)} / {_gb(total)}")
            bar.setTextVisible(True)

    # -- embedder
    def _browse_embedder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a sentence-transformers model folder"))
        if folder:
            self.embedder_edit.setText(folder)

    def _apply_embedder(self) -> None:
        value = self.embedder_edit.text().strip()
        if not value or value == self.library.settings.embedder:
            return
        if QMessageBox.warning(self, self.tr("Change the embedder"),
                               self.tr("Every document will be read and embedded again with the new model. "
                                       "This can take a long time. Continue?"),
                               QMessageBox.Yes | QMessageBox.Cancel) != QMessageBox.Yes:
            return
        self.embedder_changed.emit(value)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Models — Lanterne"))
        self.tabs.setTabText(0, self.tr("Installed"))
        self.tabs.setTabText(1, self.tr("Catalog"))
        self.tabs.setTabText(2, self.tr("Search model"))
        self.installed.setHorizontalHeaderLabels([self.tr("Model"), self.tr("Size"), self.tr("Quantization"),
                                                  self.tr("RAM needed"), self.tr("Context"), self.tr("Origin")])
        self.catalog.setHorizontalHeaderLabels([self.tr("Model"), self.tr("Download size"), self.tr("RAM needed"),
                                                self.tr("Languages"), self.tr("Licence"), ""])
        self.use_button.setText(self.tr("Use"))
        self.import_button.setText(self.tr("Import GGUF…"))
        self.remove_button.setText(self.tr("Remove"))
        self.installed.setAccessibleName(self.tr("Installed models"))
        self.catalog.setAccessibleName(self.tr("Model catalog"))
        if self.library.settings.strict_offline:
            self.catalog_note.setText(self.tr("Strict offline mode is on: downloads are disabled. Turn it off in "
                                              "Settings to download a model, or import a GGUF file you already have."))
        else:
            self.catalog_note.setText(self.tr("Stronger models answer better. Downloads come from Hugging Face, "
                                              "resume if interrupted, and are checked before use. Nothing else "
                                              "is sent."))
        self.embedder_label.setText(self.tr("The embedder turns passages into vectors for search. The default "
                                            "(all-MiniLM-L6-v2) comes with the app. You can use another "
                                            "sentence-transformers model folder on this computer."))
        self.embedder_browse.setText(self.tr("Choose folder…"))
        self.embedder_warning.setText(self.tr("Changing the embedder re-indexes every document."))
        self.embedder_apply.setText(self.tr("Apply and re-index"))
        self.embedder_edit.setAccessibleName(self.tr("Embedder"))
        if self.entries:
            self._fill((self.entries, self.active, getattr(self, "machine", None)))
