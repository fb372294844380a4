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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lanterne", description="Lanterne: ask your documents, offline.")
    parser.add_argument("--data-dir", help="data folder (default: the user data folder; env LANTERNE_DATA_DIR)")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("index", help="add folders or files to a collection and index them now")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--collection", default="Default")
    p.add_argument("--json", action="store_true", help="print one JSON object with the results")

    p = sub.add_parser("search", help="search the indexed documents")
    p.add_argument("query", nargs="?", help="the question or keywords")
    p.add_argument("--batch", metavar="FILE", help="one query per line; one JSON line of hits per query")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--collection", action="append", help="limit to this collection (repeatable)")
    p.add_argument("--mode", choices=("hybrid", "bm25", "vector"), default="hybrid")
    p.add_argument("--json", action="store_true")

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
    b = bsub.add_parser("retrieval", help="retrieval quality on a SQuAD-format file (R@1, R@5, MRR@10)")
    b.add_argument("squad", metavar="SQUAD.json")
    b.add_argument("--limit", type=int, default=0, help="only the first N questions (0 = all)")
    b.add_argument("--json", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from importlib.metadata import version

        print(version("lanterne"))
        return 0
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
        handler = {"index": cmd_index, "search": cmd_search, "status": cmd_status, "bench": cmd_bench}[args.command]
        return handler(args, data_dir)
    except LanterneError as exc:
        print(f"lanterne: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lanterne: interrupted", file=sys.stderr)
        return 130
    except Exception:
        log.exception("unexpected error in command %s", args.command)
        where = f" (details in {log_file})" if log_file else ""
        print(f"lanterne: unexpected error{where}", file=sys.stderr)
        return 1


def _library(data_dir: Path):
    from core.library import Library

    return Library(data_dir)


def cmd_index(args, data_dir: Path) -> int:
    from core.indexing import IndexingService

    library = _library(data_dir)
    service = IndexingService(library)
    import signal

    def on_signal(*_):
        service.cancel()

    signal.signal(signal.SIGTERM, on_signal)
    try:
        report = service.index(args.paths, args.collection, progress=ProgressPrinter())
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
            print(f"  ✗ {failure['path']}: {failure['reason']}")
        if len(report.failed) > 50:
            print(f"  … and {len(report.failed) - 50} more (lanterne status)")
    return 0


def cmd_search(args, data_dir: Path) -> int:
    from core.errors import LanterneError
    from core.search import SearchEngine

    library = _library(data_dir)
    engine = SearchEngine(library)
    if args.batch:
        try:
            lines = Path(args.batch).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise LanterneError(f"Cannot read {args.batch}: {exc.strerror}", code="not-found") from exc
        out = sys.stdout
        for line in lines:
            hits = engine.search(line, args.k, args.collection, args.mode) if line.strip() else []
            out.write(json.dumps([h.as_json() for h in hits], ensure_ascii=False) + "\n")
        out.flush()
        return 0
    if not args.query:
        raise LanterneError("Give a query, or --batch FILE.", code="usage")
    hits = engine.search(args.query, args.k, args.collection, args.mode)
    if args.json:
        print(json.dumps([h.as_json() for h in hits], ensure_ascii=False))
        return 0
    if not hits:
        print("No results.")
    for n, hit in enumerate(hits, 1):
        from core.paths import display_path

        where = display_path(hit.path) + (f", page {hit.page}" if hit.page else "")
        snippet = " ".join(hit.text.split())[:240]
        print(f"[{n}] {where}  (score {hit.score:.3f})\n    {snippet}")
    return 0


def cmd_status(args, data_dir: Path) -> int:
    from core.paths import display_path

    library = _library(data_dir)
    catalog = library.catalog
    store = library.read_only_store()
    collections = []
    for coll in catalog.collections():
        counts = catalog.counts(coll.id)
        collections.append({
            "name": coll.name,
            "sources": [{"path": display_path(s.path), "kind": s.kind, "excludes": list(s.excludes)}
                        for s in catalog.sources(coll.id)],
            "documents": counts,
            "failures": [{"path": display_path(d.path), "reason": d.reason, "status": d.status}
                         for d in catalog.failures(coll.id)],
        })
    status = {
        "data_dir": str(data_dir),
        "collections": collections,
        "documents": catalog.counts(),
        "chunks": store.count() if store else 0,
        "embedder": {"model": catalog.get_meta("embedder_id") or library.settings.embedder,
                     "dimension": int(catalog.get_meta("embedder_dim") or 0) or None},
        "index_bytes": store.size_bytes() if store else 0,
    }
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=1))
        return 0
    print(f"Data folder: {status['data_dir']}")
    print(f"Embedder: {status['embedder']['model']}  ·  {status['chunks']} chunks  ·  "
          f"index {status['index_bytes'] / 2**20:.1f} MB")
    if not collections:
        print("No collections yet: lanterne index FOLDER")
    for c in collections:
        d = c["documents"]
        print(f"\n{c['name']}: {d['indexed']} indexed, {d['pending'] + d['indexing']} waiting, "
              f"{d['failed']} failed, {d['unsupported']} unsupported")
        for s in c["sources"]:
            print(f"  source: {s['path']}")
        for f in c["failures"][:30]:
            print(f"  ✗ {f['path']}: {f['reason']}")
        if len(c["failures"]) > 30:
            print(f"  … and {len(c['failures']) - 30} more (--json for all)")
    return 0


def cmd_bench(args, data_dir: Path) -> int:
    from core import bench

    fn = {"index": bench.bench_index, "search": bench.bench_search, "retrieval": bench.bench_retrieval}[args.bench]
    result = fn(args, data_dir)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
