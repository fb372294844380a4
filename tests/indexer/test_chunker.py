"""Chunking: token limits, structure boundaries, overlap, exact offsets."""
from __future__ import annotations

from indexer.chunker import Chunker, split_sentences
from indexer.types import Block


def test_sentences_respect_abbreviations():
    text = "M. Dupont signe le contrat. Il est valable un an ! Voir art. 4 du code."
    spans = [text[s:e] for s, e in split_sentences(text)]
    assert spans == ["M. Dupont signe le contrat.", "Il est valable un an !", "Voir art. 4 du code."]


def test_chunks_fit_limits_follow_structure_and_offsets_are_exact(embedder):
    sentence = "Le locataire verse un dépôt de garantie équivalent à deux mois de loyer hors charges. "
    blocks = [
        Block("Bail commercial", 1, "heading", 1),
        Block(sentence * 30, 1, "para"),
        Block("Article 2", 2, "heading", 2),
        Block("Une phrase courte.", 2, "para"),
        Block(("motlongsansespace" * 50 + " ") * 3, 3, "para"),  # no sentence ends: must still be cut
    ]
    chunker = Chunker(embedder.count_tokens_batch, max_tokens=embedder.content_tokens, target_tokens=120, overlap_tokens=30)
    text, chunks = chunker.chunk(blocks)
    assert chunks
    for c in chunks:
        assert text[c.start:c.end] == c.text
        assert embedder.count_tokens(c.text) <= embedder.content_tokens
    assert {c.heading for c in chunks} == {"Bail commercial", "Bail commercial > Article 2"}
    first_section = [c for c in chunks if c.heading == "Bail commercial"]
    assert len(first_section) > 3 and all(c.page == 1 for c in first_section)
    # consecutive chunks of one section overlap by at least one sentence
    assert first_section[1].start < first_section[0].end
    article = [c for c in chunks if c.heading.endswith("Article 2")]
    assert article[0].text == "Une phrase courte." and article[0].page == 2
    assert any(c.page == 3 for c in chunks)


def test_heading_path_resets_at_same_level(embedder):
    blocks = [Block("A", 0, "heading", 1), Block("B", 0, "heading", 2), Block("x.", 0, "para"),
              Block("C", 0, "heading", 1), Block("y.", 0, "para")]
    _, chunks = Chunker(embedder.count_tokens_batch, max_tokens=200).chunk(blocks)
    assert [c.heading for c in chunks] == ["A > B", "C"]
