"""The installed app itself: the PyInstaller bundle built by `make package`, run as users run it.

Runs only when LANTERNE_FROZEN names the bundle's executable (`make package-test` sets it, and
.ci/run calls that after `make test`): building the bundle takes several minutes here.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

FROZEN = os.environ.get("LANTERNE_FROZEN", "")
pytestmark = pytest.mark.skipif(not FROZEN, reason="set LANTERNE_FROZEN=dist/lanterne/lanterne (make package-test)")


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file() and not p.is_symlink()}


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen", **extra)
    return env


def test_frozen_selftest_offline_without_writing_to_its_folder(tmp_path):
    exe = Path(FROZEN).resolve()
    assert exe.is_file(), f"no bundle at {exe}: run make package"
    before = _snapshot(exe.parent)
    command = [str(exe), "--selftest"]
    if shutil.which("unshare") and subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0:
        command = ["unshare", "-rn", *command]  # no network at all
    proc = subprocess.run(command, env=_env(tmp_path), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "selftest passed" in proc.stdout
    for step in ("ok   index", "ok   search", "ok   answer"):
        assert step in proc.stdout
    assert _snapshot(exe.parent) == before, "the app wrote inside its own install folder"
    assert not [p for p in (tmp_path / "home").rglob("*") if p.is_file()], "stray files in HOME"


def test_frozen_window_opens_and_logs_to_the_data_folder(tmp_path):
    exe = Path(FROZEN).resolve()
    probe = tmp_path / "probe.json"
    data = tmp_path / "data"
    proc = subprocess.run([str(exe), "--data-dir", str(data)], env=_env(tmp_path, LANTERNE_STARTUP_PROBE=str(probe)),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    shown = json.loads(probe.read_text())
    print("frozen window shown after", shown)
    assert shown["since_process_start_s"] < 15  # generous: `python -m desktop.bench --startup` measures
    assert "window shown" in (data / "logs" / "lanterne.log").read_text(encoding="utf-8")


def test_frozen_command_line(tmp_path):
    exe = Path(FROZEN).resolve()
    proc = subprocess.run([str(exe), "--data-dir", str(tmp_path / "d"), "status", "--json"], env=_env(tmp_path),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and json.loads(proc.stdout)["documents"]["indexed"] == 0


# What a base Linux desktop has (X client library, GL, fonts, D-Bus, C/C++ runtime): everything
# else Qt's xcb plugin links must come with the bundle (a fresh Debian lacks libxcb-cursor0,
# libxcb-icccm4 and libxcb-keysyms1, for instance).
BASE_DESKTOP = ("libxcb.so", "libX11.so", "libXau", "libXdmcp", "libEGL", "libGL", "libOpenGL", "libGLX",
                "libGLdispatch", "libfontconfig", "libfreetype", "libdbus-1", "libglib-2.0", "libc.so",
                "libm.so", "libstdc++", "libgcc_s", "libpthread", "libdl", "librt", "libz.so", "libexpat",
                "libpng16", "libbrotli", "libbsd", "libmd", "libsystemd", "libcap", "libgcrypt",
                "libgpg-error", "liblzma", "libzstd", "liblz4", "libpcre2", "libffi", "libuuid", "libblkid",
                "libmount", "libselinux", "ld-linux", "linux-vdso")


def test_frozen_bundle_carries_the_libraries_of_qts_window(tmp_path):
    internal = Path(FROZEN).resolve().parent / "_internal"
    plugin = next(internal.rglob("platforms/libqxcb.so"), None)
    if plugin is None or not shutil.which("ldd"):
        pytest.skip("not a Linux bundle")
    out = subprocess.run(["ldd", str(plugin)], env={"LD_LIBRARY_PATH": str(internal)}, capture_output=True,
                         text=True, timeout=60).stdout
    outside = []
    for line in out.splitlines():
        name, _, where = line.strip().partition(" => ")
        if "not found" in where:
            outside.append(f"{name} (not found)")
        elif where and not where.startswith(str(internal)) and not name.startswith(BASE_DESKTOP):
            outside.append(f"{name} => {where.split(' (')[0]}")
    assert not outside, f"Qt's xcb plugin would load these from the system: {outside}"


def test_frozen_window_opens_on_a_real_x_server(tmp_path):
    from tests.desktop.test_real_window import _why_not, run_under_xvfb

    why = _why_not()
    if why:
        pytest.skip(why)
    exe = Path(FROZEN).resolve()
    shown = run_under_xvfb([str(exe), "--data-dir", str(tmp_path / "data")], tmp_path)
    assert shown["platform"] == "xcb" and shown["visible"]
