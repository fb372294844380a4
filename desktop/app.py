"""The composition root of the desktop app: builds every service once and passes it down.

``lanterne`` with no subcommand (and ``make run``) lands in ``main`` here; with a subcommand it runs
the command line (core/cli.py). The window is shown before anything heavy is imported or loaded:
the embedder and the language model load in the background behind a visible state.
"""
from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    from core.cli import build_parser
    from core.cli import main as cli_main

    args = build_parser().parse_args(argv)
    if args.command is not None or args.version or args.selftest:
        return cli_main(argv)
    from core.paths import resolve_data_dir

    return run_app(resolve_data_dir(args.data_dir))


class Lanterne:
    """The running app: library, services and window, wired. Tests build one with their own library."""

    def __init__(self, library, app) -> None:
        from desktop.bridge import Runner
        from desktop.i18n import Translations
        from desktop.indexing import IndexingController
        from desktop.style import Theme
        from desktop.window import MainWindow

        self.app = app
        self.library = library
        self.runner = Runner()
        self.theme = Theme(app)
        self.translations = Translations(app)
        self.translations.apply(library.settings.language)
        self.theme.apply(library.settings.theme)
        self.controller = IndexingController(library, self.runner)
        self.window = MainWindow(library, self.runner, self.controller, self.theme, self.translations)
        self.window.quit_requested.connect(self.shutdown)
        self.stopped = False

    def start(self, *, preload: bool = True, watch: bool = True) -> None:
        """After the window is shown: refresh the views, start watching, load models."""
        w = self.window
        w.setup_tray()
        w._catalog_changed()
        w.collections.refresh()
        w.collections.refresh_server()
        w.conversations.refresh()
        w.refresh_models()
        w.offer_recommended_model()
        if abs(self.library.settings.zoom - 1.0) > 1e-3:
            w.set_zoom(self.library.settings.zoom)
        for notice in self.library.notices:
            w.notifier.show_message(notice, kind="info", timeout_s=0)
        if watch:
            self.controller.start()
        if preload:
            self.preload_models()

    def preload_models(self) -> None:
        """Everything a first question needs, on a worker thread, while the window shows "Loading
        the model…": the embedder (torch), the index (LanceDB), the query language detector, the
        active LLM. Some of
        these loads hold Python's GIL for a second or more (importing torch, lingua building its
        models), so they happen now rather than in the middle of the first answer."""
        w, library = self.window, self.library
        w.set_model_state("loading")

        def work():
            from indexer.textproc import detect_language, query_languages, warm_up_language_models

            model = library.llm_future()  # loads on its own thread meanwhile
            library.embedder
            library.store  # imports LanceDB (its first import alone stalls other threads ~0.3 s)
            warm_up_language_models()  # in steps, letting the window run in between
            query_languages("Quand le contrat se renouvelle-t-il ?")
            detect_language("Le contrat se renouvelle chaque année au premier mars.")
            return model.result().model_id

        def failed(error: BaseException) -> None:
            w.set_model_state("error")
            w.notifier.show_error(error)

        self.runner.run(work, lambda name: w.set_model_state("ready", name), failed, name="lanterne-preload")

    def shutdown(self) -> None:
        """Stop watching (the running pass commits and stops between files), then quit."""
        if self.stopped:
            return
        self.stopped = True
        controller, runner = self.controller, self.runner
        self.window.chat.stop()

        def work():
            controller.stop()

        def done(_r=None) -> None:
            if self.window.tray is not None:
                self.window.tray.hide()
            self.window.quitting = True
            self.window.shutdown_done = True
            self.window.close()
            self.app.quit()

        runner.run(work, done, lambda _e: done(), name="lanterne-shutdown")


def run_app(data_dir: Path) -> int:
    started = time.perf_counter()
    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from core.errors import LanterneError
    from core.logs import setup_logging

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Lanterne")
    app.setOrganizationName("Lanterne")
    app.setDesktopFileName("lanterne")
    app.setQuitOnLastWindowClosed(False)  # the tray keeps the app alive; Quit ends it
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        setup_logging(data_dir / "logs")
    except OSError as exc:
        QMessageBox.critical(None, "Lanterne", QCoreApplication.translate(
            "App", "Lanterne cannot use its data folder {0}: {1}").format(data_dir, exc.strerror))
        return 2
    from desktop.notify import install_crash_handlers, take_crash_report

    install_crash_handlers(data_dir / "logs")
    from desktop.instance import SingleInstance

    guard = SingleInstance(data_dir)
    if not guard.acquire():
        log.info("another window uses %s: brought it forward", data_dir)
        return 0
    from core.library import Library

    try:
        library = Library(data_dir)
    except LanterneError as exc:
        QMessageBox.critical(None, "Lanterne", exc.message)
        return 2
    from desktop.style import app_icon

    app.setWindowIcon(app_icon())
    lanterne = Lanterne(library, app)
    guard.activated.connect(lanterne.window.bring_forward)
    lanterne.window.show()
    shown = time.perf_counter() - started
    log.info("window shown %.2f s after launch (data folder %s)", shown, data_dir)
    report = take_crash_report(data_dir / "logs")
    if report:
        lanterne.window.offer_crash_report(report)
    probe = os.environ.get("LANTERNE_STARTUP_PROBE")
    question = os.environ.get("LANTERNE_STARTUP_ASK")
    if probe and question:
        _probe_ask(lanterne, app, Path(probe), question, shown)
    elif probe:
        # benchmark hook: record how long the window took to appear, then quit at once
        import psutil
        from PySide6.QtGui import QGuiApplication

        since_exec = time.time() - psutil.Process().create_time()
        Path(probe).write_text(json.dumps({"window_shown_s": round(shown, 3),
                                           "since_process_start_s": round(since_exec, 3),
                                           "platform": QGuiApplication.platformName(),
                                           "visible": lanterne.window.isVisible()}), encoding="utf-8")
        QTimer.singleShot(0, app.quit)
    else:
        QTimer.singleShot(0, lanterne.start)
    code = app.exec()
    if not lanterne.stopped:
        lanterne.controller.stop()
    lanterne.runner.wait(5)
    library.close()
    guard.release()
    return code


def _probe_ask(lanterne: Lanterne, app, probe: Path, question: str, shown: float) -> None:
    """Benchmark hook: start as usual, ask ``question`` one second after the window shows (while
    the models are still loading), and record the largest stall of the UI event loop from the
    window shown to the answer; then quit."""
    from PySide6.QtCore import QTimer

    from desktop.bench import Heartbeat

    beat = Heartbeat(parent=lanterne.window)
    beat.start()
    asked = []

    def ask() -> None:
        asked.append(time.perf_counter())
        lanterne.window.chat.ask(question)

    def finished(result) -> None:
        beat.stop()
        probe.write_text(json.dumps({
            "window_shown_s": round(shown, 3), "answered": result is not None,
            "answer_s": round(time.perf_counter() - asked[0], 2) if asked else None,
            "max_gap_ms": round(beat.max_gap_ms, 1), "p99_gap_ms": round(beat.percentile(0.99), 1),
            "ticks": len(beat.gaps), "stalls": beat.stalls}), encoding="utf-8")
        QTimer.singleShot(0, app.quit)

    lanterne.window.chat.answer_finished.connect(finished)
    QTimer.singleShot(0, lanterne.start)
    QTimer.singleShot(int(float(os.environ.get("LANTERNE_STARTUP_ASK_AT", "1")) * 1000), ask)
    QTimer.singleShot(600_000, app.quit)  # never hang a benchmark


if __name__ == "__main__":
    sys.exit(main())
