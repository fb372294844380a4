"""Theme and icons: light or dark following the OS (or forced in Settings), SVG icons drawn in the
palette's text colour at the screen's pixel ratio, so they stay crisp on high-DPI screens."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QLabel

import resources

ICONS = Path(resources.__file__).resolve().parent / "icons"


def _palette(dark: bool) -> QPalette:
    p = QPalette()
    if dark:
        colors = {
            QPalette.Window: "#1e2126", QPalette.WindowText: "#e6e8eb", QPalette.Base: "#16181c",
            QPalette.AlternateBase: "#22262c", QPalette.Text: "#e6e8eb", QPalette.Button: "#2a2e35",
            QPalette.ButtonText: "#e6e8eb", QPalette.Highlight: "#3d7bd9", QPalette.HighlightedText: "#ffffff",
            QPalette.ToolTipBase: "#2a2e35", QPalette.ToolTipText: "#e6e8eb", QPalette.PlaceholderText: "#8b929c",
            QPalette.Link: "#7fb0ff", QPalette.LinkVisited: "#b39dff", QPalette.Mid: "#3a3f47",
            QPalette.Dark: "#111317", QPalette.Light: "#3a3f47", QPalette.Midlight: "#30353c",
            QPalette.Shadow: "#000000", QPalette.BrightText: "#ff6b6b",
        }
        disabled = "#6b717a"
    else:
        colors = {
            QPalette.Window: "#f4f5f7", QPalette.WindowText: "#1d2126", QPalette.Base: "#ffffff",
            QPalette.AlternateBase: "#f0f2f5", QPalette.Text: "#1d2126", QPalette.Button: "#eceef1",
            QPalette.ButtonText: "#1d2126", QPalette.Highlight: "#2f6fd0", QPalette.HighlightedText: "#ffffff",
            QPalette.ToolTipBase: "#ffffff", QPalette.ToolTipText: "#1d2126", QPalette.PlaceholderText: "#7a828d",
            QPalette.Link: "#1d5fc4", QPalette.LinkVisited: "#6a3fc4", QPalette.Mid: "#c9cdd3",
            QPalette.Dark: "#a0a6ae", QPalette.Light: "#ffffff", QPalette.Midlight: "#e3e6ea",
            QPalette.Shadow: "#6b717a", QPalette.BrightText: "#c62828",
        }
        disabled = "#9aa0a8"
    for role, color in colors.items():
        p.setColor(role, QColor(color))
    for role in (QPalette.WindowText, QPalette.Text, QPalette.ButtonText):
        p.setColor(QPalette.Disabled, role, QColor(disabled))
    return p


class Theme(QObject):
    """Applies the palette and tells the widgets when it changed.

    Signals:
        changed(bool): the theme was (re)applied; True when dark.
    """

    changed = Signal(bool)

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.app = app
        self.mode = "system"
        app.setStyle("Fusion")  # the same look everywhere, palettes honoured on every platform
        app.styleHints().colorSchemeChanged.connect(lambda _scheme: self.apply(self.mode))

    @property
    def dark(self) -> bool:
        if self.mode == "dark":
            return True
        if self.mode == "light":
            return False
        return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark

    def apply(self, mode: str) -> None:
        self.mode = mode if mode in ("system", "light", "dark") else "system"
        dark = self.dark
        self.app.setPalette(_palette(dark))
        _render.cache_clear()
        self.changed.emit(dark)


# Icons are drawn in a neutral grey that reads on both the light and the dark palette, so a theme
# switch needs no re-rendering of every icon already handed to a widget.
ICON_COLOR = "#6e7a88"


def icon(name: str, color: QColor | str | None = None) -> QIcon:
    """An SVG icon from resources/icons in ``color`` (default: the neutral icon grey)."""
    if color is None:
        color = ICON_COLOR
    hexcolor = QColor(color).name()
    result = QIcon()
    ratio = max(1.0, QGuiApplication.primaryScreen().devicePixelRatio() if QGuiApplication.primaryScreen() else 1.0)
    for size in (16, 20, 24, 32, 48):
        result.addPixmap(_render(name, hexcolor, size, ratio))
    return result


@lru_cache(maxsize=512)
def _render(name: str, hexcolor: str, size: int, ratio: float) -> QPixmap:
    data = (ICONS / f"{name}.svg").read_text(encoding="utf-8").replace("currentColor", hexcolor)
    renderer = QSvgRenderer(QByteArray(data.encode("utf-8")))
    pixels = int(round(size * ratio))
    pixmap = QPixmap(QSize(pixels, pixels))
    pixmap.fill(Qt.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.Antialiasing)
    renderer.render(painter, QRectF(0, 0, pixels, pixels))
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def emphasize(label, *, bold: bool = True, scale: float = 1.0) -> None:
    """Bold and/or larger text through the font (stylesheets would freeze the palette at the time
    they were applied, and break the live light/dark switch)."""
    font = label.font()
    font.setBold(bold)
    if scale != 1.0:
        font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)


def muted(label) -> None:
    """Secondary text in the palette's placeholder colour (follows theme changes)."""
    label.setForegroundRole(QPalette.PlaceholderText)


def app_icon() -> QIcon:
    """The lantern, from the SVG at every size the window manager and tray may ask for."""
    result = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        result.addPixmap(_render("lanterne", "#000000", size, 1.0))
    return result


class ElidedLabel(QLabel):
    """A one-line label that cuts its text with "…" to the width it gets (the whole text in the
    tooltip and for screen readers) instead of pushing its neighbours aside."""

    def __init__(self, text: str = "", parent=None) -> None:
        super().__init__(parent)
        from PySide6.QtWidgets import QSizePolicy

        self._full = ""
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt API)
        self._full = text or ""
        self.setToolTip(self._full)
        self.setAccessibleName(self._full)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.ElideRight, max(10, self.width()))
        super().setText(shown)
