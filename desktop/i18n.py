"""Languages: English (the source strings) and French, switchable without a restart.

Installing a translator makes Qt send a LanguageChange event to every widget; each of our widgets
re-reads its strings in ``retranslate()``. Qt's own strings (standard buttons, file dialogs) come
from qtbase's translations shipped with PySide6.
"""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

import resources

log = logging.getLogger(__name__)

TRANSLATIONS = Path(resources.__file__).resolve().parent / "translations"
LANGUAGES = ("en", "fr")


def resolve_language(setting: str) -> str:
    """'system' → the OS language when we have it, else English."""
    if setting in LANGUAGES:
        return setting
    for name in QLocale.system().uiLanguages():
        code = name.replace("_", "-").split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return "en"


class Translations:
    """Owns the installed translators."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.language = "en"
        self._installed: list[QTranslator] = []

    def apply(self, setting: str) -> str:
        language = resolve_language(setting)
        for translator in self._installed:
            self.app.removeTranslator(translator)
        self._installed.clear()
        if language != "en":
            ours = QTranslator(self.app)
            if ours.load(str(TRANSLATIONS / f"lanterne_{language}.qm")):
                self._installed.append(ours)
            else:
                log.error("translation %s missing from %s", language, TRANSLATIONS)
            qt = QTranslator(self.app)
            if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.TranslationsPath)):
                self._installed.append(qt)
            for translator in self._installed:
                self.app.installTranslator(translator)
        # installing or removing a translator sends LanguageChange to every widget
        self.language = language
        QLocale.setDefault(QLocale(language))
        # widgets took the default locale when they were made: numbers in the open windows follow too
        for widget in self.app.topLevelWidgets():
            widget.setLocale(QLocale(language))
        return language


class Retranslatable:
    """Mixin for our widgets (list it before the Qt base class): their strings are set in
    ``retranslate()``, which runs again when the language changes; ``restyle()``, when a widget
    defines it, runs when the palette changes (a light/dark switch)."""

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif event.type() == QEvent.Type.PaletteChange and hasattr(self, "restyle"):
            self.restyle()
        super().changeEvent(event)
