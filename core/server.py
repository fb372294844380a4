"""`lanterne serve`: an OpenAI-compatible API over the library, for a team on an office machine.

Off unless started; bound to loopback unless told otherwise (and then only with TLS, or with an
explicit ``--insecure-lan``); every request needs a token (``core/tokens.py``), and a token sees
only its collections: they bound retrieval, citations and search, and a collection outside them
is never named back (not even in an error).

Endpoints: ``GET /v1/models``; ``POST /v1/chat/completions`` (``stream`` with server-sent events;
model ``lanterne`` answers from the documents through the same conversation service as the window,
with ``citations`` (streaming: a first chunk carries ``lanterne: {stage: "evidence", evidence}``
before any word, the last one the citations, checks and evidence); an installed model's name answers without retrieval); ``POST /v1/embeddings``;
``POST /v1/search``; ``GET /v1/collections`` (those the token may read) and ``POST /v1/preview``
(a cited page's image or a document's text, by document id, for the desktop as a client). Requests are size-limited, rate-limited per token and written to an audit log
(who, when, what, which collections; the question only with ``audit_questions`` in the settings).
The in-process model generates one answer at a time: other requests wait their turn (first come,
first served); a client that disconnects stops its generation.

Built on Starlette and uvicorn (see pyproject.toml for why).
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from core.answer import Turn
from core.conversations import ConversationService, shown_citations
from core.errors import LanterneError
from core.library import Library
from core.tokens import TokenInfo, TokenStore

log = logging.getLogger(__name__)

LANTERNE_MODEL = "lanterne"
MAX_BODY_BYTES = 1_000_000
MAX_EMBED_INPUTS = 256
MAX_TEXT_CHARS = 32_000


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: str, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.headers = status, message, code, headers or {}

    def response(self) -> JSONResponse:
        kind = {401: "authentication_error", 403: "permission_error", 404: "not_found_error",
                429: "rate_limit_error"}.get(self.status, "invalid_request_error")
        return JSONResponse({"error": {"message": self.message, "type": kind, "code": self.code}},
                            status_code=self.status, headers=self.headers)


@dataclass
class RateLimiter:
    """A token bucket per API token: ``per_minute`` requests, bursts up to that many."""
    per_minute: int
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # name -> (tokens, last time)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, name: str) -> float:
        """0 when the request may go, else the seconds to wait."""
        now = time.monotonic()
        rate = self.per_minute / 60.0
        with self._lock:
            tokens, last = self._buckets.get(name, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - last) * rate)
            if tokens < 1.0:
                self._buckets[name] = (tokens, now)
                return (1.0 - tokens) / rate
            self._buckets[name] = (tokens - 1.0, now)
            return 0.0


class GenerationQueue:
    """One generation at a time with the in-process model, first come first served; ``waiting``
    is the queue length (its position is told to a client that waits)."""

    def __init__(self, slots: int = 1) -> None:
        self._slots = asyncio.Semaphore(slots)
        self.waiting = 0

    async def __aenter__(self) -> int:
        position = self.waiting
        self.waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self.waiting -= 1
        return position

    async def __aexit__(self, *exc) -> None:
        self._slots.release()


class Audit:
    """One JSON line per request in ``logs/audit.log``."""

    def __init__(self, path: Path, with_questions: bool) -> None:
        self.path, self.with_questions = path, with_questions
        self._lock = threading.Lock()

    def write(self, who: str, endpoint: str, status: int, collections=None, question: str | None = None) -> None:
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "token": who, "endpoint": endpoint, "status": status}
        if collections is not None:
            entry["collections"] = list(collections)
        if question is not None and self.with_questions:
            entry["question"] = question
        try:
            with self._lock, open(self.path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        except OSError:
            log.exception("cannot write the audit log")


def create_app(library: Library, tokens: TokenStore, *, rate_per_minute: int = 120,
               max_body_bytes: int = MAX_BODY_BYTES) -> Starlette:
    service = ConversationService(library)
    limiter = RateLimiter(rate_per_minute)
    # the in-process model answers one question at a time; a remote engine as many as it schedules
    queue = GenerationQueue(8 if library.remote_engine() is not None else 1)
    audit = Audit(library.layout.logs / "audit.log", bool(getattr(library.settings, "audit_questions", False)))

    # -- helpers
    def authorise(request: Request) -> TokenInfo:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header[:7].lower() == "bearer " else None
        info = tokens.verify(token)
        if info is None:
            raise ApiError(401, "A valid token is required (Authorization: Bearer …).", "invalid_api_key")
        return info

    def throttle(info: TokenInfo) -> None:
        wait = limiter.take(info.name)
        if wait:
            raise ApiError(429, "Too many requests; try again shortly.", "rate_limited",
                           {"Retry-After": str(max(1, round(wait)))})

    async def body(request: Request) -> dict:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_body_bytes:
            raise ApiError(413, f"The request is larger than {max_body_bytes} bytes.", "request_too_large")
        data = bytearray()
        async for part in request.stream():
            data += part
            if len(data) > max_body_bytes:
                raise ApiError(413, f"The request is larger than {max_body_bytes} bytes.", "request_too_large")
        try:
            parsed = json.loads(bytes(data) or b"{}")
        except ValueError:
            raise ApiError(400, "The body is not valid JSON.", "invalid_json") from None
        if not isinstance(parsed, dict):
            raise ApiError(400, "The body must be a JSON object.", "invalid_json")
        return parsed

    def readable(info: TokenInfo, requested) -> list[str] | None:
        """The collections this request may read: None for all (an unrestricted token asking for
        no subset); names outside the token's grant, or unknown, are dropped without a word."""
        names = [c.name for c in library.catalog.collections()]
        allowed = [n for n in names if info.may_read(n)]
        if requested is not None:
            if not isinstance(requested, list) or not all(isinstance(n, str) for n in requested):
                raise ApiError(400, "lanterne.collections must be a list of names.", "invalid_collections")
            return [n for n in allowed if n in requested]
        return None if info.collections is None else allowed

    def installed_models() -> list[str]:
        return [m.name for m in library.registry.list()]

    async def handle(request: Request, endpoint: str, work) -> Response:
        who = "-"
        try:
            info = authorise(request)
            who = info.name  # a refused flood is logged under its token's name
            throttle(info)
            response, collections, question = await work(request, info)
            audit.write(who, endpoint, response.status_code, collections, question)
            return response
        except ApiError as exc:
            audit.write(who, endpoint, exc.status)
            return exc.response()
        except LanterneError as exc:
            audit.write(who, endpoint, 400)
            return ApiError(400, exc.message, exc.code).response()
        except Exception:
            log.exception("API request %s failed", endpoint)
            audit.write(who, endpoint, 500)
            return JSONResponse({"error": {"message": "Internal error (details in the server's log).",
                                           "type": "server_error", "code": "internal"}}, status_code=500)

    # -- endpoints
    async def models(request: Request) -> Response:
        async def work(request, info):
            created = int(time.time())
            data = [{"id": LANTERNE_MODEL, "object": "model", "created": created, "owned_by": "lanterne"}]
            data += [{"id": name, "object": "model", "created": created, "owned_by": "local"}
                     for name in await asyncio.to_thread(installed_models)]
            return JSONResponse({"object": "list", "data": data}), None, None
        return await handle(request, "models", work)

    async def chat(request: Request) -> Response:
        async def work(request, info):
            data = await body(request)
            model = data.get("model") or LANTERNE_MODEL
            messages = data.get("messages")
            if not isinstance(messages, list) or not messages:
                raise ApiError(400, "messages must be a non-empty list.", "invalid_messages")
            turns = [(m.get("role"), _text(m.get("content"))) for m in messages if isinstance(m, dict)]
            if not turns or turns[-1][0] != "user" or not turns[-1][1].strip():
                raise ApiError(400, "The last message must be the user's question.", "invalid_messages")
            if len(turns[-1][1]) > MAX_TEXT_CHARS:
                raise ApiError(400, "The question is too long.", "question_too_long")
            max_tokens = data.get("max_tokens") or data.get("max_completion_tokens")
            if max_tokens is not None and (not isinstance(max_tokens, int) or not 1 <= max_tokens <= 4096):
                raise ApiError(400, "max_tokens must be an integer from 1 to 4096.", "invalid_max_tokens")
            question = turns[-1][1]
            if model == LANTERNE_MODEL:
                scope = readable(info, (data.get("lanterne") or {}).get("collections")
                                 if isinstance(data.get("lanterne"), dict) else None)
                history = _history(turns[:-1])
                run = lambda on_token, cancel, on_evidence=None: service.answer(  # noqa: E731
                    question, history, scope=scope, on_token=on_token, cancel=cancel, max_tokens=max_tokens,
                    on_evidence=on_evidence)
            elif model in await asyncio.to_thread(installed_models):
                scope = []
                run = lambda on_token, cancel, on_evidence=None: _plain_chat(  # noqa: E731
                    library, model, turns, on_token, cancel, max_tokens)
            else:
                raise ApiError(404, f"No model named {model!r} here.", "model_not_found")
            stream = bool(data.get("stream"))
            used = scope if scope is not None else [c.name for c in library.catalog.collections()]
            if stream:
                return _sse(request, queue, run, model), used, question
            async with queue:
                cancel = threading.Event()
                try:
                    result = await asyncio.to_thread(run, None, cancel)
                finally:
                    cancel.set()
            return JSONResponse(_completion(result, model)), used, question
        return await handle(request, "chat.completions", work)

    async def embeddings(request: Request) -> Response:
        async def work(request, info):
            data = await body(request)
            inputs = data.get("input")
            if isinstance(inputs, str):
                inputs = [inputs]
            if (not isinstance(inputs, list) or not inputs or len(inputs) > MAX_EMBED_INPUTS
                    or not all(isinstance(t, str) and 0 < len(t) <= MAX_TEXT_CHARS for t in inputs)):
                raise ApiError(400, f"input must be a text or a list of 1 to {MAX_EMBED_INPUTS} non-empty texts.",
                               "invalid_input")
            embedder = await asyncio.to_thread(lambda: library.embedder)
            vectors = await asyncio.to_thread(embedder.embed_documents, inputs)
            out = {"object": "list", "model": embedder.model_id,
                   "data": [{"object": "embedding", "index": i, "embedding": [float(x) for x in v]}
                            for i, v in enumerate(vectors)],
                   "usage": {"prompt_tokens": sum(len(t.split()) for t in inputs),
                             "total_tokens": sum(len(t.split()) for t in inputs)}}
            return JSONResponse(out), None, None
        return await handle(request, "embeddings", work)

    async def search(request: Request) -> Response:
        async def work(request, info):
            from core.search import SearchEngine

            data = await body(request)
            query, k = data.get("query"), data.get("k", 10)
            if not isinstance(query, str) or not query.strip() or len(query) > MAX_TEXT_CHARS:
                raise ApiError(400, "query must be a non-empty text.", "invalid_query")
            if not isinstance(k, int) or not 1 <= k <= 100:
                raise ApiError(400, "k must be an integer from 1 to 100.", "invalid_k")
            scope = readable(info, data.get("collections"))
            if scope is not None and not scope:
                hits = []
            else:
                hits = await asyncio.to_thread(SearchEngine(library).search, query, k, scope)
            used = scope if scope is not None else [c.name for c in library.catalog.collections()]
            return JSONResponse([h.as_json() for h in hits]), used, query
        return await handle(request, "search", work)

    async def collections(request: Request) -> Response:
        async def work(request, info):
            def listing():
                out = []
                for c in library.catalog.collections():
                    if info.may_read(c.name):
                        out.append({"object": "collection", "name": c.name,
                                    "documents": library.catalog.counts(c.id).get("indexed", 0)})
                return out
            data = await asyncio.to_thread(listing)
            return JSONResponse({"object": "list", "data": data}), [c["name"] for c in data], None
        return await handle(request, "collections", work)

    async def preview(request: Request) -> Response:
        """A citation's preview (page image or text), found by document id only: a path in the
        request is never read, and a document outside the token's collections is "not found",
        exactly like one that does not exist."""
        async def work(request, info):
            from core.preview import preview as make_preview

            data = await body(request)
            doc_id, ordinal, page, width = (data.get(k) for k in ("doc_id", "ordinal", "page", "width"))
            if not isinstance(doc_id, int) or isinstance(doc_id, bool) or doc_id < 1:
                raise ApiError(400, "doc_id must be a document number.", "invalid_document")
            if ordinal is not None and not isinstance(ordinal, int):
                raise ApiError(400, "ordinal must be an integer.", "invalid_document")
            if page is not None and (not isinstance(page, int) or page < 1):
                raise ApiError(400, "page must be a positive integer.", "invalid_page")
            if width is not None and (not isinstance(width, int) or not 0 <= width <= 4000):
                raise ApiError(400, "width must be an integer from 0 to 4000.", "invalid_page")

            def collection_of(doc_id: int) -> str | None:
                row = library.catalog.document_by_id(doc_id)
                if row is None or row.status != "indexed":
                    return None
                names = {c.id: c.name for c in library.catalog.collections()}
                return names.get(row.collection_id)

            name = await asyncio.to_thread(collection_of, doc_id)
            if name is None or not info.may_read(name):
                raise ApiError(404, "No such document.", "document_not_found")
            shown = await asyncio.to_thread(make_preview, library, {"doc_id": doc_id, "ordinal": ordinal},
                                            page, width or 0)
            return JSONResponse(shown.as_json()), [name], None
        return await handle(request, "preview", work)

    return Starlette(routes=[
        Route("/v1/models", models, methods=["GET"]),
        Route("/v1/collections", collections, methods=["GET"]),
        Route("/v1/preview", preview, methods=["POST"]),
        Route("/v1/chat/completions", chat, methods=["POST"]),
        Route("/v1/embeddings", embeddings, methods=["POST"]),
        Route("/v1/search", search, methods=["POST"]),
    ])


def _text(content) -> str:
    """A message's text: a string, or OpenAI's list of parts (text parts kept)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def _history(turns: list[tuple[str, str]]) -> list[Turn]:
    """(user, assistant) pairs from the client's earlier messages (system messages are ignored:
    Lanterne's own instructions stay in charge)."""
    out, pending = [], None
    for role, text in turns:
        if role == "user":
            pending = text
        elif role == "assistant" and pending is not None:
            out.append(Turn(pending, text))
            pending = None
    return out


@dataclass
class _PlainResult:
    answer: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cancelled: bool = False


def _plain_chat(library: Library, model: str, turns, on_token, cancel, max_tokens) -> _PlainResult:
    """An installed model answering the conversation as given, without retrieval."""
    from models.llm import GenerationStats, Message

    llm = library.llm_for(model)
    messages = [Message(role, text) for role, text in turns if role in ("system", "user", "assistant")]
    stats = GenerationStats()
    pieces = []
    for piece in llm.stream_chat(messages, max_tokens=max_tokens or 512, cancel=cancel, stats=stats):
        pieces.append(piece)
        if on_token is not None:
            on_token(piece)
    return _PlainResult("".join(pieces).strip(), llm.model_id, stats.prompt_tokens, stats.completion_tokens,
                        stats.cancelled)


def _extras(result) -> tuple[list[dict], dict | None]:
    if isinstance(result, _PlainResult):
        return [], None
    citations = [{k: c[k] for k in ("n", "path", "page", "text", "heading", "doc_id", "ordinal") if k in c}
                 for c in shown_citations(result)]
    return citations, {"evidence": [e.as_json() for e in result.evidence[:3]],
                       "checks": [c.as_json() for c in result.checks], "cited": result.cited,
                       "not_found": result.not_found}


def _completion(result, model: str) -> dict:
    citations, extra = _extras(result)
    out = {"id": "chatcmpl-" + uuid.uuid4().hex, "object": "chat.completion", "created": int(time.time()),
           "model": model, "choices": [{"index": 0, "message": {"role": "assistant", "content": result.answer},
                                        "finish_reason": "stop"}],
           "usage": {"prompt_tokens": result.prompt_tokens, "completion_tokens": result.completion_tokens,
                     "total_tokens": result.prompt_tokens + result.completion_tokens}}
    if extra is not None:
        out["citations"] = citations
        out["lanterne"] = extra
    return out


def _sse(request: Request, queue: GenerationQueue, run, model: str) -> StreamingResponse:
    """Server-sent events in OpenAI's chunk format; the last chunk carries the citations. The
    generation runs on a thread; a client that goes away sets its cancel event."""
    ident, created = "chatcmpl-" + uuid.uuid4().hex, int(time.time())

    def chunk(delta: dict, finish: str | None = None, **extra) -> str:
        data = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return "data: " + json.dumps(data, ensure_ascii=False) + "\n\n"

    async def events():
        loop = asyncio.get_running_loop()
        pieces: asyncio.Queue = asyncio.Queue()
        cancel = threading.Event()
        try:
            async with queue as position:
                if position:
                    yield ": waiting for " + str(position) + " request(s) ahead\n\n"
                yield chunk({"role": "assistant", "content": ""})

                def work():
                    try:
                        result = run(lambda p: loop.call_soon_threadsafe(pieces.put_nowait, ("token", p)), cancel,
                                     on_evidence=lambda ev: loop.call_soon_threadsafe(
                                         pieces.put_nowait, ("evidence", [e.as_json() for e in ev[:3]])))
                        loop.call_soon_threadsafe(pieces.put_nowait, ("done", result))
                    except BaseException as exc:  # handed to the response
                        loop.call_soon_threadsafe(pieces.put_nowait, ("error", exc))

                threading.Thread(target=work, name="lanterne-api-answer", daemon=True).start()
                while True:
                    kind, value = await pieces.get()
                    if kind == "token":
                        yield chunk({"content": value})
                    elif kind == "evidence":  # before any word: the sentences that hold the answer
                        yield chunk({}, lanterne={"stage": "evidence", "evidence": value})
                    elif kind == "done":
                        citations, extra = _extras(value)
                        extra_fields = {"citations": citations, "lanterne": extra} if extra is not None else {}
                        yield chunk({}, "stop", **extra_fields)
                        break
                    else:
                        message = value.message if isinstance(value, LanterneError) else "Internal error."
                        if not isinstance(value, LanterneError):
                            log.error("streamed answer failed", exc_info=value)
                        yield "data: " + json.dumps({"error": {"message": message, "type": "server_error"}}) + "\n\n"
                        break
                yield "data: [DONE]\n\n"
        finally:
            cancel.set()  # the client disconnected (the generator is closed) or the answer ended

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


# ---------------------------------------------------------------- running it

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def check_bind(host: str, tls: bool, insecure_lan: bool) -> None:
    """Loopback by default; another address only with TLS, or when explicitly told it is fine."""
    if host not in LOOPBACK and not tls and not insecure_lan:
        raise LanterneError(f"Refusing to listen on {host} without TLS: give --tls-cert and --tls-key, or "
                            "--insecure-lan if this network is trusted (tokens would cross it in clear).",
                            code="insecure-bind")


def serve(library: Library, host: str = "127.0.0.1", port: int = 8765, *, tls_cert: str | None = None,
          tls_key: str | None = None, insecure_lan: bool = False, on_ready=None) -> None:
    import uvicorn

    check_bind(host, bool(tls_cert and tls_key), insecure_lan)
    tokens = TokenStore(library.layout.root / "tokens.json")
    if not tokens.list():
        raise LanterneError("No access token exists yet: create one with `lanterne tokens create NAME`.",
                            code="no-tokens")
    app = create_app(library, tokens)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", ssl_certfile=tls_cert,
                            ssl_keyfile=tls_key, lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    if on_ready is not None:
        threading.Thread(target=lambda: (_wait_started(server), on_ready()), daemon=True).start()
    server.run()


def _wait_started(server, limit_s: float = 60.0) -> None:
    end = time.monotonic() + limit_s
    while not server.started and time.monotonic() < end:
        time.sleep(0.05)

