"""The main window: it lays out the feature widgets and wires them; each feature keeps its own logic
(sidebar.py, chat.py, indexing.py, preview.py, models_view.py, settings_view.py)."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QTimer, QUrl, Qt, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (QApplication, QFileDialog, QInputDialog, QLabel, QMainWindow, QMessageBox, QSplitter,
                               QStackedWidget, QSystemTrayIcon, QMenu, QVBoxLayout, QWidget)

from core.indexing import Progress
from core.library import Library
from desktop.bridge import Runner
from desktop.chat import ChatPanel
from desktop.i18n import Retranslatable, Translations
from desktop.indexing import IndexingController, ProblemsDialog, ProgressPanel
from desktop.messages import duration_text, error_text
from desktop.models_view import ModelsDialog
from desktop.notify import Notifier, copy_to_clipboard
from desktop.preview import PreviewDialog
from desktop.settings_view import SettingsDialog
from desktop.sidebar import CollectionsView, ConversationsView
from desktop.style import Theme, app_icon, icon
from desktop.welcome import WelcomePage

log = logging.getLogger(__name__)


class MainWindow(Retranslatable, QMainWindow):
    """Signals:
        quit_requested(): the user chose Quit (the app shuts the services down, then exits).
    """

    quit_requested = Signal()

    def __init__(self, library: Library, runner: Runner, controller: IndexingController, theme: Theme,
                 translations: Translations) -> None:
        super().__init__()
        self.library = library
        self.runner = runner
        self.controller = controller
        self.theme = theme
        self.translations = translations
        self.preview: PreviewDialog | None = None
        self.problems: ProblemsDialog | None = None
        self.models_dialog: ModelsDialog | None = None
        self.help_dialog = None
        self.tray: QSystemTrayIcon | None = None
        self.quitting = False
        self.shutdown_done = False  # set by the app once the services have stopped
        self._model_state = ("idle", "")
        self._last_progress: Progress | None = None
        self._base_font = None
        self.zoom = 1.0
        self._told_about_tray = False
        self.has_collections = False
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.resize(1180, 780)

        self.notifier = Notifier()
        runner.on_error = self.notifier.show_error
        self.collections = CollectionsView(library, controller, runner)
        self.progress_panel = ProgressPanel(controller)
        self.conversations = ConversationsView(library, runner)
        sidebar = QWidget()
        sl = QVBoxLayout(sidebar)
        sl.setContentsMargins(8, 8, 0, 8)
        sl.addWidget(self.collections, 3)
        sl.addWidget(self.progress_panel)
        sl.addWidget(self.conversations, 4)
        self.welcome = WelcomePage()
        self.chat = ChatPanel(library, runner)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.chat)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(0)
        rl.addWidget(self.notifier)
        rl.addWidget(self.stack, 1)
        splitter = QSplitter()
        splitter.addWidget(sidebar)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 880])
        self.setCentralWidget(splitter)
        self.index_status = QLabel()
        self.model_status = QLabel()
        self.statusBar().addWidget(self.index_status, 1)
        self.statusBar().addPermanentWidget(self.model_status)
        self._build_actions()

        self.welcome.add_folder_requested.connect(lambda: self.add_folder(""))
        self.welcome.download_requested.connect(self.download_recommended)
        self.collections.add_requested.connect(self.add_folder)
        self.collections.server_changed.connect(self.chat.set_server_collections)
        self.collections.problems_requested.connect(self.show_problems)
        self.collections.renamed.connect(self._collection_renamed)
        self.collections.pin_requested.connect(self.chat.pin_file)
        self.progress_panel.problems_requested.connect(self.show_problems)
        self.conversations.chosen.connect(self._open_conversation)
        self.conversations.new_requested.connect(self.new_conversation)
        self.conversations.deleted.connect(self._conversation_deleted)
        self.chat.citation_activated.connect(self.show_citation)
        self.chat.conversation_saved.connect(lambda cid: self.conversations.refresh(select=cid))
        controller.progress.connect(self._progress)
        controller.catalog_changed.connect(self._catalog_changed)
        controller.error.connect(lambda code, message: self.notifier.show_message(
            error_text(code, message), kind="error", details=message))
        theme.changed.connect(lambda _dark: self._refresh_icons())
        self.retranslate()

    # -- actions and menus
    def _build_actions(self) -> None:
        def action(name: str, shortcut, slot, icon_name: str | None = None) -> QAction:
            a = QAction(self)
            a.setObjectName(name)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
            if icon_name:
                a.setIcon(icon(icon_name))
                a.setData(icon_name)
            a.triggered.connect(slot)
            self.addAction(a)
            return a

        self.add_action = action("add-folder", "Ctrl+O", lambda: self.add_folder(""), "folder-add")
        self.new_action = action("new-chat", QKeySequence.New, self.new_conversation, "chat-new")
        self.quit_action = action("quit", QKeySequence.Quit, self.quit, None)
        self.problems_action = action("problems", "Ctrl+Shift+P", self.show_problems, "warning")
        self.pause_action = action("pause", "Ctrl+Shift+Space", self._toggle_pause, "pause")
        self.models_action = action("models", "Ctrl+M", self.show_models, "model")
        self.settings_action = action("settings", QKeySequence.Preferences if not QKeySequence(
            QKeySequence.Preferences).isEmpty() else "Ctrl+,", self.show_settings, "settings")
        self.focus_action = action("focus-question", "Ctrl+L", lambda: self.chat.question.setFocus(), None)
        self.zoom_in_action = action("zoom-in", QKeySequence.ZoomIn, lambda: self.set_zoom(self.zoom * 1.15), None)
        self.zoom_out_action = action("zoom-out", QKeySequence.ZoomOut, lambda: self.set_zoom(self.zoom / 1.15), None)
        self.zoom_reset_action = action("zoom-reset", "Ctrl+0", lambda: self.set_zoom(1.0), None)
        self.logs_action = action("logs", None, lambda: QDesktopServices.openUrl(
            QUrl.fromLocalFile(str(self.library.layout.logs))), None)
        self.help_action = action("help", QKeySequence.HelpContents, self.show_help, None)
        self.about_action = action("about", None, self.show_about, "info")
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.file_menu.addActions([self.add_action, self.pause_action, self.new_action])
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.view_menu = bar.addMenu("")
        self.view_menu.addActions([self.problems_action, self.focus_action])
        self.view_menu.addSeparator()
        self.view_menu.addActions([self.zoom_in_action, self.zoom_out_action, self.zoom_reset_action])
        self.tools_menu = bar.addMenu("")
        self.tools_menu.addActions([self.models_action, self.settings_action])
        self.help_menu = bar.addMenu("")
        self.help_menu.addActions([self.help_action, self.logs_action])
        self.help_menu.addSeparator()
        self.help_menu.addAction(self.about_action)

    def _refresh_icons(self) -> None:
        for a in self.actions():
            if a.data():
                a.setIcon(icon(a.data()))

    # -- tray
    def setup_tray(self) -> None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        self.tray = QSystemTrayIcon(app_icon(), self)
        menu = QMenu(self)
        self.tray_show = menu.addAction("", self.bring_forward)
        menu.addAction(self.pause_action)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        self.tray.setContextMenu(menu)
        self.tray.activated.connect(lambda reason: self.bring_forward()
                                    if reason == QSystemTrayIcon.Trigger else None)
        self.tray.show()
        self.retranslate()

    def bring_forward(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self.quitting and self.shutdown_done:
            event.accept()
            return
        if not self.quitting and self.library.settings.close_to_tray and self.tray is not None and self.tray.isVisible():
            event.ignore()
            self.hide()
            if not self._told_about_tray:
                self._told_about_tray = True
                self.tray.showMessage("Lanterne", self.tr("Lanterne keeps watching your folders in the background. "
                                                          "Quit from this icon's menu."), app_icon(), 5000)
            return
        event.ignore()
        self.quit()

    def quit(self) -> None:
        if not self.quitting:
            self.quitting = True
            self.statusBar().showMessage(self.tr("Finishing the current file, then quitting…"))
            self.quit_requested.emit()

    # -- drag and drop
    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._local_paths(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._local_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt API)
        paths = self._local_paths(event.mimeData())
        if not paths:
            return
        event.acceptProposedAction()
        # Let the drop finish (the source application waits for it) before asking anything.
        QTimer.singleShot(0, lambda: self.add_paths(paths))

    @staticmethod
    def _local_paths(mime) -> list[str]:
        if not mime.hasUrls():
            return []
        return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]

    def choose_collection(self, paths: list[str], preset: str = "") -> str | None:
        """Which collection receives the paths: the first folder's name when there is none yet;
        otherwise the user picks one or types a new name."""
        if preset:
            return preset
        suggestion = Path(paths[0]).name or "Documents"
        names = [c.name for c in self.collections.collections]
        if not names:
            return suggestion
        items = names + ([suggestion] if suggestion not in names else [])
        name, ok = QInputDialog.getItem(self, self.tr("Add to a collection"),
                                        self.tr("Collection (choose one or type a new name):"), items, 0, True)
        return name.strip() if ok and name.strip() else None

    def add_paths(self, paths: list[str], collection: str = "") -> None:
        unreadable = [p for p in paths if not os.access(p, os.R_OK)]
        if unreadable:
            self.notifier.show_message(self.tr("Lanterne cannot read {0}: check its permissions.")
                                       .format(unreadable[0]), kind="error")
            paths = [p for p in paths if p not in unreadable]
        if not paths:
            return
        name = self.choose_collection(paths, collection)
        if not name:
            return
        self.controller.add_paths(paths, name)
        self.notifier.show_message(self.tr("Added to “{0}”: indexing starts now. You can ask questions while it runs.")
                                   .format(name))
        self.stack.setCurrentWidget(self.chat)
        if not self.library.settings.welcomed:
            self.library.settings.welcomed = True
            self._save_settings()

    def add_folder(self, collection: str = "") -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Add a folder"))
        if folder:
            self.add_paths([folder], collection)

    # -- views
    def show_problems(self) -> None:
        if self.problems is None:
            self.problems = ProblemsDialog(self.library, self.controller, self.runner, self)
        self.problems.refresh()
        self.problems.show()
        self.problems.raise_()

    def show_models(self) -> None:
        if self.models_dialog is None:
            self.models_dialog = ModelsDialog(self.library, self.runner, self.notifier, self)
            self.models_dialog.models_changed.connect(self.refresh_models)
            self.models_dialog.embedder_changed.connect(self._embedder_changed)
        self.models_dialog.refresh()
        self.models_dialog.show()
        self.models_dialog.raise_()

    def show_settings(self) -> None:
        dialog = SettingsDialog(self.library, self.runner, self)
        dialog.applied.connect(self.apply_settings)
        dialog.applied.connect(lambda *_: self.controller.set_exclusions(dialog.exclusions))
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        self.settings_dialog = dialog
        dialog.open()

    def show_citation(self, citation: dict) -> None:
        if self.preview is None:
            self.preview = PreviewDialog(self.library, self.runner, self)
            self.preview.pin_requested.connect(self.chat.pin_citation)
        self.preview.show_citation(citation)
        self.preview.show()
        self.preview.raise_()

    def set_zoom(self, factor: float) -> None:
        """Text size for the whole window (Ctrl+plus, Ctrl+minus, Ctrl+0), kept in the settings."""
        from PySide6.QtGui import QFont

        if self._base_font is None:
            self._base_font = QFont(QApplication.font())
        self.zoom = max(0.8, min(2.5, factor))
        font = QFont(self._base_font)
        font.setPointSizeF(self._base_font.pointSizeF() * self.zoom)
        QApplication.setFont(font)
        self.chat.transcript.document().setDefaultFont(font)
        if abs(self.library.settings.zoom - self.zoom) > 1e-3:
            self.library.settings.zoom = round(self.zoom, 3)
            settings, path = self.library.settings, self.library.layout.settings
            self.runner.run(lambda: settings.save(path), name="lanterne-settings")

    def offer_recommended_model(self) -> None:
        """First run: recommend the catalog model that suits this computer (not in strict offline
        mode, and not when a downloaded or imported model is already installed)."""
        from models.catalog import Machine, recommend

        library = self.library
        if library.settings.strict_offline or library.settings.welcomed:
            return

        def work():
            installed = [e for e in library.registry.list() if e.source != "bundled"]
            machine = Machine.detect(str(library.layout.root))
            return installed, machine, recommend(machine)

        def done(result) -> None:
            installed, machine, rec = result
            if not installed and rec.model is not None:
                self.welcome.offer_model(rec.model, rec.reason, machine)

        self.runner.run(work, done, name="lanterne-recommend")

    def download_recommended(self, name: str) -> None:
        self.show_models()
        dialog = self.models_dialog
        dialog.tabs.setCurrentIndex(1)  # the catalog, where the download shows its progress
        dialog.download(name)
        self.welcome.offer.setVisible(False)

    def show_help(self) -> None:
        from desktop.help import HelpDialog

        dialog = HelpDialog(self)
        dialog.setModal(False)
        dialog.show()
        self.help_dialog = dialog

    def show_about(self) -> None:
        from desktop.about import AboutDialog

        AboutDialog(self).exec()

    def new_conversation(self) -> None:
        self.chat.new_conversation()
        self.conversations.current_id = None
        self.conversations.list.setCurrentRow(-1)  # so that clicking the previous one reopens it
        if self.has_collections:
            self.stack.setCurrentWidget(self.chat)

    def _open_conversation(self, chat_id: int) -> None:
        self.chat.open_conversation(chat_id)
        self.stack.setCurrentWidget(self.chat)

    def _conversation_deleted(self, chat_id: int) -> None:
        if self.chat.chat_id == chat_id:
            self.chat.new_conversation()

    def _toggle_pause(self) -> None:
        if self.controller.paused:
            self.controller.resume()
        else:
            self.controller.pause()
        self.retranslate()

    # -- state
    def _collection_renamed(self, old: str, new: str) -> None:
        chat = self.chat
        chat.scope = [new if n == old else n for n in chat.scope]
        self._catalog_changed()

    def _catalog_changed(self) -> None:
        def done(names: list[str]) -> None:
            self.has_collections = bool(names)
            self.chat.set_collections(names)
            if not names:
                self.welcome.set_first_run(not self.library.settings.welcomed)
                self.stack.setCurrentWidget(self.welcome)
            elif self.stack.currentWidget() is self.welcome:
                self.stack.setCurrentWidget(self.chat)
        catalog = self.library.catalog
        self.runner.run(lambda: [c.name for c in catalog.collections()], done, name="lanterne-collections")

    def _progress(self, p: Progress) -> None:
        previous = self._last_progress
        self._last_progress = p
        if previous is None or previous.state != p.state:  # milestones only, not every file
            from desktop.a11y import announce

            if p.state == "indexing" and p.files_total:
                announce(self, self.tr("Indexing {0}: {1} files to read").format(
                    p.collection, self.locale().toString(p.files_total)))
            elif p.state == "done" and previous is not None and previous.state in ("indexing", "embedding"):
                announce(self, self.tr("Indexing of {0} finished.").format(p.collection))
        if p.state in ("indexing", "paused") and p.files_total:
            locale = self.locale()
            if self.controller.paused:
                template = self.tr("Paused — {0}: {1} of {2} files")
            elif p.eta_s is None:  # no estimate yet: say nothing rather than a dash
                template = self.tr("Indexing {0}: {1} of {2} files")
            else:
                template = self.tr("Indexing {0}: {1} of {2} files, about {3} left")
            status = template.format(p.collection, locale.toString(p.files_done), locale.toString(p.files_total),
                                     duration_text(p.eta_s))
            if p.ocr_pages:
                status += " · " + self.tr("text recognition: page {0}/{1}").format(
                    self.locale().toString(p.ocr_page), self.locale().toString(p.ocr_pages))
            self.index_status.setText(status)
        elif p.state == "scanning":
            self.index_status.setText(self.tr("Looking for changes in {0}…").format(p.collection))
        elif p.state == "embedding":
            share = int(100 * p.vectors_done / p.vectors_total) if p.vectors_total else 100
            self.index_status.setText(self.tr("Semantic search: {0} % ready — keyword search already works")
                                      .format(self.locale().toString(share)))
        elif p.state == "done":
            self.index_status.setText(self.tr("Up to date."))
        elif p.state == "cancelled":
            self.index_status.setText(self.tr("Indexing stopped."))
        elif p.state == "error":
            self.index_status.setText(self.tr("Indexing stopped: see the message above."))
            if p.message:
                self.notifier.show_message(error_text(p.code, p.message), kind="error", details=p.message)

    def refresh_models(self) -> None:
        registry = self.library.registry

        def work():
            return [(e.name, e.source) for e in registry.list()], registry.active().name

        def done(payload) -> None:
            entries, active = payload
            demo = self.tr("{0} (demo)")
            self.chat.set_models([(name, demo.format(name) if source == "bundled" else name)
                                  for name, source in entries], active)

        self.runner.run(work, done, name="lanterne-models")

    def set_model_state(self, state: str, name: str = "") -> None:
        self.chat.set_model_state(state)
        self.welcome.set_model_state(state)
        self._model_state = (state, name)
        self.retranslate()

    def _embedder_changed(self, value: str) -> None:
        self.controller.change_embedder(value)
        self.notifier.show_message(self.tr("Embedder changed: every document is being indexed again."))

    def apply_settings(self, old, new) -> None:
        import dataclasses

        old = dataclasses.replace(old)  # ``old`` is the live object, updated in place below
        self.library.settings.__dict__.update(new.__dict__)
        self._save_settings()
        if new.language != old.language:
            self.translations.apply(new.language)
        if new.theme != old.theme:
            self.theme.apply(new.theme)
        if (new.server_url, new.strict_offline) != (old.server_url, old.strict_offline) or new.server_url:
            self.collections.refresh_server()  # a token may have changed too
        if (new.gpu_layers, new.llm_context) != (old.gpu_layers, old.llm_context):
            library = self.library
            self.runner.run(lambda: library.set_llm(None))  # reloaded with the new settings at the next question
        self.notifier.show_message(self.tr("Settings saved."), timeout_s=3)

    def _save_settings(self) -> None:
        settings, path = self.library.settings, self.library.layout.settings
        self.runner.run(lambda: settings.save(path), name="lanterne-save-settings")

    def offer_crash_report(self, report: str) -> None:
        self.notifier.show_message(
            self.tr("Lanterne stopped on an unexpected error last time. A report was saved (no document content)."),
            kind="error", actions=[(self.tr("Copy report"), lambda: copy_to_clipboard(report)),
                                   (self.tr("Open logs folder"), self.logs_action.trigger)])

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Lanterne — your documents, answered offline"))
        self.file_menu.setTitle(self.tr("&File"))
        self.view_menu.setTitle(self.tr("&View"))
        self.tools_menu.setTitle(self.tr("&Tools"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.add_action.setText(self.tr("Add folder…"))
        self.new_action.setText(self.tr("New conversation"))
        self.quit_action.setText(self.tr("Quit"))
        self.problems_action.setText(self.tr("Problems…"))
        self.pause_action.setText(self.tr("Resume indexing") if self.controller.paused else self.tr("Pause indexing"))
        self.pause_action.setData("play" if self.controller.paused else "pause")
        self.pause_action.setIcon(icon(self.pause_action.data()))
        self.models_action.setText(self.tr("Models…"))
        self.settings_action.setText(self.tr("Settings…"))
        self.focus_action.setText(self.tr("Go to the question box"))
        self.zoom_in_action.setText(self.tr("Larger text"))
        self.zoom_out_action.setText(self.tr("Smaller text"))
        self.zoom_reset_action.setText(self.tr("Normal text size"))
        self.logs_action.setText(self.tr("Open logs folder"))
        self.help_action.setText(self.tr("Lanterne help"))
        self.about_action.setText(self.tr("About Lanterne"))
        state, name = self._model_state
        self.model_status.setText({
            "loading": self.tr("Loading the model…"),
            "ready": self.tr("Model: {0}").format(name),
            "error": self.tr("Model unavailable"),
        }.get(state, ""))
        last = self._last_progress
        if last is not None and last.state != "error":
            self._progress(last)
        if self.tray is not None:
            self.tray.setToolTip(self.tr("Lanterne"))
            self.tray_show.setText(self.tr("Show Lanterne"))
