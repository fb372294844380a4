"""Whole-document questions (pinned documents) with the real demo model: one pass when they fit,
map-reduce over every chunk when they do not, progress and cancel, pins kept by the conversation,
the command line's --pin."""
from __future__ import annotations

import json
import re
import threading

import pytest

from core.cli import main as cli_main
from core.conversations import ConversationService
from core.errors import LanterneError
from core.indexing import IndexingService
from core.whole import _pack, resolve_pins

CLAUSES = [
    "Le prestataire livre le logiciel de paie au plus tard le {d} mars 2025, à l'agence de {city}.",
    "Le client règle une facture de {n} euros hors taxes dans les trente jours suivant la livraison.",
    "En cas de retard, une pénalité de {p} euros par jour ouvré est due par le prestataire.",
    "Le contrat est renouvelé par tacite reconduction pour une durée de {y} ans, sauf préavis de trois mois.",
]
CITIES = ["Lyon", "Nantes", "Lille", "Rennes", "Dijon", "Tours", "Brest", "Metz"]


def _contract(i: int, articles: int) -> str:
    parts = [f"# Contrat de maintenance n° {i}"]
    for a in range(articles):
        clause = CLAUSES[a % len(CLAUSES)].format(d=1 + a % 28, city=CITIES[a % len(CITIES)], n=1000 + 37 * a,
                                                  p=50 + a, y=1 + a % 5)
        parts.append(f"## Article {a + 1}\n\n{clause} Cette clause s'applique à l'ensemble des sites du client "
                     f"et des sociétés qu'il contrôle, y compris les établissements ouverts après la signature.")
    return "\n\n".join(parts) + "\n"


class Recording:
    """The real model, with the messages of each generation kept (to see what was read)."""

    def __init__(self, llm) -> None:
        self._llm = llm
        self.prompts: list[str] = []

    def __getattr__(self, name):
        return getattr(self._llm, name)

    def stream_chat(self, messages, **kwargs):
        self.prompts.append(messages[-1].content)
        assert self._llm.chat_prompt_tokens(messages) + kwargs["max_tokens"] <= self._llm.context_size
        return self._llm.stream_chat(messages, **kwargs)


@pytest.fixture
def pinning(library, tmp_path, llm):
    folder = tmp_path / "contrats"
    folder.mkdir()
    (folder / "long.md").write_text(_contract(1, 40), encoding="utf-8")
    (folder / "court.md").write_text(_contract(2, 3), encoding="utf-8")
    (folder / "autre.md").write_text("La cantine ferme le vendredi 14 juin.\n", encoding="utf-8")
    IndexingService(library).index([str(folder)], "Contrats")
    recording = Recording(llm)
    library.set_llm(recording)
    yield folder, recording
    library.forget_llm()  # the session fixture owns the model


def test_parts_are_consecutive_and_fit():
    assert _pack([3, 3, 3, 5, 1], 6) == [[0, 1], [2], [3, 4]]
    assert _pack([9], 6) == [[0]]  # never empty, even when one is bigger than the room


def test_a_small_document_is_read_in_one_pass(pinning, library):
    folder, recording = pinning
    saved = ConversationService(library).ask(None, "Quelle est la pénalité de retard ?",
                                             pinned=[str(folder / "court.md")], max_tokens=40)
    result = saved.result
    assert result.parts == 1 and result.answer
    assert len(recording.prompts) == 1
    chunks = library.store.document_chunks(resolve_pins(library, [str(folder / "court.md")])[0].doc_id)
    assert all(c["text"].strip()[:60] in recording.prompts[0] for c in chunks)  # the whole document
    assert "cantine" not in recording.prompts[0]  # and nothing else: no search
    assert saved.as_json()["pinned"] == [str(folder / "court.md")]
    assert result.sources and all(h.path.endswith("court.md") for h in result.sources)


def test_a_long_document_is_read_whole_in_parts(pinning, library):
    folder, recording = pinning
    progress: list[tuple[str, int, int]] = []
    path = str(folder / "long.md")
    saved = ConversationService(library).ask(None, "Liste toutes les échéances de ce contrat.", pinned=[path],
                                             max_tokens=40, on_progress=lambda *p: progress.append(p))
    result = saved.result
    docs = resolve_pins(library, [path])
    n = len(docs[0].chunks)
    assert result.parts > 1, "40 articles cannot fit the 2,048-token test context in one pass"
    reading = [p for p in progress if p[0] == "reading"]
    assert reading[0] == ("reading", 0, result.parts) and reading[-1] == ("reading", result.parts, result.parts)
    assert progress[-1][0] == "answering"
    # every chunk was read once, numbered as a source, in reading order
    maps = recording.prompts[: result.parts]
    ids = [int(i) for prompt in maps for i in re.findall(r'<source id="(\d+)"', prompt)]
    assert ids == list(range(1, n + 1))
    for amount in (1037, 1777, 2369):  # the invoices of articles 2, 22 and 38: start, middle, end
        assert any(f"{amount} euros" in p for p in maps)
    assert recording.prompts[-1].startswith("The notes below were taken")
    assert result.answer and saved.status == "done"
    assert result.sources, "something to open is always shown"
    # the conversation keeps its pins: a follow-up without --pin reads the document again
    recording.prompts.clear()
    again = ConversationService(library).ask(saved.chat_id, "Et la durée du contrat ?", max_tokens=20)
    assert again.result.pinned == [path] and again.result.parts == result.parts
    assert library.chats.get(saved.chat_id).pinned == [path]
    # unpinning (an empty list) goes back to searching the collections
    back = ConversationService(library).ask(saved.chat_id, "Quand ferme la cantine ?", pinned=[], max_tokens=20)
    assert back.result.pinned == [] and library.chats.get(saved.chat_id).pinned == []
    assert any("cantine" in h.text for h in back.result.sources)


def test_cancel_while_reading_stops_between_parts(pinning, library):
    folder, recording = pinning
    cancel = threading.Event()

    def progress(stage, done, total):
        if stage == "reading" and done == 1:
            cancel.set()

    saved = ConversationService(library).ask(None, "Résume ce document.", pinned=[str(folder / "long.md")],
                                             cancel=cancel, on_progress=progress)
    assert saved.result.cancelled and saved.turn is None  # nothing said: nothing saved
    assert len(recording.prompts) == 1  # the part being read when cancelled, and no more


def test_pins_that_are_not_indexed_documents_are_refused(pinning, library, tmp_path):
    folder, _ = pinning
    stray = tmp_path / "ailleurs.txt"
    stray.write_text("Hors de la bibliothèque.", encoding="utf-8")
    with pytest.raises(LanterneError) as caught:
        ConversationService(library).ask(None, "Résume.", pinned=[str(stray)])
    assert caught.value.code == "pin-missing"
    assert library.chats.list() == []  # a refused question leaves no conversation


def test_cli_pin(pinning, library, capsys, monkeypatch):
    folder, _ = pinning
    monkeypatch.chdir(folder)
    data = str(library.layout.root)
    library.forget_llm()
    code = cli_main(["--data-dir", data, "ask", "Quelle est la pénalité de retard ?", "--pin", "court.md", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["pinned"] == [str(folder / "court.md")] and out["parts"] == 1
    assert out["answer"] and "checks" in out and "evidence" in out
    code = cli_main(["--data-dir", data, "ask", "Résume.", "--pin", "nulle-part.md", "--json"])
    captured = capsys.readouterr()
    assert code == 2 and "not an indexed document" in captured.err
