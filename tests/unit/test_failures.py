"""Failure codes: every code the indexer can raise is listed, has an English message and a
translated one in the window; codes travel through the catalog and the worker pipe unchanged."""
from __future__ import annotations

import ast
from pathlib import Path

from indexer.errors import FAILURES, ExtractionError, Failure, UnsupportedFormat
from tests.conftest import ROOT


def _raised_codes() -> set[str]:
    """Every code= literal given to ExtractionError, UnsupportedFormat, Failure or ScanProblem."""
    codes: set[str] = set()
    for path in list((ROOT / "indexer").rglob("*.py")) + [ROOT / "core" / "indexing.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in ("ExtractionError", "UnsupportedFormat"):
                for kw in node.keywords:
                    if kw.arg == "code" and isinstance(kw.value, ast.Constant):
                        codes.add(kw.value.value)
            elif name in ("Failure", "ScanProblem") and len(node.args) >= 1:
                first = node.args[0] if name == "Failure" else (node.args[2] if len(node.args) > 2 else None)
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    codes.add(first.value)
    return codes


def test_every_raised_code_is_known():
    raised = _raised_codes()
    assert len(raised) >= 15, raised  # the walk found the raise sites
    assert raised <= set(FAILURES), raised - set(FAILURES)


def test_every_code_has_a_window_message():
    from desktop.messages import FAILURE_MESSAGES

    assert set(FAILURE_MESSAGES) == set(FAILURES)


def test_desktop_text_by_code_not_by_wording():
    from desktop.messages import reason_text

    # the English detail can say anything: the code decides the message
    assert reason_text(Failure("password-protected", "reworded: a lock")) == "Password protected: Lanterne cannot open it."
    assert reason_text(Failure("too-large", "x", {"size_mb": 700, "limit_mb": 500})) == \
        "Too large (700 MB; the limit is 500 MB in Settings)."
    assert reason_text(Failure("unsupported", "x", {"ext": ".xyz"})) == "Unsupported format (.xyz)."
    assert reason_text(Failure("unsupported", "unsupported format: Strict Open XML")) == "Unsupported format."
    assert reason_text(Failure("no-such-code", "the English detail")) == "the English detail"


def test_failure_round_trip():
    exc = UnsupportedFormat("unsupported format (.abc)", ext=".abc")
    assert exc.code == "unsupported" and exc.failure == Failure("unsupported", "unsupported format (.abc)", {"ext": ".abc"})
    assert Failure.from_tuple(exc.failure.as_tuple()) == exc.failure
    assert Failure.from_tuple("an old worker's sentence") == Failure("unreadable", "an old worker's sentence")
    assert ExtractionError("empty file", code="empty").failure.message() == "Empty file."
    assert Failure("too-large", "detail", {"size_mb": 9}).message() == "detail"  # a missing param: the detail


def test_catalog_keeps_code_and_params(tmp_path: Path):
    from indexer.catalog import Catalog

    catalog, _ = Catalog.open_or_rebuild(tmp_path / "catalog.sqlite")
    coll = catalog.ensure_collection("C")
    row = catalog.upsert_document(coll.id, None, "/x/a.bin", 10, 1)
    catalog.mark_failed(row.id, Failure("unsupported", "unsupported format (.bin)", {"ext": ".bin"}),
                        size=10, mtime_ns=1, hash=None)
    again = catalog.document(coll.id, "/x/a.bin")
    assert again.status == "unsupported" and again.failure == Failure("unsupported", "unsupported format (.bin)",
                                                                      {"ext": ".bin"})
    catalog.close()
