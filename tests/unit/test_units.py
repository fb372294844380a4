"""The fast layer (`make test-fast`): pure logic, no model, no worker process, each test in
milliseconds. Fusion, the scan of changed paths, the prompt budget, the conversation policies and
the status summary."""
from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.answer import AnswerResult, Citation, Turn, build_messages
from core.search import FusionWeights, Hit, SearchEngine, rrf

LONG = " ".join(f"mot{i}" for i in range(40))  # a substantive passage (40 words)


def _engine(languages=frozenset({"fr", "en"})) -> SearchEngine:
    return SearchEngine(SimpleNamespace(embedder=SimpleNamespace(languages=languages)), FusionWeights())


def _row(i: int, text: str = LONG, **extra) -> dict:
    return {"chunk_id": f"c{i}", "doc_id": i, "path": f"/d{i}", "page": 1, "heading": "", "text": text, **extra}


# ---------------------------------------------------------------- fusion

def test_fusion_prefers_what_both_lists_agree_on():
    bm25 = [_row(i, score=10.0 - i) for i in range(5)]
    vec = [{**_row(i), "score": 1.0 - (0.10 + 0.05 * n)} for n, i in enumerate([1, 0, 2, 3, 4])]
    fused = _engine().fuse(bm25, vec, ["fr"], 5)
    assert [h.chunk_id for h in fused[:2]] == ["c0", "c1"]
    assert fused[0].bm25 == 10.0 and fused[0].vector == pytest.approx(0.85)


def test_plain_rrf_ties_where_the_shipped_fusion_decides():
    bm25 = [_row(i, score=10.0 - 2 * i) for i in range(5)]  # c0 far ahead on keywords
    vec = [{**row, "score": 1.0 - (0.2 + 0.001 * n)} for n, row in enumerate(reversed(bm25))]  # near-equal vectors
    assert set(rrf(bm25, vec, 5)[:2]) == {"c0", "c4"}  # rank-only fusion cannot tell them apart
    assert _engine().fuse(bm25, vec, ["fr"], 5)[0].chunk_id == "c0"  # similarities 0.004 apart count for little


def test_a_passage_without_its_vector_yet_is_not_ranked_below_worse_ones():
    bm25 = [_row(0, score=9.0, embedded=False), _row(1, score=5.0), _row(2, score=1.0)]
    vec = [{**_row(1), "score": 0.7}, {**_row(2), "score": 0.65}]
    fused = _engine().fuse(bm25, vec, ["fr"], 3)
    assert fused[0].chunk_id == "c0"


def test_boilerplate_lines_are_demoted():
    line = "Fait à Lyon, le 15 février 2024"  # first on both lists, but it answers nothing
    bm25 = [_row(0, line, score=9.0), _row(1, score=8.0), _row(2, score=1.0)]
    vec = [{**_row(0, line), "score": 0.9}, {**_row(1), "score": 0.85}, {**_row(2), "score": 0.5}]
    assert _engine().fuse(bm25, vec, ["fr"], 3)[0].chunk_id == "c1"


def test_out_of_language_vectors_weigh_less():
    bm25 = [_row(0, score=9.0), _row(1, score=6.0), _row(2, score=1.0)]
    vec = [{**_row(1), "score": 0.95}, {**_row(0), "score": 0.4}, {**_row(2), "score": 0.3}]
    assert _engine().fuse(bm25, vec, ["fr"], 3)[0].chunk_id == "c1"  # the embedder reads French: trusted
    assert _engine(frozenset({"en"})).fuse(bm25, vec, ["fr"], 3)[0].chunk_id == "c0"  # it does not: keywords lead


# ---------------------------------------------------------------- changed paths (the watcher's scan)

def test_changed_paths_look_at_the_named_files_only(tmp_path: Path):
    from indexer.scan import FileEntry, build_spec, changed_paths

    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "skip.tmp").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("bb")
    spec = build_spec(["*.tmp"])
    paths = [str(tmp_path / "a.txt"), str(tmp_path / "skip.tmp"), str(tmp_path / "gone.pdf"),
             str(tmp_path / "sub" / "b.md"), "/elsewhere/x.txt"]
    change = changed_paths(str(tmp_path), spec, paths)
    assert [e.path for e in change.entries if isinstance(e, FileEntry)] == [str(tmp_path / "a.txt"),
                                                                             str(tmp_path / "sub" / "b.md")]
    assert change.entries[0].size == 1 and change.missing == [str(tmp_path / "gone.pdf")]
    assert not change.needs_walk
    assert changed_paths(str(tmp_path), spec, [str(tmp_path / "sub")]).needs_walk  # a folder: walk


def test_changed_paths_refuse_links_out_of_the_folder(tmp_path: Path):
    from indexer.scan import ScanProblem, build_spec, changed_paths

    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(outside, root / "link.txt")
    change = changed_paths(str(root), build_spec([]), [str(root / "link.txt")])
    assert isinstance(change.entries[0], ScanProblem) and change.entries[0].code == "symlink-outside"


# ---------------------------------------------------------------- prompt budget

class _Words:
    """Counts a word as a token: enough to test the budget's rules."""

    def __init__(self, context_size: int) -> None:
        self.context_size = context_size

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def chat_prompt_tokens(self, messages) -> int:
        return sum(self.count_tokens(m.content) + 4 for m in messages)


def _hit(i: int, words: int) -> Hit:
    return Hit(f"c{i}", i, f"/docs/d{i}.txt", 1, "", " ".join(["w"] * words), 1.0)


def test_prompt_budget_drops_whole_passages_and_keeps_room_for_the_answer():
    hits = [_hit(1, 300), _hit(2, 900), _hit(3, 200)]
    messages, used = build_messages("System.", "Question ?", hits, [], _Words(1500))
    assert [h.chunk_id for h in used] == ["c1", "c3"]  # the big one does not fit; a smaller, later one does
    total = sum(len(m.content.split()) for m in messages)
    assert total <= 1500 - min(512, 1500 // 4)


def test_prompt_budget_drops_oldest_turns_first():
    history = [Turn(f"question {i}", " ".join(["a"] * 150) + f" [{i}]") for i in range(6)]
    messages, _ = build_messages("System.", "Et ensuite ?", [_hit(1, 50)], history, _Words(1024))
    kept = [m.content for m in messages if m.role == "user"][:-1]
    assert kept and kept[-1] == "question 5" and "question 0" not in kept  # newest kept, oldest dropped
    assert all("[" not in m.content for m in messages if m.role == "assistant")  # markers stripped


def test_prompt_budget_refuses_a_question_longer_than_the_context():
    from core.errors import LanterneError

    with pytest.raises(LanterneError) as err:
        build_messages("System.", "mot " * 2000, [], [], _Words(512))
    assert err.value.code == "context-overflow"


# ---------------------------------------------------------------- conversation policies

def _stored(i: int, status: str = "done"):
    from core.chats import StoredTurn

    return StoredTurn(i, f"q{i}", f"a{i}", [], "m", [], {}, 0.0, status, {})


def test_history_keeps_the_last_answered_turns_only():
    from core.chats import Conversation
    from core.conversations import HISTORY_TURNS, history_of

    conv = Conversation(1, "t", 0, 0, [], "", [_stored(i) for i in range(8)] + [_stored(8, "cancelled")])
    history = history_of(conv)
    assert len(history) == HISTORY_TURNS and history[-1].question == "q7"  # the stopped answer is not fed back
    assert history_of(None) == []


def test_turn_status_and_the_sources_shown():
    from core.conversations import shown_citations, turn_status

    hit = _hit(1, 20)
    result = AnswerResult("q", answer="Réponse sans marque.", sources=[hit])
    assert turn_status(result) == "done"
    shown = shown_citations(result)
    assert shown[0]["consulted"] is True and shown[0]["n"] == 1  # no markers: the passages read
    result.citations = [Citation(1, hit.path, 1, "extrait")]
    assert "consulted" not in shown_citations(result)[0]
    assert turn_status(AnswerResult("q", not_found=True)) == "not-found"
    assert turn_status(AnswerResult("q", answer="début", cancelled=True)) == "cancelled"


# ---------------------------------------------------------------- status

def test_status_counts_by_collection(tmp_path: Path):
    from core.library import Library
    from core.settings import Settings
    from core.status import collect
    from indexer.errors import Failure

    folder = tmp_path / "docs"
    folder.mkdir()
    library = Library(tmp_path / "data", Settings())
    try:
        catalog = library.catalog
        coll = catalog.ensure_collection("RH")
        source = catalog.add_source(coll, str(folder), "folder")
        a = catalog.upsert_document(coll.id, source.id, str(folder / "a.txt"), 1, 1)
        catalog.upsert_document(coll.id, source.id, str(folder / "b.txt"), 1, 1)
        catalog.mark_failed(a.id, Failure("empty", "empty file"), size=0, mtime_ns=1, hash=None)
        status = collect(library)
        (rh,) = status.collections
        assert (rh.name, rh.indexed, rh.pending, rh.problems) == ("RH", 0, 1, 1)
        assert rh.sources[0].present and rh.failures[0].failure.code == "empty"
        data = status.as_json(str(tmp_path))
        assert data["collections"][0]["failures"][0]["code"] == "empty" and data["chunks"] == 0
    finally:
        library.close()


def test_query_languages_from_trigrams_and_stop_words():
    from indexer.textproc import query_languages

    assert query_languages("Quel est le montant annuel du contrat de maintenance ?") == ["fr"]
    assert query_languages("What is the notice period for terminating the lease?") == ["en"]
    assert query_languages("Welche Kündigungsfrist gilt für den Mietvertrag?")[0] == "de"
    # too short to tell: the two best guesses, then the corpus's languages
    short = query_languages("Dupont ?", preferred=["fr", "en"])
    assert "fr" in short and 1 < len(short) <= 3


def test_scan_diff_decides_without_touching_the_disk():
    from indexer.scan import FileEntry, Known, scan_diff

    mb = 1024 * 1024
    entry = FileEntry("/docs/contrat.pdf", 2 * mb, 1_000)
    assert scan_diff(None, entry, max_bytes=10 * mb).kind == "new"
    assert scan_diff(Known("indexed", 2 * mb, 1_000), entry, max_bytes=10 * mb).kind == "unchanged"
    assert scan_diff(Known("failed", 2 * mb, 1_000), entry, max_bytes=10 * mb).kind == "unchanged"  # not retried
    assert scan_diff(Known("indexed", 2 * mb, 999), entry, max_bytes=10 * mb).kind == "changed"
    assert scan_diff(Known("pending", 2 * mb, 1_000), entry, max_bytes=10 * mb).kind == "changed"  # never finished
    big = scan_diff(None, entry, max_bytes=1 * mb)
    assert big.kind == "refused" and big.failure.code == "too-large" and big.failure.params == {
        "size_mb": 2, "limit_mb": 1}
    odd = FileEntry("/docs/plan.xyz", 10, 1)
    assert scan_diff(None, odd, max_bytes=mb).failure.params == {"ext": ".xyz"}
    assert scan_diff(None, odd, max_bytes=mb, any_format=True).kind == "new"  # a file added by name


def test_stray_markup_from_small_models_is_dropped():
    from core.answer import strip_stray_markup

    said = "Le contrat se renouvelle le 1er mars [1].\n</pre>"
    assert strip_stray_markup(said).strip() == "Le contrat se renouvelle le 1er mars [1]."
    assert strip_stray_markup("<answer>Deux jours [2].</answer>") == "Deux jours [2]."
    kept = "Le champ <code> du formulaire et la balise <p> dans le texte restent."
    assert strip_stray_markup(kept) == kept  # inside a sentence they may be what the document says
