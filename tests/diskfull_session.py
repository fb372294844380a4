"""Fill a tiny filesystem while indexing, then give it room again (run by tests/test_disk_full.py
inside a user + mount namespace, where the test can mount and grow a small tmpfs)."""
from __future__ import annotations

import json
import subprocess
import sys


def main() -> None:
    data, docs = sys.argv[1], sys.argv[2]
    from core.errors import DiskFullError
    from core.indexing import IndexingService
    from core.library import Library
    from core.settings import Settings

    settings = Settings(indexing_workers=1, commit_every_s=0.2)
    out: dict = {}
    library = Library(data, settings)
    states = []
    try:
        IndexingService(library).index([docs], "Plein", progress=lambda p: states.append((p.state, p.message)))
        out["full"] = None
    except DiskFullError as exc:
        out["full"] = exc.message
    out["last_state"] = states[-1] if states else None
    library.close()

    library = Library(data, settings)  # the index still opens after the failure
    found = library.store.generations()
    out["indexed_before"] = library.catalog.counts()["indexed"]
    out["indexed_without_chunks"] = [d.path for d in library.catalog.documents(status="indexed")
                                     if found.get((d.id, d.gen)) != d.chunk_count]
    library.close()

    subprocess.run(["mount", "-o", "remount,size=256m", data], check=True)  # space comes back
    library = Library(data, settings)
    report = IndexingService(library).index([docs], "Plein")
    live = library.catalog.live_generations()
    found = library.store.generations()
    out["indexed_after"] = library.catalog.counts()["indexed"]
    out["resumed_indexed"] = report.indexed
    out["orphans"] = [k for k in found if live.get(k[0]) != k[1]]
    out["hits"] = len(library.store.text_search("prestatair", 5))
    library.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
