"""Non-modal notifications and the one place errors are shown.

Workers never open dialogs: an error travels to the UI thread (see ``bridge.Runner``) and lands here,
as a banner at the top of the window that does not block anything. Errors a user can cause carry a
code and get a translated message; anything else is a bug: logged with its traceback, written as a
crash report, and offered on the next start.
"""
from __future__ import annotations

import logging
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QTimer, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

from desktop.messages import error_text, unexpected_text
from desktop.style import icon

log = logging.getLogger(__name__)

CRASH_FILE = "last-crash.txt"


class Banner(QFrame):
    """One notification: a message, optional action buttons, a close button."""

    def __init__(self, text: str, kind: str, details: str, actions: list[tuple[str, Callable[[], None]]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setObjectName(f"banner-{kind}")
        self.setFrameShape(QFrame.StyledPanel)
        self.setAccessibleName(text)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        badge = QLabel()
        badge.setPixmap(icon("warning" if kind == "error" else "info").pixmap(18, 18))
        layout.addWidget(badge)
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        if details and details != text:
            self.label.setToolTip(details)
        layout.addWidget(self.label, 1)
        for label, callback in actions:
            button = QPushButton(label)
            button.clicked.connect(callback)
            button.clicked.connect(self.dismiss)
            layout.addWidget(button)
        close = QToolButton()
        close.setIcon(icon("close"))
        close.setAutoRaise(True)
        close.setAccessibleName(self.tr("Dismiss"))
        close.setToolTip(self.tr("Dismiss"))
        close.clicked.connect(self.dismiss)
        layout.addWidget(close)
        color = "#c62828" if kind == "error" else "#2f6fd0"
        self.setStyleSheet(f"QFrame#{self.objectName()} {{ border: 1px solid {color}; border-left: 4px solid {color};"
                           " border-radius: 4px; }")

    def dismiss(self) -> None:
        self.hide()
        self.deleteLater()


class Notifier(QWidget):
    """The stack of banners at the top of the main window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(8, 4, 8, 0)
        self.layout_.setSpacing(4)
        self.history: list[tuple[str, str]] = []  # (kind, text): for tests and diagnostics

    def show_message(self, text: str, *, kind: str = "info", details: str = "", timeout_s: float | None = None,
                     actions: list[tuple[str, Callable[[], None]]] | None = None) -> Banner:
        # the same message twice in a row is shown once
        for i in range(self.layout_.count()):
            widget = self.layout_.itemAt(i).widget()
            if isinstance(widget, Banner) and widget.label.text() == text and widget.isVisible():
                return widget
        while self.layout_.count() >= 3:  # a few at a time; the oldest goes
            old = self.layout_.takeAt(0).widget()
            if old is not None:
                old.dismiss()
        banner = Banner(text, kind, details, actions or [], self)
        self.layout_.addWidget(banner)
        from desktop.a11y import announce

        announce(banner, text, assertive=kind == "error")
        self.history.append((kind, text))
        if timeout_s is None:
            timeout_s = 8.0 if kind == "info" else 0  # errors stay until dismissed
        if timeout_s:
            QTimer.singleShot(int(timeout_s * 1000), banner, banner.dismiss)
        return banner

    def show_error(self, error: BaseException) -> Banner:
        from core.errors import LanterneError

        if isinstance(error, LanterneError):
            return self.show_message(error_text(error.code, error.message), kind="error", details=error.message)
        log.error("unexpected error", exc_info=error)
        return self.show_message(unexpected_text(), kind="error", details=f"{type(error).__name__}: {error}")


def install_crash_handlers(logs: Path) -> None:
    """Unhandled exceptions (UI or worker threads) are logged with their traceback and kept as a
    report the next start offers to copy. The app keeps running."""
    def write(kind: str, exc_type, exc, tb) -> None:
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("unhandled exception (%s):\n%s", kind, text)
        try:
            logs.mkdir(parents=True, exist_ok=True)
            (logs / CRASH_FILE).write_text(f"Lanterne crash report — {time.strftime('%Y-%m-%d %H:%M:%S')}\n"
                                           f"Python {sys.version.split()[0]}, {sys.platform}\n\n{text}", encoding="utf-8")
        except OSError:
            pass

    def hook(exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        write("main thread", exc_type, exc, tb)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        write(f"thread {args.thread.name if args.thread else '?'}", args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook


def take_crash_report(logs: Path) -> str | None:
    """The report left by the previous session, if any (moved aside so it is offered once)."""
    path = logs / CRASH_FILE
    try:
        text = path.read_text(encoding="utf-8")
        path.replace(logs / (CRASH_FILE + ".seen"))
        return text
    except OSError:
        return None


def copy_to_clipboard(text: str) -> None:
    QGuiApplication.clipboard().setText(text)
