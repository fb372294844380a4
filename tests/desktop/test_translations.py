"""Every visible string goes through Qt's translation system and has a French translation."""
from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "translations" / "lanterne_fr.ts"
QM = ROOT / "resources" / "translations" / "lanterne_fr.qm"


def _tool(name: str) -> str:
    found = shutil.which(f"pyside6-{name}", path=str(Path(sys.executable).parent)) or shutil.which(f"pyside6-{name}")
    if not found:
        pytest.skip(f"pyside6-{name} not installed")
    return found


def _messages(path: Path) -> dict[tuple[str, str], ET.Element]:
    out = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            out[(name, message.findtext("source"))] = message.find("translation")
    return out


def _texts(translation: ET.Element) -> list[str]:
    """The translated text, or each plural form of a "%n" message."""
    forms = [(n.text or "") for n in translation.findall("numerusform")]
    return forms or [translation.text or ""]


def test_french_translation_is_complete():
    messages = _messages(TS)
    assert len(messages) > 150
    unfinished = [src for (_, src), tr in messages.items()
                  if tr is None or tr.get("type") in ("unfinished", "vanished", "obsolete")
                  or not all(t.strip() for t in _texts(tr))]
    assert not unfinished, f"untranslated: {unfinished[:5]}"
    # placeholders survive translation (in every plural form)
    for (_, src), tr in messages.items():
        for text in _texts(tr):
            for placeholder in ("{0}", "{1}", "{2", "{3}", "%n"):
                assert (placeholder in src) == (placeholder in text), (src, text)


def test_every_source_string_is_in_the_translation(tmp_path):
    """lupdate over the code finds no string that the committed .ts lacks (a new tr() call without
    a French translation fails here)."""
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in (ROOT / "desktop").glob("*.py"))
    subprocess.run([_tool("lupdate"), *sources, "-ts", str(fresh), "-no-obsolete", "-locations", "none"],
                   check=True, capture_output=True)
    missing = sorted(set(_messages(fresh)) - set(_messages(TS)))
    assert not missing, f"strings missing from {TS.name}: {missing[:5]} (run: make translations)"


def test_compiled_translation_is_current(tmp_path):
    out = tmp_path / "fr.qm"
    subprocess.run([_tool("lrelease"), str(TS), "-qm", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == QM.read_bytes(), "lanterne_fr.qm is stale (run: make translations)"


def test_no_user_visible_literal_bypasses_tr():
    """setText/setWindowTitle/setToolTip/... with a bare string literal would stay English."""
    import re

    pattern = re.compile(r"\.(setText|setWindowTitle|setToolTip|setPlaceholderText|setAccessibleName|setTitle|"
                         r"addAction|showMessage)\(\s*['\"][A-Za-z]")
    allowed = {'"Lanterne"'}
    offenders = []
    for path in (ROOT / "desktop").glob("*.py"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = pattern.search(line)
            if m and not any(a in line for a in allowed):
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert not offenders, offenders
