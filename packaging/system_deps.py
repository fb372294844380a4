"""What Lanterne needs from the system beyond its Python packages, checked by `make setup`.

- Qt's xcb platform plugin (the window on Linux/X11) links X libraries that a fresh Debian or
  Ubuntu may lack (libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1...): without them the window
  cannot open ("Could not load the Qt platform plugin xcb"). Found with ldd on the plugin itself.
- Text recognition models: French, English and orientation (tesseract-ocr-fra/-eng/-osd); the
  engine is inside the tesserocr wheel.
- For the tests only: Xvfb, a real X server without a screen, to open the real window.

    python packaging/system_deps.py            check; install with apt-get when running as root
    python packaging/system_deps.py --check    check only; exit 1 when something is missing

Without root (a developer's machine), it prints the exact `sudo apt-get install ...` line and goes
on: the tests that need a missing part skip with that reason. Set LANTERNE_NO_APT=1 to never
install anything.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# soname -> Debian/Ubuntu package
XCB_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1", "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0", "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-image.so.0": "libxcb-image0", "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-randr.so.0": "libxcb-randr0", "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-xinerama.so.0": "libxcb-xinerama0", "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-sync.so.1": "libxcb-sync1", "libxcb-shm.so.0": "libxcb-shm0", "libxcb-render.so.0": "libxcb-render0",
    "libxcb-util.so.1": "libxcb-util1", "libxcb-xinput.so.0": "libxcb-xinput0", "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1", "libX11.so.6": "libx11-6", "libSM.so.6": "libsm6", "libICE.so.6": "libice6",
    "libEGL.so.1": "libegl1", "libGL.so.1": "libgl1", "libOpenGL.so.0": "libopengl0", "libGLX.so.0": "libglx0",
    "libfontconfig.so.1": "libfontconfig1", "libfreetype.so.6": "libfreetype6", "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
}
OCR_PACKAGES = {"fra": "tesseract-ocr-fra", "eng": "tesseract-ocr-eng", "osd": "tesseract-ocr-osd"}
# Only for the tests that open the real window on an X server (tests/desktop/test_real_window.py).
TEST_PACKAGES = {"xvfb-run": "xvfb", "xauth": "xauth"}


def missing_xcb_packages() -> list[str]:
    """Debian packages whose libraries Qt's xcb plugin (and the libraries it loads) cannot find."""
    if not sys.platform.startswith("linux") or not shutil.which("ldd"):
        return []
    try:
        import PySide6
    except ImportError:
        return []
    base = Path(PySide6.__file__).parent / "Qt"
    targets = list((base / "plugins" / "platforms").glob("libqxcb.so")) + list((base / "lib").glob("libQt6XcbQpa.so*"))
    missing: set[str] = set()
    for target in targets:
        try:
            out = subprocess.run(["ldd", str(target)], capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        for line in out.splitlines():
            if "not found" in line:
                soname = line.split("=>")[0].strip()
                missing.add(XCB_PACKAGES.get(soname, soname))
    return sorted(missing)


def missing_ocr_packages() -> list[str]:
    sys.path.insert(0, str(ROOT))
    from indexer.ocr import available_languages, tessdata_dirs

    have = set(available_languages())
    if any((d / "osd.traineddata").is_file() for d in tessdata_dirs()):
        have.add("osd")
    return [package for code, package in OCR_PACKAGES.items() if code not in have]


def missing_test_packages() -> list[str]:
    if not sys.platform.startswith("linux"):
        return []
    return [package for command, package in TEST_PACKAGES.items() if not shutil.which(command)]


def _apt_install(packages: list[str]) -> bool:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    command = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    if subprocess.run(command, env=env).returncode == 0:
        return True
    # a fresh machine may have no package lists yet
    subprocess.run(["apt-get", "update"], env=env)
    return subprocess.run(command, env=env).returncode == 0


def main(argv: list[str]) -> int:
    check_only = "--check" in argv
    missing = missing_xcb_packages() + missing_ocr_packages() + missing_test_packages()
    if not missing:
        print("system libraries: Qt's window (xcb) and text recognition (French, English) are ready")
        return 0
    can_install = (not check_only and os.environ.get("LANTERNE_NO_APT") != "1" and hasattr(os, "geteuid")
                   and os.geteuid() == 0 and shutil.which("apt-get"))
    if can_install and _apt_install(missing):
        still = missing_xcb_packages() + missing_ocr_packages() + missing_test_packages()
        if not still:
            print(f"system libraries installed: {' '.join(missing)}")
            return 0
        missing = still
    print("Lanterne needs these system packages (the window on Linux, reading scans, and Xvfb for the "
          "tests that open the real window):\n"
          f"    sudo apt-get install {' '.join(missing)}\n"
          "Until then the tests that need them are skipped with this reason.", file=sys.stderr)
    return 1 if check_only else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
