"""The sidebar: collections with their sources and status, and the conversations."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

from PySide6.QtCore import QModelIndex, QPoint, QTimer, QUrl, Qt, Signal
from PySide6.QtGui import QAction, QDesktopServices, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QHBoxLayout, QInputDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem, QMenu,
                               QMessageBox, QToolButton, QTreeView, QVBoxLayout, QWidget)

from core.indexing import Progress
from core.library import Library
from core.paths import display_path
from desktop.bridge import Runner
from desktop.i18n import Retranslatable
from desktop.indexing import IndexingController
from desktop.style import emphasize, icon

ROLE_KIND = Qt.UserRole + 1  # "collection" | "source" | "server" | "server-collection"
ROLE_ID = Qt.UserRole + 2
SERVER_ROW_ID = -1
SERVER_POLL_MS = 60_000  # the server's collections are listed again every minute

log = logging.getLogger(__name__)


@dataclass
class SourceInfo:
    id: int
    path: str
    kind: str
    present: bool


@dataclass
class ServerState:
    """The Lanterne server set in Settings, as last heard from."""
    host: str
    collections: list = field(default_factory=list)  # core.client.ServerCollection, last listed
    error: str = ""  # the error code of the last attempt ("" when it answered)


@dataclass
class CollectionInfo:
    id: int
    name: str
    indexed: int
    pending: int
    problems: int
    sources: list[SourceInfo] = field(default_factory=list)


def snapshot(library: Library) -> list[CollectionInfo]:
    """Everything the collections tree shows, read off the UI thread."""
    from core.status import collect

    out = []
    for coll in collect(library, failures=False, index=False).collections:
        info = CollectionInfo(coll.id, coll.name, coll.indexed, coll.pending, coll.problems)
        info.sources = [SourceInfo(s.id, s.path, s.kind, s.present) for s in coll.sources]
        out.append(info)
    return out


def _section(widget: QWidget, action_icon: str) -> tuple[QVBoxLayout, QLabel, QToolButton]:
    """A sidebar section: a bold heading with one tool button beside it, above the content."""
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    header = QHBoxLayout()
    heading = QLabel()
    emphasize(heading)
    header.addWidget(heading, 1)
    button = QToolButton()
    button.setIcon(icon(action_icon))
    button.setAutoRaise(True)
    header.addWidget(button)
    layout.addLayout(header)
    return layout, heading, button


class CollectionsView(Retranslatable, QWidget):
    """Collections → sources, each with its document count and state.

    Signals:
        problems_requested(): the user asked for the Problems view.
        add_requested(str): "Add folder…" on a collection (its name).
        renamed(str, str): a collection was renamed (old name, new name).
        pin_requested(str): a file to read whole in the current conversation (its path on disk).
    """

    problems_requested = Signal()
    add_requested = Signal(str)
    renamed = Signal(str, str)
    server_changed = Signal(list)  # the server's collections, as scope names ("@server:NAME")
    pin_requested = Signal(str)

    def __init__(self, library: Library, controller: IndexingController, runner: Runner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.controller = controller
        self.runner = runner
        self.collections: list[CollectionInfo] = []
        layout, self.heading, self.add_button = _section(self, "folder-add")
        self.add_button.clicked.connect(lambda: self.add_requested.emit(""))
        self.model = QStandardItemModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setHeaderHidden(True)
        # long collection names are cut with "…" (full name in the tooltip), not a wider sidebar
        self.tree.setTextElideMode(Qt.ElideRight)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.tree.header().setStretchLastSection(True)
        self.tree.setContextMenuPolicy(Qt.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._menu)
        self.tree.doubleClicked.connect(self._double_clicked)
        layout.addWidget(self.tree, 1)
        controller.catalog_changed.connect(self.refresh)
        controller.progress.connect(self._progress)
        self.server: ServerState | None = None
        self.server_timer = QTimer(self)
        self.server_timer.setInterval(SERVER_POLL_MS)
        self.server_timer.timeout.connect(self.refresh_server)
        self.retranslate()

    def refresh(self) -> None:
        self.runner.run(lambda: snapshot(self.library), self._fill, name="lanterne-sidebar")

    def refresh_server(self) -> None:
        """List the Lanterne server's collections (Settings ▸ Lanterne server), off the UI thread.
        When it cannot be reached, the last listing stays, marked unreachable."""
        from urllib.parse import urlparse

        from core.errors import LanterneError

        library = self.library
        url = library.settings.server_url
        if not url:
            self.server_timer.stop()
            if self.server is not None:
                self.server = None
                self._fill(self.collections)
                self.server_changed.emit([])
            return
        self.server_timer.start()
        host = urlparse(url).hostname or url
        previous = self.server.collections if self.server is not None and self.server.host == host else []

        def listed(collections) -> None:
            self.server = ServerState(host, collections)
            self._fill(self.collections)
            self.server_changed.emit([c.scope_name for c in collections])

        def failed(error: BaseException) -> None:
            if not isinstance(error, LanterneError):
                log.error("listing the Lanterne server's collections failed", exc_info=error)
            self.server = ServerState(host, previous, getattr(error, "code", "error") or "error")
            self._fill(self.collections)
            self.server_changed.emit([c.scope_name for c in previous])

        self.runner.run(lambda: library.server_client().collections(), listed, failed, name="lanterne-server")

    def _fill(self, collections: list[CollectionInfo]) -> None:
        expanded = {self.model.item(r).data(ROLE_ID) for r in range(self.model.rowCount())
                    if self.tree.isExpanded(self.model.index(r, 0))}
        first = not self.collections
        self.collections = collections
        self.model.clear()
        for info in collections:
            item = QStandardItem(icon("collection"), "")
            item.setData("collection", ROLE_KIND)
            item.setData(info.id, ROLE_ID)
            item.setEditable(False)
            for s in info.sources:
                child = QStandardItem(icon("folder" if s.kind == "folder" else "document"),
                                      os.path.basename(s.path.rstrip("/\\")) or s.path)
                child.setToolTip(display_path(s.path))
                child.setData("source", ROLE_KIND)
                child.setData(s.id, ROLE_ID)
                child.setEditable(False)
                if not s.present:
                    child.setForeground(self.palette().placeholderText())
                item.appendRow(child)
            self.model.appendRow(item)
            if first or info.id in expanded:
                self.tree.expand(item.index())
        if self.server is not None:
            item = QStandardItem(icon("server"), "")
            item.setData("server", ROLE_KIND)
            item.setData(SERVER_ROW_ID, ROLE_ID)
            item.setEditable(False)
            for c in self.server.collections:
                child = QStandardItem(icon("collection"), "")
                child.setData("server-collection", ROLE_KIND)
                child.setEditable(False)
                if self.server.error:
                    child.setForeground(self.palette().placeholderText())
                item.appendRow(child)
            self.model.appendRow(item)
            self.tree.expand(item.index())
        self.retranslate()

    def _progress(self, p: Progress) -> None:
        self.retranslate()

    def _label(self, info: CollectionInfo) -> str:
        locale = self.locale()
        p = self.controller.latest.get(info.name)
        if p is not None and p.state in ("indexing", "paused") and p.files_total:
            # the catalog's count is from before this pass: show the pass's own progress instead
            text = self.tr("{0} — indexing {1} of {2}").format(info.name, locale.toString(p.files_done),
                                                                 locale.toString(p.files_total))
        else:
            text = (self.tr("{0} — 1 document").format(info.name) if info.indexed == 1
                    else self.tr("{0} — {1} documents").format(info.name, locale.toString(info.indexed)))
        if p is not None and p.state == "scanning":
            text += " · " + self.tr("scanning")
        if info.problems:
            text += " · " + (self.tr("1 problem") if info.problems == 1 else
                             self.tr("{0} problems").format(info.problems))
        return text

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Collections"))
        self.add_button.setToolTip(self.tr("Add folder…"))
        self.add_button.setAccessibleName(self.tr("Add folder…"))
        self.tree.setAccessibleName(self.tr("Collections and their folders"))
        self._retranslate_server()
        for row, info in enumerate(self.collections):
            item = self.model.item(row)
            if item is not None:
                item.setText(self._label(info))
                item.setToolTip(item.text())
                for r, s in enumerate(info.sources):
                    child = item.child(r)
                    if child is not None and not s.present:
                        child.setToolTip(self.tr("{0} (not reachable now; its documents are kept)").format(display_path(s.path)))

    def _retranslate_server(self) -> None:
        item = self.model.item(len(self.collections)) if self.server is not None else None
        if item is None or item.data(ROLE_KIND) != "server":
            return
        locale, server = self.locale(), self.server
        if server.error == "server-token":
            state = self.tr("token refused")
        elif server.error:
            state = self.tr("unreachable")
        else:
            state = ""
        item.setText(self.tr("Lanterne server ({0})").format(server.host) + (f" — {state}" if state else ""))
        item.setToolTip(self.tr("Collections shared by the Lanterne server at {0}. Choose them in a conversation's "
                                "collections to ask the server.").format(server.host) if not server.error else
                        self.tr("The Lanterne server at {0} cannot be used now; this computer's collections work "
                                "as usual. Check Settings ▸ Lanterne server.").format(server.host))
        for r, c in enumerate(server.collections):
            child = item.child(r)
            if child is not None:
                child.setText(self.tr("{0} — 1 document").format(c.name) if c.documents == 1 else
                              self.tr("{0} — {1} documents").format(c.name, locale.toString(c.documents)))
                child.setToolTip(child.text())

    def _source(self, index: QModelIndex) -> SourceInfo | None:
        if index.data(ROLE_KIND) != "source":
            return None
        sid = index.data(ROLE_ID)
        for info in self.collections:
            for s in info.sources:
                if s.id == sid:
                    return s
        return None

    def _collection(self, index: QModelIndex) -> CollectionInfo | None:
        if index.data(ROLE_KIND) != "collection":
            index = index.parent()
        return next((c for c in self.collections if c.id == index.data(ROLE_ID)), None)

    def _double_clicked(self, index: QModelIndex) -> None:
        source = self._source(index)
        if source is not None:
            folder = source.path if source.kind == "folder" else os.path.dirname(source.path)
            QDesktopServices.openUrl(QUrl.fromLocalFile(folder))

    def _menu(self, pos: QPoint) -> None:
        index = self.tree.indexAt(pos)
        if not index.isValid():
            return
        menu = QMenu(self)
        source = self._source(index)
        coll = self._collection(index)
        if source is not None:
            folder = source.path if source.kind == "folder" else os.path.dirname(source.path)
            menu.addAction(icon("folder"), self.tr("Show in folder"),
                           lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(folder)))
            menu.addAction(icon("retry"), self.tr("Check for changes now"),
                           lambda: self.controller.reindex_source(source.id))
            if source.kind == "folder":
                menu.addAction(icon("document"), self.tr("Read documents of this folder whole…"),
                               lambda: self._choose_pins(source.path))
            else:
                menu.addAction(icon("document"), self.tr("Read this document whole"),
                               lambda: self.pin_requested.emit(source.path))
            menu.addSeparator()
            menu.addAction(icon("trash"), self.tr("Remove from Lanterne…"), lambda: self._remove(source))
        elif coll is not None:
            menu.addAction(icon("folder-add"), self.tr("Add folder to “{0}”…").format(coll.name),
                           lambda: self.add_requested.emit(coll.name))
            menu.addAction(self.tr("Rename…"), lambda: self.rename(coll))
            if coll.problems:
                menu.addAction(icon("warning"), self.tr("Show problems"), self.problems_requested)
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    def _choose_pins(self, folder: str) -> None:
        """Documents of a watched folder to pin to the conversation (read whole)."""
        from PySide6.QtWidgets import QFileDialog

        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Documents to read whole"), folder)
        for path in paths:
            self.pin_requested.emit(path)

    def rename(self, coll: CollectionInfo, name: str | None = None) -> None:
        """Rename a collection (F2 or the context menu); conversations scoped to it follow."""
        from PySide6.QtWidgets import QInputDialog

        if name is None:
            name, ok = QInputDialog.getText(self, self.tr("Rename collection"), self.tr("New name:"), text=coll.name)
            if not ok:
                return
        name = " ".join((name or "").split())
        if not name or name == coll.name:
            return
        library, old = self.library, coll.name

        def work():
            library.catalog.rename_collection(coll.id, name)
            library.chats.rename_collection(old, name)

        def failed(error: BaseException) -> None:
            if isinstance(error, ValueError):
                QMessageBox.information(self, self.tr("Rename collection"),
                                        self.tr("A collection named “{0}” already exists.").format(name))
            else:
                self.runner.on_error(error)

        self.runner.run(work, lambda _r: (self.refresh(), self.renamed.emit(old, name)), failed,
                        name="lanterne-rename")

    def _remove(self, source: SourceInfo) -> None:
        answer = QMessageBox.question(
            self, self.tr("Remove folder"),
            self.tr("Stop watching “{0}” and forget its documents? The files themselves are not touched.")
            .format(display_path(source.path)))
        if answer == QMessageBox.Yes:
            self.controller.remove_source(source.id)


class ConversationsView(Retranslatable, QWidget):
    """Conversations: new, rename, delete, search; the list persists in the data folder.

    Signals:
        chosen(int): a conversation was selected (its id).
        new_requested()
        deleted(int)
    """

    chosen = Signal(int)
    new_requested = Signal()
    deleted = Signal(int)

    def __init__(self, library: Library, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.runner = runner
        layout, self.heading, self.new_button = _section(self, "chat-new")
        self.new_button.clicked.connect(self.new_requested)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.LeadingPosition)
        self.search.textChanged.connect(lambda _t: self.refresh())
        layout.addWidget(self.search)
        self.list = QListWidget()
        self.list.setTextElideMode(Qt.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.list.setContextMenuPolicy(Qt.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.currentItemChanged.connect(self._current_changed)
        layout.addWidget(self.list, 1)
        self.current_id: int | None = None
        self._filling = False
        self.rename_action = QAction(self)
        self.rename_action.setShortcut("F2")
        self.rename_action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        self.rename_action.triggered.connect(self.rename_current)
        self.delete_action = QAction(self)
        self.delete_action.setShortcut("Delete")
        self.delete_action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        self.delete_action.triggered.connect(self.delete_current)
        self.list.addActions([self.rename_action, self.delete_action])
        self.retranslate()

    def refresh(self, select: int | None = None) -> None:
        query = self.search.text().strip() or None
        chats = self.library.chats
        self.runner.run(lambda: chats.list(query), lambda convs: self._fill(convs, select), name="lanterne-chats")

    def _fill(self, conversations, select: int | None) -> None:
        self._filling = True
        try:
            self.list.clear()
            wanted = select if select is not None else self.current_id
            for conv in conversations:
                item = QListWidgetItem(icon("chat"), conv.title)
                item.setData(Qt.UserRole, conv.id)
                item.setToolTip(conv.title)
                self.list.addItem(item)
                if conv.id == wanted:
                    self.list.setCurrentItem(item)
        finally:
            self._filling = False
        if select is not None:
            self.current_id = select

    def _current_changed(self, item: QListWidgetItem | None, _previous) -> None:
        if self._filling or item is None:
            return
        chat_id = item.data(Qt.UserRole)
        if chat_id != self.current_id:
            self.current_id = chat_id
            self.chosen.emit(chat_id)

    def _menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        self.list.setCurrentItem(item)
        menu = QMenu(self)
        menu.addAction(icon("rename"), self.tr("Rename…"), self.rename_current)
        menu.addAction(icon("trash"), self.tr("Delete…"), self.delete_current)
        menu.exec(self.list.viewport().mapToGlobal(pos))

    def rename_current(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        title, ok = QInputDialog.getText(self, self.tr("Rename conversation"), self.tr("Title:"), text=item.text())
        if ok and title.strip():
            chat_id = item.data(Qt.UserRole)
            self.runner.run(lambda: self.library.chats.rename(chat_id, title), lambda _r: self.refresh())

    def delete_current(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        answer = QMessageBox.question(self, self.tr("Delete conversation"),
                                      self.tr("Delete “{0}”? This cannot be undone.").format(item.text()))
        if answer != QMessageBox.Yes:
            return
        chat_id = item.data(Qt.UserRole)

        def done(_r) -> None:
            if self.current_id == chat_id:
                self.current_id = None
            self.deleted.emit(chat_id)
            self.refresh()

        self.runner.run(lambda: self.library.chats.delete(chat_id), done)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Conversations"))
        self.new_button.setToolTip(self.tr("New conversation (Ctrl+N)"))
        self.new_button.setAccessibleName(self.tr("New conversation"))
        self.search.setPlaceholderText(self.tr("Search conversations"))
        self.search.setAccessibleName(self.tr("Search conversations"))
        self.list.setAccessibleName(self.tr("Conversations"))
        self.rename_action.setText(self.tr("Rename…"))
        self.delete_action.setText(self.tr("Delete…"))
