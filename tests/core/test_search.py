"""Hybrid search behaviour: French morphology and accents, English, scoping, and fusion that
never ranks below the better of its inputs."""
from __future__ import annotations

import os

import numpy as np
import pytest

from core.indexing import IndexingService
from core.search import SearchEngine


@pytest.fixture
def engine(library, sample_folder):
    IndexingService(library).index([str(sample_folder)], "Travail")
    return SearchEngine(library)


def top_file(hits):
    return os.path.basename(hits[0].file_path) if hits else None


def test_french_question_finds_the_contract_with_page(engine):
    hits = engine.search("Quand le contrat Dupont se renouvelle-t-il ?", 5)
    assert top_file(hits) == "contrat-dupont.pdf"
    assert hits[0].page == 1 and "renouvelle" in hits[0].text


def test_stemming_and_accents(engine):
    # plural/singular and a missing accent still match "redevance" and "montant annuel"
    hits = engine.search("montants annuels redevances", 3, mode="bm25")
    assert top_file(hits) == "contrat-dupont.pdf" and hits[0].page == 2
    hits = engine.search("cantine fermee vendredi", 3, mode="bm25")  # "fermée" typed without accent
    assert top_file(hits) == "note.odt"


def test_english_semantic_match(engine):
    # no shared keyword: "telework" vs "work remotely"
    hits = engine.search("How many days of telework are allowed?", 3)
    assert top_file(hits) == "remote-policy.docx"


def test_spreadsheet_and_mail(engine):
    assert top_file(engine.search("montant formation", 3)) == "budget.xlsx"
    assert top_file(engine.search("date limite pour poser les congés d'été", 3)) == "mail.eml"


def test_modes_and_empty_query(engine):
    assert engine.search("   ", 5) == []
    for mode in ("bm25", "vector", "hybrid"):
        hits = engine.search("archive room building", 3, mode=mode)
        assert hits and all(h.text for h in hits)


def test_fusion_is_no_worse_than_its_best_input(library):
    """Synthetic lists: BM25 ranks the right chunk first, the (out-of-language) vector list ranks
    it last. The fused list must keep it first; plain RRF would not."""
    from core.search import rrf

    engine = SearchEngine(library)
    bm25 = [{"chunk_id": f"c{i}", "doc_id": i, "path": f"/d{i}", "page": 1, "heading": "", "text": "t",
             "score": 10.0 - i} for i in range(5)]
    vec = [{**row, "score": 1.0 - (0.2 + 0.01 * n)} for n, row in enumerate(reversed(bm25))]
    fused = engine.fuse(bm25, vec, ["fr"], 5)
    assert fused[0].chunk_id == "c0"
    assert set(rrf(bm25, vec, 5)[:2]) == {"c0", "c4"}  # plain RRF ties the two ends; the shipped fusion does not


def test_question_vectors_follow_the_embedder(library, embedder):
    """The question's vector is kept for evidence ranking, but a vector of the model the user
    switched away from is never reused (both models are 384-dimensional: it would search silently
    in the wrong space)."""
    from models.embedder import load_embedder

    engine = SearchEngine(library)
    question = "Quand le contrat Dupont se renouvelle-t-il ?"
    first = engine.query_vector(question)
    assert engine.query_vector(question) is first  # computed once for retrieval and evidence
    other = load_embedder("all-MiniLM-L6-v2")
    library.set_embedder(other)
    switched = engine.query_vector(question)
    assert np.allclose(switched, other.embed_query(question))
    assert not np.allclose(switched, first)
    library.set_embedder(embedder)
    assert np.allclose(engine.query_vector(question), first)
