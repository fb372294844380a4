"""Raster icons for installers, drawn from resources/icons/lanterne.svg:
packaging/build/lanterne.png (256 px, Linux .desktop and AppImage) and packaging/lanterne.ico
(Windows). macOS: `iconutil` makes lanterne.icns from PNGs (see packaging/README.md)."""
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 (needed to render)
    from desktop.style import _render

    out = ROOT / "packaging" / "build"
    out.mkdir(parents=True, exist_ok=True)
    for size in (16, 32, 48, 64, 128, 256, 512):
        _render("lanterne", "#000000", size, 1.0).save(str(out / f"lanterne-{size}.png"))
    _render("lanterne", "#000000", 256, 1.0).save(str(out / "lanterne.png"))
    if not _render("lanterne", "#000000", 256, 1.0).save(str(ROOT / "packaging" / "lanterne.ico")):
        print("this Qt cannot write .ico; Windows builds use the PNG", file=sys.stderr)
    print(f"icons in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
