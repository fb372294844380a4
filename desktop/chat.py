"""The chat area: a conversation, its scope (model and collections), the question box, and answers
streamed as they are generated with clickable citations and source cards."""
from __future__ import annotations

import html
import logging
import os
import threading
import time
from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication, QObject, QTimer, QUrl, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QPalette, QTextCursor
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QMenu, QPlainTextEdit, QPushButton, QTextBrowser,
                               QToolButton, QVBoxLayout, QWidget)

from core.library import Library
from desktop.bridge import Runner
from desktop.i18n import Retranslatable
from desktop.markdown import highlight, query_words, to_html
from desktop.messages import error_text, unexpected_text
from desktop.style import ElidedLabel, emphasize, icon, muted

log = logging.getLogger(__name__)


@dataclass
class TurnState:
    question: str
    answer: str = ""
    citations: list[dict] = field(default_factory=list)
    state: str = "waiting"  # waiting | loading | streaming | done | cancelled | not-found | error
    error: str = ""
    turn_id: int | None = None
    model: str = ""
    seconds: float = 0.0
    evidence: list[dict] = field(default_factory=list)  # sentences that likely answer, shown first
    unverified: list[str] = field(default_factory=list)  # answer sentences the checker could not support
    supported: bool = True  # some sentence of the answer is supported by the passages
    progress: tuple[int, int] | None = None  # pinned documents: parts read, of how many
    pinned: list[str] = field(default_factory=list)  # the documents read whole for this answer


class _Stream(QObject):
    """Tokens from the answer thread, delivered on the UI thread."""

    token = Signal(int, str)  # generation number, piece
    phase = Signal(int, str)  # generation number, "streaming"
    evidence = Signal(int, object)  # generation number, list of evidence dicts (before any token)
    progress = Signal(int, str, int, int)  # generation number, stage, parts done, parts


class Transcript(QTextBrowser):
    """A QTextBrowser that never fetches anything: no remote or local images, no stylesheets."""

    def loadResource(self, kind, url):  # noqa: N802 (Qt API)
        return None


class QuestionBox(QPlainTextEdit):
    """Ctrl+Enter sends; Esc stops the answer; Tab and Shift+Tab move to the next and previous
    control, like in any form (a question has no use for a tab character)."""

    submitted = Signal()
    stop_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and event.modifiers() & Qt.ControlModifier:
            self.submitted.emit()
            return
        if event.key() == Qt.Key_Escape:
            self.stop_requested.emit()
            return
        super().keyPressEvent(event)


class ChatPanel(Retranslatable, QWidget):
    """One conversation at a time.

    Signals:
        citation_activated(dict): a citation or source card was clicked (the citation's JSON).
        conversation_saved(int): a conversation was created or got a new turn (its id).
        answer_finished(object): the ``AnswerResult`` of the last answer (tests, status bar).
    """

    citation_activated = Signal(dict)
    conversation_saved = Signal(int)
    answer_finished = Signal(object)
    pins_changed = Signal(list)

    def __init__(self, library: Library, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.runner = runner
        self.chat_id: int | None = None
        self.title_text = ""
        self.turns: list[TurnState] = []
        self.scope: list[str] = []  # collection names; empty: all
        self.all_collections: list[str] = []  # local ones, then the server's
        self.local_collections: list[str] = []
        self.server_collections: list[str] = []
        self.model_name = ""
        self.models: list[tuple[str, str]] = []  # (name, label)
        self.model_state = "idle"  # idle | loading | ready | error
        self._cancel: threading.Event | None = None
        self._generation = 0
        self._stream = _Stream(self)
        self._stream.token.connect(self._on_token)
        self._stream.phase.connect(self._on_phase)
        self._stream.evidence.connect(self._on_evidence)
        self._stream.progress.connect(self._on_progress)
        self.pinned: list[str] = []  # documents read whole (catalog paths, core/whole.py)
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(50)  # re-render at most 20 times a second while streaming
        self._render_timer.timeout.connect(self.render)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        header = QHBoxLayout()
        self.title = ElidedLabel()  # a long question as title must not squeeze the model menu
        emphasize(self.title, scale=1.2)
        header.addWidget(self.title, 1)
        self.scope_button = QToolButton()
        self.scope_button.setIcon(icon("collection"))
        self.scope_button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.scope_button.setPopupMode(QToolButton.InstantPopup)
        self.scope_menu = QMenu(self)
        self.scope_button.setMenu(self.scope_menu)
        self.scope_menu.aboutToShow.connect(self._fill_scope_menu)
        header.addWidget(self.scope_button)
        self.model_combo = QComboBox()
        self.model_combo.setMinimumWidth(200)
        self.model_combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.model_combo.activated.connect(self._model_chosen)
        header.addWidget(self.model_combo)
        layout.addLayout(header)

        self.transcript = Transcript()
        self.transcript.setOpenLinks(False)
        self.transcript.setOpenExternalLinks(False)
        self.transcript.anchorClicked.connect(self._anchor)
        layout.addWidget(self.transcript, 1)

        self.status = QLabel()
        muted(self.status)
        layout.addWidget(self.status)
        # the pinned documents, each with a button to unpin it
        self.pins_bar = QWidget()
        self.pins_layout = QHBoxLayout(self.pins_bar)
        self.pins_layout.setContentsMargins(0, 0, 0, 0)
        self.pins_label = QLabel()
        self.pins_layout.addWidget(self.pins_label)
        self.pins_layout.addStretch(1)
        self.pins_bar.hide()
        layout.addWidget(self.pins_bar)
        row = QHBoxLayout()
        self.question = QuestionBox()
        self.question.setMaximumHeight(90)
        self.question.submitted.connect(self.send)
        self.question.stop_requested.connect(self.stop)
        row.addWidget(self.question, 1)
        self.send_button = QPushButton()
        self.send_button.setMinimumHeight(40)
        self.send_button.clicked.connect(self._send_or_stop)
        row.addWidget(self.send_button)
        layout.addLayout(row)

        self.stop_action = QAction(self)
        self.stop_action.setShortcut(QKeySequence(Qt.Key_Escape))
        self.stop_action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        self.stop_action.triggered.connect(self.stop)
        self.addAction(self.stop_action)
        self.retranslate()

    # -- state
    @property
    def busy(self) -> bool:
        return self._cancel is not None

    def set_collections(self, names: list[str]) -> None:
        self.local_collections = list(names)
        self._collections_changed()

    def set_server_collections(self, names: list[str]) -> None:
        """The Lanterne server's collections (scope names ``@server:NAME``), asked through it."""
        self.server_collections = list(names)
        self._collections_changed()

    def _collections_changed(self) -> None:
        from core.client import is_server_scope

        self.all_collections = self.local_collections + self.server_collections
        # a server's collection stays chosen while the server is unreachable (the question then
        # says so, rather than quietly answering from this computer's documents)
        self.scope = [n for n in self.scope if n in self.all_collections or is_server_scope(n)]
        self.retranslate()

    @staticmethod
    def scope_label(name: str) -> str:
        from core.client import is_server_scope, server_name

        if is_server_scope(name):
            return QCoreApplication.translate("ChatPanel", "{0} (server)").format(server_name(name))
        return name

    def set_models(self, models: list[tuple[str, str]], active: str) -> None:
        self.models = models
        if not self.model_name or self.model_name not in {m for m, _ in models}:
            self.model_name = active
        self.model_combo.clear()
        for name, label in models:
            self.model_combo.addItem(label, name)
        index = self.model_combo.findData(self.model_name)
        self.model_combo.setCurrentIndex(max(0, index))

    def set_model_state(self, state: str) -> None:
        self.model_state = state
        self.retranslate()

    def new_conversation(self) -> None:
        if self.busy:
            self.stop()
        self.chat_id = None
        self.title_text = ""
        self.turns = []
        self.pinned = []
        self._fill_pins()
        self.render()
        self.retranslate()
        self.question.setFocus()

    def open_conversation(self, chat_id: int) -> None:
        if self.busy:
            self.stop()
        chats = self.library.chats

        def done(conv) -> None:
            self.chat_id = conv.id
            self.title_text = conv.title
            from core.client import is_server_scope

            self.scope = [c for c in conv.collections if c in self.all_collections or is_server_scope(c)]
            if conv.model and conv.model in {m for m, _ in self.models}:
                self.model_name = conv.model
                self.model_combo.setCurrentIndex(max(0, self.model_combo.findData(conv.model)))
            self.turns = [self._stored(t) for t in conv.turns]
            self.pinned = list(conv.pinned)
            self._fill_pins()
            self.render()
            self.retranslate()

        self.runner.run(lambda: chats.get(chat_id), done, name="lanterne-open-chat")

    # -- asking
    def _send_or_stop(self) -> None:
        if self.busy:
            self.stop()
        else:
            self.send()

    def send(self) -> None:
        text = self.question.toPlainText().strip()
        if not text or self.busy:
            return
        self.question.clear()
        self.ask(text)

    @staticmethod
    def _stored(t) -> TurnState:
        """A saved turn as the window shows it again: its evidence and unchecked sentences too."""
        checks = t.details.get("checks") or []
        unverified = [c["sentence"] for c in checks if not c.get("supported")]
        return TurnState(t.question, t.answer, t.citations, t.status, turn_id=t.id, model=t.model,
                         seconds=float(t.timings.get("total_s", 0.0)), evidence=list(t.details.get("evidence") or []),
                         unverified=unverified, supported=not checks or len(unverified) < len(checks))

    def ask(self, question: str, *, regenerate: bool = False) -> None:
        """Retrieve, then stream the answer from the model on a worker thread, through the same
        conversation service as the command line (history, cancel, saving)."""
        turn = TurnState(question, state="loading" if not self.library.llm_loaded else "waiting", model=self.model_name)
        self.turns.append(turn)
        self._cancel = cancel = threading.Event()
        self._generation += 1
        generation = self._generation
        library = self.library
        chat_id, scope, model, pinned = self.chat_id, list(self.scope), self.model_name, list(self.pinned)
        turn.pinned = pinned
        stream = self._stream
        started = time.perf_counter()

        def work():
            from core.conversations import ConversationService

            first = [True]

            def on_token(piece: str) -> None:
                if first[0]:
                    first[0] = False
                    stream.phase.emit(generation, "streaming")
                stream.token.emit(generation, piece)

            service = ConversationService(library)
            kwargs = dict(scope=scope, model=model or None, on_token=on_token, cancel=cancel,
                          on_model_loading=lambda: stream.phase.emit(generation, "loading"),
                          pinned=pinned, on_progress=lambda *p: stream.progress.emit(generation, *p),
                          on_evidence=lambda ev: stream.evidence.emit(generation, [e.as_json() for e in ev[:3]]))
            if regenerate and chat_id is not None:
                return service.regenerate(chat_id, **kwargs)
            return service.ask(chat_id, question, **kwargs)

        def done(saved) -> None:
            result = saved.result
            if generation == self._generation:
                self._cancel = None
            turn.answer = result.answer
            turn.citations = saved.citations
            turn.turn_id = saved.turn.id if saved.turn else None
            turn.model = result.model
            turn.seconds = time.perf_counter() - started
            turn.state = saved.status
            turn.unverified = [c.text for c in result.checks if not c.supported]
            turn.supported = not result.checks or result.supported
            if saved.chat_id is not None:
                new = self.chat_id is None
                self.chat_id = saved.chat_id
                if new:
                    self.title_text = question[:80]
            self.render()
            self.retranslate()
            if saved.chat_id is not None:
                self.conversation_saved.emit(saved.chat_id)
            from desktop.a11y import announce

            if turn.state == "not-found":
                announce(self, self.tr("Not found in your documents."))
            elif turn.state == "done":  # the streamed text was not spoken word by word: say it now
                announce(self, self.tr("Answer ready: {0}").format(result.answer[:600]))
            self.answer_finished.emit(result)

        def failed(error: BaseException) -> None:
            if generation == self._generation:
                self._cancel = None
            turn.state = "error"
            from core.errors import LanterneError

            if isinstance(error, LanterneError):
                turn.error = error_text(error.code, error.message)
            else:
                log.error("answering failed", exc_info=error)
                turn.error = unexpected_text()
            self.render()
            self.retranslate()
            from desktop.a11y import announce

            announce(self, turn.error, assertive=True)
            self.answer_finished.emit(None)

        self.render()
        self.retranslate()
        self.runner.run(work, done, failed, name="lanterne-answer")

    def stop(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def regenerate(self, index: int) -> None:
        """Ask the last question again (its stored turn is replaced)."""
        if self.busy or index != len(self.turns) - 1:
            return
        turn = self.turns.pop(index)
        # the service replaces the stored turn once the new answer is saved
        self.ask(turn.question, regenerate=turn.turn_id is not None and self.chat_id is not None)

    def where(self, c: dict) -> str:
        """Where a cited passage is: "page 3", or for a spreadsheet its sheet and rows."""
        from desktop.messages import citation_place

        return citation_place(c)

    def copy_answer(self, index: int) -> None:
        if not (0 <= index < len(self.turns)):
            return
        turn = self.turns[index]
        lines = [turn.answer, ""]
        for c in turn.citations:
            where = self.where(c)
            lines.append(f"[{c['n']}] {c['path']}" + (f", {where}" if where else ""))
        QGuiApplication.clipboard().setText("\n".join(lines).strip())

    def _on_token(self, generation: int, piece: str) -> None:
        if generation != self._generation or not self.turns:
            return
        self.turns[-1].answer += piece
        if not self._render_timer.isActive():
            self._render_timer.start()

    def _on_evidence(self, generation: int, evidence: list) -> None:
        if generation == self._generation and self.turns:
            self.turns[-1].evidence = list(evidence)
            self.render()

    def _on_progress(self, generation: int, stage: str, done: int, total: int) -> None:
        if generation == self._generation and self.turns:
            self.turns[-1].progress = (done, total) if stage == "reading" and total > 1 else None
            self.render()
            self.retranslate()

    # -- pinned documents
    def pin(self, path: str) -> None:
        """Read this document whole in the conversation's next questions (``path``: the catalog's
        text form, as in citations' ``doc_id`` rows and the sidebar)."""
        from core.whole import MAX_PINNED

        if path in self.pinned:
            return
        if len(self.pinned) >= MAX_PINNED:
            from desktop.a11y import announce

            self.status.setText(self.tr("At most {0} documents can be pinned to a conversation.").format(MAX_PINNED))
            announce(self, self.status.text(), assertive=True)
            return
        self._set_pins(self.pinned + [path])

    def unpin(self, path: str) -> None:
        self._set_pins([p for p in self.pinned if p != path])

    def pin_citation(self, citation: dict) -> None:
        """Pin the document a citation comes from (its catalog path, found by its id)."""
        catalog, doc_id = self.library.catalog, int(citation["doc_id"])

        def found(row) -> None:
            if row is None:
                self.status.setText(self.tr("This document is no longer in your library."))
            else:
                self.pin(row.path)

        self.runner.run(lambda: catalog.document_by_id(doc_id), found, name="lanterne-pin")

    def pin_file(self, path: str) -> None:
        """Pin a file chosen on disk (the sidebar), once it is known to be an indexed document."""
        from core.whole import find_indexed

        library = self.library

        def found(catalog_path) -> None:
            if catalog_path is None:
                self.status.setText(self.tr("{0} is not indexed (yet): it cannot be read whole.")
                                    .format(os.path.basename(path)))
            else:
                self.pin(catalog_path)

        self.runner.run(lambda: find_indexed(library, path), found, name="lanterne-pin")

    def _set_pins(self, paths: list[str]) -> None:
        self.pinned = list(paths)
        if self.chat_id is not None:
            chats, cid = self.library.chats, self.chat_id
            self.runner.run(lambda: chats.set_pinned(cid, paths))
        self._fill_pins()
        self.retranslate()
        self.pins_changed.emit(list(self.pinned))

    def _fill_pins(self) -> None:
        from core.paths import display_path

        while self.pins_layout.count() > 2:  # the label and the stretch stay
            chip = self.pins_layout.takeAt(1).widget()
            if chip is not None:  # gone now, not at the next turn of the event loop
                chip.hide()
                chip.setParent(None)
                chip.deleteLater()
        for n, path in enumerate(self.pinned):
            name = os.path.basename(display_path(path))
            chip = QToolButton()
            chip.setText(name)
            chip.setIcon(icon("close"))
            chip.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
            self._label_chip(chip, path)
            chip.clicked.connect(lambda _=False, p=path: self.unpin(p))
            self.pins_layout.insertWidget(1 + n, chip)
        self.pins_bar.setVisible(bool(self.pinned))

    def _label_chip(self, chip: QToolButton, path: str) -> None:
        from core.paths import display_path

        chip.setToolTip(self.tr("Read whole: {0}. Click to unpin.").format(display_path(path)))
        chip.setAccessibleName(self.tr("Unpin {0}").format(os.path.basename(display_path(path))))

    def _on_phase(self, generation: int, phase: str) -> None:
        if generation == self._generation and self.turns:
            self.turns[-1].state = phase
            self.retranslate()

    def _model_chosen(self, index: int) -> None:
        name = self.model_combo.itemData(index)
        if name and name != self.model_name:
            self.model_name = name
            library, cid, scope = self.library, self.chat_id, list(self.scope)

            def remember() -> None:
                library.use_model(name)  # new conversations start with it too
                if cid is not None:
                    library.chats.set_scope(cid, scope, name)

            self.runner.run(remember)  # a model removed meanwhile: the app's error banner says so

    def _fill_scope_menu(self) -> None:
        self.scope_menu.clear()
        everything = self.scope_menu.addAction(self.tr("All collections"))
        everything.setCheckable(True)
        everything.setChecked(not self.scope)
        everything.triggered.connect(lambda: self._set_scope([]))
        self.scope_menu.addSeparator()
        for name in self.local_collections:
            self._scope_action(name, name)
        if self.server_collections:
            self.scope_menu.addSection(self.tr("On the Lanterne server"))
            for name in self.server_collections:
                self._scope_action(name, self.scope_label(name))

    def _scope_action(self, name: str, label: str) -> None:
        action = self.scope_menu.addAction(label)
        action.setCheckable(True)
        action.setChecked(name in self.scope)
        action.triggered.connect(lambda checked, n=name: self._toggle_scope(n, checked))

    def _toggle_scope(self, name: str, checked: bool) -> None:
        """A question goes either to this computer's collections or to the server's: choosing one
        of the other kind replaces the scope rather than mixing them."""
        from core.client import is_server_scope

        scope = [n for n in self.scope if n != name and is_server_scope(n) == is_server_scope(name)]
        self._set_scope(scope + ([name] if checked else []))

    def _set_scope(self, scope: list[str]) -> None:
        self.scope = [n for n in self.all_collections if n in scope]
        if self.chat_id is not None:
            chats, cid, names = self.library.chats, self.chat_id, list(self.scope)
            self.runner.run(lambda: chats.set_scope(cid, names))
        self.retranslate()

    # -- links
    def _anchor(self, url: QUrl) -> None:
        text = url.toString()
        kind, _, rest = text.partition(":")
        parts = rest.split(":")
        try:
            index = int(parts[0])
        except ValueError:
            return
        if not (0 <= index < len(self.turns)):
            return
        if kind in ("cite", "card") and len(parts) == 2:
            n = int(parts[1])
            citation = next((c for c in self.turns[index].citations if c["n"] == n), None)
            if citation is not None:
                self.citation_activated.emit(citation)
        elif kind == "pin" and len(parts) == 2:
            n = int(parts[1])
            citation = next((c for c in self.turns[index].citations if c["n"] == n), None)
            if citation is not None and citation.get("doc_id") is not None and not citation.get("server"):
                self.pin_citation(citation)
        elif kind == "copy":
            self.copy_answer(index)
        elif kind == "regen":
            self.regenerate(index)

    # -- rendering
    def render(self) -> None:
        pal = self.palette()
        muted = pal.color(QPalette.PlaceholderText).name()
        accent = pal.color(QPalette.Link).name()
        card_bg = pal.color(QPalette.AlternateBase).name()
        bubble = pal.color(QPalette.Button).name()
        you = html.escape(self.tr("You"))
        parts = [f"<style>a {{ color: {accent}; text-decoration: none; }} a.cite {{ font-weight: 600; }}"
                 f" .muted {{ color: {muted}; }} pre {{ background: {card_bg}; }}</style>"]
        if not self.turns:
            parts.append(f"<p class='muted' style='margin-top:24px'>{html.escape(self._empty_hint())}</p>")
        for i, turn in enumerate(self.turns):
            parts.append(f"<table width='100%' cellpadding='8' style='margin-top:10px'><tr><td bgcolor='{bubble}'>"
                         f"<b>{you}</b><br>{html.escape(turn.question)}</td></tr></table>")
            parts.append(self._answer_html(i, turn, card_bg))
        self.transcript.setHtml("".join(parts))
        self.transcript.moveCursor(QTextCursor.End)
        self.transcript.ensureCursorVisible()

    def _answer_html(self, i: int, turn: TurnState, card_bg: str) -> str:
        name = html.escape(self.tr("Lanterne"))
        out = [f"<p style='margin-top:8px'><b>{name}</b></p>"]
        note = ""
        if turn.state == "loading" and not turn.answer:
            note = self.tr("Loading the model…")
        elif turn.state == "waiting" and not turn.answer and turn.progress:
            note = self.tr("Reading the pinned documents whole: part {0} of {1}… (Esc to stop)").format(
                self.locale().toString(min(turn.progress[0] + 1, turn.progress[1])),
                self.locale().toString(turn.progress[1]))
        elif turn.state == "waiting" and not turn.answer:
            note = self.tr("Reading your documents…")
        if note:
            out.append(f"<p class='muted'>{html.escape(note)}</p>")
        if turn.state == "error":
            out.append(f"<p style='color:#c62828'>{html.escape(turn.error)}</p>")
        if turn.evidence:
            # what the documents say, before (and beside) what the model writes
            label = html.escape(self.tr("In your documents:"))
            out.append(f"<p class='muted' style='margin-top:4px'>{label}</p><ul style='margin-top:0'>")
            for ev in turn.evidence:
                where = os.path.basename(ev["path"]) + (self.tr(", page {0}").format(ev["page"]) if ev.get("page") else "")
                quoted = self.tr("“{0}”").format(ev["text"])  # « {0} » in French
                out.append(f"<li>{html.escape(quoted)} <span class='muted'>— {html.escape(where)}</span></li>")
            out.append("</ul>")
        if turn.answer:
            cited = {c["n"] for c in turn.citations if not c.get("consulted")}
            body = to_html(turn.answer, cited).replace('href="cite:', f'href="cite:{i}:')
            out.append(body)
        tail = ""
        if turn.state == "not-found":
            tail = self.tr("Not found in your documents. Try other words, or check that the folder holding the "
                           "answer is in this conversation’s collections.")
        elif turn.state == "cancelled":
            tail = self.tr("Stopped.")
        elif turn.state == "done" and not turn.supported:
            tail = self.tr("Nothing in this answer could be verified in your documents: rely on the passages "
                           "shown instead.")
        if tail:
            out.append(f"<p class='muted'><i>{html.escape(tail)}</i></p>")
        if turn.pinned and turn.state in ("done", "cancelled"):
            from core.paths import display_path

            names = ", ".join(os.path.basename(display_path(p)) for p in turn.pinned)
            read = self.tr("Read whole: {0}").format(names)
            out.append(f"<p class='muted' style='margin-top:4px'>{html.escape(read)}</p>")
        if turn.unverified and turn.supported and turn.state == "done":
            label = html.escape(self.tr("Not verified in your documents:"))
            items = "".join(f"<li>{html.escape(t)}</li>" for t in turn.unverified)
            out.append(f"<p class='muted' style='margin-top:6px'>{label}</p><ul class='muted' style='margin-top:0'>{items}</ul>")
        if turn.citations:
            words = query_words(turn.question)
            consulted = any(c.get("consulted") for c in turn.citations)
            sources = html.escape(self.tr("Passages read (the model did not cite them; check the answer against them)")
                                  if consulted else self.tr("Sources"))
            out.append(f"<p class='muted' style='margin-top:6px'>{sources}</p>")
            out.append("<table width='100%' cellspacing='4' cellpadding='6'>")
            read_whole = html.escape(self.tr("Read the whole document"))
            for c in turn.citations:
                name = os.path.basename(c["path"])
                where = self.where(c) or (c.get("heading") or "")
                label = f"[{c['n']}] {html.escape(name)}" + (f" — {html.escape(where)}" if where else "")
                pin = ""
                if c.get("doc_id") is not None and not c.get("server"):
                    pin = f" &nbsp;<a href='pin:{i}:{c['n']}'>{read_whole}</a>"
                out.append(f"<tr><td bgcolor='{card_bg}'><a href='card:{i}:{c['n']}'><b>{label}</b></a>{pin}<br>"
                           f"<span class='muted'>{highlight(c.get('text', ''), words)}</span></td></tr>")
            out.append("</table>")
        if turn.state in ("done", "not-found", "cancelled", "error"):
            links = []
            copy, regenerate = html.escape(self.tr("Copy")), html.escape(self.tr("Regenerate"))
            if turn.answer:
                links.append(f"<a href='copy:{i}'>{copy}</a>")
            if not self.busy and i == len(self.turns) - 1:  # later turns build on earlier answers
                links.append(f"<a href='regen:{i}'>{regenerate}</a>")
            meta = ""
            if turn.model and turn.seconds:
                seconds = self.locale().toString(float(turn.seconds), "f", 1)
                meta = f" <span class='muted'>· {html.escape(turn.model)} · {seconds} s</span>"
            out.append("<p>" + " · ".join(links) + meta + "</p>")
        return "".join(out)

    def _empty_hint(self) -> str:
        return self.tr("Ask a question about your documents. Answers cite the passages they come from; "
                       "click a citation to see it in the document.")

    def retranslate(self) -> None:
        self.title.setText(self.title_text or self.tr("New conversation"))
        if not self.scope:
            self.scope_button.setText(self.tr("All collections"))
        elif len(self.scope) == 1:
            self.scope_button.setText(self.scope_label(self.scope[0]))
        else:
            self.scope_button.setText(self.tr("{0} collections").format(len(self.scope)))
        self.scope_button.setToolTip(self.tr("Collections this conversation answers from"))
        self.scope_button.setAccessibleName(self.tr("Collections in scope"))
        from core.client import is_server_scope

        on_server = bool(self.scope) and all(is_server_scope(n) for n in self.scope)
        self.model_combo.setEnabled(not on_server)  # the server answers with its own model
        self.model_combo.setToolTip(self.tr("The Lanterne server answers with its own model") if on_server
                                    else self.tr("Language model for this conversation"))
        self.model_combo.setAccessibleName(self.tr("Language model"))
        self.question.setPlaceholderText(self.tr("Ask a question about your documents (Ctrl+Enter to send)"))
        self.question.setAccessibleName(self.tr("Question"))
        self.pins_label.setText(self.tr("Read whole:"))
        self.pins_bar.setAccessibleName(self.tr("Documents pinned to this conversation"))
        for i, path in enumerate(self.pinned, 1):
            chip = self.pins_layout.itemAt(i).widget() if i < self.pins_layout.count() - 1 else None
            if chip is not None:
                self._label_chip(chip, path)
        self.transcript.setAccessibleName(self.tr("Conversation"))
        if self.busy:
            self.send_button.setText(self.tr("Stop"))
            self.send_button.setIcon(icon("stop"))
            self.send_button.setToolTip(self.tr("Stop the answer (Esc)"))
        else:
            self.send_button.setText(self.tr("Send"))
            self.send_button.setIcon(icon("send"))
            self.send_button.setToolTip(self.tr("Send (Ctrl+Enter)"))
        self.send_button.setAccessibleName(self.send_button.text())
        state = self.turns[-1].state if self.turns and self.busy else ""
        if self.model_state == "loading" or state == "loading":
            self.status.setText(self.tr("Loading the model in the background…"))
        elif state == "waiting" and self.turns[-1].pinned:
            self.status.setText(self.tr("Reading the pinned documents… (Esc to stop)"))
        elif state == "waiting":
            self.status.setText(self.tr("Searching your documents…"))
        elif state == "streaming":
            self.status.setText(self.tr("Writing the answer… (Esc to stop)"))
        elif self.model_state == "error":
            self.status.setText(self.tr("The model could not be loaded: choose another one in Models."))
        else:
            self.status.setText("")
        if not self._render_timer.isActive():
            self.render()

    def restyle(self) -> None:
        self.render()  # the transcript's colours come from the palette
