"""The real window on a real X server (Xvfb), not Qt's offscreen platform: what a fresh Linux
desktop runs. Qt's xcb plugin needs X libraries a fresh Debian lacks (libxcb-cursor0,
libxcb-icccm4, libxcb-keysyms1): `make setup` checks them (packaging/system_deps.py) and, as root,
installs them and Xvfb. The bundle's own test is in tests/test_frozen.py."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))


def _why_not() -> str:
    if not sys.platform.startswith("linux"):
        return "X11 only"
    if not shutil.which("xvfb-run"):
        return "Xvfb is not installed (make setup installs it as root; or apt-get install xvfb xauth)"
    from system_deps import missing_xcb_packages

    missing = missing_xcb_packages()
    if missing:
        return f"Qt's xcb plugin lacks system libraries: sudo apt-get install {' '.join(missing)}"
    return ""


def run_under_xvfb(command: list[str], tmp_path: Path, env_extra: dict | None = None) -> dict:
    probe = tmp_path / "probe.json"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env.update(QT_QPA_PLATFORM="xcb", LANTERNE_STARTUP_PROBE=str(probe), HOME=str(tmp_path / "home"),
               **(env_extra or {}))
    (tmp_path / "home").mkdir(exist_ok=True)
    proc = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", *command], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert "Could not load the Qt platform plugin" not in proc.stderr
    return json.loads(probe.read_text())


@pytest.mark.skipif(bool(_why_not()), reason=_why_not() or "ready")
def test_window_opens_on_a_real_x_server_from_the_source_install(tmp_path):
    shown = run_under_xvfb([sys.executable, "-m", "desktop.app", "--data-dir", str(tmp_path / "data")], tmp_path)
    assert shown["platform"] == "xcb" and shown["visible"]
