"""Run a whole Lanterne session (index, search, ask with the default models) and record every
network attempt and every file written outside the data folder and the temp folder.
Used by tests/test_privacy.py, which runs it with no network at all."""
from __future__ import annotations

import json
import os
import socket
import sys
import tempfile

attempts: list[str] = []
stray_writes: list[str] = []
DATA = os.path.realpath(sys.argv[1])
DOCS = sys.argv[2]
ALLOWED = [DATA, os.path.realpath(tempfile.gettempdir()), "/dev/"]


def hook(event: str, args) -> None:
    if event == "socket.connect":
        sock, address = args
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            if not (host.startswith("127.") or host in ("::1", "localhost")):
                attempts.append(f"connect {address}")
                raise ConnectionRefusedError("network use is forbidden in this test")
    elif event == "socket.getaddrinfo":
        host = args[0]
        if host not in (None, "localhost", "127.0.0.1", "::1", b"localhost"):
            attempts.append(f"resolve {host!r}")
            raise OSError("name resolution is forbidden in this test")
    elif event == "open":
        path, mode, flags = (list(args) + [None, None])[:3]
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
        if writing and isinstance(path, (str, bytes)):
            real = os.path.realpath(os.fsdecode(path))
            if not any(real.startswith(a) for a in ALLOWED):
                stray_writes.append(real)


sys.addaudithook(hook)


def main() -> None:
    from core.answer import AnswerEngine
    from core.indexing import IndexingService
    from core.library import Library
    from core.search import SearchEngine

    library = Library(DATA)
    report = IndexingService(library).index([DOCS], "Privé")
    hits = SearchEngine(library).search("renouvellement du contrat", 3)
    answer = AnswerEngine(library).ask("Quand le contrat se renouvelle-t-il ?", max_tokens=24)
    library.close()
    print(json.dumps({"indexed": report.indexed, "hits": len(hits), "answer": answer.answer,
                      "attempts": attempts, "stray_writes": sorted(set(stray_writes))}))


if __name__ == "__main__":
    main()
