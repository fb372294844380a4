"""Model downloads: only when the user asks, resumable, with progress and cancel, verified by
SHA-256 before the file is used. Disabled entirely by the "never use the network" setting."""
from __future__ import annotations

import hashlib
import logging
import os
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

from models.errors import ModelError

log = logging.getLogger(__name__)
CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while data := fh.read(CHUNK):
            h.update(data)
    return h.hexdigest()


def download(url: str, dest: Path, *, sha256: str | None, progress: Callable[[int, int], None] | None = None,
             cancel: threading.Event | None = None, strict_offline: bool = False, timeout: float = 30.0) -> Path:
    """Fetch ``url`` into ``dest``. A partial ``.part`` file from an interrupted attempt is
    resumed with an HTTP Range request. The expected SHA-256 is the pinned one when given, else
    the one the server declares for the file (Hugging Face's ``X-Linked-Etag``); without either,
    the download is refused."""
    if strict_offline:
        raise ModelError("offline", "Downloads are disabled (the “never use the network” setting is on).")
    dest = Path(dest)
    part = dest.with_name(dest.name + ".part")
    dest.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "Lanterne", **({"Range": f"bytes={have}-"} if have else {})})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # already complete
            response = None
        else:
            raise ModelError("download-failed", f"The server refused the download (HTTP {exc.code}).") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise ModelError("download-failed", f"Cannot reach the download server: {getattr(exc, 'reason', exc)}. "
                                            "The partial file is kept; try again to resume.") from exc
    expected = (sha256 or "").lower() or None
    if response is not None:
        with response:
            declared = (response.headers.get("X-Linked-Etag") or "").strip('"').lower()
            if expected is None and len(declared) == 64:
                expected = declared
            if expected is None:
                raise ModelError("download-unverifiable", "No SHA-256 is known for this file; it cannot be verified, so it is not downloaded.")
            if response.status == 200 and have:
                have = 0  # the server ignored our Range: start over
            length = response.headers.get("Content-Length")
            total = have + int(length) if length and length.isdigit() else 0
            done = have
            try:
                with open(part, "ab" if have else "wb") as out:
                    while True:
                        if cancel is not None and cancel.is_set():
                            raise ModelError("download-cancelled", "Download cancelled; it will resume where it stopped.")
                        data = response.read(CHUNK)
                        if not data:
                            break
                        out.write(data)
                        done += len(data)
                        if progress:
                            progress(done, total)
            except OSError as exc:
                import errno

                if exc.errno == errno.ENOSPC:
                    raise ModelError("disk-full", "The disk is full: free some space, then resume the download.") from exc
                raise ModelError("download-failed", f"The download was interrupted ({exc}); try again to resume.") from exc
            if total and done < total:
                raise ModelError("download-failed", "The download was interrupted; try again to resume.")
    if expected is None:
        raise ModelError("download-unverifiable", "No SHA-256 is known for this file; it cannot be verified.")
    actual = sha256_of(part)
    if actual != expected:
        part.unlink(missing_ok=True)
        raise ModelError("download-corrupt", "The downloaded file does not match its SHA-256 checksum and was deleted.")
    os.replace(part, dest)
    return dest
