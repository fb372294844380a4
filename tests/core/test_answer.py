"""Answers with the real SmolLM2 model: streaming, cancellation, citations, context budget,
prefix-cache reuse, chat history, hostile chat templates."""
from __future__ import annotations

import threading
import time

import pytest

from core.answer import AnswerEngine, Turn, resolve_citations
from core.indexing import IndexingService
from core.search import Hit
from models.errors import ModelError
from models.llm import GenerationStats, LlamaCppLLM, LlamaSettings, Message, default_llm_path


@pytest.fixture(scope="session")
def llm():
    model = LlamaCppLLM(default_llm_path(), LlamaSettings(n_ctx=2048))
    yield model
    model.close()


@pytest.fixture
def answering(library, sample_folder, llm):
    IndexingService(library).index([str(sample_folder)], "Travail")
    library.set_llm(llm)
    yield AnswerEngine(library)
    library.forget_llm()  # the session fixture owns the model


def _hit(n: int, text: str = "texte", page: int = 1) -> Hit:
    return Hit(chunk_id=f"c{n}", doc_id=n, path=f"/docs/doc{n}.pdf", page=page, heading="", text=text, score=1.0)


def test_citations_resolve_used_markers_only():
    sources = [_hit(1, "Le contrat se renouvelle le 1er mars."), _hit(2), _hit(3, "Montant : 12 400 euros.", page=2)]
    answer = "Il se renouvelle le 1er mars [1]. Le montant est de 12 400 euros [3][9]. Voir aussi [1, 3]."
    cited = resolve_citations(answer, sources)
    assert [(c.n, c.path, c.page) for c in cited] == [(1, "/docs/doc1.pdf", 1), (3, "/docs/doc3.pdf", 2)]
    assert cited[0].text == "Le contrat se renouvelle le 1er mars."


def test_streamed_answer_with_sources(answering):
    pieces: list[str] = []
    result = answering.ask("Quand le contrat Dupont se renouvelle-t-il ?", on_token=pieces.append)
    assert len(pieces) > 3 and "".join(pieces).strip() == result.answer
    assert result.sources and result.sources[0].file_path.endswith("contrat-dupont.pdf")
    assert result.completion_tokens > 0 and result.prompt_tokens > 0 and result.ttft_s > 0
    assert all(1 <= c.n <= len(result.sources) for c in result.citations)
    assert result.model


def test_cancel_stops_generation(answering):
    cancel = threading.Event()
    seen: list[str] = []

    def on_token(piece: str) -> None:
        seen.append(piece)
        if len(seen) == 3:
            cancel.set()

    result = answering.ask("Write a long essay about remote work policies.", on_token=on_token, cancel=cancel,
                           max_tokens=400)
    assert result.cancelled
    assert len(seen) <= 4 and result.completion_tokens <= 4


def test_context_budget_drops_lowest_ranked_passages_whole(library):
    tiny = LlamaCppLLM(default_llm_path(), LlamaSettings(n_ctx=512))
    try:
        engine = AnswerEngine(library)
        long_text = "Le locataire paie le loyer chaque mois avant le cinq. " * 6
        hits = [_hit(i, f"[{i}] " + long_text) for i in range(1, 9)]
        messages, used = engine.build_messages("Quand payer le loyer ?", hits, [], tiny)
        assert 0 < len(used) < len(hits)
        assert [h.chunk_id for h in used] == [h.chunk_id for h in hits[:len(used)]]  # best first, whole passages
        assert tiny.chat_prompt_tokens(messages) + min(512, tiny.context_size // 4) <= tiny.context_size
        assert all(h.text.strip() in messages[-1].content for h in used)
    finally:
        tiny.close()


def test_history_is_kept_within_budget(library, llm):
    engine = AnswerEngine(library)
    history = [Turn(f"Question {i} " + "mot " * 150, "Réponse " + "mot " * 150) for i in range(10)]
    messages, _ = engine.build_messages("Et ensuite ?", [], history, llm)
    kept = [m for m in messages if m.role in ("user", "assistant")][:-1]
    assert 0 < len(kept) < 20 and kept[-1].content.startswith("Réponse")  # the newest turns survive
    assert llm.chat_prompt_tokens(messages) <= llm.context_size


def test_system_prompt_prefix_is_reused(llm):
    system = Message("system", AnswerEngine.__init__.__globals__["system_prompt"]() + "\n" + "Contexte. " * 150)
    llm.reset_cache()
    cold = GenerationStats()
    list(llm.stream_chat([system, Message("user", "Première question ?")], max_tokens=4, stats=cold))
    warm = GenerationStats()
    list(llm.stream_chat([system, Message("user", "Deuxième question ?")], max_tokens=4, stats=warm))
    assert warm.ttft_s < cold.ttft_s


def test_chat_history_round_trip(library):
    chats = library.chats
    conv = chats.create("Contrat Dupont", ["Travail"])
    chats.add_turn(conv.id, "Quand ?", "Le 1er mars [1].", [{"n": 1, "path": "/d/contrat.pdf", "page": 1, "text": "…"}],
                   "smollm2", ["Travail"], {"ttft_s": 0.3})
    chats.add_turn(conv.id, "Et le montant ?", "12 400 euros [1].", [], "smollm2", ["Travail"], {})
    again = chats.get(conv.id)
    assert [t.question for t in again.turns] == ["Quand ?", "Et le montant ?"]
    assert again.turns[0].citations[0]["page"] == 1
    chats.rename(conv.id, "Dupont : renouvellement")
    assert [c.title for c in chats.list("montant")] == ["Dupont : renouvellement"]
    md = chats.export_markdown(conv.id)
    assert md.startswith("# Dupont : renouvellement") and "[1] /d/contrat.pdf, page 1" in md
    chats.delete(conv.id)
    assert chats.list() == []


def test_hostile_chat_template_is_contained(tmp_path):
    from tests.models.gguf_tools import rewrite_strings

    payload = "{{ ''.__class__.__mro__[1].__subclasses__() }}{% for m in messages %}{{ m.content }}{% endfor %}"
    evil = rewrite_strings(default_llm_path(), tmp_path / "evil.gguf", {"tokenizer.chat_template": payload})
    try:
        model = LlamaCppLLM(evil, LlamaSettings(n_ctx=512))
    except ModelError:
        return  # refused at load: contained
    try:
        with pytest.raises(ModelError, match="unsafe"):
            list(model.stream_chat([Message("user", "hello")], max_tokens=4))
        assert model.count_tokens("still alive") > 0  # the model thread survived
    finally:
        model.close()


def test_repetition_loops_are_cut():
    from core.answer import repetition_start

    loop = "Le contrat est signé. " + "Il se renouvelle chaque année au mois de mars. " * 4
    assert loop[:repetition_start(loop)].strip() == "Le contrat est signé. Il se renouvelle chaque année au mois de mars."
    assert repetition_start("Le loyer est payé chaque mois ; le dépôt est rendu à la fin du bail, "
                            "et le bail est renouvelé chaque année au mois de mars.") is None


def test_a_looping_model_is_stopped_early(answering, monkeypatch):
    """A model that repeats one sentence is stopped within a few repeats (it looped for 26 s)."""
    from models.llm import LlamaCppLLM

    def looping(self, messages, *, max_tokens, cancel=None, stats=None, **kw):
        for _ in range(200):
            for word in "Je ne sais pas où se trouve le document demandé .".split():
                if cancel is not None and cancel.is_set():
                    stats.cancelled = True
                    return
                stats.completion_tokens += 1
                yield word + " "

    monkeypatch.setattr(LlamaCppLLM, "stream_chat", looping)
    result = answering.ask("Où est le document ?")
    assert result.answer.count("Je ne sais pas") == 1
    assert not result.cancelled and result.completion_tokens < 60
