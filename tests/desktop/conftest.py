"""Desktop fixtures: the real app wired around a test library, the real small model, offscreen."""
from __future__ import annotations

import pytest


@pytest.fixture
def app_factory(qtbot, library):
    """Builds the app around the test library; shuts it down cleanly after the test."""
    from PySide6.QtWidgets import QApplication

    from desktop.app import Lanterne

    built: list[Lanterne] = []

    def build(*, watch: bool = True, llm=None, debounce_s: float = 0.2) -> Lanterne:
        if llm is not None:
            library.set_llm(llm)
        lanterne = Lanterne(library, QApplication.instance())
        lanterne.controller.watch.debounce_s = debounce_s
        qtbot.addWidget(lanterne.window)
        lanterne.window.show()
        qtbot.waitExposed(lanterne.window)
        lanterne.start(preload=False, watch=watch)
        built.append(lanterne)
        return lanterne

    yield build
    for lanterne in built:
        lanterne.controller.stop()
        lanterne.runner.wait(10)
        lanterne.translations.apply("en")
        library.forget_llm()  # the session fixture owns the model
