"""The model registry: which LLMs are installed, which one is active.

Stored as JSON in ``<data>/models/registry.json``; imported and downloaded files live in
``<data>/models``. The demonstration model that ships with the app is always listed and cannot be
removed. Every file passes the GGUF header checks before it is listed.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from models.errors import ModelError
from models.gguf import inspect_gguf
from models.llm import default_llm_path

DEFAULT_MODEL_NAME = "smollm2-135m-instruct"


@dataclass
class ModelEntry:
    name: str
    file: str
    size: int
    quantization: str
    context_length: int
    license: str
    source: str  # "bundled" | "imported" | "linked" | "downloaded"
    architecture: str = ""
    ram_bytes: int = 0  # estimate: weights + an 8k-token KV cache
    notes: str = ""

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class _State:
    active: str = DEFAULT_MODEL_NAME
    models: list[ModelEntry] = field(default_factory=list)


def _entry_for(path: Path, name: str, source: str, notes: str = "") -> ModelEntry:
    info = inspect_gguf(path)
    ctx = min(info.context_length or 4096, 8192)
    return ModelEntry(name=name, file=str(path), size=path.stat().st_size, quantization=info.quantization,
                      context_length=info.context_length, license=info.license or "see the model card",
                      source=source, architecture=info.architecture,
                      ram_bytes=path.stat().st_size + info.kv_bytes_per_token() * ctx, notes=notes)


def slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-")[:60] or "model"


class ModelRegistry:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.file = self.folder / "registry.json"
        self._lock = threading.RLock()

    # -- persistence
    def _load(self) -> _State:
        state = _State()
        if self.file.is_file():
            try:
                data = json.loads(self.file.read_text(encoding="utf-8"))
                state.active = data.get("active") or DEFAULT_MODEL_NAME
                state.models = [ModelEntry(**m) for m in data.get("models", [])]
            except (OSError, ValueError, TypeError):
                self.file.replace(self.file.with_suffix(".json.bad"))
        if not any(m.name == DEFAULT_MODEL_NAME for m in state.models):
            try:
                state.models.insert(0, _entry_for(default_llm_path(), DEFAULT_MODEL_NAME, "bundled",
                                                  "Tiny demonstration model: fast, but its answers are weak. "
                                                  "Import or download a real model (Llama 3.2 3B, Qwen2.5 3B/7B, Mistral 7B)."))
            except ModelError:
                pass
        return state

    def _save(self, state: _State) -> None:
        data = {"active": state.active, "models": [m.as_json() for m in state.models]}
        fd, tmp = tempfile.mkstemp(dir=str(self.folder), prefix=".registry-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, ensure_ascii=False)
        os.replace(tmp, self.file)

    # -- queries
    def list(self) -> list[ModelEntry]:
        with self._lock:
            return self._load().models

    def active(self) -> ModelEntry:
        with self._lock:
            state = self._load()
            for m in state.models:
                if m.name == state.active:
                    return m
            if state.models:
                return state.models[0]
        raise ModelError("model-missing", "No language model is installed. Import a GGUF file with: lanterne models import FILE")

    @staticmethod
    def _find(state: _State, name: str) -> ModelEntry:
        for m in state.models:
            if m.name == name:
                return m
        raise ModelError("model-unknown", f"No model named {name!r}. See: lanterne models list")

    def get(self, name: str) -> ModelEntry:
        with self._lock:
            return self._find(self._load(), name)

    # -- changes
    def use(self, name: str) -> ModelEntry:
        with self._lock:
            state = self._load()
            entry = self._find(state, name)
            if not Path(entry.file).is_file():
                raise ModelError("model-missing", f"The file of {name!r} is missing: {entry.file}")
            state.active = name
            self._save(state)
            return entry

    def add_file(self, path: str | os.PathLike[str], *, name: str | None = None, link: bool = False,
                 source: str | None = None) -> ModelEntry:
        """Import a GGUF: checked first, then copied into the data folder (or referenced with link)."""
        src = Path(path).expanduser().resolve()
        import stat

        try:
            mode = src.stat().st_mode
        except OSError as exc:
            raise ModelError("model-missing", f"Cannot open {src}: {exc.strerror or exc}.") from exc
        if not stat.S_ISREG(mode):  # a FIFO or a device would block the reader forever
            raise ModelError("model-broken", f"{src} is not a regular file.")
        info = inspect_gguf(src)  # raises a clear ModelError on anything wrong
        name = slug(name or info.metadata.get("general.name") or src.stem)
        with self._lock:
            state = self._load()
            if any(m.name == name for m in state.models):
                name = slug(f"{name}-{src.stem}")
                if any(m.name == name for m in state.models):
                    raise ModelError("model-exists", f"A model named {name!r} is already installed.")
            if link or src.parent == self.folder.resolve():
                target = src
            else:
                target = self.folder / src.name
                if target.exists() and target.resolve() != src:
                    target = self.folder / f"{name}-{src.name}"
                if target.resolve() != src:
                    tmp = target.with_suffix(".part")
                    try:
                        shutil.copyfile(src, tmp)
                        os.replace(tmp, target)
                    except OSError as exc:
                        tmp.unlink(missing_ok=True)
                        from errno import ENOSPC

                        if exc.errno == ENOSPC:
                            raise ModelError("disk-full", "Not enough disk space to copy the model.") from exc
                        raise ModelError("copy-failed", f"Cannot copy the model: {exc.strerror}") from exc
            entry = _entry_for(target, name, source or ("linked" if link else "imported"))
            state.models.append(entry)
            self._save(state)
            return entry

    def download(self, name: str, *, progress=None, cancel=None, strict_offline: bool = False) -> ModelEntry:
        """Download a catalog model (resumable), verify its SHA-256 and GGUF header, register it."""
        from models.catalog import find
        from models.download import download

        item = find(name)
        if item is None:
            raise ModelError("model-unknown", f"{name!r} is not in the catalog. See: lanterne models list --catalog")
        target = self.folder / item.filename
        download(item.url, target, sha256=item.sha256, progress=progress, cancel=cancel, strict_offline=strict_offline)
        try:
            return self.add_file(target, name=item.name, source="downloaded")
        except ModelError:
            target.unlink(missing_ok=True)
            raise

    def remove(self, name: str) -> None:
        with self._lock:
            state = self._load()
            entry = self._find(state, name)
            if entry.source == "bundled":
                raise ModelError("model-bundled", "The demonstration model comes with the app and cannot be removed.")
            state.models = [m for m in state.models if m.name != name]
            if state.active == name:
                state.active = DEFAULT_MODEL_NAME
            self._save(state)
            path = Path(entry.file)
            if entry.source in ("imported", "downloaded") and path.parent.resolve() == self.folder.resolve():
                path.unlink(missing_ok=True)
