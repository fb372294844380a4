"""The command line: drives everything without a screen (tests, benchmarks, automation).

The commands and their JSON output are a contract: keep them stable, extend freely.
Exit codes: 0 success (also when some files failed to index), 1 unexpected error (logged with its
traceback), 2 a problem the user can fix (one clear line on stderr).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

from models import offline  # noqa: F401  (before anything imports Hugging Face libraries)

log = logging.getLogger("lanterne")


def _human_duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"


class ProgressPrinter:
    """Progress on stderr: one rewritten line on a terminal, a line every few seconds otherwise."""

    def __init__(self, stream=sys.stderr) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last = 0.0

    def __call__(self, p) -> None:
        now = time.monotonic()
        final = p.state in ("done", "cancelled")
        if not final and not self.tty and now - self.last < 3.0:
            return
        self.last = now
        if p.state == "scanning":
            line = f"Scanning {p.collection}… {p.current[-60:]}"
        elif p.state == "embedding":
            share = p.vectors_done / p.vectors_total if p.vectors_total else 1.0
            line = (f"Semantic search {p.collection}: {share:.0%} ({p.vectors_done}/{p.vectors_total} chunks) · "
                    "keyword search already works")
        else:
            line = (f"{p.state.capitalize()} {p.collection}: {p.files_done}/{p.files_total} files · "
                    f"{p.pages_done} pages · {p.chunks_done} chunks · {p.rate_chunks_s:.1f} chunks/s · "
                    f"ETA {_human_duration(p.eta_s) if not final else '0s'}"
                    + (f" · {p.failures} problems" if p.failures else ""))
        if self.tty:
            self.stream.write("\r\x1b[2K" + line[:200] + ("\n" if final else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _k_value(text: str) -> int:
    try:
        k = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 1 <= k <= 1000:
        raise argparse.ArgumentTypeError("must be between 1 and 1000")
    return k


def _text_argument(text: str, what: str) -> str:
    """A query or question from the command line must be text: bytes that are not UTF-8 arrive
    as lone surrogates, which nothing downstream can encode."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        from core.errors import LanterneError

        raise LanterneError(f"The {what} is not valid UTF-8 text.", code="usage") from None
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lanterne", description="Lanterne: ask your documents, offline.")
    parser.add_argument("--data-dir", help="data folder (default: the user data folder; env LANTERNE_DATA_DIR)")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--selftest", action="store_true",
                        help="index the bundled samples, search and answer in a temporary folder, offline; exit 0 if all worked")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("index", help="add folders or files to a collection and index them now")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--collection", default="Default")
    p.add_argument("--exclude", action="append", default=[], metavar="PATTERN",
                   help="gitignore-style pattern to skip in these sources (repeatable), on top of the defaults")
    p.add_argument("--json", action="store_true", help="print one JSON object with the results")

    p = sub.add_parser("search", help="search the indexed documents")
    p.add_argument("query", nargs="?", help="the question or keywords")
    p.add_argument("--batch", metavar="FILE", help="one query per line; one JSON line of hits per query")
    p.add_argument("--k", type=_k_value, default=10, help="number of results, 1 to 1000")
    p.add_argument("--collection", action="append", help="limit to this collection (repeatable)")
    p.add_argument("--mode", choices=("hybrid", "bm25", "vector"), default="hybrid")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("ask", help="answer a question from your documents, with cited sources")
    p.add_argument("question", nargs="?")
    p.add_argument("--batch", metavar="FILE", help="one question per line (with --context-only); - for stdin")
    p.add_argument("--context-only", action="store_true",
                   help="print the evidence and exactly what the model would read, without generating")
    p.add_argument("--collection", action="append", help="limit to this collection (repeatable)")
    p.add_argument("--chat", type=int, metavar="ID", help="continue this conversation")
    p.add_argument("--model", help="use this installed model (see: lanterne models list)")
    p.add_argument("--pin", action="append", metavar="PATH",
                   help="read this indexed document whole instead of searching (repeatable; with --chat, "
                        "the conversation keeps its pins)")
    p.add_argument("--json", action="store_true")
    _engine_arguments(p)

    p = sub.add_parser("verify", help="check answers against their sources, sentence by sentence")
    p.add_argument("--batch", metavar="FILE", required=True,
                   help='JSON lines {"answer": str, "sources": [str, ...]}; - for stdin')
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("serve", help="an OpenAI-compatible API for your team (off unless started)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this computer only)")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--tls-cert", metavar="FILE", help="TLS certificate (PEM); needed to listen beyond loopback")
    p.add_argument("--tls-key", metavar="FILE", help="its private key (PEM)")
    p.add_argument("--insecure-lan", action="store_true",
                   help="listen on a non-loopback address without TLS (tokens cross the network in clear)")
    _engine_arguments(p)

    p = sub.add_parser("tokens", help="access tokens for `lanterne serve`")
    tsub = p.add_subparsers(dest="tokens_cmd", required=True)
    t = tsub.add_parser("create", help="create a token (printed once)")
    t.add_argument("name")
    t.add_argument("--collections", help="comma-separated collections it may read (default: all)")
    t.add_argument("--json", action="store_true")
    t = tsub.add_parser("list")
    t.add_argument("--json", action="store_true")
    t = tsub.add_parser("revoke")
    t.add_argument("name")

    p = sub.add_parser("models", help="list, import, remove or choose language models")
    msub = p.add_subparsers(dest="models_cmd", required=True)
    m = msub.add_parser("list")
    m.add_argument("--catalog", action="store_true", help="also list the models available for download")
    m.add_argument("--json", action="store_true")
    m = msub.add_parser("download", help="download a catalog model (resumable, SHA-256 verified)")
    m.add_argument("name", metavar="NAME")
    m.add_argument("--json", action="store_true")
    m = msub.add_parser("import", help="check and copy a GGUF file into the data folder")
    m.add_argument("path", metavar="PATH")
    m.add_argument("--name")
    m.add_argument("--link", action="store_true", help="reference the file where it is instead of copying it")
    m.add_argument("--json", action="store_true")
    m = msub.add_parser("remove")
    m.add_argument("name", metavar="NAME")
    m.add_argument("--json", action="store_true")
    m = msub.add_parser("use", help="make this model the active one")
    m.add_argument("name", metavar="NAME")
    m.add_argument("--json", action="store_true")

    p = sub.add_parser("chats", help="conversations: list, show, delete, export")
    csub = p.add_subparsers(dest="chats_cmd", required=True)
    c = csub.add_parser("list")
    c.add_argument("--search")
    c.add_argument("--json", action="store_true")
    for verb in ("show", "delete", "export"):
        c = csub.add_parser(verb)
        c.add_argument("id", type=int, metavar="ID")
        c.add_argument("--json", action="store_true")
    c = csub.add_parser("rename")
    c.add_argument("id", type=int, metavar="ID")
    c.add_argument("title")
    c.add_argument("--json", action="store_true")

    p = sub.add_parser("watch", help="watch every source and keep the index current until stopped")
    p.add_argument("--json-events", action="store_true", help="one JSON object per event on stdout")
    p.add_argument("--debounce", type=float, default=1.0, metavar="SECONDS", help=argparse.SUPPRESS)

    p = sub.add_parser("status", help="collections, sources, document counts, failures")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("bench", help="benchmarks (print figures and ratios)")
    bsub = p.add_subparsers(dest="bench", required=True)
    b = bsub.add_parser("index", help="indexing throughput: extraction, embedding, end to end")
    b.add_argument("--pages", type=int, default=300)
    b.add_argument("--json", action="store_true")
    b = bsub.add_parser("search", help="search latency at scale (synthetic chunks)")
    b.add_argument("--chunks", type=int, default=100_000)
    b.add_argument("--queries", type=int, default=200)
    b.add_argument("--json", action="store_true")
    b = bsub.add_parser("bigfile", help="peak memory while indexing one very large PDF (~1 GB by default)")
    b.add_argument("--pages", type=int, default=420)
    b.add_argument("--json", action="store_true")
    b = bsub.add_parser("reconcile", help="time to re-check an unchanged tree of N files")
    b.add_argument("--files", type=int, default=10_000)
    b.add_argument("--json", action="store_true")
    b = bsub.add_parser("watch", help="from a save in a watched folder to its indexed event")
    b.add_argument("--files", type=int, default=5_000)
    b.add_argument("--json", action="store_true")
    b = bsub.add_parser("serve", help="`lanterne serve` under concurrent clients; then a SIGKILL and a restart")
    b.add_argument("--clients", type=int, default=8)
    b.add_argument("--questions", type=int, default=2, help="questions per client")
    b.add_argument("--tokens", type=int, default=128, help="max tokens per answer")
    b.add_argument("--json", action="store_true")
    b = bsub.add_parser("answer", help="time to first token (cold, warm), tokens/s through lanterne ask vs a fresh llama-cpp-python process, cancel latency")
    b.add_argument("--tokens", type=int, default=200)
    b.add_argument("--json", action="store_true")
    b = bsub.add_parser("evidence", help="evidence sentences, compact context and answer checker on a SQuAD file")
    b.add_argument("squad", metavar="SQUAD.json")
    b.add_argument("--questions", type=int, default=300, help="questions sampled evenly (0 = all)")
    b.add_argument("--work", metavar="DIR", help=argparse.SUPPRESS)
    b.add_argument("--json", action="store_true")
    b = bsub.add_parser("ocr", help="scans of a SQuAD file's articles: R@5 scan vs PDF, pages/s, memory, CER")
    b.add_argument("squad", metavar="SQUAD.json")
    b.add_argument("--articles", type=int, default=0, help="only the first N articles (0 = all)")
    b.add_argument("--cer-pages", type=int, default=12, help="clean 300-dpi pages for the character error rate")
    b.add_argument("--work", metavar="DIR", help=argparse.SUPPRESS)
    b.add_argument("--json", action="store_true")
    b = bsub.add_parser("retrieval", help="retrieval quality on a SQuAD-format file (R@1, R@5, MRR@10)")
    b.add_argument("squad", metavar="SQUAD.json")
    b.add_argument("--limit", type=int, default=0, help="only the first N questions (0 = all)")
    b.add_argument("--work", metavar="DIR", help=argparse.SUPPRESS)  # keep (and reuse) the documents and index
    b.add_argument("--json", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from importlib.metadata import version

        print(version("lanterne"))
        return 0
    if args.selftest:
        from core.selftest import run

        return run()
    from core.errors import LanterneError
    from core.logs import setup_logging
    from core.paths import resolve_data_dir

    data_dir = resolve_data_dir(args.data_dir)
    log_file = None
    try:
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            log_file = setup_logging(data_dir / "logs")
        except OSError as exc:
            from core.errors import from_os_error

            raise from_os_error(exc, f"the data folder {data_dir}") from exc
        if args.command is None:
            parser.print_help()
            return 0
        log.info("command %s (data folder %s)", args.command, data_dir)
        handler = {"index": cmd_index, "search": cmd_search, "status": cmd_status, "bench": cmd_bench,
                   "ask": cmd_ask, "models": cmd_models, "chats": cmd_chats, "watch": cmd_watch,
                   "verify": cmd_verify, "serve": cmd_serve, "tokens": cmd_tokens}[args.command]
        return handler(args, data_dir)
    except LanterneError as exc:
        print(f"lanterne: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lanterne: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # output piped into `head` (or a closed terminal): not an error of ours
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
    except Exception:
        log.exception("unexpected error in command %s", args.command)
        where = f" (details in {log_file})" if log_file else ""
        print(f"lanterne: unexpected error{where}", file=sys.stderr)
        return 1


def _library(data_dir: Path):
    import atexit

    from core.library import Library

    library = Library(data_dir)

    def tell() -> None:
        for notice in library.notices:
            print(f"lanterne: {notice}", file=sys.stderr)

    atexit.register(tell)
    return library


def cmd_index(args, data_dir: Path) -> int:
    from core.indexing import IndexingService
    from core.paths import terminal_safe

    library = _library(data_dir)
    service = IndexingService(library)
    import signal

    def on_signal(*_):
        service.cancel()

    signal.signal(signal.SIGTERM, on_signal)
    try:
        report = service.index(args.paths, args.collection, progress=ProgressPrinter(), excludes=args.exclude)
    except KeyboardInterrupt:
        service.cancel()
        raise
    finally:
        library.close()
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print(f"{report.indexed} indexed, {report.unchanged} unchanged, {report.removed} removed, "
              f"{len(report.failed)} problems · {report.chunks} chunks in {report.seconds:.1f} s")
        for failure in report.failed[:50]:
            print(f"  ✗ {terminal_safe(failure['path'])}: {failure['reason']}")
        if len(report.failed) > 50:
            print(f"  … and {len(report.failed) - 50} more (lanterne status)")
    return 0


def cmd_search(args, data_dir: Path) -> int:
    from core.errors import LanterneError
    from core.search import SearchEngine

    library = _library(data_dir)
    engine = SearchEngine(library)
    if args.batch:
        lines = _read_lines(args.batch)
        _index_ready(library)
        out = sys.stdout
        for line in lines:
            hits = engine.search(line, args.k, args.collection, args.mode) if line.strip() else []
            out.write(json.dumps([h.as_json() for h in hits], ensure_ascii=False) + "\n")
        out.flush()
        return 0
    if not args.query:
        raise LanterneError("Give a query, or --batch FILE.", code="usage")
    _text_argument(args.query, "query")
    _index_ready(library)
    hits = engine.search(args.query, args.k, args.collection, args.mode)
    if args.json:
        print(json.dumps([h.as_json() for h in hits], ensure_ascii=False))
        return 0
    if not hits:
        print("No results.")
    for n, hit in enumerate(hits, 1):
        from core.paths import display_path, terminal_safe

        from core.answer import where_text

        where = terminal_safe(display_path(hit.path) + where_text(hit.page, hit.heading, hit.rows))
        snippet = terminal_safe(" ".join(hit.text.split())[:240])
        print(f"[{n}] {where}  (score {hit.score:.3f})\n    {snippet}")
    return 0


def _read_lines(name: str) -> list[str]:
    """The lines of a --batch file (or stdin for -), which must be UTF-8 text."""
    from core.errors import LanterneError

    try:
        raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        raise LanterneError(f"Cannot read {name}: {exc.strerror}", code="not-found") from exc
    try:
        return raw.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise LanterneError(f"{name} is not UTF-8 text (line {line}).", code="bad-input") from None


def cmd_verify(args, data_dir: Path) -> int:
    """One JSON line per input line: each sentence of the answer, supported or not, and by which of
    that line's sources (1-based). The checker of the window and of `ask --json`."""
    from core.errors import LanterneError
    from core.verify import LazyEmbedder, check_answer

    def load():  # only for a "question : answer" claim worded unlike its sources
        from core.library import embedder_for
        from core.paths import DataLayout
        from core.settings import Settings

        return embedder_for(Settings.load(DataLayout(data_dir).settings))

    embedder = LazyEmbedder(load)
    out = sys.stdout
    for number, line in enumerate(_read_lines(args.batch), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            answer, sources = item["answer"], item.get("sources", [])
            if not isinstance(answer, str) or not isinstance(sources, list) or not all(isinstance(x, str) for x in sources):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise LanterneError(f'Line {number} is not {{"answer": str, "sources": [str, ...]}}.', code="bad-input") from None
        checks = check_answer(answer, sources, embedder=embedder)
        if args.json:
            out.write(json.dumps({"sentences": [c.as_json("text") for c in checks]}, ensure_ascii=False) + "\n")
        else:
            for c in checks:
                mark = "✓" if c.supported else "✗ not found in the sources"
                out.write(f"{mark} {c.text}" + (f" [{', '.join(map(str, c.sources))}]" if c.sources else "") + "\n")
        out.flush()
    return 0


def _index_ready(library) -> None:
    """A search over an index that is empty while the catalog has documents waiting (the index
    was deleted or damaged and is being rebuilt) must say so rather than print no results."""
    from core.errors import LanterneError

    store = library.store
    counts = library.catalog.counts()
    rebuilding = counts["pending"] + counts["indexing"] > 0 or bool(library.catalog.get_meta("rebuild_pending"))
    if store.count() == 0 and rebuilding:
        raise LanterneError("The search index is being rebuilt from your documents: run `lanterne index` "
                            "(or keep `lanterne watch` running), then search again.", code="index-rebuilding")


def cmd_ask(args, data_dir: Path) -> int:
    import os
    import signal
    import threading

    from core.answer import AnswerEngine
    from core.paths import display_path, terminal_safe

    from core.errors import LanterneError

    if args.pin and args.context_only:
        raise LanterneError("--context-only shows what a search gives the model; --pin reads whole documents.",
                            code="usage")
    if args.batch and not args.context_only:
        raise LanterneError("--batch is for --context-only; ask one question at a time otherwise.", code="usage")
    if not args.batch and not args.question:
        raise LanterneError("Ask a question (or --batch FILE --context-only).", code="usage")
    library = _library(data_dir)
    _apply_engine(args, library)
    try:
        if args.model and library.remote_engine() is None:
            library.registry.get(args.model)  # an unknown name is refused before any work
        if args.context_only:
            engine = AnswerEngine(library, model_future=library.llm_future(args.model))
            questions = _read_lines(args.batch) if args.batch else [args.question]
            for question in questions:
                _text_argument(question, "question")
                data = engine.context_only(question, collections=args.collection)
                if args.json:
                    print(json.dumps(data, ensure_ascii=False), flush=True)
                else:
                    for ev in data["evidence"][:3]:
                        print(f"• {ev['text']}  ({os.path.basename(ev['path'])}" + (f", p. {ev['page']}" if ev["page"] else "") + ")")
                    print(f"({len(data['context'])} sources, {data['context_tokens']} tokens)")
            return 0
        from core.conversations import ConversationService

        cancel = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: cancel.set())
        streaming = not args.json

        def on_token(piece: str) -> None:
            if streaming:
                sys.stdout.write(piece)
                sys.stdout.flush()

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage == "reading" and done < total and total > 1 and not args.json:
                print(f"(reading the pinned documents: part {min(done + 1, total)} of {total})", file=sys.stderr,
                      flush=True)

        _text_argument(args.question, "question")
        saved = ConversationService(library).ask(args.chat, args.question, scope=args.collection or None,
                                                 model=args.model, on_token=on_token, cancel=cancel,
                                                 pinned=args.pin, on_progress=on_progress)
        result = saved.result
        if args.json:
            print(json.dumps(saved.as_json(), ensure_ascii=False))
            return 0
        sys.stdout.write("\n")
        if result.cancelled:
            print("(stopped)")
        unverified = [c.text for c in result.checks if not c.supported]
        if unverified and len(unverified) == len(result.checks):
            print("\n(!) Nothing in this answer could be verified in your documents: do not rely on it.")
        elif unverified:
            print("\n(!) Not verified in your documents:")
            for text in unverified:
                print(f"  ✗ {terminal_safe(text)}")
        if result.evidence and not result.cited:
            print("\nIn your documents:")
            for ev in result.evidence[:3]:
                where = os.path.basename(display_path(ev.path)) + (f", page {ev.page}" if ev.page else "")
                print(f"  • {terminal_safe(ev.text)} ({terminal_safe(where)})")
        if result.citations:
            print("\nSources:")
            for c in result.citations:
                from core.answer import where_text

                page = terminal_safe(where_text(c.page, c.heading, c.rows))
                name = terminal_safe(display_path(c.path))
                print(f"  [{c.n}] {os.path.basename(name)}{page} — {name}")
        elif not result.sources:
            print("\n(No passage of your documents matched this question.)")
        if result.pinned:
            names = ", ".join(os.path.basename(display_path(p)) for p in result.pinned)
            how = "in one pass" if result.parts <= 1 else f"in {result.parts} parts"
            print(f"\n(Read whole, {how}: {terminal_safe(names)})")
        chat = f"conversation {saved.chat_id}" if saved.chat_id is not None else "not saved"
        print(f"\n[{result.model} · first word after {result.ttft_s:.2f} s · {result.tokens_per_s:.1f} tokens/s · "
              f"{chat}]", file=sys.stderr)
        return 0
    finally:
        library.close()


def _engine_arguments(p) -> None:
    p.add_argument("--engine-url", metavar="URL",
                   help="answer with an OpenAI-compatible engine (llama.cpp server, vLLM, Ollama…) at this base URL")
    p.add_argument("--engine-model", metavar="NAME", help="the engine's model name")
    p.add_argument("--engine-key-env", metavar="VAR", help="environment variable holding the engine's API key")


def _apply_engine(args, library) -> None:
    """--engine-* flags override the settings for this command (not saved)."""
    if getattr(args, "engine_url", None):
        library.settings.answer_engine_url = args.engine_url
        library.settings.answer_engine_model = args.engine_model or library.settings.answer_engine_model
        library.settings.answer_engine_key_env = args.engine_key_env or library.settings.answer_engine_key_env


def cmd_serve(args, data_dir: Path) -> int:
    from core.errors import LanterneError
    from core.server import check_bind, serve

    check_bind(args.host, bool(args.tls_cert and args.tls_key), args.insecure_lan)  # before any loading
    if bool(args.tls_cert) != bool(args.tls_key):
        raise LanterneError("Give both --tls-cert and --tls-key.", code="usage")
    if not 0 < args.port < 65536:
        raise LanterneError("--port must be 1 to 65535.", code="usage")
    library = _library(data_dir)
    _apply_engine(args, library)

    def stop(*_):
        raise KeyboardInterrupt

    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then raises the signal again with the handler
    # found before it started: this one, so the library is closed and the exit status is 0
    import signal

    signal.signal(signal.SIGTERM, stop)
    scheme = "https" if args.tls_cert else "http"
    try:
        serve(library, args.host, args.port, tls_cert=args.tls_cert, tls_key=args.tls_key,
              insecure_lan=args.insecure_lan,
              on_ready=lambda: print(f"Lanterne API on {scheme}://{args.host}:{args.port}/v1 "
                                     "(OpenAI-compatible; model 'lanterne')", file=sys.stderr, flush=True))
    except KeyboardInterrupt:
        pass
    finally:
        library.close()
    return 0


def cmd_tokens(args, data_dir: Path) -> int:
    from core.paths import DataLayout
    from core.tokens import TokenStore

    layout = DataLayout(data_dir).ensure()
    store = TokenStore(layout.root / "tokens.json")
    if args.tokens_cmd == "create":
        collections = [c.strip() for c in args.collections.split(",") if c.strip()] if args.collections else None
        token = store.create(args.name, collections)
        if args.json:
            print(json.dumps({"token": token, "name": args.name, "collections": collections}))
        else:
            print(token)
            print("Keep it now: it is not stored and cannot be shown again.", file=sys.stderr)
        return 0
    if args.tokens_cmd == "list":
        infos = store.list()
        if args.json:
            print(json.dumps([i.as_json() for i in infos], ensure_ascii=False, indent=1))
        for i in infos if not args.json else []:
            scope = ", ".join(i.collections) if i.collections is not None else "all collections"
            print(f"{i.name}: {scope} (created {time.strftime('%Y-%m-%d', time.localtime(i.created_at))})")
        return 0
    store.revoke(args.name)
    print(f"Revoked {args.name}", file=sys.stderr)
    return 0


def cmd_models(args, data_dir: Path) -> int:
    library = _library(data_dir)
    registry = library.registry
    if args.models_cmd == "list":
        from models.catalog import CATALOG

        active = registry.active().name
        models = registry.list()
        offline = library.settings.strict_offline
        if args.json:
            out = [{**m.as_json(), "active": m.name == active} for m in models]
            if args.catalog and not offline:
                return print(json.dumps({"installed": out, "catalog": [c.as_json() for c in CATALOG]},
                                        ensure_ascii=False, indent=1)) or 0
            print(json.dumps(out, ensure_ascii=False, indent=1))
            return 0
        for m in models:
            mark = "*" if m.name == active else " "
            print(f"{mark} {m.name:32s} {m.quantization:7s} {m.size / 2**20:8.0f} MB  ctx {m.context_length:>6}  "
                  f"RAM ~{m.ram_bytes / 2**30:.1f} GB  {m.license}  ({m.source})")
            if m.notes:
                print(f"    {m.notes}")
        if args.catalog and not offline:
            print("\nAvailable for download (lanterne models download NAME):")
            for c in CATALOG:
                print(f"  {c.name:34s} {c.size_gb:5.1f} GB  RAM {c.ram_gb:.0f} GB  {c.languages}  ({c.license})")
        return 0
    if args.models_cmd == "download":
        def show(done: int, total: int) -> None:
            if total:
                sys.stderr.write(f"\r{done / 2**20:8.0f} / {total / 2**20:.0f} MB  ({100 * done / total:5.1f} %)")
                sys.stderr.flush()

        entry = registry.download(args.name, progress=show, strict_offline=library.settings.strict_offline)
        sys.stderr.write("\n")
        print(json.dumps(entry.as_json(), ensure_ascii=False) if args.json else f"Downloaded and verified {entry.name}")
        return 0
    if args.models_cmd == "import":
        entry = registry.add_file(args.path, name=args.name, link=args.link)
        out = entry.as_json()
    elif args.models_cmd == "remove":
        library.remove_model(args.name)
        out = {"removed": args.name}
    else:
        entry = registry.use(args.name)
        out = {**entry.as_json(), "active": True}
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print({"import": f"Imported {out.get('name')}", "remove": f"Removed {args.name}",
               "use": f"Active model: {args.name}"}[args.models_cmd])
    return 0


def cmd_chats(args, data_dir: Path) -> int:
    library = _library(data_dir)
    chats = library.chats
    cmd = args.chats_cmd
    if cmd == "list":
        convs = chats.list(args.search)
        if args.json:
            print(json.dumps([c.as_json() for c in convs], ensure_ascii=False))
        else:
            for c in convs:
                print(f"{c.id:5d}  {time.strftime('%Y-%m-%d %H:%M', time.localtime(c.updated_at))}  {c.title}")
        return 0
    if cmd == "show":
        conv = chats.get(args.id)
        if args.json:
            print(json.dumps(conv.as_json(with_turns=True), ensure_ascii=False))
        else:
            print(chats.export_markdown(args.id))
        return 0
    if cmd == "export":
        text = chats.export_markdown(args.id)
        print(json.dumps({"markdown": text}, ensure_ascii=False) if args.json else text)
        return 0
    if cmd == "rename":
        chats.rename(args.id, args.title)
    else:
        chats.delete(args.id)
    if args.json:
        print(json.dumps({"ok": True, "id": args.id}))
    return 0


def cmd_watch(args, data_dir: Path) -> int:
    import signal
    import threading

    from core.paths import terminal_safe
    from core.errors import LanterneError
    from core.watch import WatchEvent, WatchService

    library = _library(data_dir)
    if not library.catalog.sources():
        raise LanterneError("No sources to watch yet: add some with `lanterne index FOLDER`.", code="no-sources")
    stop = threading.Event()
    lock = threading.Lock()

    def on_event(event) -> None:
        with lock:
            if args.json_events:
                sys.stdout.write(json.dumps(event.as_json(), ensure_ascii=False) + "\n")
                sys.stdout.flush()
            else:
                data = event.as_json()
                detail = " ".join(f"{k}={v}" for k, v in data.items() if k not in ("event", "time", "source", "path"))
                where = terminal_safe(event.path or event.source)
                print(f"{time.strftime('%H:%M:%S')} {event.kind:14s} {where} {terminal_safe(detail)}".rstrip(),
                      file=sys.stderr, flush=True)
        log.info("watch event %s", event.as_json())

    watcher = WatchService(library, debounce_s=args.debounce, on_event=on_event)
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    on_event(WatchEvent("started", source=str(data_dir), detail={"sources": len(library.catalog.sources())}))
    watcher.start()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        watcher.stop()  # cancels the running batch; what was embedded is committed first
        library.close()
    return 0


def cmd_status(args, data_dir: Path) -> int:
    from core.paths import terminal_safe
    from core.status import collect

    library = _library(data_dir)
    status = collect(library).as_json(str(data_dir))
    collections = status["collections"]
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=1))
        return 0
    print(f"Data folder: {status['data_dir']}")
    semantic = "" if status["semantic_share"] >= 1.0 else f"  ·  semantic search {status['semantic_share']:.0%}"
    print(f"Embedder: {status['embedder']['model']}  ·  {status['chunks']} chunks  ·  "
          f"index {status['index_bytes'] / 2**20:.1f} MB{semantic}")
    if not collections:
        print("No collections yet: lanterne index FOLDER")
    for c in collections:
        d = c["documents"]
        print(f"\n{c['name']}: {d['indexed']} indexed, {d['pending'] + d['indexing']} waiting, "
              f"{d['failed']} failed, {d['unsupported']} unsupported")
        for s in c["sources"]:
            print(f"  source: {terminal_safe(s['path'])}")
        for f in c["failures"][:30]:
            print(f"  ✗ {terminal_safe(f['path'])}: {f['reason']}")
        if len(c["failures"]) > 30:
            print(f"  … and {len(c['failures']) - 30} more (--json for all)")
    return 0


def cmd_bench(args, data_dir: Path) -> int:
    from core import bench

    fn = {"index": bench.bench_index, "search": bench.bench_search, "retrieval": bench.bench_retrieval,
          "answer": bench.bench_answer, "reconcile": bench.bench_reconcile, "watch": bench.bench_watch, "bigfile": bench.bench_bigfile,
          "evidence": bench.bench_evidence, "ocr": bench.bench_ocr, "serve": bench.bench_serve}[args.bench]
    result = fn(args, data_dir)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
