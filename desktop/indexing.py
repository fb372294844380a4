"""Indexing, visible: the controller that runs the watch service for the window, the progress panel,
and the Problems view."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from PySide6.QtCore import QObject, QUrl, Qt, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel,
                               QProgressBar, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from core.indexing import IndexingService, Progress
from core.library import Library
from core.paths import display_path, path_from_db
from core.watch import WatchEvent, WatchService
from desktop.bridge import CoreSignals, Runner
from desktop.i18n import Retranslatable
from desktop.messages import duration_text, error_text, reason_text
from desktop.style import emphasize, icon, muted

log = logging.getLogger(__name__)


class IndexingController(QObject):
    """Owns the watch service of the window's library and turns its callbacks into signals.

    Signals:
        progress(object): a ``Progress`` of the run in progress (any collection).
        catalog_changed(): documents or sources changed: counts should be refreshed.
        error(str, str): (code, English message) of a run that stopped.
        paused_changed(bool)
    """

    progress = Signal(object)
    catalog_changed = Signal()
    error = Signal(str, str)
    paused_changed = Signal(bool)

    def __init__(self, library: Library, runner: Runner, parent: QObject | None = None, *,
                 debounce_s: float = 1.0) -> None:
        super().__init__(parent)
        self.library = library
        self.runner = runner
        self.signals = CoreSignals(self)
        self.service = IndexingService(library)
        self.watch = WatchService(library, self.service, debounce_s=debounce_s,
                                  on_event=self.signals.watch_event.emit, on_progress=self.signals.progress.emit)
        self.signals.progress.connect(self._on_progress)
        self.signals.watch_event.connect(self._on_event)
        self.latest: dict[str, Progress] = {}  # collection name -> last progress
        self.paused = False
        self.started = False

    # -- lifecycle
    def start(self) -> None:
        if not self.started:
            self.started = True
            self.watch.start()

    def stop(self) -> None:
        """Stop cleanly: the running pass commits what it finished and stops between files."""
        if self.started:
            self.service.resume()
            self.watch.stop()
            self.started = False

    # -- actions
    def add_paths(self, paths: list[str], collection: str) -> None:
        """Add folders or files to a collection and index them at once."""
        def work():
            _, sources = self.service.add_sources(paths, collection, ())
            return sources

        def done(sources) -> None:
            for source in sources:
                self.watch.index_now(source.id)
            self.catalog_changed.emit()

        self.runner.run(work, done, name="lanterne-add")

    def pause(self) -> None:
        self.service.pause()
        self.paused = True
        self.paused_changed.emit(True)

    def resume(self) -> None:
        self.service.resume()
        self.paused = False
        self.paused_changed.emit(False)

    def retry(self, doc_ids: list[int]) -> None:
        service = self.service
        self.runner.run(lambda: service.retry(doc_ids), lambda sources: [self.watch.index_now(s) for s in sources],
                        name="lanterne-retry")

    def set_exclusions(self, patterns: dict[int, list[str]]) -> None:
        """Save per-folder exclusions; the folders whose patterns changed are walked again."""
        service = self.service
        self.runner.run(lambda: service.set_exclusions(patterns), lambda ids: [self.watch.index_now(i) for i in ids],
                        name="lanterne-exclusions")

    def remove_source(self, source_id: int) -> None:
        def done(_count) -> None:
            self.catalog_changed.emit()
        self.runner.run(lambda: self.service.remove_source(source_id), done, name="lanterne-remove")

    def change_embedder(self, value: str) -> None:
        """Re-embed everything with another model: the running pass stops, the library switches, every
        source is indexed again."""
        library, service = self.library, self.service

        def work():
            with service.exclusive():
                library.change_embedder(value)
            return [s.id for s in library.catalog.sources()]

        self.runner.run(work, lambda ids: [self.watch.index_now(i) for i in ids], name="lanterne-embedder")

    def reindex_source(self, source_id: int) -> None:
        self.watch.index_now(source_id)

    # -- events
    def _on_progress(self, p: Progress) -> None:
        if p.state == "paused" or (self.paused and p.state == "indexing"):
            p.state = "paused"
        self.latest[p.collection] = p
        self.progress.emit(p)
        if p.state in ("done", "cancelled", "error"):
            self.catalog_changed.emit()

    def _on_event(self, event: WatchEvent) -> None:
        if event.kind == "error" and event.detail:
            self.error.emit(event.detail.get("code", "error"), event.detail.get("reason", ""))
        if event.kind in ("indexed", "source-missing", "source-back", "ready"):
            self.catalog_changed.emit()

    def running(self) -> Progress | None:
        for p in self.latest.values():
            if p.state in ("scanning", "indexing", "paused", "embedding"):
                return p
        return None


class ProgressPanel(Retranslatable, QWidget):
    """The current indexing pass: collection, bar, files, current file, rate, ETA, pause/resume."""

    problems_requested = Signal()

    def __init__(self, controller: IndexingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("progress-panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        top = QHBoxLayout()
        self.title = QLabel()
        emphasize(self.title)
        top.addWidget(self.title, 1)
        self.pause_button = QPushButton()
        self.pause_button.clicked.connect(self._toggle_pause)
        top.addWidget(self.pause_button)
        layout.addLayout(top)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        layout.addWidget(self.bar)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        layout.addWidget(self.detail)
        self.current = QLabel()
        muted(self.current)
        layout.addWidget(self.current)
        self.problems_button = QPushButton()
        self.problems_button.setFlat(True)
        self.problems_button.clicked.connect(self.problems_requested)
        layout.addWidget(self.problems_button, 0, Qt.AlignLeft)
        self.last: Progress | None = None
        controller.progress.connect(self.show_progress)
        controller.paused_changed.connect(lambda _p: self.retranslate())
        self.retranslate()
        self.setVisible(False)

    def show_progress(self, p: Progress) -> None:
        self.last = p
        active = p.state in ("scanning", "indexing", "paused", "embedding")
        # a pass over unchanged folders finishes in a moment: no need to flash the panel
        self.setVisible(active and (p.files_total > 0 or p.vectors_total > 0 or
                                    p.state == "scanning" and p.elapsed_s > 1.0))
        self.retranslate()

    def _toggle_pause(self) -> None:
        if self.controller.paused:
            self.controller.resume()
        else:
            self.controller.pause()

    def retranslate(self) -> None:
        paused = self.controller.paused
        self.pause_button.setText(self.tr("Resume") if paused else self.tr("Pause"))
        self.pause_button.setIcon(icon("play" if paused else "pause"))
        self.pause_button.setAccessibleName(self.pause_button.text())
        p = self.last
        if p is None:
            return
        if p.state == "scanning":
            self.title.setText(self.tr("Looking for changes in “{0}”…").format(p.collection))
            self.bar.setRange(0, 0)
        elif p.state == "embedding":
            # the text is searchable already; the vectors for semantic search follow
            self.title.setText(self.tr("Preparing semantic search in “{0}”").format(p.collection))
            self.bar.setRange(0, max(1, p.vectors_total))
            self.bar.setValue(p.vectors_done)
            self.detail.setText(self.tr("{0} of {1} passages · keyword search already works").format(
                self.locale().toString(p.vectors_done), self.locale().toString(p.vectors_total)))
            self.current.setText("")
            self.problems_button.setVisible(bool(p.failures))
            return
        else:
            title = self.tr("Paused: “{0}”") if paused else self.tr("Indexing “{0}”")
            self.title.setText(title.format(p.collection))
            self.bar.setRange(0, max(1, p.bytes_total or p.files_total))
            self.bar.setValue(p.bytes_done if p.bytes_total else p.files_done)
        locale = self.locale()
        parts = [self.tr("{0} of {1} files").format(locale.toString(p.files_done), locale.toString(p.files_total))]
        if p.rate_files_s > 0:
            parts.append(self.tr("{0} files/s").format(locale.toString(float(p.rate_files_s), "f", 1)))
        if p.eta_s is not None:
            parts.append(self.tr("time left: {0}").format(duration_text(p.eta_s)))
        self.detail.setText(" · ".join(parts))
        name = os.path.basename(p.current) if p.current else ""
        if p.ocr_pages and name:
            # a scan: its pages are read one by one (seconds each), so say which
            name = self.tr("{0} — text recognition: page {1}/{2}").format(
                name, self.locale().toString(p.ocr_page), self.locale().toString(p.ocr_pages))
        elif p.ocr_waiting and not name:
            name = self.tr("%n scanned document(s) waiting for text recognition", "", p.ocr_waiting)
        self.current.setText(name)
        self.current.setToolTip(p.current)
        self.problems_button.setText(self.tr("1 problem") if p.failures == 1 else
                                     self.tr("{0} problems").format(p.failures) if p.failures else "")
        self.problems_button.setVisible(bool(p.failures))


@dataclass
class Problem:
    doc_id: int
    path: str
    reason: str
    collection: str
    failure: object = None  # indexer.errors.Failure


class ProblemsDialog(Retranslatable, QDialog):
    """Files that could not be indexed, with their reasons; Retry and Show in folder."""

    def __init__(self, library: Library, controller: IndexingController, runner: Runner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.controller = controller
        self.runner = runner
        self.problems: list[Problem] = []
        self.resize(820, 420)
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, 3)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Interactive)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeToContents)
        self.table.setColumnWidth(0, 260)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.retry_button = QPushButton(icon("retry"), "")
        self.retry_button.clicked.connect(self.retry_selected)
        self.show_button = QPushButton(icon("folder"), "")
        self.show_button.clicked.connect(self.show_selected)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.show_button)
        buttons.addStretch(1)
        self.close_box = QDialogButtonBox(QDialogButtonBox.Close)
        self.close_box.rejected.connect(self.reject)
        buttons.addWidget(self.close_box)
        layout.addLayout(buttons)
        controller.catalog_changed.connect(self.refresh)
        self.retranslate()
        self.refresh()

    def refresh(self) -> None:
        catalog = self.library.catalog

        def work() -> list[Problem]:
            names = catalog.collection_names()
            return [Problem(d.id, path_from_db(d.path), d.reason or "", names.get(d.collection_id, ""), d.failure)
                    for d in catalog.failures()]

        self.runner.run(work, self._fill, name="lanterne-problems")

    def _fill(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.table.setRowCount(len(problems))
        for row, problem in enumerate(problems):
            name = QTableWidgetItem(os.path.basename(problem.path))
            name.setToolTip(display_path(problem.path))
            reason = QTableWidgetItem(reason_text(problem.failure))
            reason.setToolTip(problem.reason)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, reason)
            self.table.setItem(row, 2, QTableWidgetItem(problem.collection))
        self.retranslate()
        self._selection_changed()

    def selected(self) -> list[Problem]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self.problems[r] for r in rows if r < len(self.problems)]

    def _selection_changed(self) -> None:
        chosen = self.selected()
        self.retry_button.setEnabled(bool(chosen))
        self.show_button.setEnabled(len(chosen) == 1)

    def retry_selected(self) -> None:
        chosen = self.selected()
        if chosen:
            self.controller.retry([p.doc_id for p in chosen])

    def show_selected(self) -> None:
        chosen = self.selected()
        if chosen:
            QDesktopServices.openUrl(QUrl.fromLocalFile(os.path.dirname(chosen[0].path)))

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Problems — Lanterne"))
        self.table.setHorizontalHeaderLabels([self.tr("File"), self.tr("Reason"), self.tr("Collection")])
        if len(self.problems) == 1:
            self.summary.setText(self.tr("1 file could not be indexed. The reason is below; fix the file and "
                                         "choose Retry."))
        elif self.problems:
            self.summary.setText(self.tr("{0} files could not be indexed. Their reasons are below; fix the file "
                                         "and choose Retry.").format(len(self.problems)))
        else:
            self.summary.setText(self.tr("No problems: every file was indexed."))
        self.retry_button.setText(self.tr("Retry"))
        self.show_button.setText(self.tr("Show in folder"))
        self.table.setAccessibleName(self.tr("Files that could not be indexed"))
