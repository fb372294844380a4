"""A curated catalog of good local models for answering from documents, at sensible quantizations.

Sizes are approximate until the download starts (the server's length is used then). SHA-256:
entries whose hash is pinned here are checked against it; for the others the hash the hosting
server publishes for the file (Hugging Face's LFS SHA-256) is used. A file is never used before
its hash matches.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

HF = "https://huggingface.co"


@dataclass(frozen=True)
class CatalogModel:
    name: str
    title: str
    url: str
    size_gb: float
    ram_gb: float
    context: int
    languages: str
    license: str
    sha256: str | None = None

    @property
    def filename(self) -> str:
        return self.url.rsplit("/", 1)[-1]

    def as_json(self) -> dict:
        return asdict(self)


CATALOG: list[CatalogModel] = [
    CatalogModel("llama-3.2-1b-instruct-q4_k_m", "Llama 3.2 1B Instruct (Q4_K_M)",
                 f"{HF}/bartowski/Llama-3.2-1B-Instruct-GGUF/resolve/main/Llama-3.2-1B-Instruct-Q4_K_M.gguf",
                 0.81, 2.0, 131072, "en, fr, de, es, it, pt, hi, th", "Llama 3.2 Community License"),
    CatalogModel("llama-3.2-3b-instruct-q4_k_m", "Llama 3.2 3B Instruct (Q4_K_M)",
                 f"{HF}/bartowski/Llama-3.2-3B-Instruct-GGUF/resolve/main/Llama-3.2-3B-Instruct-Q4_K_M.gguf",
                 2.02, 4.0, 131072, "en, fr, de, es, it, pt, hi, th", "Llama 3.2 Community License"),
    CatalogModel("qwen2.5-3b-instruct-q4_k_m", "Qwen2.5 3B Instruct (Q4_K_M)",
                 f"{HF}/Qwen/Qwen2.5-3B-Instruct-GGUF/resolve/main/qwen2.5-3b-instruct-q4_k_m.gguf",
                 2.1, 4.0, 32768, "29 languages incl. fr, en", "Qwen Research License"),
    CatalogModel("qwen2.5-7b-instruct-q4_k_m", "Qwen2.5 7B Instruct (Q4_K_M)",
                 f"{HF}/bartowski/Qwen2.5-7B-Instruct-GGUF/resolve/main/Qwen2.5-7B-Instruct-Q4_K_M.gguf",
                 4.68, 8.0, 32768, "29 languages incl. fr, en", "Apache-2.0"),
    CatalogModel("mistral-7b-instruct-v0.3-q4_k_m", "Mistral 7B Instruct v0.3 (Q4_K_M)",
                 f"{HF}/bartowski/Mistral-7B-Instruct-v0.3-GGUF/resolve/main/Mistral-7B-Instruct-v0.3-Q4_K_M.gguf",
                 4.37, 8.0, 32768, "en, fr, de, es, it", "Apache-2.0"),
    CatalogModel("gemma-3-4b-it-q4_k_m", "Gemma 3 4B it (Q4_K_M)",
                 f"{HF}/bartowski/google_gemma-3-4b-it-GGUF/resolve/main/google_gemma-3-4b-it-Q4_K_M.gguf",
                 2.49, 5.0, 131072, "140 languages incl. fr, en", "Gemma Terms of Use"),
]


# Best first for answering French documents (and English ones): Mistral 7B and Qwen2.5 7B write
# good French and follow citation instructions; Gemma 3 4B next; the 3B models are decent; the 1B
# is the last resort that still beats the demonstration model.
FRENCH_PREFERENCE = ["mistral-7b-instruct-v0.3-q4_k_m", "qwen2.5-7b-instruct-q4_k_m", "gemma-3-4b-it-q4_k_m",
                     "llama-3.2-3b-instruct-q4_k_m", "qwen2.5-3b-instruct-q4_k_m", "llama-3.2-1b-instruct-q4_k_m"]


@dataclass(frozen=True)
class Machine:
    ram_gb: float
    cores: int
    gpu: bool  # llama.cpp was built with a GPU backend (CUDA, Metal, Vulkan…)
    free_disk_gb: float

    @classmethod
    def detect(cls, folder: str = ".") -> "Machine":
        import os
        import shutil

        import psutil

        try:
            free = shutil.disk_usage(folder).free / 2**30
        except OSError:
            free = 0.0
        gpu = False
        try:
            import llama_cpp

            gpu = bool(llama_cpp.llama_supports_gpu_offload())
        except Exception:
            pass
        return cls(psutil.virtual_memory().total / 2**30, os.cpu_count() or 1, gpu, free)


@dataclass(frozen=True)
class Recommendation:
    model: CatalogModel | None
    reason: str  # "fits" | "slow-cpu" | "small-ram" | "no-disk" | "too-small" (nothing fits)


def recommend(machine: Machine) -> Recommendation:
    """The best catalog model for French that this machine runs comfortably: its memory need at
    most 60% of the RAM (the system, the app and the documents need the rest), the file fits on
    the disk with 1 GB to spare, and a 7B model only with a GPU or at least 8 cores (on fewer
    cores it writes about two words a second)."""
    candidates = [find(name) for name in FRENCH_PREFERENCE]
    reason = "fits"
    for model in candidates:
        if model is None:
            continue
        if model.ram_gb > 0.6 * machine.ram_gb:
            reason = "small-ram"
            continue
        if model.size_gb + 1.0 > machine.free_disk_gb:
            reason = "no-disk"
            continue
        if model.ram_gb >= 8 and not machine.gpu and machine.cores < 8:
            reason = "slow-cpu"
            continue
        return Recommendation(model, "fits" if model is candidates[0] else reason)
    return Recommendation(None, "too-small")


def find(name: str) -> CatalogModel | None:
    return next((m for m in CATALOG if m.name == name), None)
