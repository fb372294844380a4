"""Announcements for screen readers: what changes without the focus moving (an answer that
finished streaming, indexing milestones, an error banner) is spoken, through Qt's accessibility
announcement event (AT-SPI on Linux, UI Automation on Windows, NSAccessibility on macOS)."""
from __future__ import annotations

import logging

from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

spoken: list[tuple[str, bool]] = []  # the last announcements (text, assertive), for diagnostics and tests


def announce(widget: QWidget, text: str, *, assertive: bool = False) -> None:
    """Ask the screen reader to say ``text`` (politely, after what it is saying, unless
    ``assertive``: errors interrupt)."""
    text = " ".join((text or "").split())
    if not text:
        return
    spoken.append((text, assertive))
    del spoken[:-20]
    try:
        event = QAccessibleAnnouncementEvent(widget, text)
        if assertive:
            event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
        QAccessible.updateAccessibility(event)
    except Exception:  # an accessibility bridge must never break the window
        log.debug("announcement failed", exc_info=True)
