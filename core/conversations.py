"""Asking in a conversation: the one place that turns a question into a saved turn.

The command line, the window and the API server all call ``ConversationService``; none of them
keeps its own history, cancel or timing rules. The policies, in one place:

- **History**: the last ``HISTORY_TURNS`` answered turns of the conversation, as stored (cancelled
  turns are shown to the user but never fed back to the model); the answer engine then drops the
  oldest of those that do not fit its share of the context.
- **Scope**: the collections given with the question, else the conversation's own; a scope given
  explicitly is remembered by the conversation. A scope of a Lanterne server's collections
  (``@server:NAME``, see ``core/client.py``) is answered by that server and saved here the same way;
  mixing them with local collections in one question is refused.
- **Model**: the one named with the question, else the conversation's (when still installed), else
  the active one; loaded with the settings (context, GPU layers) by ``Library.llm_future``.
- **Cancel**: what was generated before the cancel is saved, marked ``cancelled``; nothing is saved
  when nothing was said. A new conversation is created only once there is something to save, so
  a failed question leaves no empty conversation.
- **Pinned documents**: documents pinned to a conversation (``pinned``, or the conversation's
  own) are read whole instead of searching (``core/whole.py``); pins given with a question are
  remembered by the conversation, an empty list unpins. They are this computer's documents: a
  Lanterne server's scope is not asked then.
- **Sources shown**: the passages cited by markers; when the model wrote none (small models often
  do not), every passage it read, marked ``consulted``.
- **Timings**: one record (retrieval, first token, total, speed, tokens) for every caller.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable, Sequence

from core.answer import AnswerEngine, AnswerResult, Turn, consulted_citations
from core.chats import Conversation, StoredTurn
from core.client import is_server_scope
from core.errors import LanterneError
from core.library import Library

log = logging.getLogger(__name__)

HISTORY_TURNS = 6
EVIDENCE_SAVED = 3  # evidence sentences kept with a turn (what the window shows)


@dataclass
class SavedTurn:
    """The outcome of one question: the answer engine's result, and the turn as stored (None when
    nothing was saved: a cancel before the first word)."""
    chat_id: int | None
    result: AnswerResult
    turn: StoredTurn | None
    citations: list[dict]
    status: str  # done | not-found | cancelled
    created: bool = False  # the question started a new conversation

    def as_json(self) -> dict:
        data = self.result.as_json()
        data["chat_id"] = self.chat_id
        data["turn_id"] = self.turn.id if self.turn else None
        data["status"] = self.status
        return data


def turn_status(result: AnswerResult) -> str:
    if result.cancelled:
        return "cancelled"
    return "not-found" if result.not_found else "done"


def shown_citations(result: AnswerResult) -> list[dict]:
    """The sources shown with an answer: the cited ones, or else every passage read (marked)."""
    if result.citations:
        return [c.as_json() for c in result.citations]
    return [c.as_json() | {"consulted": True} for c in consulted_citations(result.sources)]


def timings_of(result: AnswerResult) -> dict:
    return {"retrieval_s": round(result.retrieval_s, 3), "ttft_s": round(result.ttft_s, 3),
            "total_s": round(result.total_s, 3), "tokens_per_s": round(result.tokens_per_s, 1),
            "prompt_tokens": result.prompt_tokens, "completion_tokens": result.completion_tokens}


def details_of(result: AnswerResult) -> dict:
    details = {"cited": result.cited, "evidence": [e.as_json() for e in result.evidence[:EVIDENCE_SAVED]],
               "checks": [c.as_json() for c in result.checks]}
    if result.pinned:
        details |= {"pinned": result.pinned, "parts": result.parts}
    return details


def history_of(conversation: Conversation | None) -> list[Turn]:
    if conversation is None:
        return []
    answered = [t for t in conversation.turns if t.status in ("done", "not-found") and t.answer]
    return [Turn(t.question, t.answer) for t in answered[-HISTORY_TURNS:]]


class ConversationService:
    def __init__(self, library: Library) -> None:
        self.library = library

    def ask(self, chat_id: int | None, question: str, *, scope: Sequence[str] | None = None,
            model: str | None = None, on_token: Callable[[str], None] | None = None,
            cancel: threading.Event | None = None, on_evidence: Callable[[list], None] | None = None,
            on_model_loading: Callable[[], None] | None = None, max_tokens: int | None = None,
            pinned: Sequence[str] | None = None,
            on_progress: Callable[[str, int, int], None] | None = None) -> SavedTurn:
        """Answer ``question`` in conversation ``chat_id`` (None: a new one, created when there is
        something to save) and save the turn. ``pinned``: document paths to read whole (None: the
        conversation's pins)."""
        question = (question or "").strip()
        if not question:
            raise LanterneError("Ask a question.", code="usage")
        chats = self.library.chats
        conversation = chats.get(chat_id) if chat_id is not None else None
        explicit_scope = scope is not None
        if scope is None:
            scope = conversation.collections if conversation is not None else []
        scope = list(scope or [])
        name = model or self._conversation_model(conversation)
        explicit_pins = pinned is not None
        if pinned is None:
            pinned = conversation.pinned if conversation is not None else []
        # a conversation's empty scope means every collection
        result = self.answer(question, history_of(conversation), scope=scope or None, model=name,
                             on_token=on_token, cancel=cancel, max_tokens=max_tokens, on_evidence=on_evidence,
                             on_model_loading=on_model_loading, pinned=list(pinned), on_progress=on_progress)
        status = turn_status(result)
        citations = shown_citations(result)
        if status == "cancelled" and not result.answer:
            return SavedTurn(chat_id, result, None, citations, status)
        created = conversation is None
        if created:
            conversation = chats.create(question[:80], scope, result.model or name or "", result.pinned)
        else:
            if explicit_scope:
                chats.set_scope(conversation.id, scope)
            if explicit_pins:
                chats.set_pinned(conversation.id, result.pinned)
        turn = chats.add_turn(conversation.id, question, result.answer, citations, result.model or name or "",
                              scope, timings_of(result), status=status, details=details_of(result))
        result.chat_id = conversation.id
        return SavedTurn(conversation.id, result, turn, citations, status, created)

    def answer(self, question: str, history: Sequence[Turn], *, scope: Sequence[str] | None,
               model: str | None = None, on_token: Callable[[str], None] | None = None,
               cancel: threading.Event | None = None, max_tokens: int | None = None,
               on_evidence: Callable[[list], None] | None = None,
               on_model_loading: Callable[[], None] | None = None, pinned: Sequence[str] | None = None,
               on_progress: Callable[[str, int, int], None] | None = None) -> AnswerResult:
        """A question with its history supplied by the caller, nothing saved (``ask`` saves; the
        API server's clients keep their own conversations). ``scope`` None: every collection; an
        empty list: none (nothing is retrieved). The model starts loading at once, so retrieval
        and evidence run meanwhile."""
        question = (question or "").strip()
        if not question:
            raise LanterneError("Ask a question.", code="usage")
        if pinned:
            from core.whole import resolve_pins

            docs = resolve_pins(self.library, pinned)  # refused before any model loads
            future = self.library.llm_future(model)
            if not future.done() and on_model_loading is not None:
                on_model_loading()
            return AnswerEngine(self.library, model_future=future).ask(
                question, history=list(history)[-HISTORY_TURNS:], on_token=on_token, cancel=cancel,
                max_tokens=max_tokens, on_evidence=on_evidence, pinned=docs, on_progress=on_progress)
        if scope and any(is_server_scope(n) for n in scope):
            if not all(is_server_scope(n) for n in scope):
                raise LanterneError("Ask the Lanterne server's collections and this computer's separately.",
                                    code="mixed-scope")
            return self.library.server_client().answer(question, list(history)[-HISTORY_TURNS:], scope,
                                                       on_token=on_token, cancel=cancel, max_tokens=max_tokens,
                                                       on_evidence=on_evidence)
        future = self.library.llm_future(model)
        if not future.done() and on_model_loading is not None:
            on_model_loading()
        engine = AnswerEngine(self.library, model_future=future)
        return engine.ask(question, collections=list(scope) if scope is not None else None,
                          history=list(history)[-HISTORY_TURNS:], on_token=on_token, cancel=cancel,
                          max_tokens=max_tokens, on_evidence=on_evidence,
                          nothing_in_scope=scope is not None and not scope)

    def regenerate(self, chat_id: int, **kwargs) -> SavedTurn:
        """Ask the conversation's last question again; its stored turn is replaced once the new
        answer is saved (a cancel before the first word keeps the old one)."""
        conversation = self.library.chats.get(chat_id)
        if not conversation.turns:
            raise LanterneError("This conversation has no question to ask again.", code="usage")
        last = conversation.turns[-1]
        self.library.chats.delete_turn(last.id)
        try:
            saved = self.ask(chat_id, last.question, **kwargs)
        except BaseException:
            self._restore(chat_id, last)
            raise
        if saved.turn is None:
            self._restore(chat_id, last)
        return saved

    def _restore(self, chat_id: int, turn: StoredTurn) -> None:
        self.library.chats.add_turn(chat_id, turn.question, turn.answer, turn.citations, turn.model,
                                    turn.collections, turn.timings, status=turn.status, details=turn.details)

    def _conversation_model(self, conversation: Conversation | None) -> str | None:
        if conversation is None or not conversation.model:
            return None
        try:
            self.library.registry.get(conversation.model)
        except LanterneError:
            return None  # removed since: the active model answers
        return conversation.model
