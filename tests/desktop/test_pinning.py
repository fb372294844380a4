"""Whole-document questions in the window: pin from a source card, the preview and the sidebar;
progress while the parts are read; Esc cancels; the conversation keeps its pins."""
from __future__ import annotations

from PySide6.QtCore import QUrl

from tests.core.test_whole import _contract


def _library_with_contracts(library, tmp_path):
    from core.indexing import IndexingService

    folder = tmp_path / "contrats"
    folder.mkdir()
    (folder / "long.md").write_text(_contract(1, 40), encoding="utf-8")
    (folder / "cantine.txt").write_text("La cantine ferme le vendredi 14 juin pour travaux.\n", encoding="utf-8")
    IndexingService(library).index([str(folder)], "Contrats")
    return folder


def test_pin_from_a_source_card_then_read_whole_with_progress(app_factory, library, tmp_path, llm, qtbot):
    folder = _library_with_contracts(library, tmp_path)
    lanterne = app_factory(watch=False, llm=llm)
    chat = lanterne.window.chat
    with qtbot.waitSignal(chat.answer_finished, timeout=120_000):
        chat.ask("Quelle pénalité de retard le prestataire doit-il ?")
    turn = chat.turns[-1]
    card = next(c for c in turn.citations if c["path"].endswith("long.md"))
    assert "Read the whole document" in chat.transcript.toHtml()
    # the source card's link pins its document
    with qtbot.waitSignal(chat.pins_changed, timeout=10_000):
        chat.transcript.anchorClicked.emit(QUrl(f"pin:0:{card['n']}"))
    assert chat.pinned == [str(folder / "long.md")]
    assert chat.pins_bar.isVisibleTo(chat) and chat.pins_label.text() == "Read whole:"
    chip = chat.pins_layout.itemAt(1).widget()
    assert chip.text() == "long.md" and chip.accessibleName() == "Unpin long.md"
    qtbot.waitUntil(lambda: library.chats.get(chat.chat_id).pinned == chat.pinned, timeout=10_000)
    # the next question reads it whole: progress in the answer, then a note of what was read
    shown: list[str] = []
    chat._stream.progress.connect(lambda *_: shown.append(chat.transcript.toPlainText()))
    with qtbot.waitSignal(chat.answer_finished, timeout=300_000) as finished:
        chat.ask("Liste toutes les échéances de ce contrat.")
    result = finished.args[0]
    assert result.parts > 1 and result.pinned == [str(folder / "long.md")]
    assert any("Reading the pinned documents whole: part 1 of" in text for text in shown)
    assert "Read whole: long.md" in chat.transcript.toPlainText()
    assert chat.turns[-1].citations, "something to open"
    # reopening the conversation brings its pins back; the chip unpins
    saved = chat.chat_id
    lanterne.window.new_action.trigger()
    assert chat.pinned == [] and not chat.pins_bar.isVisibleTo(chat)
    chat.open_conversation(saved)
    qtbot.waitUntil(lambda: chat.pinned == [str(folder / "long.md")], timeout=10_000)
    with qtbot.waitSignal(chat.pins_changed, timeout=10_000):
        chat.pins_layout.itemAt(1).widget().click()
    assert chat.pinned == []
    qtbot.waitUntil(lambda: library.chats.get(saved).pinned == [], timeout=10_000)


def test_escape_stops_reading_and_the_preview_and_sidebar_pin(app_factory, library, tmp_path, llm, qtbot):
    folder = _library_with_contracts(library, tmp_path)
    lanterne = app_factory(watch=False, llm=llm)
    chat = lanterne.window.chat
    # from the sidebar: a file chosen in a watched folder; a file that is not indexed is refused
    stray = tmp_path / "ailleurs.txt"
    stray.write_text("Hors de la bibliothèque.", encoding="utf-8")
    chat.pin_file(str(stray))
    qtbot.waitUntil(lambda: "not indexed" in chat.status.text(), timeout=10_000)
    assert chat.pinned == []
    with qtbot.waitSignal(chat.pins_changed, timeout=10_000):
        lanterne.window.collections.pin_requested.emit(str(folder / "long.md"))
    # Esc while the parts are read: stopped, nothing saved
    started = []
    chat._stream.progress.connect(lambda _g, stage, done, _t: started.append(done) if stage == "reading" else None)
    with qtbot.waitSignal(chat.answer_finished, timeout=300_000):
        chat.ask("Résume ce document.")
        qtbot.waitUntil(lambda: bool(started), timeout=60_000)
        chat.stop_action.trigger()
    assert chat.turns[-1].state == "cancelled" or chat.turns[-1].answer == ""
    assert not chat.busy
    # from the preview: its button pins the shown document
    chat._set_pins([])
    lanterne.window.show_citation({"n": 1, "path": str(folder / "cantine.txt"), "page": None,
                                   "text": "La cantine ferme", "doc_id": library.catalog.document(
                                       library.catalog.ensure_collection("Contrats").id, str(folder / "cantine.txt")).id,
                                   "ordinal": 0})
    preview = lanterne.window.preview
    assert preview.pin_button.isVisibleTo(preview) and preview.pin_button.text() == "Read the whole document"
    with qtbot.waitSignal(chat.pins_changed, timeout=10_000):
        preview.pin_button.click()
    assert chat.pinned == [str(folder / "cantine.txt")]
