"""Settings: language, theme, data folder, indexing, answers, exclusions per source, privacy, logs."""
from __future__ import annotations

import dataclasses
import os
import platform
import sys

import shiboken6
from PySide6.QtCore import QUrl, Qt, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit,
                               QPushButton, QScrollArea, QSpinBox, QVBoxLayout, QWidget)

from core.library import Library
from core.paths import display_path, path_from_db
from core.settings import Settings
from desktop.bridge import Runner
from desktop.i18n import Retranslatable


def diagnostics(library: Library) -> str:
    """What support needs, without any document content."""
    from importlib.metadata import PackageNotFoundError, version

    def v(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "-"

    s = library.settings
    lines = [
        f"Lanterne {v('lanterne')}",
        f"Python {sys.version.split()[0]} on {platform.platform()}",
        f"CPU cores: {os.cpu_count()}",
        f"PySide6 {v('PySide6-Essentials')}, llama-cpp-python {v('llama_cpp_python')}, lancedb {v('lancedb')}, "
        f"PyMuPDF {v('PyMuPDF')}, torch {v('torch')}",
        f"data folder: {library.layout.root}",
    ]
    from core.status import collect

    try:
        status = collect(library, failures=False)
        lines.append(f"collections: {len(status.collections)}, sources: "
                     f"{sum(len(c.sources) for c in status.collections)}, documents: {status.documents}, "
                     f"chunks: {status.chunks}, semantic search: {status.semantic_share:.0%}, "
                     f"embedder: {status.embedder}")
    except Exception as exc:  # diagnostics must not fail
        lines.append(f"library: unavailable ({exc})")
    try:
        lines.append(f"active model: {library.registry.active().name}")
    except Exception as exc:  # diagnostics must not fail
        lines.append(f"active model: unavailable ({exc})")
    lines.append("settings: " + ", ".join(f"{k}={val}" for k, val in dataclasses.asdict(s).items()
                                          if k != "default_excludes"))
    return "\n".join(lines)


class SettingsDialog(Retranslatable, QDialog):
    """Edits a copy of the settings; OK saves them and emits ``applied``.

    Signals:
        applied(object, object): (old Settings, new Settings).
    """

    applied = Signal(object, object)

    def __init__(self, library: Library, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.runner = runner
        s = library.settings
        self.resize(660, 760)
        outer = QVBoxLayout(self)
        scroll = QScrollArea()  # the groups scroll on a small screen; OK/Cancel stay in view
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        body = QWidget()
        layout = QVBoxLayout(body)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        self.general = QGroupBox()
        form = QFormLayout(self.general)
        self.language = QComboBox()
        self.theme = QComboBox()
        self.tray = QCheckBox()
        self.tray.setChecked(s.close_to_tray)
        self.language_label, self.theme_label = QLabel(), QLabel()
        form.addRow(self.language_label, self.language)
        form.addRow(self.theme_label, self.theme)
        form.addRow("", self.tray)
        self.data_label = QLabel()
        data_row = QHBoxLayout()
        self.data_path = QLabel(str(library.layout.root))
        self.data_path.setWordWrap(True)
        data_row.addWidget(self.data_path, 1)
        self.open_data = QPushButton()
        self.open_data.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(library.layout.root))))
        data_row.addWidget(self.open_data)
        form.addRow(self.data_label, data_row)
        layout.addWidget(self.general)

        self.indexing = QGroupBox()
        form = QFormLayout(self.indexing)
        cores = os.cpu_count() or 2
        self.workers = QSpinBox()
        self.workers.setRange(1, max(1, cores))
        self.workers.setValue(min(max(1, s.indexing_workers), max(1, cores)))
        self.max_mb = QSpinBox()
        self.max_mb.setRange(1, 100_000)
        self.max_mb.setValue(s.max_file_mb)
        self.workers_label, self.max_label = QLabel(), QLabel()
        form.addRow(self.workers_label, self.workers)
        form.addRow(self.max_label, self.max_mb)
        self.sources_label = QLabel()
        self.sources_label.setWordWrap(True)
        form.addRow(self.sources_label)
        self.sources = QListWidget()
        self.sources.setMaximumHeight(90)
        self.sources.currentItemChanged.connect(self._source_changed)
        form.addRow(self.sources)
        self.excludes = QPlainTextEdit()
        self.excludes.setMaximumHeight(80)
        self.excludes.textChanged.connect(self._excludes_edited)
        form.addRow(self.excludes)
        # Text recognition: on/off, and the languages scans are read in (the installed models).
        self.ocr = QCheckBox()
        self.ocr.setChecked(s.ocr_enabled)
        form.addRow(self.ocr)
        self.ocr_langs_label = QLabel()
        self.ocr_langs = QListWidget()
        self.ocr_langs.setMaximumHeight(70)
        from indexer.ocr import available_languages

        wanted = set(s.ocr_languages.split("+"))
        order = {"fra": 0, "eng": 1}  # French and English first, then the others alphabetically
        for code in sorted(available_languages(), key=lambda c: (order.get(c, 2), c)):
            item = QListWidgetItem(code)
            item.setData(Qt.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if code in wanted else Qt.Unchecked)
            self.ocr_langs.addItem(item)
        self.ocr.toggled.connect(self.ocr_langs.setEnabled)
        self.ocr_langs.setEnabled(s.ocr_enabled)
        form.addRow(self.ocr_langs_label, self.ocr_langs)
        layout.addWidget(self.indexing)

        self.answers = QGroupBox()
        form = QFormLayout(self.answers)
        self.gpu = QSpinBox()
        self.gpu.setRange(-1, 999)
        self.gpu.setValue(s.gpu_layers)
        self.context = QSpinBox()
        self.context.setRange(0, 131072)
        self.context.setSingleStep(1024)
        self.context.setValue(s.llm_context)
        self.passages = QSpinBox()
        self.passages.setRange(1, 20)
        self.passages.setValue(s.passages_per_answer)
        self.gpu_label, self.context_label, self.passages_label = QLabel(), QLabel(), QLabel()
        form.addRow(self.gpu_label, self.gpu)
        form.addRow(self.context_label, self.context)
        form.addRow(self.passages_label, self.passages)
        layout.addWidget(self.answers)

        # The desktop as a client of a Lanterne server on the office network (core/client.py).
        from core.client import read_token

        self.server = QGroupBox()
        form = QFormLayout(self.server)
        self.server_url = QLineEdit(s.server_url)
        self.server_token = QLineEdit()
        self.server_token.setEchoMode(QLineEdit.Password)
        self.has_token = bool(read_token(library.layout.root))
        self.server_url_label, self.server_token_label = QLabel(), QLabel()
        self.server_url_label.setBuddy(self.server_url)
        self.server_token_label.setBuddy(self.server_token)
        form.addRow(self.server_url_label, self.server_url)
        form.addRow(self.server_token_label, self.server_token)
        test_row = QHBoxLayout()
        self.server_test = QPushButton()
        self.server_test.clicked.connect(self.test_server)
        self.server_result = QLabel()
        self.server_result.setWordWrap(True)
        test_row.addWidget(self.server_test)
        test_row.addWidget(self.server_result, 1)
        form.addRow(test_row)
        layout.addWidget(self.server)

        self.privacy = QGroupBox()
        form = QFormLayout(self.privacy)
        self.offline = QCheckBox()
        self.offline.setChecked(s.strict_offline)
        form.addRow(self.offline)
        logs_row = QHBoxLayout()
        self.open_logs = QPushButton()
        self.open_logs.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(library.layout.logs))))
        self.copy_diag = QPushButton()
        self.copy_diag.clicked.connect(self.copy_diagnostics)
        logs_row.addWidget(self.open_logs)
        logs_row.addWidget(self.copy_diag)
        logs_row.addStretch(1)
        form.addRow(logs_row)
        layout.addWidget(self.privacy)

        self.box = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.box.accepted.connect(self.accept)
        self.box.rejected.connect(self.reject)
        outer.addWidget(self.box)
        self._source_excludes: dict[int, list[str]] = {}
        self.exclusions: dict[int, list[str]] = {}  # per-folder patterns as accepted (empty until OK)
        self._current_source: int | None = None
        self.retranslate()
        self._load_sources()

    def _load_sources(self) -> None:
        catalog = self.library.catalog
        self.runner.run(lambda: catalog.sources(), self._fill_sources, name="lanterne-settings")

    def _fill_sources(self, sources) -> None:
        self.sources.clear()
        for s in sources:
            self._source_excludes[s.id] = list(s.excludes)
            item = QListWidgetItem(display_path(path_from_db(s.path)))
            item.setData(256, s.id)
            self.sources.addItem(item)
        if sources:
            self.sources.setCurrentRow(0)
        self.excludes.setEnabled(bool(sources))

    def _source_changed(self, item, _previous) -> None:
        self._current_source = item.data(256) if item is not None else None
        self.excludes.blockSignals(True)
        self.excludes.setPlainText("\n".join(self._source_excludes.get(self._current_source, [])))
        self.excludes.blockSignals(False)

    def _excludes_edited(self) -> None:
        if self._current_source is not None:
            self._source_excludes[self._current_source] = [
                line.strip() for line in self.excludes.toPlainText().splitlines() if line.strip()]

    def values(self) -> Settings:
        new = dataclasses.replace(self.library.settings)
        new.language = self.language.currentData()
        new.theme = self.theme.currentData()
        new.close_to_tray = self.tray.isChecked()
        new.indexing_workers = self.workers.value()
        new.max_file_mb = self.max_mb.value()
        new.ocr_enabled = self.ocr.isChecked()
        langs = [self.ocr_langs.item(i).data(Qt.UserRole) for i in range(self.ocr_langs.count())
                 if self.ocr_langs.item(i).checkState() == Qt.Checked]
        if langs:
            new.ocr_languages = "+".join(langs)
        new.gpu_layers = self.gpu.value()
        new.llm_context = self.context.value()
        new.passages_per_answer = self.passages.value()
        new.strict_offline = self.offline.isChecked()
        new.server_url = self.server_url.text().strip()
        return new

    def _server_token(self) -> str:
        from core.client import read_token

        return self.server_token.text().strip() or read_token(self.library.layout.root)

    def test_server(self) -> None:
        """Ask the server for its collections with what is typed (nothing is saved)."""
        from core.client import ServerClient
        from core.errors import LanterneError
        from desktop.messages import error_text

        url, token, offline = self.server_url.text().strip(), self._server_token(), self.offline.isChecked()
        self.server_result.setText(self.tr("Connecting…"))

        def done(collections) -> None:
            if not shiboken6.isValid(self.server_result):  # the dialog was closed meanwhile
                return
            self.server_result.setText(self.tr("Connected: %Ln collection(s) shared with you.", "", len(collections)))

        def failed(error: BaseException) -> None:
            if not shiboken6.isValid(self.server_result):
                if not isinstance(error, LanterneError):
                    self.runner.on_error(error)
                return
            if isinstance(error, LanterneError):
                self.server_result.setText(error_text(error.code, error.message))
            else:
                self.runner.on_error(error)
                self.server_result.setText("")

        self.runner.run(lambda: ServerClient(url, token, strict_offline=offline).collections(), done, failed,
                        name="lanterne-server-test")

    def accept(self) -> None:
        from core.client import write_token

        if self.server_token.text().strip() or not self.server_url.text().strip():
            # a new token typed, or no server any more (its token goes too); owner-only file
            try:
                write_token(self.library.layout.root, self.server_token.text().strip()
                            if self.server_url.text().strip() else "")
            except OSError as exc:  # full disk, read-only data folder: said, and the dialog stays open
                from core.errors import from_os_error

                self.runner.on_error(from_os_error(exc, str(self.library.layout.root)))
                return
        old, new = self.library.settings, self.values()
        self.exclusions = dict(self._source_excludes)  # saved (and the folders rescanned) by the window
        self.applied.emit(old, new)
        super().accept()

    def copy_diagnostics(self) -> None:
        library = self.library
        self.runner.run(lambda: diagnostics(library), QGuiApplication.clipboard().setText)

    def retranslate(self) -> None:
        s = self.library.settings
        self.setWindowTitle(self.tr("Settings — Lanterne"))
        self.general.setTitle(self.tr("General"))
        self.language_label.setText(self.tr("Language"))
        self.theme_label.setText(self.tr("Theme"))
        current_language = self.language.currentData() or s.language
        self.language.clear()
        for value, label in (("system", self.tr("System")), ("en", "English"), ("fr", "Français")):
            self.language.addItem(label, value)
        self.language.setCurrentIndex(max(0, self.language.findData(current_language)))
        current_theme = self.theme.currentData() or s.theme
        self.theme.clear()
        for value, label in (("system", self.tr("System")), ("light", self.tr("Light")), ("dark", self.tr("Dark"))):
            self.theme.addItem(label, value)
        self.theme.setCurrentIndex(max(0, self.theme.findData(current_theme)))
        self.tray.setText(self.tr("Closing the window keeps Lanterne watching folders in the background"))
        self.data_label.setText(self.tr("Data folder"))
        self.open_data.setText(self.tr("Open"))
        self.indexing.setTitle(self.tr("Indexing"))
        self.workers_label.setText(self.tr("Cores for reading files"))
        self.max_label.setText(self.tr("Skip files larger than"))
        self.max_mb.setSuffix(self.tr(" MB"))
        self.sources_label.setText(self.tr("Files and folders to skip, per folder (one pattern per line: * stands "
                                           "for any characters, a name ending with / is a folder; hidden and "
                                           "temporary files are always skipped):"))
        self.excludes.setPlaceholderText(self.tr("for example: Archives/\n*.bak"))
        self.excludes.setAccessibleName(self.tr("Exclusion patterns"))
        self.sources.setAccessibleName(self.tr("Watched folders"))
        self.ocr.setText(self.tr("Read the text of scans and photos (text recognition)"))
        self.ocr_langs_label.setText(self.tr("Languages of the scans"))
        self.ocr_langs.setAccessibleName(self.tr("Languages of the scans"))
        self.ocr_langs.setToolTip(self.tr("Languages installed for text recognition. Fewer languages read faster."))
        from desktop.messages import language_name

        for i in range(self.ocr_langs.count()):
            item = self.ocr_langs.item(i)
            code = item.data(Qt.UserRole)
            item.setText(f"{language_name(code)} ({code})")
        self.answers.setTitle(self.tr("Advanced: answers"))
        self.gpu_label.setText(self.tr("Graphics card use (−1: automatic, 0: processor only)"))
        self.gpu.setToolTip(self.tr("How many layers of the model the graphics card computes. Automatic uses "
                                    "the graphics card when Lanterne was built with support for it."))
        self.gpu.setAccessibleName(self.gpu_label.text())
        self.context_label.setText(self.tr("Text the model reads at once (0: automatic)"))
        self.context.setToolTip(self.tr("In tokens, pieces of words (about ¾ of a word each). Automatic picks "
                                        "what the model and this computer's memory allow."))
        self.context.setAccessibleName(self.context_label.text())
        self.passages_label.setText(self.tr("Passages read for each answer"))
        self.server.setTitle(self.tr("Lanterne server"))
        self.server_url_label.setText(self.tr("Server address"))
        self.server_url.setPlaceholderText(self.tr("for example: https://server.office.lan:8765"))
        self.server_token_label.setText(self.tr("Access token"))
        self.server_url.setToolTip(self.tr("The office machine running `lanterne serve`. Its shared collections "
                                           "appear in the sidebar beside this computer's. Leave empty to use none."))
        self.server_url.setAccessibleName(self.tr("Lanterne server address"))
        self.server_token.setPlaceholderText(self.tr("saved (type a new one to replace it)") if self.has_token
                                             else self.tr("given by whoever runs the server"))
        self.server_token.setAccessibleName(self.tr("Lanterne server access token"))
        self.server_test.setText(self.tr("Test connection"))
        self.privacy.setTitle(self.tr("Privacy and support"))
        self.offline.setText(self.tr("Strict offline: never connect to the network, not even to download a model"))
        self.open_logs.setText(self.tr("Open logs folder"))
        self.copy_diag.setText(self.tr("Copy diagnostics"))
        self.copy_diag.setToolTip(self.tr("Copies versions and settings (no document content) for a support request"))
