"""The desktop as a client of a Lanterne server (`lanterne serve` on an office machine).

Settings ▸ Lanterne server holds the server's URL (``server_url`` in the settings) and an access
token (in ``client-token`` beside the settings, readable by its owner only, never in the settings
file). The server's collections then appear beside the local ones, prefixed ``@server:`` in a
conversation's scope; a question over them is answered by the server (its retrieval, its model,
its permission checks) and saved in the local conversation like any other turn; a citation keeps
``server: true`` so its preview (page image or text) is asked of the server by document id.

Standard library only (urllib), like the answer-engine client in ``models/remote.py``. Strict
offline mode accepts only a server on this computer.
"""
from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import urlparse

from core.answer import AnswerResult, Citation, Turn
from core.errors import LanterneError
from models.remote import LOOPBACK_HOSTS, sse_events

SERVER_PREFIX = "@server:"  # a server collection's name in a conversation's scope
TOKEN_FILE = "client-token"


def is_server_scope(name: str) -> bool:
    return name.startswith(SERVER_PREFIX)


def server_name(name: str) -> str:
    """The collection's name on the server ("@server:RH" -> "RH")."""
    return name[len(SERVER_PREFIX):] if is_server_scope(name) else name


@dataclass
class ServerCollection:
    name: str  # on the server
    documents: int

    @property
    def scope_name(self) -> str:
        return SERVER_PREFIX + self.name


def read_token(folder: Path) -> str:
    try:
        return (folder / TOKEN_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def write_token(folder: Path, token: str) -> None:
    """The token file, created readable by its owner only (0600) before anything is written."""
    import os

    path = folder / TOKEN_FILE
    if not token:
        path.unlink(missing_ok=True)
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(token.strip() + "\n")


class ServerClient:
    def __init__(self, url: str, token: str, *, strict_offline: bool = False, timeout_s: float = 10.0) -> None:
        parsed = urlparse(url.strip())
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise LanterneError(f"The Lanterne server address {url!r} is not an http(s) URL.", code="server-url")
        if strict_offline and parsed.hostname not in LOOPBACK_HOSTS:
            raise LanterneError(f"Strict offline mode is on: the Lanterne server at {parsed.hostname} is not "
                                "on this computer.", code="server-offline")
        base = url.strip().rstrip("/")
        self.base = base if base.endswith("/v1") else base + "/v1"
        self.host = parsed.hostname
        self.token = token
        self.timeout_s = timeout_s

    # -- HTTP
    def _open(self, path: str, body: dict | None = None, timeout_s: float | None = None):
        headers = {"Authorization": "Bearer " + self.token, "Content-Type": "application/json",
                   "Accept": "text/event-stream, application/json"}
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, headers=headers,
                                         method="POST" if body is not None else "GET")
        try:
            return urllib.request.urlopen(request, timeout=timeout_s or self.timeout_s)  # noqa: S310 (set by the user)
        except urllib.error.HTTPError as exc:
            if exc.code == 401:
                raise LanterneError("The Lanterne server refused the access token.", code="server-token") from exc
            try:
                message = json.loads(exc.read(2000))["error"]["message"]
            except (ValueError, KeyError, TypeError, OSError):
                message = f"HTTP {exc.code}"
            raise LanterneError(f"The Lanterne server refused the request: {message}", code="server-refused") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise LanterneError(f"The Lanterne server at {self.host} cannot be reached "
                                f"({getattr(exc, 'reason', exc)}).", code="server-unreachable") from exc

    def _json(self, path: str, body: dict | None = None, timeout_s: float | None = None):
        with self._open(path, body, timeout_s) as response:
            try:
                return json.loads(response.read())
            except ValueError as exc:
                raise LanterneError("The Lanterne server sent an unreadable answer.", code="server-refused") from exc

    # -- what the window needs
    def collections(self) -> list[ServerCollection]:
        data = self._json("/collections")
        return [ServerCollection(str(c["name"]), int(c.get("documents", 0))) for c in data.get("data", [])]

    def preview(self, citation: dict, page: int | None = None, width_px: int = 0):
        from core.preview import Preview

        body = {"doc_id": citation.get("doc_id"), "ordinal": citation.get("ordinal"), "page": page,
                "width": width_px}
        return Preview.from_json(self._json("/preview", body, timeout_s=60.0))

    def answer(self, question: str, history: Sequence[Turn], scope: Sequence[str], *,
               on_token: Callable[[str], None] | None = None, cancel: threading.Event | None = None,
               max_tokens: int | None = None, on_evidence: Callable[[list], None] | None = None) -> AnswerResult:
        """The server answers over ``scope`` (its collection names); the result is shaped like a
        local one, so the conversation service saves it the same way."""
        from core.verify import SentenceCheck

        messages = []
        for turn in history:
            messages += [{"role": "user", "content": turn.question}, {"role": "assistant", "content": turn.answer}]
        messages.append({"role": "user", "content": question})
        body = {"model": "lanterne", "stream": True, "messages": messages,
                "lanterne": {"collections": [server_name(n) for n in scope]}}
        if max_tokens:
            body["max_tokens"] = max_tokens
        started = time.perf_counter()
        result = AnswerResult(question=question, model="lanterne@" + self.host, collections=list(scope))
        pieces: list[str] = []
        response = self._open("/chat/completions", body, timeout_s=600.0)
        try:
            for event in sse_events(response, cancel):
                if "error" in event:
                    message = str((event.get("error") or {}).get("message", ""))
                    raise LanterneError(f"The Lanterne server failed to answer: {message}", code="server-refused")
                for choice in event.get("choices") or []:
                    piece = (choice.get("delta") or {}).get("content") or ""
                    if piece:
                        if not pieces:
                            result.ttft_s = time.perf_counter() - started
                        pieces.append(piece)
                        if on_token is not None:
                            on_token(piece)
                extra = event.get("lanterne")
                if isinstance(extra, dict) and extra.get("stage") == "evidence":
                    # sent before the first word: shown while the server's model writes
                    if on_evidence is not None and extra.get("evidence"):
                        on_evidence([_evidence(e) for e in extra["evidence"]])
                elif isinstance(extra, dict):
                    result.citations = [_citation(c) for c in event.get("citations") or []]
                    result.cited = bool(extra.get("cited"))
                    result.not_found = bool(extra.get("not_found"))
                    result.evidence = [_evidence(e) for e in extra.get("evidence") or []]
                    result.checks = [SentenceCheck(str(c.get("sentence", "")), bool(c.get("supported")),
                                                   [int(n) for n in c.get("sources") or []])
                                     for c in extra.get("checks") or []]
        finally:
            response.close()  # closing the connection stops the server's generation
        result.cancelled = cancel is not None and cancel.is_set()
        result.answer = "".join(pieces).strip()
        result.completion_tokens = len(pieces)
        result.total_s = time.perf_counter() - started
        if result.total_s > result.ttft_s and pieces:
            result.tokens_per_s = len(pieces) / max(1e-6, result.total_s - result.ttft_s)
        return result


def _citation(c: dict) -> Citation:
    return Citation(int(c.get("n", 0)), str(c.get("path", "")), c.get("page"), str(c.get("text", "")),
                    heading=str(c.get("heading", "")), doc_id=c.get("doc_id"), ordinal=c.get("ordinal"),
                    server=True)


def _evidence(e: dict):
    from core.evidence import Evidence

    return Evidence(text=str(e.get("text", "")), path=str(e.get("path", "")), page=e.get("page"),
               start=int(e.get("start", 0)), end=int(e.get("end", 0)), score=float(e.get("score", 0.0)),
               source_rank=int(e.get("source_rank", 0) or 0))
