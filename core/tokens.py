"""Access tokens for `lanterne serve`: who may call the API, and which collections they may read.

A token is 32 random bytes (URL-safe text), shown once when it is created; only its SHA-256 is
kept (``tokens.json`` in the data folder, readable by its owner only). A token that high in
entropy needs no slow hash: guessing one is out of reach, and the comparison of digests is
constant-time. ``collections`` None means every collection.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from core.errors import LanterneError, from_os_error

PREFIX = "lnt_"


@dataclass(frozen=True)
class TokenInfo:
    name: str
    collections: tuple[str, ...] | None  # None: every collection
    created_at: float

    def as_json(self) -> dict:
        return {"name": self.name, "collections": list(self.collections) if self.collections is not None else None,
                "created_at": self.created_at}

    def may_read(self, collection: str) -> bool:
        return self.collections is None or collection in self.collections


class TokenStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    # -- persistence
    def _load(self) -> list[dict]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8")).get("tokens", [])
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise LanterneError(f"The token file {self.path} cannot be read ({exc}).", code="tokens-unreadable") from exc

    def _save(self, tokens: list[dict]) -> None:
        tmp = self.path.with_suffix(".json.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"tokens": tokens}, fh, indent=1)
            os.replace(tmp, self.path)
        except OSError as exc:
            raise from_os_error(exc, str(self.path)) from exc

    # -- commands
    def create(self, name: str, collections: list[str] | None = None) -> str:
        """A new token for ``name``; returns the token text (the only time it is seen)."""
        name = name.strip()
        if not name or len(name) > 100:
            raise LanterneError("Give the token a name (1 to 100 characters).", code="usage")
        with self._lock:
            tokens = self._load()
            if any(t["name"] == name for t in tokens):
                raise LanterneError(f"A token named {name!r} exists already; revoke it first.", code="token-exists")
            token = PREFIX + secrets.token_urlsafe(32)
            tokens.append({"name": name, "sha256": _digest(token), "created_at": time.time(),
                           "collections": sorted(set(collections)) if collections else None})
            self._save(tokens)
            return token

    def list(self) -> list[TokenInfo]:
        return [_info(t) for t in self._load()]

    def revoke(self, name: str) -> None:
        with self._lock:
            tokens = self._load()
            kept = [t for t in tokens if t["name"] != name]
            if len(kept) == len(tokens):
                raise LanterneError(f"No token named {name!r}.", code="no-token")
            self._save(kept)

    def verify(self, token: str | None) -> TokenInfo | None:
        """The token's owner, or None. Every stored digest is compared (constant time each)."""
        if not token:
            return None
        digest = _digest(token)
        found = None
        for t in self._load():
            if hmac.compare_digest(digest, t["sha256"]):
                found = t
        return _info(found) if found is not None else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _info(t: dict) -> TokenInfo:
    cols = t.get("collections")
    return TokenInfo(t["name"], tuple(cols) if cols is not None else None, float(t.get("created_at", 0)))
