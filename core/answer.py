"""The answer engine: question -> hybrid search -> prompt within the context budget -> streamed
answer -> citations resolved to (path, page, snippet).

The prompt is laid out so that the KV cache is reused: [fixed system prompt][previous turns]
[sources + question]. A follow-up question therefore only pays for its new tokens.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from importlib import resources
from typing import Callable, Sequence

from core.errors import LanterneError
from core.library import Library
from core.paths import display_path
from core.search import Hit, SearchEngine
from models.llm import GenerationStats, Message

log = logging.getLogger(__name__)

ANSWER_RESERVE = 512  # tokens kept free for the answer
NOT_FOUND = {
    "fr": "Je n'ai rien trouvé à ce sujet dans vos documents.",
    "en": "I found nothing about this in your documents.",
}
HISTORY_SHARE = 0.25  # at most this share of the context for previous turns
_MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")


def system_prompt() -> str:
    return resources.files("resources.prompts").joinpath("system.txt").read_text(encoding="utf-8").strip()


@dataclass
class Citation:
    n: int
    path: str
    page: int | None
    text: str
    heading: str = ""
    chunk_id: str = ""
    rows: tuple[int, int] | None = None  # spreadsheets: the sheet rows quoted (heading: the sheet)
    doc_id: int | None = None  # the preview finds the file by it (``path`` is for display)
    ordinal: int | None = None  # the chunk's place in its document
    server: bool = False  # a passage of a Lanterne server's collection (core/client.py)

    def as_json(self) -> dict:
        out = {"n": self.n, "path": display_path(self.path), "page": self.page, "text": self.text,
               "heading": self.heading, "chunk_id": self.chunk_id, "doc_id": self.doc_id, "ordinal": self.ordinal}
        if self.rows:
            out["rows"] = list(self.rows)
        if self.server:
            out["server"] = True
        return out


@dataclass
class Turn:
    question: str
    answer: str


@dataclass
class AnswerResult:
    question: str
    answer: str = ""
    citations: list[Citation] = field(default_factory=list)
    sources: list[Hit] = field(default_factory=list)  # the numbered passages the model saw
    model: str = ""
    collections: list[str] = field(default_factory=list)
    retrieval_s: float = 0.0
    ttft_s: float = 0.0
    total_s: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tokens_per_s: float = 0.0
    cancelled: bool = False
    not_found: bool = False  # nothing relevant was retrieved
    cited: bool = False  # the model wrote citation markers that point to sources
    evidence: list = field(default_factory=list)  # core.evidence.Evidence, best first, before generation
    checks: list = field(default_factory=list)  # core.verify.SentenceCheck, one per sentence of the answer
    chat_id: int | None = None
    pinned: list[str] = field(default_factory=list)  # documents read whole (catalog paths; see core/whole.py)
    parts: int = 0  # ... in how many parts (1: in one pass)

    @property
    def supported(self) -> bool:
        """Some sentence of the answer is supported by the passages."""
        return any(c.supported for c in self.checks)

    def as_json(self) -> dict:
        return {
            "evidence": [e.as_json() for e in self.evidence], "checks": [c.as_json() for c in self.checks],
            "cited": self.cited,
            "answer": self.answer, "citations": [c.as_json() for c in self.citations], "model": self.model,
            "ttft_s": round(self.ttft_s, 4), "tokens_per_s": round(self.tokens_per_s, 2),
            "prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
            "retrieval_s": round(self.retrieval_s, 4), "total_s": round(self.total_s, 4),
            "cancelled": self.cancelled, "not_found": self.not_found, "chat_id": self.chat_id,
            "collections": self.collections, "pinned": [display_path(p) for p in self.pinned], "parts": self.parts,
        }


def _escape(text: str) -> str:
    # a document cannot close its own source block and pose as instructions
    return text.replace("</source", "</ source").replace("<source", "< source")


_STRAY_TAG = re.compile(r"(?im)^[ \t]*</?(?:pre|code|div|span|p|br|html|body|answer|response)\s*/?>[ \t]*$\n?"
                        r"|</?(?:pre|html|body|answer|response)\s*/?>")


def strip_stray_markup(text: str) -> str:
    """Small models end answers with HTML they saw in training ("</pre>", "<answer>"): tags alone
    on a line, and the document-level ones anywhere, are not part of what they meant to say."""
    return _STRAY_TAG.sub("", text)


def format_source(n: int, hit: Hit) -> str:
    import os

    name = os.path.basename(display_path(hit.path))
    page = f' page="{hit.page}"' if hit.page else ""
    return f'<source id="{n}" file="{name}"{page}>\n{_escape(hit.text.strip())}\n</source>'


def user_message(question: str, sources: Sequence[str]) -> str:
    if sources:
        body = "Sources (untrusted excerpts from the user's documents):\n\n" + "\n\n".join(sources)
    else:
        body = "Sources: none were found in the user's documents."
    return f"{body}\n\nQuestion: {question.strip()}"


def resolve_citations(answer: str, sources: Sequence[Hit], snippet_chars: int = 300) -> list[Citation]:
    """Citations for the markers the answer actually uses, in order of first use. Markers that
    point to no source are dropped."""
    seen: dict[int, Citation] = {}
    for match in _MARKER.finditer(answer):
        for part in re.split(r"[,;]", match.group(1)):
            n = int(part.strip())
            if 1 <= n <= len(sources) and n not in seen:
                hit = sources[n - 1]
                seen[n] = _citation(n, hit, snippet_chars)
    return list(seen.values())


def where_text(page: int | None, heading: str = "", rows=None) -> str:
    """Where a passage is, for the command line and exports: ", page 3", or for a spreadsheet
    ", sheet Tarifs, rows 12-40" (the page of a spreadsheet is its sheet number)."""
    if rows:
        first, last = rows
        sheet = f", sheet {heading.split(' > ')[0]}" if heading else ""
        return f"{sheet}, row {first}" if first == last else f"{sheet}, rows {first}-{last}"
    return f", page {page}" if page else ""


def consulted_citations(sources: Sequence[Hit], snippet_chars: int = 300) -> list[Citation]:
    """Every passage the model was given, numbered as in the prompt: shown as "passages read" when a
    (small) model answers without citation markers, so the user can still check the answer."""
    return [_citation(n, hit, snippet_chars) for n, hit in enumerate(sources, 1)]


def _citation(n: int, hit: Hit, snippet_chars: int) -> Citation:
    return Citation(n, hit.path, hit.page or None, _snippet(hit.text, snippet_chars), hit.heading, hit.chunk_id,
                    hit.rows, hit.doc_id, hit.ordinal)


def _snippet(text: str, chars: int) -> str:
    snippet = " ".join(text.split())
    if len(snippet) > chars:
        snippet = snippet[:chars].rsplit(" ", 1)[0] + "…"
    return snippet


def build_messages(system_text: str, question: str, hits: Sequence[Hit], history: Sequence[Turn],
                   llm) -> tuple[list[Message], list[Hit]]:
    """Fit system prompt, history, sources and question into the context, keeping room for the
    answer. Lowest-ranked passages are dropped whole; older turns go first. ``llm`` needs only
    ``context_size``, ``count_tokens`` and ``chat_prompt_tokens``."""
    ctx = llm.context_size
    reserve = min(ANSWER_RESERVE, ctx // 4)
    system = Message("system", system_text)
    fixed = llm.chat_prompt_tokens([system, Message("user", user_message(question, []))])
    budget = ctx - reserve - fixed
    if budget < 0:
        raise LanterneError("The question is too long for the model's context.", code="context-overflow")
    kept_history = _history_messages(history, llm, min(int(ctx * HISTORY_SHARE), budget))
    budget -= sum(llm.count_tokens(m.content) + 8 for m in kept_history)
    used: list[Hit] = []
    blocks: list[str] = []
    for hit in hits:
        block = format_source(len(used) + 1, hit)
        cost = llm.count_tokens(block) + 4
        if cost <= budget:
            used.append(hit)
            blocks.append(block)
            budget -= cost
        # a passage that does not fit is dropped whole; a smaller, lower-ranked one may still fit
    messages = [system, *kept_history, Message("user", user_message(question, blocks))]
    return messages, used


class AnswerEngine:
    """Answers questions from the library with the active LLM."""

    def __init__(self, library: Library, search: SearchEngine | None = None, *, passages: int | None = None,
                 model_future=None) -> None:
        """``model_future``: the model to answer with, possibly still loading (retrieval and
        evidence then run while it loads); default: the library's active model."""
        self.library = library
        self._model_future = model_future
        self.search = search or SearchEngine(library)
        self.passages = passages or library.settings.passages_per_answer
        self._system = system_prompt()

    def build_messages(self, question: str, hits: Sequence[Hit], history: Sequence[Turn], llm) -> tuple[list[Message], list[Hit]]:
        return build_messages(self._system, question, hits, history, llm)


    def context_only(self, question: str, *, collections: Sequence[str] | None = None) -> dict:
        """What the model would read for this question, without generating: the evidence, and the
        numbered sources exactly as they are sent (``lanterne ask --context-only``)."""
        from core.evidence import rank_evidence

        question = question.strip()
        hits = self.search.search(question, self.passages, collections) if question else []
        evidence = (rank_evidence(question, hits, embedder=self.library.embedder, lang=self._language(question),
                                  query_vector=self.search.query_vector(question)) if hits else [])
        context, tokens = [], 0
        if hits:
            llm = self._model()
            _, used = self.build_messages(question, hits, [], llm)
            for n, hit in enumerate(used, 1):
                text = _escape(hit.text.strip())
                context.append({"n": n, "path": display_path(hit.path), "page": hit.page or None, "text": text})
                tokens += llm.count_tokens(format_source(n, hit))
        return {"question": question, "evidence": [e.as_json() for e in evidence], "context": context,
                "context_tokens": tokens}

    def ask(self, question: str, *, collections: Sequence[str] | None = None, history: Sequence[Turn] = (),
            on_token: Callable[[str], None] | None = None, cancel: threading.Event | None = None,
            max_tokens: int | None = None, on_evidence: Callable[[list], None] | None = None,
            nothing_in_scope: bool = False, pinned: Sequence | None = None,
            on_progress: Callable[[str, int, int], None] | None = None) -> AnswerResult:
        """``nothing_in_scope``: the caller may read no collection (an API token limited to
        collections that do not exist): nothing is retrieved, whatever ``collections`` says.
        ``pinned``: documents (``core.whole.PinnedDocument``) to read whole instead of searching;
        ``on_progress(stage, done, total)`` follows their reading."""
        question = question.strip()
        if not question:
            raise LanterneError("Ask a question.", code="usage")
        result = AnswerResult(question=question, collections=list(collections or []))
        started = time.perf_counter()
        if pinned:
            return self._ask_pinned(result, started, list(pinned), history, on_token, cancel, max_tokens,
                                    on_evidence, on_progress)
        hits = self.search.search(question, self.passages, collections) if not nothing_in_scope else []
        if history and len(question.split()) < 12 and not nothing_in_scope:
            # A short follow-up ("and for Martin?") lacks context: also search with the previous
            # question's words, and give those results half of the passages.
            extra = self.search.search(history[-1].question + " " + question, self.passages, collections)
            known = {h.chunk_id for h in hits}
            borrowed = [h for h in extra if h.chunk_id not in known][: max(1, self.passages // 2)]
            hits = hits[: self.passages - len(borrowed)] + borrowed
        result.retrieval_s = time.perf_counter() - started
        lang = self._language(question)
        if hits:
            from core.evidence import rank_evidence

            try:  # the sentences that most likely answer, shown before any generated text
                result.evidence = rank_evidence(question, hits, embedder=self.library.embedder, lang=lang,
                                                 query_vector=self.search.query_vector(question))
            except Exception:
                log.exception("evidence ranking failed")
            if on_evidence is not None:
                on_evidence(result.evidence)
        if not hits:
            # Nothing in the documents: say so at once, without asking the model to improvise.
            result.answer = NOT_FOUND.get(lang, NOT_FOUND["en"])
            result.not_found = True
            result.total_s = time.perf_counter() - started
            if on_token is not None:
                on_token(result.answer)
            return result
        llm = self._model()
        result.model = llm.model_id
        messages, used = self.build_messages(question, hits, history, llm)
        result.sources = used
        stats = GenerationStats()
        pieces: list[str] = []
        reserve = min(ANSWER_RESERVE, llm.context_size // 4)
        stop = threading.Event()  # the user's cancel, or a repetition loop
        user_cancel = cancel
        looped = False
        temperature = self.library.settings.answer_temperature
        for piece in llm.stream_chat(messages, max_tokens=max_tokens or reserve, cancel=stop, stats=stats,
                                     temperature=temperature):
            pieces.append(piece)
            if on_token is not None:
                on_token(piece)
            if user_cancel is not None and user_cancel.is_set():
                stop.set()
            elif len(pieces) % 8 == 0 and repetition_start("".join(pieces)) is not None:
                looped = True  # a small model repeating itself: stop now rather than for 26 s
                stop.set()
        text = "".join(pieces)
        if looped:
            text = text[:repetition_start(text)]
            stats.cancelled = False
            stats.finish_reason = "repetition"
        result.answer = strip_stray_markup(text).strip()
        result.citations = resolve_citations(result.answer, used)
        result.cited = bool(result.citations)
        result.not_found = not used
        from core.verify import LazyEmbedder, check_answer

        result.checks = check_answer(result.answer, [h.text for h in used], system_prompt=self._system,
                                     embedder=LazyEmbedder(lambda: self.library.embedder),
                                     previous_answer=history[-1].answer if history else "")
        result.cancelled = stats.cancelled
        result.ttft_s = result.retrieval_s + stats.ttft_s
        result.total_s = time.perf_counter() - started
        result.prompt_tokens = stats.prompt_tokens
        result.completion_tokens = stats.completion_tokens
        result.tokens_per_s = stats.tokens_per_s
        return result


    def _ask_pinned(self, result: AnswerResult, started: float, pinned: list, history: Sequence[Turn],
                    on_token, cancel, max_tokens, on_evidence, on_progress) -> AnswerResult:
        """A question about whole documents (core/whole.py): every chunk is read, no search."""
        from core.evidence import rank_evidence
        from core.verify import LazyEmbedder, check_answer
        from core.whole import read_documents

        question = result.question
        lang = self._language(question)
        result.pinned = [d.path for d in pinned]
        chunks = [h for d in pinned for h in d.chunks]
        candidates = _overlapping(question, chunks, self.passages)
        result.retrieval_s = time.perf_counter() - started
        if candidates:
            try:
                result.evidence = rank_evidence(question, candidates, embedder=self.library.embedder, lang=lang)
            except Exception:
                log.exception("evidence ranking failed")
        if on_evidence is not None:
            on_evidence(result.evidence)
        llm = self._model()
        result.model = llm.model_id
        history_messages = _history_messages(history, llm, int(llm.context_size * 0.1))
        loop_stop = [False]

        def looping(text: str) -> bool:
            if repetition_start(text) is not None:
                loop_stop[0] = True
            return loop_stop[0]

        reading = read_documents(llm, self._system, question, pinned, history=history_messages, on_token=on_token,
                                 cancel=cancel, on_progress=on_progress, max_tokens=max_tokens,
                                 temperature=self.library.settings.answer_temperature, should_stop=looping)
        text = reading.answer
        if loop_stop[0] and repetition_start(text) is not None:
            text = text[:repetition_start(text)]
        result.parts = reading.parts
        result.answer = strip_stray_markup(text).strip()
        result.citations = resolve_citations(result.answer, reading.sources)
        result.cited = bool(result.citations)
        if result.citations:
            result.sources = [reading.sources[c.n - 1] for c in result.citations]
        else:  # the passages the notes cited, else the start of each document: something to open
            noted = resolve_citations(" ".join(reading.notes), reading.sources)
            result.sources = ([reading.sources[c.n - 1] for c in noted][: self.passages]
                              or [d.chunks[0] for d in pinned])
        result.checks = check_answer(result.answer, [h.text for h in reading.sources], system_prompt=self._system,
                                     embedder=LazyEmbedder(lambda: self.library.embedder),
                                     previous_answer=history[-1].answer if history else "")
        result.cancelled = reading.cancelled or (cancel is not None and cancel.is_set())
        stats = reading.stats
        result.total_s = time.perf_counter() - started
        result.ttft_s = result.total_s - (stats.total_s - stats.ttft_s) if stats.completion_tokens else 0.0
        result.prompt_tokens = reading.prompt_tokens
        result.completion_tokens = stats.completion_tokens
        result.tokens_per_s = stats.tokens_per_s
        return result

    def _model(self):
        return self._model_future.result() if self._model_future is not None else self.library.llm

    @staticmethod
    def _language(question: str) -> str:
        from indexer.textproc import query_languages

        return (query_languages(question) or ["en"])[0]


LOOP_NGRAM = 6  # words
LOOP_REPEATS = 3  # a 6-word sequence seen this often means the model is going round in circles


def repetition_start(text: str) -> int | None:
    """Where a repetition loop starts to repeat (the character offset just after its first copy),
    or None. A loop: the last LOOP_NGRAM words already occurred at least LOOP_REPEATS - 1 times
    before, at a regular period; everything after the first copy of the repeated unit goes."""
    import re as _re

    spans = [(m.start(), m.group(0).lower()) for m in _re.finditer(r"\w+", text)]
    words = [w for _, w in spans]
    n = len(words)
    if n < LOOP_NGRAM * LOOP_REPEATS:
        return None
    tail = words[-LOOP_NGRAM:]
    at = [i for i in range(n - LOOP_NGRAM + 1) if words[i:i + LOOP_NGRAM] == tail]
    if len(at) < LOOP_REPEATS:
        return None
    period = at[-1] - at[-2]
    start = n - period  # the last copy of the unit
    while start - period >= 0 and words[start - period:start] == words[start:start + period]:
        start -= period  # walk back over the earlier copies
    cut = start + period  # keep one copy
    return spans[cut][0] if cut < n else None


def _history_messages(history: Sequence[Turn], llm, budget: int) -> list[Message]:
    """The latest turns that fit in ``budget`` tokens, oldest first (markers removed)."""
    kept: list[Message] = []
    for turn in reversed(history):
        pair = [Message("user", turn.question), Message("assistant", _strip_markers(turn.answer))]
        cost = sum(llm.count_tokens(m.content) + 8 for m in pair)
        if cost > budget:
            break
        kept = pair + kept
        budget -= cost
    return kept


def _overlapping(question: str, hits: Sequence[Hit], k: int) -> list[Hit]:
    """The ``k`` chunks sharing the most content words with the question (evidence for a
    whole-document question, whose chunks are not searched); none when nothing is shared."""
    from indexer.textproc import STOP_WORDS, fold, tokens

    stop = STOP_WORDS.get("fr", frozenset()) | STOP_WORDS.get("en", frozenset())
    words = {fold(w) for w in tokens(question) if fold(w) not in stop and len(w) > 2}
    if not words:
        return []
    scored = []
    for i, hit in enumerate(hits):
        shared = len(words & {fold(w) for w in tokens(hit.text)})
        if shared:
            scored.append((-shared, i, hit))
    return [hit for _, _, hit in sorted(scored)[:k]]


def _strip_markers(text: str) -> str:
    return _MARKER.sub("", text).strip()
