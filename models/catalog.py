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


def find(name: str) -> CatalogModel | None:
    return next((m for m in CATALOG if m.name == name), None)
