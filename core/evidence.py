"""Evidence: the sentences of the retrieved passages most likely to hold the answer, shown before
any generated text, and the compact context the model reads instead of whole passages.

Scoring is by design, not fitted to a data set. A sentence is a good answer when it
1. shares the question's distinctive words (IDF-weighted over the retrieved sentences, so a word
   every passage repeats counts little), with its neighbours counting half: a question often
   names the subject one sentence before the one that answers;
2. holds something of the kind the question asks for: a date for "quand / when", a number for
   "combien / how many", a name for "qui / who", a place for "où / where" — and says something
   beyond the question's own words (a sentence that only repeats the question answers nothing);
3. means what the question means (the embedder's similarity, computed for the best lexical
   candidates only: embedding every sentence would cost seconds on a laptop CPU);
4. comes from a passage that retrieval ranked high.
Each part is scaled to [0, 1] over the candidates; words, type and rank are added with equal
weights and meaning counts as much as the other three (measured on 200 PIAF dev questions: other
weightings moved evidence@1 by less than 0.02 — the signals, not their weights, are the limit).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from core.paths import display_path
from indexer.chunker import split_sentences
from indexer.textproc import STOP_WORDS, analyze, fold, tokens

SEMANTIC_CANDIDATES = 6  # sentences embedded per question (more measured no better on PIAF dev: 10 gave 0.560/0.737)

_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b")
_DATE = re.compile(r"\b\d{1,2}(?:er)?\s+(?:janv|févr|fevr|mars|avr|mai|juin|juil|août|aout|sept|oct|nov|déc|dec|"
                   r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?(?:\s+\d{4})?|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b",
                   re.I)
_NUMBER = re.compile(r"\d")
_NUMBER_WORDS = frozenset("un une deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize "
                          "vingt trente quarante cinquante soixante cent cents mille million millions milliard milliards "
                          "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty "
                          "hundred thousand million billion dozen".split())
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-ZÀ-Ý][\w'’-]+")

# question words -> the kind of answer expected (French and English)
_TYPES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"\b(quand|en quelle année|quelle année|à quelle date|quelle date|depuis quand|jusqu'à quand|"
                r"à quelle époque|en quel siècle|quel siècle|when|what year|which year|what date|since when)\b", re.I),
     "date"),
    (re.compile(r"\b(combien|quel nombre|quel montant|quel prix|quel âge|quelle somme|quel pourcentage|quelle taille|"
                r"quelle durée|quelle distance|quelle superficie|how many|how much|how old|how long|what percentage|"
                r"what amount|what price)\b", re.I), "number"),
    (re.compile(r"\b(qui|à qui|de qui|par qui|who|whom|whose)\b", re.I), "name"),
    (re.compile(r"\b(où|d'où|dans quel pays|dans quelle ville|dans quelle région|quel pays|quelle ville|where|"
                r"which country|which city)\b", re.I), "place"),
]


def question_type(question: str) -> str:
    for pattern, kind in _TYPES:
        if pattern.search(question):
            return kind
    return ""


def has_kind(sentence: str, kind: str, question: str) -> bool:
    """Does the sentence hold an answer of this kind that is not already in the question?"""
    if kind == "date":
        return bool(_DATE.search(sentence) or _YEAR.search(sentence))
    if kind == "number":
        return bool(_NUMBER.search(sentence)) or any(w in _NUMBER_WORDS for w in tokens(sentence))
    if kind in ("name", "place"):
        asked = {fold(w.lower()) for w in _NAME.findall(question)}
        return any(fold(w.lower()) not in asked for w in _NAME.findall(sentence))
    return False


@dataclass
class Evidence:
    """One sentence of a retrieved passage, with where it is."""

    text: str
    path: str  # catalog form (see core.paths)
    page: int | None
    start: int  # offsets of the sentence in the document's text (as the chunk offsets are)
    end: int
    score: float
    source_rank: int  # 1-based rank of its passage among the retrieved ones
    chunk_id: str = ""
    doc_id: int = 0
    heading: str = ""
    sentence_index: int = 0  # position of the sentence in its passage

    def as_json(self) -> dict:
        return {"text": self.text, "path": display_path(self.path), "page": self.page, "start": self.start,
                "end": self.end, "score": round(self.score, 4)}


@dataclass
class _Sentence:
    hit: object
    rank: int
    index: int
    start: int  # in the passage text
    end: int
    text: str
    terms: set


def passage_sentences(hits: Sequence, lang: str) -> list[_Sentence]:
    out: list[_Sentence] = []
    for rank, hit in enumerate(hits, 1):
        for i, (s, e) in enumerate(split_sentences(hit.text)):
            text = hit.text[s:e].strip()
            if len(tokens(text)) < 2:
                continue
            out.append(_Sentence(hit, rank, i, s, e, text, set(analyze(text, lang).split())))
    return out


def _scaled(values: list[float]) -> list[float]:
    if not values:
        return []
    hi, lo = max(values), min(values)
    if hi - lo < 1e-9:
        return [1.0 if hi > 0 else 0.0 for _ in values]
    return [(v - lo) / (hi - lo) for v in values]


def rank_evidence(question: str, hits: Sequence, *, embedder=None, lang: str = "fr", limit: int = 5,
                  query_vector: np.ndarray | None = None) -> list[Evidence]:
    """The sentences of ``hits`` (best passage first) most likely to answer ``question``."""
    sentences = passage_sentences(hits, lang)
    if not sentences:
        return []
    q_terms = [t for t in dict.fromkeys(analyze(question, lang).split()) if not t.startswith("_")]
    n = len(sentences)
    idf = {t: math.log(1 + n / (1 + sum(1 for s in sentences if t in s.terms))) for t in q_terms}
    own = [sum(idf[t] for t in q_terms if t in s.terms) for s in sentences]
    by_pos = {(id(s.hit), s.index): k for k, s in enumerate(sentences)}
    lexical = []
    for k, s in enumerate(sentences):
        near = [by_pos.get((id(s.hit), s.index + d)) for d in (-1, 1)]
        lexical.append(own[k] + 0.5 * max((own[j] for j in near if j is not None), default=0.0))
    kind = question_type(question)
    asked_words = {fold(w) for w in tokens(question)} | STOP_WORDS.get(lang, frozenset())
    typed, novel = [], []
    for s in sentences:
        typed.append(1.0 if kind and has_kind(s.text, kind, question) else 0.0)
        words = [fold(w) for w in tokens(s.text)]
        novel.append(1.0 if any(w not in asked_words for w in words) else 0.0)
    rank_prior = [1.0 / s.rank for s in sentences]
    lex = _scaled(lexical)
    base = [lex[k] + (typed[k] if kind else 0.0) + rank_prior[k] for k in range(n)]
    semantic = [0.0] * n
    if embedder is not None:
        order = sorted(range(n), key=lambda k: -base[k])[:SEMANTIC_CANDIDATES]
        qv = query_vector if query_vector is not None else embedder.embed_query(question)
        vectors = embedder.embed_documents([sentences[k].text for k in order])
        sims = _scaled([float(v @ qv) for v in vectors])
        for k, sim in zip(order, sims):
            semantic[k] = 2.0 * sim  # meaning counts as much as words and type together
        candidates = order
    else:
        candidates = list(range(n))
    scored = sorted(((base[k] + semantic[k]) * novel[k], k) for k in candidates)
    scored.reverse()
    out: list[Evidence] = []
    for score, k in scored[:limit]:
        s = sentences[k]
        hit = s.hit
        out.append(Evidence(text=s.text, path=hit.path, page=hit.page or None, start=hit.start + s.start,
                            end=hit.start + s.end, score=score, source_rank=s.rank, chunk_id=hit.chunk_id,
                            doc_id=hit.doc_id, heading=hit.heading, sentence_index=s.index))
    return out


# ---------------------------------------------------------------- the compact context

@dataclass
class ContextSource:
    """What the model reads of one source: numbered as its citation, evidence sentences with
    their neighbours, under the passage's heading."""

    n: int
    hit: object
    text: str

    def as_json(self) -> dict:
        return {"n": self.n, "path": display_path(self.hit.path), "page": self.hit.page or None, "text": self.text}


def compact_context(hits: Sequence, evidence: Sequence[Evidence], *, lang: str = "fr", sentences: int = 4,
                    neighbours: int = 1) -> list[ContextSource]:
    """The best ``sentences`` evidence sentences, each with ``neighbours`` sentences either side,
    grouped by passage in retrieval order (one numbered source per passage), in reading order
    within a passage; gaps are marked with "…"."""
    chosen: dict[str, set[int]] = {}
    for ev in list(evidence)[:sentences]:
        keep = chosen.setdefault(ev.chunk_id, set())
        for d in range(-neighbours, neighbours + 1):
            keep.add(ev.sentence_index + d)
    out: list[ContextSource] = []
    for hit in hits:
        keep = chosen.get(hit.chunk_id)
        if not keep:
            continue
        spans = split_sentences(hit.text)
        parts: list[str] = []
        last = None
        for i, (s, e) in enumerate(spans):
            if i not in keep:
                continue
            if last is not None and i != last + 1:
                parts.append("…")
            elif last is None and i > 0:
                parts.append("…")
            parts.append(" ".join(hit.text[s:e].split()))
            last = i
        if last is not None and last < len(spans) - 1:
            parts.append("…")
        body = " ".join(parts)
        if hit.heading:
            body = f"{hit.heading}\n{body}"
        out.append(ContextSource(len(out) + 1, hit, body))
    return out

