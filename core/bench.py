"""Benchmarks: commands that print figures and ratios (machines are noisy: tests assert behaviour,
benchmarks measure). Each works in a temporary data folder and removes it afterwards."""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

from core.docgen import FORMATS, filler_paragraphs, write_document


def _say(*parts) -> None:
    print(*parts, flush=True)


def _tmpdir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


# ---------------------------------------------------------------- indexing throughput

def bench_index(args, data_dir: Path) -> dict:
    """pages/s for extraction alone, embedding alone and end to end on generated documents."""
    from core.indexing import IndexingService
    from core.library import Library
    from indexer.workers import ExtractionPool, Job, WorkerConfig

    work = _tmpdir("lanterne-bench-index-")
    try:
        rng = random.Random(42)
        docs_dir = work / "docs"
        docs_dir.mkdir()
        pages_per_doc, chars_per_page = 8, 3000
        n_docs = max(1, args.pages // pages_per_doc)
        formats = ["pdf", "docx", "txt", "html", "md", "odt"]
        for i in range(n_docs):
            fmt = formats[i % len(formats)]
            write_document(docs_dir / f"doc-{i:04d}.{fmt}", f"Document {i}", filler_paragraphs(rng, pages_per_doc * chars_per_page), fmt)
        pages = n_docs * pages_per_doc
        library = Library(work / "data")
        embedder = library.embedder
        settings = library.settings
        _say(f"corpus: {n_docs} documents, {pages} pages ({', '.join(formats)}); "
             f"{settings.indexing_workers} extraction worker(s), {settings.embed_threads} embedding threads, {os.cpu_count()} cores")

        config = WorkerConfig(tokenizer_file=str(embedder.tokenizer_file), max_tokens=embedder.content_tokens,
                              target_tokens=settings.chunk_tokens, overlap_tokens=settings.chunk_overlap)
        t0 = time.perf_counter()
        texts: list[str] = []
        with ExtractionPool(config, workers=settings.indexing_workers) as pool:
            for result in pool.run(Job(p, str(p)) for p in sorted(docs_dir.iterdir())):
                texts.extend(c.embed_text for c in result.chunks)
        extract_s = time.perf_counter() - t0
        _say(f"extraction + chunking alone: {pages / extract_s:8.1f} pages/s  ({len(texts)} chunks, {extract_s:.1f} s)")

        embedder.embed_documents(texts[:64])  # warm-up
        t0 = time.perf_counter()
        for i in range(0, len(texts), 256):
            embedder.embed_documents(texts[i:i + 256])
        embed_s = time.perf_counter() - t0
        _say(f"embedding alone:             {pages / embed_s:8.1f} pages/s  ({len(texts) / embed_s:.1f} chunks/s, {embed_s:.1f} s)")

        t0 = time.perf_counter()
        report = IndexingService(library).index([str(docs_dir)], "Bench")
        e2e_s = time.perf_counter() - t0
        _say(f"end to end (lanterne index): {pages / e2e_s:8.1f} pages/s  ({report.chunks} chunks, {e2e_s:.1f} s, "
             f"{len(report.failed)} failures)")
        ratio = (pages / e2e_s) / (pages / embed_s)
        _say(f"ratio end-to-end / embedding-alone: {ratio:.2f}  (target >= 0.80)")
        library.close()
        return {"pages": pages, "chunks": len(texts), "extract_pages_s": pages / extract_s,
                "embed_pages_s": pages / embed_s, "e2e_pages_s": pages / e2e_s, "ratio": ratio}
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- search latency

def bench_search(args, data_dir: Path) -> dict:
    """Latency of BM25, vector and hybrid search over N synthetic chunks (real query embedding)."""
    import numpy as np

    from core.library import Library
    from core.search import SearchEngine
    from indexer.textproc import analyze
    from indexer.types import ChunkData
    from indexer.writer import DocumentWrite, IndexWriter

    work = _tmpdir("lanterne-bench-search-")
    try:
        library = Library(work / "data")
        store = library.store
        dim = store.dim
        rng = np.random.default_rng(7)
        words = sorted({w for p in filler_paragraphs(random.Random(1), 60_000) for w in re.findall(r"\w+", p.lower())})
        vocab = words + [f"terme{i}" for i in range(20_000)]
        zipf = 1.0 / np.arange(1, len(vocab) + 1) ** 1.05
        zipf /= zipf.sum()
        n = args.chunks
        t0 = time.perf_counter()
        # through the index writer, as indexing does (search returns only live generations)
        coll = library.catalog.ensure_collection("Bench")
        writer = IndexWriter(library.catalog, store)
        per_doc, batch_docs = 20, 1_000
        for first in range(0, (n + per_doc - 1) // per_doc, batch_docs):
            docs = []
            for d in range(first, min(first + batch_docs, (n + per_doc - 1) // per_doc)):
                count = min(per_doc, n - d * per_doc)
                ids = rng.choice(len(vocab), size=(count, 120), p=zipf)
                texts = [" ".join(vocab[j] for j in row) for row in ids]
                path = f"/bench/doc-{d}.txt"
                row = library.catalog.upsert_document(coll.id, None, path, 1, 1)
                docs.append(DocumentWrite(row.id, path, coll.id, [
                    ChunkData(i, t, 1, "", 0, len(t), 120, terms=analyze(t, "fr")) for i, t in enumerate(texts)],
                    lang="fr", pages=1, size=1, mtime_ns=1, hash="x"))
            vecs = rng.standard_normal((sum(len(doc.chunks) for doc in docs), dim)).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            writer.commit(docs, vecs)
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        store.maintain(force_fts=True)
        maintain_s = time.perf_counter() - t0
        _say(f"{n} synthetic chunks loaded in {load_s:.1f} s; index maintenance {maintain_s:.1f} s; "
             f"table {store.count()} rows")

        engine = SearchEngine(library)
        qrng = random.Random(3)
        queries = [" ".join(qrng.choice(words) for _ in range(qrng.randint(2, 6))) for _ in range(args.queries)]
        for q in queries[:5]:
            engine.search(q, 10)  # warm caches
        results = {}
        for label, fn in (
            ("bm25", lambda q: store.text_search(analyze(q, "fr"), 10)),
            ("vector", lambda q: store.vector_search(rng.standard_normal(dim).astype(np.float32), 10)),
            ("hybrid (query embedding included)", lambda q: engine.search(q, 10)),
        ):
            times = []
            for q in queries:
                t = time.perf_counter()
                fn(q)
                times.append((time.perf_counter() - t) * 1000)
            times.sort()
            p50, p95 = statistics.median(times), times[int(0.95 * (len(times) - 1))]
            results[label] = {"p50_ms": p50, "p95_ms": p95}
            _say(f"{label:36s} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
        _say("target: hybrid p50 < 50 ms")
        library.close()
        return {"chunks": n, **results}
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- retrieval quality

def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).lower()


def _squad_library(squad: dict, work: Path, limit: int = 0):
    """The articles of a SQuAD file written as documents in rotating formats and indexed in
    ``work`` (reused when already there), and the questions: (question, path, normalised answers,
    context paragraph, answer start, original answer)."""
    from core.indexing import IndexingService
    from core.library import Library

    docs_dir = work / "docs"
    docs_dir.mkdir(parents=True, exist_ok=True)
    questions: list[tuple] = []
    for i, article in enumerate(squad["data"]):
        fmt = FORMATS[i % len(FORMATS)]
        title = article.get("title") or f"Article {i}"
        safe = re.sub(r"[^\w-]+", "_", title)[:40]
        path = docs_dir / f"{i:03d}-{safe}.{fmt}"
        if not path.exists():
            write_document(path, title, [p["context"] for p in article["paragraphs"]], fmt)
        for para in article["paragraphs"]:
            for qa in para["qas"]:
                answers = [_norm(a["text"]) for a in qa.get("answers", []) if a.get("text")]
                if answers:
                    first = qa["answers"][0]
                    questions.append((qa["question"], str(path), answers, para["context"],
                                      first.get("answer_start", -1), first["text"]))
    if limit:
        questions = questions[:limit]
    library = Library(work / "data")
    t0 = time.perf_counter()
    report = IndexingService(library).index([str(docs_dir)], "Bench")
    _say(f"{len(squad['data'])} documents ({', '.join(FORMATS)}), {report.chunks} chunks, indexed in "
         f"{time.perf_counter() - t0:.1f} s; {len(questions)} questions; embedder {library.embedder.model_id}")
    return library, questions, report


def bench_retrieval(args, data_dir: Path) -> dict:
    """R@1, R@5 and MRR@10 for BM25 only, vector only, plain RRF and the shipped hybrid, on a SQuAD
    file. Articles become documents in rotating formats; a hit is a chunk of the right document
    that contains the answer text."""
    from core.search import SearchEngine, rrf

    try:
        squad = json.loads(Path(args.squad).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        from core.errors import LanterneError

        raise LanterneError(f"Cannot read {args.squad}: {exc}", code="bad-input") from exc
    keep = Path(args.work) if getattr(args, "work", None) else None
    work = keep or _tmpdir("lanterne-bench-retrieval-")
    try:
        library, questions, report = _squad_library(squad, work, args.limit)
        engine = SearchEngine(library)
        modes = ("bm25", "vector", "rrf", "hybrid")
        ranks: dict[str, list[int | None]] = {m: [] for m in modes}
        t0 = time.perf_counter()
        for question, path, answers, *_ in questions:
            bm25_rows, vec_rows, langs = engine.retrieve(question, engine.weights.candidates, None)
            lists = {
                "bm25": [(r["path"], r["text"]) for r in bm25_rows[:10]],
                "vector": [(r["path"], r["text"]) for r in vec_rows[:10]],
            }
            by_id = {r["chunk_id"]: r for r in vec_rows + bm25_rows}
            lists["rrf"] = [(by_id[c]["path"], by_id[c]["text"]) for c in rrf(bm25_rows, vec_rows, 10)]
            lists["hybrid"] = [(h.path, h.text) for h in engine.fuse(bm25_rows, vec_rows, langs, 10)]
            for mode in modes:
                rank = None
                for position, (hit_path, text) in enumerate(lists[mode], 1):
                    if hit_path == path and any(a in _norm(text) for a in answers):
                        rank = position
                        break
                ranks[mode].append(rank)
        per_query_ms = (time.perf_counter() - t0) / max(len(questions), 1) * 1000
        out = {}
        _say(f"{'':8s} {'R@1':>6s} {'R@5':>6s} {'MRR@10':>7s}")
        for mode in modes:
            r = ranks[mode]
            n = max(len(r), 1)
            r1 = sum(1 for x in r if x == 1) / n
            r5 = sum(1 for x in r if x is not None and x <= 5) / n
            mrr = sum(1.0 / x for x in r if x is not None) / n
            out[mode] = {"R@1": r1, "R@5": r5, "MRR@10": mrr}
            label = "hybrid*" if mode == "hybrid" else mode
            _say(f"{label:8s} {r1:6.3f} {r5:6.3f} {mrr:7.3f}")
        _say(f"* shipped search. Targets: R@5 >= 0.95, R@1 >= 0.80. {per_query_ms:.1f} ms per question (all modes)")
        library.close()
        return {"questions": len(questions), "chunks": report.chunks, **out}
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def bench_evidence(args, data_dir: Path) -> dict:
    """Evidence sentences, the compact context and the answer checker on a SQuAD file, whose answer
    spans give the gold sentence: evidence@1/@3, the answer's presence in the context against its
    tokens (and in the top passages sent whole), and the checker's rates on false claims (the gold
    sentence with its answer swapped for another number or name of the same document) and true ones
    (verbatim, and "question : answer")."""
    from core.evidence import compact_context, rank_evidence
    from core.search import SearchEngine
    from core.verify import check_answer
    from indexer.chunker import split_sentences
    from indexer.textproc import STOP_WORDS

    squad = json.loads(Path(args.squad).read_text(encoding="utf-8"))
    keep = Path(args.work) if getattr(args, "work", None) else None
    work = keep or _tmpdir("lanterne-bench-evidence-")
    try:
        library, questions, _ = _squad_library(squad, work)
        step = max(1, len(questions) // args.questions) if args.questions else 1
        sample = questions[::step][:args.questions or None]
        engine, embedder = SearchEngine(library), library.embedder
        e1 = e3 = in_ctx = in_whole = 0
        ctx_tokens, whole_tokens, ms = [], [], []
        for question, path, answers, *_ in sample:
            hits = engine.search(question, 4)
            t0 = time.perf_counter()
            evidence = rank_evidence(question, hits, embedder=embedder, lang="fr", limit=8,
                                     query_vector=engine.query_vector(question))  # as ask does
            ms.append((time.perf_counter() - t0) * 1000)
            good = [e.path == path and any(a in _norm(e.text) for a in answers) for e in evidence]
            e1 += bool(good) and good[0]
            e3 += any(good[:3])
            context = compact_context(hits, evidence, sentences=4, neighbours=1)
            in_ctx += any(c.hit.path == path and any(a in _norm(c.text) for a in answers) for c in context)
            in_whole += any(h.path == path and any(a in _norm(h.text) for a in answers) for h in hits)
            ctx_tokens.append(sum(embedder.count_tokens(c.text) for c in context))
            whole_tokens.append(sum(embedder.count_tokens(h.text) for h in hits))
        n = max(len(sample), 1)
        out = {"questions": len(sample), "evidence@1": e1 / n, "evidence@3": e3 / n, "context_has_answer": in_ctx / n,
               "context_tokens_median": statistics.median(ctx_tokens or [0]), "whole_has_answer": in_whole / n,
               "whole_tokens_median": statistics.median(whole_tokens or [0]),
               "evidence_ms_p50": statistics.median(ms or [0])}
        _say(f"evidence@1 {out['evidence@1']:.3f}  evidence@3 {out['evidence@3']:.3f}  (targets 0.75, 0.90; "
             f"{out['evidence_ms_p50']:.0f} ms a question, {len(sample)} questions)")
        _say(f"answer in the compact context {out['context_has_answer']:.3f} at a median {out['context_tokens_median']:.0f} "
             f"tokens; in the 4 passages sent whole {out['whole_has_answer']:.3f} at {out['whole_tokens_median']:.0f}")

        # the checker, on claims built from the gold sentences
        rng = random.Random(11)
        stop = STOP_WORDS["fr"] | STOP_WORDS["en"]
        number = re.compile(r"\d+(?:[ ,.]\d+)*")
        capital = re.compile(r"\b[A-ZÀ-Ý][\w'’-]+(?:\s+(?:de |d'|du |des |la |le )?[A-ZÀ-Ý][\w'’-]+)*")
        true_verbatim = true_qa = flagged = flagged_qa = n_true = n_false = 0
        by_doc: dict[str, tuple[set, set, list]] = {}
        for article in squad["data"]:
            paras = [p["context"] for p in article["paragraphs"]]
            text = " ".join(paras)
            nums = {m.group(0) for m in number.finditer(text)}
            caps = {m.group(0) for m in capital.finditer(text) if len(m.group(0)) > 2 and m.group(0).lower() not in stop}
            for p in paras:
                by_doc[p] = (nums, caps, paras)
        for question, _path, _answers, context, start, answer in questions:
            nums, caps, paras = by_doc[context]
            span = next(((s, e) for s, e in split_sentences(context) if s <= start < e), None)
            if span is None or answer not in context[span[0]:span[1]]:
                continue
            gold = context[span[0]:span[1]]
            sources = [context] + [p for p in paras if p is not context][:3]
            n_true += 1
            true_verbatim += all(c.supported for c in check_answer(gold, sources, embedder=embedder))
            true_qa += all(c.supported for c in check_answer(f"{question} : {answer}", sources, embedder=embedder))
            pool = nums if re.search(r"\d", answer) else caps if answer[:1].isupper() else None
            others = sorted(x for x in pool or () if x not in gold and x.lower() not in answer.lower())
            if not others:
                continue
            n_false += 1
            other = rng.choice(others)
            fake = gold.replace(answer, other, 1)
            flagged += not all(c.supported for c in check_answer(fake, sources, embedder=embedder))
            flagged_qa += not all(c.supported for c in check_answer(f"{question} : {other}", sources, embedder=embedder))
        out.update({"true_claims": n_true, "true_verbatim_accepted": true_verbatim / max(n_true, 1),
                    "true_question_answer_accepted": true_qa / max(n_true, 1), "false_claims": n_false,
                    "false_flagged": flagged / max(n_false, 1),
                    "false_question_answer_flagged": flagged_qa / max(n_false, 1)})
        _say(f"checker: false claims flagged {out['false_flagged']:.3f} ({n_false}); true claims accepted "
             f"{out['true_verbatim_accepted']:.3f} verbatim, {out['true_question_answer_accepted']:.3f} as "
             f"'question : answer' ({n_true}); targets 0.90")
        _say(f"checker: false 'question : answer' claims (another name or number of the document) flagged "
             f"{out['false_question_answer_flagged']:.3f}")
        library.close()
        return out
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- answers

def bench_answer(args, data_dir: Path) -> dict:
    """Time to first token for a cold and a warm question (the system prompt's KV cache reused),
    generation tokens/s through the app against a fresh llama-cpp-python process, and cancel latency."""
    import threading

    from core.answer import AnswerEngine, Turn
    from core.indexing import IndexingService
    from core.library import Library
    from models.llm import GenerationStats

    work = _tmpdir("lanterne-bench-answer-")
    try:
        rng = random.Random(5)
        docs = work / "docs"
        docs.mkdir()
        for i in range(12):
            write_document(docs / f"contrat-{i}.{FORMATS[i % len(FORMATS)]}", f"Contrat {i}",
                           filler_paragraphs(rng, 6000), FORMATS[i % len(FORMATS)])
        library = Library(work / "data")
        IndexingService(library).index([str(docs)], "Bench")
        engine = AnswerEngine(library)
        t0 = time.perf_counter()
        llm = library.llm
        _say(f"model {llm.model_id}: loaded in {time.perf_counter() - t0:.2f} s, context {llm.context_size} tokens")

        engine.search.search("warm-up", 4)  # the embedder loads here, not inside the timed question
        llm.reset_cache()
        cold = engine.ask("Quand le prestataire doit-il renouveler le contrat ?", max_tokens=16)
        warm = engine.ask("Quel est le montant de la facture à régler ?", max_tokens=16)
        _say(f"time to first token, cold question: {cold.ttft_s:6.3f} s  ({cold.prompt_tokens} prompt tokens, "
             f"retrieval {cold.retrieval_s * 1000:.0f} ms)")
        _say(f"time to first token, warm question: {warm.ttft_s:6.3f} s  ({warm.prompt_tokens} prompt tokens; the system "
             "prompt is served from the KV cache)")
        follow = engine.ask("Et avant quelle date ?", history=[Turn(warm.question, warm.answer)], max_tokens=16)
        _say(f"time to first token, follow-up:     {follow.ttft_s:6.3f} s  (conversation prefix reused)")

        # Generation speed: a question answered through the whole `lanterne ask` path (retrieval,
        # evidence, loop watch, checks) against a fresh llama-cpp-python process loading the same
        # file with the same settings, fed the same prompt ids and sampling, for as many tokens.
        question = "Décris en détail toutes les obligations du prestataire."
        app_rates, fresh_rates, shape = [], [], (0, 0)
        for _ in range(3):  # interleaved, best of three: the machine is shared
            llm.reset_cache()
            through = engine.ask(question, max_tokens=args.tokens)
            messages, _ = engine.build_messages(question, through.sources, [], llm)
            spec = dict(llm.prompt_and_sampling(messages, library.settings.answer_temperature),
                        max_tokens=through.completion_tokens, llama=llm.llama_kwargs)
            fresh = fresh_generation(spec)
            app_rates.append(through.tokens_per_s)
            fresh_rates.append(fresh["tokens_per_s"])
            shape = (through.prompt_tokens, through.completion_tokens)
            if len(spec["prompt"]) != through.prompt_tokens or fresh["completion_tokens"] != through.completion_tokens:
                _say(f"  (note: fresh run {len(spec['prompt'])}/{fresh['completion_tokens']} tokens vs "
                     f"{through.prompt_tokens}/{through.completion_tokens} through Lanterne)")
        raw, app = max(fresh_rates), max(app_rates)
        kw = llm.llama_kwargs
        _say(f"generation, {shape[0]} prompt tokens, {shape[1]} generated (n_ctx {kw['n_ctx']}, n_batch {kw['n_batch']}, "
             f"threads {kw['n_threads']}/{kw['n_threads_batch']}, flash attention):")
        _say(f"  fresh llama-cpp-python process: {raw:7.1f} tokens/s   (runs: {', '.join(f'{r:.1f}' for r in fresh_rates)})")
        _say(f"  through lanterne ask:           {app:7.1f} tokens/s   (runs: {', '.join(f'{r:.1f}' for r in app_rates)})"
             f"   ratio {app / raw:.2f}  (target >= 0.90)")
        messages, _ = engine.build_messages(question, engine.search.search("obligations du prestataire", 6), [], llm)

        latencies = []
        for _ in range(5):
            cancel = threading.Event()
            count = [0]
            stopped = [0.0]
            it = llm.stream_chat(messages, max_tokens=400, cancel=cancel, ban_eos=True)
            t_cancel = None
            for _piece in it:
                count[0] += 1
                if count[0] == 10:
                    t_cancel = time.perf_counter()
                    cancel.set()
            stopped[0] = time.perf_counter()
            latencies.append((stopped[0] - t_cancel) * 1000 if t_cancel else 0.0)
        _say(f"cancel -> generation stopped: max {max(latencies):.1f} ms over 5 tries  (target <= 200 ms)")
        library.close()
        return {"model": llm.model_id, "ttft_cold_s": cold.ttft_s, "ttft_warm_s": warm.ttft_s, "ttft_followup_s": follow.ttft_s,
                "fresh_tokens_s": raw, "raw_tokens_s": raw, "app_tokens_s": app, "ratio": app / raw, "prompt_tokens": shape[0],
                "generated_tokens": shape[1], "cancel_ms_max": max(latencies)}
    finally:
        shutil.rmtree(work, ignore_errors=True)


_FRESH_GENERATION = r"""
import json, sys, time
import llama_cpp
spec = json.load(sys.stdin)
llm = llama_cpp.Llama(**spec["llama"])
started = time.perf_counter()
first, n = None, 0
for chunk in llm.create_completion(prompt=spec["prompt"], stream=True, max_tokens=spec["max_tokens"],
                                   temperature=spec["temperature"], seed=spec["seed"],
                                   repeat_penalty=spec["repeat_penalty"], stop=spec["stop"] or None):
    if chunk["choices"][0].get("text"):
        n += 1
        if first is None:
            first = time.perf_counter() - started
total = time.perf_counter() - started
print(json.dumps({"completion_tokens": n, "ttft_s": first or 0.0,
                  "tokens_per_s": n / (total - first) if first is not None and n > 1 else 0.0}))
"""


def fresh_generation(spec: dict) -> dict:
    """Generation by llama-cpp-python alone in a new process (nothing of Lanterne imported),
    measured the way ``GenerationStats`` measures it: tokens / (end - first token)."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", _FRESH_GENERATION], input=json.dumps(spec), capture_output=True,
                          text=True, timeout=600, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- reconcile

def _prepared_tree(work: Path, n: int):
    """A tree of ``n`` small notes, its catalog and a consistent index (one synthetic chunk per file),
    prepared directly so that the setup does not spend minutes embedding."""
    import numpy as np

    from core.indexing import IndexingService
    from core.library import Library
    from core.paths import path_to_db
    from indexer.textproc import analyze
    from indexer.types import ChunkData
    from indexer.writer import DocumentWrite, IndexWriter

    tree = work / "tree"
    for i in range(n):
        folder = tree / f"dossier-{i // 500:03d}" / f"sous-{(i // 50) % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"note-{i:06d}.txt").write_text(f"Note {i} : réunion du comité.", encoding="utf-8")
    library = Library(work / "data")
    store = library.store
    service = IndexingService(library)
    coll, sources = service.add_sources([str(tree)], "Bench")
    docs = []
    for path in sorted(tree.rglob("*.txt")):
        st = path.stat()
        key = path_to_db(str(path))
        text = path.read_text(encoding="utf-8")
        doc = library.catalog.upsert_document(coll.id, sources[0].id, key, st.st_size, st.st_mtime_ns)
        docs.append(DocumentWrite(doc.id, key, coll.id, [ChunkData(0, text, 0, "", 0, len(text), 8,
                                                                  terms=analyze(text, "fr"))],
                                  lang="fr", pages=1, size=st.st_size, mtime_ns=st.st_mtime_ns, hash="x"))
    vectors = np.random.default_rng(0).standard_normal((len(docs), store.dim)).astype(np.float32)
    IndexWriter(library.catalog, store).commit(docs, vectors)
    store.maintain(force_fts=True)
    return library, service, coll, sources, tree


def bench_reconcile(args, data_dir: Path) -> dict:
    """Time to bring an unchanged tree of N files up to date (what every start and every timer
    reconcile costs), and peak memory. The index is prepared directly (one synthetic chunk per
    file, consistent with the catalog) so that the setup does not spend minutes embedding."""
    import resource

    work = _tmpdir("lanterne-bench-reconcile-")
    try:
        n = args.files
        library, service, coll, sources, _tree = _prepared_tree(work, n)
        _say(f"tree: {n} files in {n // 500 + 1} folders; catalog and index prepared")
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            report = service.run(coll, sources, reconcile=True)  # as at start and on the hourly timer
            times.append(time.perf_counter() - t0)
            assert report.unchanged == n and report.indexed == 0, report.as_json()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        _say(f"reconcile of the unchanged tree: best {min(times):.2f} s, worst {max(times):.2f} s "
             f"({n / min(times):.0f} files/s); peak memory of the process {peak_mb:.0f} MB")
        library.close()
        return {"files": n, "best_s": min(times), "worst_s": max(times), "peak_rss_mb": peak_mb}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_watch(args, data_dir: Path) -> dict:
    """From a save in a watched folder to the watcher's ``indexed`` event: an edit in a folder of N
    files (default 5,000; target 3 s), then an edit, an atomic save (write aside + rename), a
    rename and a delete in a small folder (target 5 s each). The debounce is the watcher's own."""
    import os
    import queue as _queue

    from core.watch import WatchService

    work = _tmpdir("lanterne-bench-watch-")
    figures: dict = {"files": args.files}
    try:
        library, _service, _coll, _sources, tree = _prepared_tree(work, args.files)
        small = work / "small"
        small.mkdir()
        for i in range(20):
            (small / f"note-{i}.txt").write_text(f"Petite note {i} sur le budget.", encoding="utf-8")
        from core.indexing import IndexingService

        IndexingService(library).index([str(small)], "Small")
        library.embedder  # noqa: B018 (loaded, as in the running app)
        events: _queue.Queue = _queue.Queue()
        watcher = WatchService(library, on_event=events.put)
        watcher.start()

        def wait_for(kind: str, limit_s: float = 120.0):
            end = time.monotonic() + limit_s
            while time.monotonic() < end:
                try:
                    event = events.get(timeout=0.5)
                except _queue.Empty:
                    continue
                if event.kind == kind:
                    return event
            raise RuntimeError(f"no {kind} event within {limit_s:.0f} s")

        wait_for("ready", 600)
        time.sleep(1.0)

        def timed(name: str, action) -> None:
            while not events.empty():
                events.get_nowait()
            t0 = time.perf_counter()
            action()
            event = wait_for("indexed")
            figures[name] = round(time.perf_counter() - t0, 2)
            _say(f"{name}: indexed {figures[name]:.2f} s after the change ({event.detail})")

        target = next(tree.rglob("note-002500.txt"), None) or next(tree.rglob("*.txt"))
        timed("large_folder_edit_s", lambda: target.write_text("Note modifiée : le budget 2027 est voté.",
                                                               encoding="utf-8"))
        timed("edit_s", lambda: (small / "note-1.txt").write_text("Le budget est modifié.", encoding="utf-8"))

        def atomic_save() -> None:
            aside = small / ".note-2.txt.tmp"
            aside.write_text("Le budget de la note deux, enregistré d'un coup.", encoding="utf-8")
            os.replace(aside, small / "note-2.txt")

        timed("atomic_save_s", atomic_save)
        timed("rename_s", lambda: os.rename(small / "note-3.txt", small / "note-3-renommée.txt"))
        timed("delete_s", lambda: os.unlink(small / "note-4.txt"))
        watcher.stop()
        library.close()
        figures["debounce_s"] = watcher.debounce_s
        figures["target_large_s"], figures["target_small_s"] = 3.0, 5.0
        small_worst = max(figures[k] for k in ("edit_s", "atomic_save_s", "rename_s", "delete_s"))
        figures["ratio_large"] = round(3.0 / figures["large_folder_edit_s"], 2)
        figures["ratio_small"] = round(5.0 / small_worst, 2)
        _say(f"save in a folder of {args.files} files: {figures['large_folder_edit_s']:.2f} s (target 3 s, ratio "
             f"{figures['ratio_large']}); small folder, worst of edit/atomic save/rename/delete {small_worst:.2f} s "
             f"(target 5 s, ratio {figures['ratio_small']}); debounce {watcher.debounce_s} s")
        return figures
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- a very large file

def bench_bigfile(args, data_dir: Path) -> dict:
    """Index one very large PDF (default ~1 GB: pages of incompressible images with a text layer,
    like a big scanned report) and report the peak memory of the app and of the extraction
    worker: both must stay bounded whatever the file size."""
    import resource

    from core.indexing import IndexingService
    from core.library import Library

    work = _tmpdir("lanterne-bench-bigfile-")
    try:
        folder = work / "docs"
        folder.mkdir()
        pdf = folder / "rapport.pdf"
        # written by another process, so that this one's peak memory measures indexing only
        import subprocess

        subprocess.run([sys.executable, "-c", f"from core.bench import write_big_pdf; write_big_pdf({str(pdf)!r}, {args.pages})"],
                       check=True, cwd=str(Path(__file__).resolve().parents[1]))
        size_mb = pdf.stat().st_size / 2**20
        _say(f"file: {size_mb:.0f} MB, {args.pages} pages")
        library = Library(work / "data")
        library.embedder  # loaded before measuring, as in the running app
        base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t0 = time.perf_counter()
        report = IndexingService(library).index([str(folder)], "Bench")
        seconds = time.perf_counter() - t0
        app_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        worker_mb = report.worker_peak_mb
        _say(f"indexed in {seconds:.1f} s: {report.chunks} chunks, {len(report.failed)} failures")
        _say(f"peak memory: app {app_mb:.0f} MB (of which {base_mb:.0f} MB before indexing: models and libraries), "
             f"extraction worker {worker_mb:.0f} MB")
        library.close()
        return {"file_mb": size_mb, "seconds": seconds, "app_peak_mb": app_mb, "app_base_mb": base_mb,
                "worker_peak_mb": worker_mb}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_big_pdf(path: str, pages: int) -> None:
    import pymupdf

    doc = pymupdf.open()
    font = pymupdf.Font("helv")
    for i in range(pages):
        page = doc.new_page()
        pix = pymupdf.Pixmap(pymupdf.csRGB, 900, 900, os.urandom(900 * 900 * 3), False)
        page.insert_image(pymupdf.Rect(50, 200, 550, 700), pixmap=pix)
        writer = pymupdf.TextWriter(page.rect)
        writer.fill_textbox(pymupdf.Rect(50, 50, 550, 190),
                            f"Page {i + 1}. Le prestataire transmet le rapport trimestriel avant le 12 mars. " * 3,
                            font=font, fontsize=9)
        writer.write_text(page)
    doc.save(path, garbage=0, deflate=False)
    doc.close()


# ---------------------------------------------------------------- text recognition (scans)

def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one numpy row at a time (pages of a few thousand characters)."""
    import numpy as np

    if not a or not b:
        return max(len(a), len(b))
    codes = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    idx = np.arange(len(b) + 1)
    prev = idx.copy()
    for i, ch in enumerate(a, 1):
        cur = np.empty_like(prev)
        cur[0] = i
        cur[1:] = np.minimum(prev[:-1] + (codes != ord(ch)), prev[1:] + 1)
        prev = np.minimum.accumulate(cur - idx) + idx  # insertions: cur[j] = min(cur[j], cur[j-1] + 1)
    return int(prev[-1])


def _ocr_norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    return " ".join(text.split())


def bench_ocr(args, data_dir: Path) -> dict:
    """Scans made from the SQuAD articles written as PDFs: each page rendered at 150 dpi grey, JPEG
    quality 70, into an image-only PDF. Reports R@5 on the scans against R@5 on the original PDFs
    (dev set: even articles; held-out: odd ones), the pages that yield text, recognition pages/s
    end to end with the extraction worker's peak memory, whether the text files of the folder were
    indexed before the scans, phone-photo style images (PNG, JPEG turned sideways with EXIF), and
    the character error rate on clean 300-dpi pages."""
    import pymupdf
    from PIL import Image

    from core.docgen import scan_pdf
    from core.indexing import IndexingService
    from core.library import Library
    from core.search import SearchEngine
    from core.settings import Settings
    from indexer.ocr import OcrEngine

    squad = json.loads(Path(args.squad).read_text(encoding="utf-8"))
    articles = squad["data"][: args.articles or None]
    keep = Path(args.work) if getattr(args, "work", None) else None
    work = keep or _tmpdir("lanterne-bench-ocr-")
    try:
        originals, scans, photos = work / "originals", work / "scans", work / "photos"
        for folder in (originals, scans, photos):
            folder.mkdir(parents=True, exist_ok=True)
        questions: list[tuple[int, str, str, list[str]]] = []
        pages = 0
        for i, article in enumerate(articles):
            safe = re.sub(r"[^\w-]+", "_", article.get("title") or str(i))[:40]
            name = f"{i:03d}-{safe}.pdf"
            if not (originals / name).exists():
                write_document(originals / name, article.get("title") or name, [p["context"] for p in article["paragraphs"]], "pdf")
            if not (scans / name).exists():
                scan_pdf(originals / name, scans / name)
            with pymupdf.open(str(scans / name)) as doc:
                pages += doc.page_count
            for para in article["paragraphs"]:
                for qa in para["qas"]:
                    answers = [_norm(_ocr_norm(a["text"])) for a in qa.get("answers", []) if a.get("text")]
                    if answers:
                        questions.append((i, qa["question"], name, answers))
        # the folder's text files: they must be searchable before the (slow) scans
        for k in range(5):
            (scans / f"note-{k}.txt").write_text(f"Note de service {k} : la réunion hebdomadaire est déplacée au jeudi.",
                                                 encoding="utf-8")
        # photos: the first page of a few articles as a PNG, and as a JPEG taken sideways (EXIF 6)
        photo_sources = []
        for i in range(0, len(articles), max(1, len(articles) // 6)):
            name = sorted(originals.glob(f"{i:03d}-*.pdf"))[0]
            with pymupdf.open(str(name)) as doc:
                pix = doc[0].get_pixmap(dpi=200)
                truth = _ocr_norm(doc[0].get_text())
            image = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
            image.save(photos / f"photo-{i:03d}.png")
            exif = Image.Exif()
            exif[0x0112] = 6
            image.rotate(90, expand=True).save(photos / f"photo-{i:03d}.jpg", quality=75, exif=exif)
            photo_sources.append((i, truth))
        _say(f"{len(articles)} articles as PDFs, {pages} scanned pages (150 dpi grey, JPEG q70), "
             f"{len(questions)} questions, {2 * len(photo_sources)} photos")

        settings = Settings(indexing_workers=max(1, (os.cpu_count() or 2) - 1))
        results: dict = {}
        libraries = {}
        for label, folder in (("original", originals), ("scan", scans)):
            library = Library(work / f"data-{label}", settings)
            t0 = time.perf_counter()
            report = IndexingService(library).index([str(folder)], label)
            seconds = time.perf_counter() - t0
            libraries[label] = library
            results[label] = {"seconds": round(seconds, 1), "failed": len(report.failed), "chunks": report.chunks,
                              "worker_peak_mb": round(report.worker_peak_mb)}
            _say(f"{label:8s}: indexed {report.indexed} files in {seconds:.1f} s ({report.chunks} chunks, "
                 f"{len(report.failed)} failed, extraction worker peak {report.worker_peak_mb:.0f} MB)")
        scan_lib = libraries["scan"]
        results["scan"]["pages_per_s"] = round(pages / results["scan"]["seconds"], 3)
        when = {os.path.basename(d.path): d.indexed_at or 0 for d in scan_lib.catalog.documents()}
        notes_first = max(v for k, v in when.items() if k.endswith(".txt")) < min(v for k, v in when.items() if k.endswith(".pdf"))
        # every scanned page yields text
        empty_pages = 0
        for doc in scan_lib.catalog.documents(status="indexed"):
            if not doc.path.endswith(".pdf"):
                continue
            covered = {int(c["page"]) for c in scan_lib.store.document_chunks(doc.id)}
            empty_pages += len(set(range(1, (doc.pages or 0) + 1)) - covered)
        _say(f"scans: {pages - empty_pages}/{pages} pages yield text; {results['scan']['pages_per_s']:.2f} pages/s "
             f"end to end (recognition, chunking, embedding; {settings.indexing_workers} worker(s) for text files, "
             f"one per core for scans); text files indexed before the scans: {'yes' if notes_first else 'NO'}")

        def recall(library, subset) -> float:
            engine = SearchEngine(library)
            found = 0
            for _, question, name, answers in subset:
                for hit in engine.search(question, k=5):
                    if os.path.basename(hit.file_path) == name and any(a in _norm(_ocr_norm(hit.text)) for a in answers):
                        found += 1
                        break
            return found / max(1, len(subset))

        split = {"dev": [q for q in questions if q[0] % 2 == 0], "held-out": [q for q in questions if q[0] % 2 == 1]}
        _say(f"{'':9s} {'R@5 PDF':>8s} {'R@5 scan':>9s} {'gap':>6s}  (target: gap <= 0.03)")
        for part, subset in split.items():
            r_orig, r_scan = recall(libraries["original"], subset), recall(scan_lib, subset)
            results[part] = {"questions": len(subset), "R@5_original": round(r_orig, 3), "R@5_scan": round(r_scan, 3),
                             "gap": round(r_orig - r_scan, 3)}
            _say(f"{part:9s} {r_orig:8.3f} {r_scan:9.3f} {r_orig - r_scan:6.3f}  ({len(subset)} questions)")
        for library in libraries.values():
            library.close()

        # photos (a separate folder): read upright, words found
        photo_lib = Library(work / "data-photos", settings)
        t0 = time.perf_counter()
        report = IndexingService(photo_lib).index([str(photos)], "photos")
        recalls = []
        for doc in photo_lib.catalog.documents(status="indexed"):
            i = int(os.path.basename(doc.path).split("-")[1].split(".")[0])
            truth_words = {w.lower() for w in dict(photo_sources)[i].split() if len(w) > 3}
            text = " ".join(c["text"] for c in photo_lib.store.document_chunks(doc.id))
            got = {w.lower() for w in _ocr_norm(text).split()}
            recalls.append(len(truth_words & got) / max(1, len(truth_words)))
        photo_lib.close()
        results["photos"] = {"files": report.files_seen, "read": report.indexed,
                             "word_recall": round(statistics.mean(recalls), 3) if recalls else 0.0}
        _say(f"photos: {report.indexed}/{report.files_seen} read in {time.perf_counter() - t0:.1f} s "
             f"(PNG, and JPEG stored sideways with EXIF orientation); word recall {results['photos']['word_recall']:.3f}")

        # character error rate on clean 300-dpi pages
        engine = OcrEngine("fra+eng")
        errors = chars = 0
        t0 = time.perf_counter()
        sample = sorted(originals.glob("*.pdf"))[: args.cer_pages]
        for pdf in sample:
            with pymupdf.open(str(pdf)) as doc:
                page = doc[0]
                truth = _ocr_norm(page.get_text())
                pix = page.get_pixmap(dpi=300, colorspace=pymupdf.csGRAY)
            image = Image.frombytes("L", (pix.width, pix.height), pix.samples)
            got = _ocr_norm(" ".join(engine.recognize(image).paragraphs))
            errors += _edit_distance(truth, got)
            chars += len(truth)
        engine.close()
        cer = errors / max(1, chars)
        results["cer_300dpi"] = round(cer, 4)
        _say(f"CER on {len(sample)} clean 300-dpi French pages: {cer:.2%} (target <= 2%), "
             f"{(time.perf_counter() - t0) / max(1, len(sample)):.2f} s per page in one thread")
        results["pages"] = pages
        results["empty_pages"] = empty_pages
        results["text_files_first"] = notes_first
        return results
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- the team server under load

SERVE_QUESTIONS = [
    "Quand le contrat Dupont se renouvelle-t-il ?",
    "Quand la cantine est-elle fermée ?",
    "Combien de jours de télétravail sont autorisés par semaine ?",
    "Quel est le prix du croissant ?",
]


def _start_server(data: Path, port: int, limit_s: float = 180.0):
    import subprocess

    proc = subprocess.Popen([sys.executable, "-m", "core.cli", "--data-dir", str(data), "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    end = time.monotonic() + limit_s
    line = ""
    while time.monotonic() < end and proc.poll() is None:
        line = proc.stderr.readline()
        if "/v1" in line:
            return proc
    proc.kill()
    raise RuntimeError(f"lanterne serve did not start: {line.strip()}")


def _ask(base: str, token: str, question: str, max_tokens: int) -> dict:
    """One streamed question as an OpenAI client sends it: latency to the end, wait for a
    generation slot (to the first chunk), time to the first word, and the error if any."""
    import urllib.request

    from models.remote import sse_events

    body = json.dumps({"model": "lanterne", "stream": True, "max_tokens": max_tokens,
                       "messages": [{"role": "user", "content": question}]}).encode()
    request = urllib.request.Request(base + "/chat/completions", data=body, method="POST", headers={
        "Authorization": "Bearer " + token, "Content-Type": "application/json"})
    t0 = time.perf_counter()
    out = {"latency_s": None, "queue_s": None, "ttft_s": None, "error": None, "citations": 0}
    try:
        with urllib.request.urlopen(request, timeout=900) as response:  # noqa: S310 (loopback)
            for event in sse_events(response):
                now = time.perf_counter() - t0
                if "error" in event:
                    out["error"] = str(event["error"])
                    break
                if out["queue_s"] is None:
                    out["queue_s"] = now  # the role chunk: sent once the request has its slot
                for choice in event.get("choices") or []:
                    if (choice.get("delta") or {}).get("content") and out["ttft_s"] is None:
                        out["ttft_s"] = now
                out["citations"] = max(out["citations"], len(event.get("citations") or []))
    except OSError as exc:
        out["error"] = str(exc)
    out["latency_s"] = time.perf_counter() - t0
    return out


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 2) if ordered else 0.0


def free_port() -> int:
    """A TCP port free on loopback now (for a server started by a benchmark, a test or a tool)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _load(base: str, token: str, clients: int, questions: int, max_tokens: int) -> list[dict]:
    import threading

    results: list[dict] = []
    lock = threading.Lock()

    def client(i: int) -> None:
        for j in range(questions):
            r = _ask(base, token, SERVE_QUESTIONS[(i + j) % len(SERVE_QUESTIONS)], max_tokens)
            with lock:
                results.append(r)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def bench_serve(args, data_dir: Path) -> dict:
    """`lanterne serve` (a real process, the demo model in-process) under N concurrent clients
    each asking Q streamed questions: latency p50/p95, queue wait, time to first word, errors.
    Then a SIGKILL of the server in the middle of the same load, a restart, and a check that
    the index is intact and search works."""
    import threading
    import urllib.request

    from core.indexing import IndexingService
    from core.library import Library
    from core.tokens import TokenStore

    work = _tmpdir("lanterne-bench-serve-")
    figures: dict = {"clients": args.clients, "questions_per_client": args.questions, "max_tokens": args.tokens}
    proc = None
    try:
        docs = work / "docs"
        docs.mkdir()
        rng = random.Random(11)
        for i in range(24):
            fmt = FORMATS[i % len(FORMATS)]
            write_document(docs / f"note-{i:02d}.{fmt}", f"Note {i}", filler_paragraphs(rng, 1200), fmt)
        facts = {"contrat-dupont.txt": "Le contrat Dupont se renouvelle tacitement le 1er mars de chaque année.",
                 "cantine.txt": "La cantine ferme exceptionnellement le vendredi 14 juin pour travaux.",
                 "teletravail.txt": "Chaque salarié peut télétravailler deux jours par semaine, après accord "
                                    "de son responsable.",
                 "tarifs.txt": "Tarifs de la boulangerie : baguette 1,20 €, croissant 1,35 €, pain au chocolat 1,50 €."}
        for name, text in facts.items():
            (docs / name).write_text(text, encoding="utf-8")
        data = work / "data"
        library = Library(data)
        IndexingService(library).index([str(docs)], "Bureau")
        chunks_before = library.store.count()
        library.close()
        token = TokenStore(data / "tokens.json").create("bench")
        port = free_port()
        base = f"http://127.0.0.1:{port}/v1"
        proc = _start_server(data, port)
        _ask(base, token, SERVE_QUESTIONS[0], 8)  # the model loads once, as after a server's start
        _say(f"{args.clients} clients × {args.questions} questions, streamed, max {args.tokens} tokens each, "
             f"demo model in-process (one generation at a time)…")
        t0 = time.perf_counter()
        results = _load(base, token, args.clients, args.questions, args.tokens)
        wall = time.perf_counter() - t0
        ok = [r for r in results if not r["error"]]
        errors = [r["error"] for r in results if r["error"]]
        lat = [r["latency_s"] for r in ok]
        queue = [r["queue_s"] for r in ok if r["queue_s"] is not None]
        ttft = [r["ttft_s"] for r in ok if r["ttft_s"] is not None]
        figures.update({"requests": len(results), "errors": len(errors), "error_samples": errors[:3],
                        "wall_s": round(wall, 1), "latency_p50_s": _pct(lat, 0.5), "latency_p95_s": _pct(lat, 0.95),
                        "queue_wait_p50_s": _pct(queue, 0.5), "queue_wait_p95_s": _pct(queue, 0.95),
                        "ttft_p50_s": _pct(ttft, 0.5), "ttft_p95_s": _pct(ttft, 0.95),
                        "with_citations": sum(1 for r in ok if r["citations"]),
                        "answers_per_min": round(60 * len(ok) / wall, 1)})
        _say(f"{len(results)} requests in {wall:.1f} s, {len(errors)} errors; latency p50 {figures['latency_p50_s']} s, "
             f"p95 {figures['latency_p95_s']} s; queue wait p50 {figures['queue_wait_p50_s']} s, p95 "
             f"{figures['queue_wait_p95_s']} s; first word p50 {figures['ttft_p50_s']} s; "
             f"{figures['with_citations']} answers with citations")
        # the same load again, and the server killed in the middle of it
        load = threading.Thread(target=_load, args=(base, token, args.clients, 1, args.tokens), daemon=True)
        load.start()
        time.sleep(2.0)
        proc.kill()
        proc.wait(30)
        load.join(60)
        proc = _start_server(data, port)
        request = urllib.request.Request(base + "/search", method="POST", data=json.dumps(
            {"query": "Quand le contrat Dupont se renouvelle-t-il ?", "k": 3}).encode(),
            headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 (loopback)
            hits = json.loads(response.read())
        after = _ask(base, token, SERVE_QUESTIONS[1], 16)
        proc.terminate()
        proc.wait(30)
        proc = None
        library = Library(data)
        chunks_after = library.store.count()
        library.close()
        figures["after_sigkill"] = {"chunks_before": chunks_before, "chunks_after": chunks_after,
                                    "search_top": hits[0]["path"].rsplit("/", 1)[-1] if hits else None,
                                    "answer_error": after["error"]}
        _say(f"SIGKILL during load, restart: index {chunks_after} chunks (before {chunks_before}); search → "
             f"{figures['after_sigkill']['search_top']}; a question after restart: "
             f"{'ok' if not after['error'] else after['error']}")
        return figures
    finally:
        if proc is not None:
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)
