"""Answers from an OpenAI-compatible engine instead of the in-process llama.cpp: llama.cpp's own
server, vLLM, Ollama, or another `lanterne serve`, for a team whose office machine has a GPU.

Configured in settings (``answer_engine_url``, ``answer_engine_model``, and the *name* of an
environment variable holding the API key, ``answer_engine_key_env``: the key itself is never
written to disk). Nothing is sent anywhere unless such a URL is set; in strict-offline mode only a
loopback URL is accepted. Standard library only (urllib): no HTTP client to bundle.

Token counts are estimated (no tokenizer here): ~3 characters a token, which over-counts for
French and English text, so the prompt budget stays on the safe side. The remote server applies
its own chat template; documents reach it as message text, and a server that parses special
tokens in message text is outside Lanterne's control (llama.cpp's server does not by default).
"""
from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Iterator, Sequence
from urllib.parse import urlparse

from models.errors import ModelError
from models.llm import GenerationStats, Message

CHARS_PER_TOKEN = 3.0
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class RemoteEngine:
    url: str  # base URL, e.g. http://127.0.0.1:8080/v1
    model: str
    key_env: str = ""  # name of the environment variable with the API key ("" for none)
    context_size: int = 8192

    def check(self, strict_offline: bool) -> None:
        parsed = urlparse(self.url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ModelError("engine-url", f"The answer engine URL {self.url!r} is not an http(s) URL.")
        if strict_offline and parsed.hostname not in LOOPBACK_HOSTS:
            raise ModelError("offline", f"Strict offline mode is on: the answer engine at {parsed.hostname} "
                                        "is not on this computer.")
        if self.key_env and not os.environ.get(self.key_env):
            raise ModelError("engine-key", f"The environment variable {self.key_env} (the answer engine's API key) "
                                           "is not set.")


def sse_events(response, cancel: threading.Event | None = None) -> Iterator[dict]:
    """The JSON events of a server-sent event stream (OpenAI's ``data: {...}`` lines), until
    ``[DONE]``, the end of the stream, or ``cancel``; comment lines and unreadable events are skipped."""
    for raw in response:
        if cancel is not None and cancel.is_set():
            return
        line = raw.decode("utf-8", "replace").strip()
        if not line.startswith("data:"):
            continue
        payload = line[5:].strip()
        if payload == "[DONE]":
            return
        try:
            event = json.loads(payload)
        except ValueError:
            continue
        if isinstance(event, dict):
            yield event


class RemoteLLM:
    """The ``models.llm.LLM`` protocol over HTTP, streaming with server-sent events."""

    def __init__(self, engine: RemoteEngine, timeout_s: float = 600.0) -> None:
        self.engine = engine
        self.model_id = engine.model
        self.context_size = engine.context_size
        self.timeout_s = timeout_s

    def count_tokens(self, text: str) -> int:
        return int(len(text) / CHARS_PER_TOKEN) + 1

    def chat_prompt_tokens(self, messages: Sequence[Message]) -> int:
        return sum(self.count_tokens(m.content) + 4 for m in messages) + 2

    def _request(self, path: str, body: dict | None = None):
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream, application/json"}
        if self.engine.key_env:
            headers["Authorization"] = "Bearer " + os.environ.get(self.engine.key_env, "")
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.engine.url.rstrip("/") + path, data=data, headers=headers,
                                         method="POST" if body is not None else "GET")
        try:
            return urllib.request.urlopen(request, timeout=self.timeout_s)  # noqa: S310 (a configured URL)
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode("utf-8", "replace")
            raise ModelError("engine-refused", f"The answer engine refused the request ({exc.code}): {detail}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise ModelError("engine-unreachable", f"The answer engine at {self.engine.url} cannot be reached "
                                                   f"({getattr(exc, 'reason', exc)}).") from exc

    def stream_chat(self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = (),
                    cancel: threading.Event | None = None, stats: GenerationStats | None = None,
                    temperature: float = 0.1, ban_eos: bool = False) -> Iterator[str]:
        stats = stats if stats is not None else GenerationStats()
        stats.prompt_tokens = self.chat_prompt_tokens(messages)
        started = time.perf_counter()
        body = {"model": self.engine.model, "stream": True, "max_tokens": max_tokens, "temperature": temperature,
                "messages": [{"role": m.role, "content": m.content} for m in messages]}
        if stop:
            body["stop"] = list(stop)
        response = self._request("/chat/completions", body)
        try:
            for event in sse_events(response, cancel):
                if "error" in event:
                    raise ModelError("engine-refused", f"The answer engine failed: {event['error']}")
                usage = event.get("usage") or {}
                if usage.get("prompt_tokens"):
                    stats.prompt_tokens = int(usage["prompt_tokens"])
                for choice in event.get("choices") or []:
                    piece = (choice.get("delta") or {}).get("content") or ""
                    if piece:
                        if not stats.completion_tokens:
                            stats.ttft_s = time.perf_counter() - started
                        stats.completion_tokens += 1
                        yield piece
                    if choice.get("finish_reason"):
                        stats.finish_reason = choice["finish_reason"]
        finally:
            response.close()  # closing the connection stops the remote generation
            stats.cancelled = cancel is not None and cancel.is_set()
            stats.total_s = time.perf_counter() - started

    def close(self) -> None:
        pass
