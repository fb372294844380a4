"""``lanterne --selftest``: proves an installation works end to end, offline, without touching the
user's data. Indexes the bundled sample folder (PDF, DOCX, TXT, and a scanned invoice read by text
recognition) into a temporary data folder, runs a search, finds the scan's text, answers a
question with the bundled model; exits 0 only if every step worked."""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import resources

SAMPLES = Path(resources.__file__).resolve().parent / "samples"


def run(samples: Path = SAMPLES, *, as_json: bool = False) -> int:
    from core.answer import AnswerEngine
    from core.indexing import IndexingService
    from core.library import Library
    from core.search import SearchEngine
    from core.settings import Settings

    steps: list[dict] = []

    def step(name: str, ok: bool, **detail) -> bool:
        steps.append({"step": name, "ok": bool(ok), **detail})
        if not as_json:
            print(f"{'ok  ' if ok else 'FAIL'} {name} {json.dumps(detail, ensure_ascii=False)}", flush=True)
        return ok

    started = time.perf_counter()
    ok = True
    with tempfile.TemporaryDirectory(prefix="lanterne-selftest-") as tmp:
        library = Library(Path(tmp) / "data", Settings(strict_offline=True, indexing_workers=1))
        try:
            files = sorted(p.name for p in samples.iterdir() if p.is_file())
            report = IndexingService(library).index([str(samples)], "Selftest")
            ok &= step("index", report.indexed == len(files) and not report.failed, files=files,
                       indexed=report.indexed, failed=report.failed, chunks=report.chunks)
            hits = SearchEngine(library).search("renouvellement du contrat Dupont", 3) if ok else []
            ok &= step("search", bool(hits) and hits[0].file_path.endswith("contrat-dupont.pdf"),
                       top=hits[0].file_path if hits else None, page=hits[0].page if hits else None)
            if ok:  # the scanned invoice has no text layer: found only if recognition worked
                hits = SearchEngine(library).search("pénalité de retard de la facture Boulangerie Martin", 3)
                ok &= step("ocr", bool(hits) and hits[0].file_path.endswith("facture-scannee.pdf"),
                           top=hits[0].file_path if hits else None, page=hits[0].page if hits else None)
            if ok:
                result = AnswerEngine(library).ask("Quand le contrat Dupont se renouvelle-t-il ?", max_tokens=48)
                ok &= step("answer", bool(result.answer.strip()) and bool(result.sources), model=result.model,
                           tokens=result.completion_tokens, ttft_s=round(result.ttft_s, 2),
                           answer=result.answer[:120])
        except Exception as exc:  # the self-test reports every failure and exits non-zero
            import traceback

            ok = step("error", False, error=f"{type(exc).__name__}: {exc}",
                      traceback=traceback.format_exc(limit=8))
        finally:
            library.close()
    summary = {"ok": bool(ok), "seconds": round(time.perf_counter() - started, 1), "steps": steps}
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(f"selftest {'passed' if ok else 'FAILED'} in {summary['seconds']} s", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(run(as_json="--json" in sys.argv))
