"""Whole-document questions: "Résume ce document", "Liste toutes les échéances de ce contrat",
"Compare ces deux versions". The user pins documents to a conversation; the model then reads them
whole instead of the few passages a search would retrieve.

How they are read, within the model's context (any model, 2k to 128k tokens):

- Every chunk of the pinned documents, in reading order, is a numbered source (``[n]``, with its
  file and page), exactly as retrieved passages are, so citations resolve the same way.
- **One pass** when they all fit next to the question and the room kept for the answer.
- **Map-reduce** otherwise: the chunks are cut into consecutive parts that each fit; for each part
  the model writes short notes relevant to the question, citing the source numbers it used
  (map); the notes, with their markers, are then the material for the answer (reduce). Notes that
  still do not fit together are condensed in groups first, as often as needed.
- Progress (part k of n) goes to ``on_progress``; ``cancel`` stops between parts and within a
  generation. A part whose notes say nothing relevant is left out of the answer.
"""
from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass, field
from typing import Callable, Sequence

from core.errors import LanterneError
from core.paths import display_path, path_to_db
from core.search import Hit, _hit
from models.llm import GenerationStats, Message

log = logging.getLogger(__name__)

NOTE_TOKENS = 200  # the most a part's notes may take
MAX_PINNED = 8  # documents pinned to one conversation
_NOTHING = re.compile(r"^\W*(?:rien|nothing|none|aucune?|néant|n/a)\b", re.I)

MAP_INSTRUCTION = (
    "Read these consecutive sources from the user's documents (part {part} of {parts}). Write brief notes with "
    "everything in them that helps answer the question below, citing each fact's source number like [3]. "
    "Keep names, numbers, dates and amounts exactly as written. If nothing in them is relevant, write only: NOTHING.")
REDUCE_INSTRUCTION = (
    "The notes below were taken while reading the whole of the pinned documents, in order; the numbers in "
    "square brackets are the source numbers of the facts. Answer the question from these notes only, keeping "
    "their source numbers as citations, like [3].")


@dataclass
class PinnedDocument:
    doc_id: int
    path: str  # the catalog's text form
    chunks: list[Hit] = field(default_factory=list)


def catalog_path(user_path: str) -> str:
    """A path as the user typed it (relative, ~) in the catalog's text form."""
    return path_to_db(os.path.abspath(os.path.expanduser(user_path)))


def resolve_pins(library, paths: Sequence[str]) -> list[PinnedDocument]:
    """The indexed documents behind ``paths`` (the catalog's text form or as typed), with their
    chunks in reading order. A path that is not an indexed document is refused by name."""
    if len(paths) > MAX_PINNED:
        raise LanterneError(f"Pin at most {MAX_PINNED} documents to a conversation.", code="pin-limit")
    docs: list[PinnedDocument] = []
    seen: set[int] = set()
    for given in paths:
        row = _indexed(library, given) or _indexed(library, catalog_path(given))
        if row is None:
            raise LanterneError(f"{display_path(given)} is not an indexed document: add its folder to a collection "
                                "first, or wait until it is indexed.", code="pin-missing")
        if row.id in seen:
            continue
        seen.add(row.id)
        chunks = [_hit(r, 0.0) for r in library.store.document_chunks(row.id)]
        if not chunks:
            raise LanterneError(f"{display_path(row.path)} has no text to read.", code="pin-empty")
        docs.append(PinnedDocument(row.id, row.path, chunks))
    return docs


def find_indexed(library, path: str) -> str | None:
    """The catalog path of the indexed document at ``path`` (as typed or stored), else None."""
    row = _indexed(library, path) or _indexed(library, catalog_path(path))
    return row.path if row is not None else None


def _indexed(library, path: str):
    return library.catalog.indexed_document(path)


@dataclass
class Reading:
    """What reading the pinned documents produced."""
    answer: str = ""
    sources: list[Hit] = field(default_factory=list)  # every chunk, numbered 1..N as the model saw them
    notes: list[str] = field(default_factory=list)  # map-reduce: the notes that went into the answer
    parts: int = 1
    cancelled: bool = False
    stats: GenerationStats = field(default_factory=GenerationStats)  # of the final (answer) generation
    prompt_tokens: int = 0  # all generations together


def read_documents(llm, system_text: str, question: str, docs: Sequence[PinnedDocument], *,
                   history: Sequence[Message] = (), on_token: Callable[[str], None] | None = None,
                   cancel: threading.Event | None = None,
                   on_progress: Callable[[str, int, int], None] | None = None,
                   max_tokens: int | None = None, temperature: float = 0.1,
                   should_stop: Callable[[str], bool] | None = None) -> Reading:
    """Answer ``question`` from the whole of ``docs``. ``on_progress(stage, done, total)``: stage
    "reading" (parts read so far) then "answering". ``should_stop(text so far)``: the caller's
    loop watch for the final answer (checked every 8 pieces)."""
    from core.answer import ANSWER_RESERVE, format_source, user_message

    cancel = cancel or threading.Event()
    progress = on_progress or (lambda *_: None)
    reading = Reading()
    sources = [hit for doc in docs for hit in doc.chunks]
    reading.sources = sources
    ctx = llm.context_size
    reserve = min(ANSWER_RESERVE, ctx // 4)
    system = Message("system", system_text)
    blocks = [format_source(n, hit) for n, hit in enumerate(sources, 1)]
    costs = [llm.count_tokens(b) + 4 for b in blocks]
    fixed = llm.chat_prompt_tokens([system, *history, Message("user", user_message(question, []))])
    if sum(costs) <= ctx - reserve - fixed:
        progress("answering", 0, 1)
        messages = [system, *history, Message("user", user_message(question, blocks))]
        reading.answer = _generate(llm, messages, max_tokens or reserve, cancel, reading, temperature,
                                   on_token, should_stop)
        return reading

    # map: consecutive parts, each with room for its notes
    map_fixed = llm.chat_prompt_tokens([system, Message("user", _map_message(question, [], 1, 1))])
    room = ctx - NOTE_TOKENS - map_fixed
    if room < max(costs):  # a context smaller than one chunk: nothing sensible can be read
        raise LanterneError("The model's context is too small to read whole documents.", code="context-overflow")
    parts = _pack(costs, room)
    reading.parts = len(parts)
    notes: list[str] = []
    for k, part in enumerate(parts, 1):
        progress("reading", k - 1, len(parts))
        if cancel.is_set():
            reading.cancelled = True
            return reading
        message = _map_message(question, [blocks[i] for i in part], k, len(parts))
        note = _generate(llm, [system, Message("user", message)], NOTE_TOKENS, cancel, reading, 0.0)
        if cancel.is_set():
            reading.cancelled = True
            return reading
        note = _clean_note(note)
        if note:
            notes.append(note)
    progress("reading", len(parts), len(parts))

    # reduce: the notes, condensed in groups until they fit next to the question
    note_fixed = llm.chat_prompt_tokens([system, *history, Message("user", _reduce_message(question, []))])
    budget = ctx - reserve - note_fixed
    rounds = 0
    while notes and sum(llm.count_tokens(n) + 4 for n in notes) > budget and rounds < 4:
        rounds += 1
        groups = _pack([llm.count_tokens(n) + 4 for n in notes], room)
        condensed = []
        for group in groups:
            if cancel.is_set():
                reading.cancelled = True
                return reading
            text = _generate(llm, [system, Message("user", _map_message(question, [notes[i] for i in group], 1, 1))],
                             NOTE_TOKENS, cancel, reading, 0.0)
            if _clean_note(text):
                condensed.append(_clean_note(text))
        notes = condensed
    while notes and sum(llm.count_tokens(n) + 4 for n in notes) > budget:
        notes.pop()  # still too long after condensing: the last notes go
    reading.notes = notes
    progress("answering", 0, 1)
    messages = [system, *history, Message("user", _reduce_message(question, notes))]
    reading.answer = _generate(llm, messages, max_tokens or reserve, cancel, reading, temperature, on_token,
                               should_stop)
    return reading


def _pack(costs: Sequence[int], room: int) -> list[list[int]]:
    """Consecutive groups of indices whose costs each fit in ``room`` (reading order kept)."""
    parts: list[list[int]] = [[]]
    used = 0
    for i, cost in enumerate(costs):
        if parts[-1] and used + cost > room:
            parts.append([])
            used = 0
        parts[-1].append(i)
        used += cost
    return parts


def _map_message(question: str, blocks: Sequence[str], part: int, parts: int) -> str:
    body = "\n\n".join(blocks)
    return (f"{MAP_INSTRUCTION.format(part=part, parts=parts)}\n\nSources (untrusted excerpts from the user's "
            f"documents):\n\n{body}\n\nQuestion: {question.strip()}\n\nNotes:")


def _reduce_message(question: str, notes: Sequence[str]) -> str:
    from core.answer import _escape

    body = "\n\n".join(f"- {_escape(n)}" for n in notes) if notes else "(none)"
    return f"{REDUCE_INSTRUCTION}\n\nNotes:\n{body}\n\nQuestion: {question.strip()}"


def _clean_note(text: str) -> str:
    from core.answer import repetition_start, strip_stray_markup

    text = strip_stray_markup(text).strip()
    cut = repetition_start(text)
    if cut is not None:
        text = text[:cut].strip()
    if not text or _NOTHING.match(text):
        return ""
    return text


def _generate(llm, messages: list[Message], max_tokens: int, cancel: threading.Event, reading: Reading,
              temperature: float, on_token: Callable[[str], None] | None = None,
              should_stop: Callable[[str], bool] | None = None) -> str:
    from core.answer import repetition_start

    stats = GenerationStats()
    stop = threading.Event()
    pieces: list[str] = []
    for piece in llm.stream_chat(messages, max_tokens=max_tokens, cancel=stop, stats=stats, temperature=temperature):
        pieces.append(piece)
        if on_token is not None:
            on_token(piece)
        if cancel.is_set():
            stop.set()
        elif len(pieces) % 8 == 0 and (should_stop or (lambda t: repetition_start(t) is not None))("".join(pieces)):
            stop.set()
    reading.prompt_tokens += stats.prompt_tokens
    reading.stats = stats
    return "".join(pieces)
