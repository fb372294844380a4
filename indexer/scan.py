"""Walking sources: exclusions in gitignore syntax, symlink loops, unreadable folders, odd names.

A walk yields FileEntry for candidate files and ScanProblem for what could not be read; it streams
(no list of the whole tree is built), so a 100,000-file source costs constant memory here.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import pathspec


@dataclass(frozen=True, slots=True)
class FileEntry:
    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class ScanProblem:
    path: str
    reason: str  # English detail
    code: str = "unreadable"  # indexer.errors.FAILURES


def build_spec(patterns: Sequence[str]) -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines([p for p in patterns if p and not p.startswith("#")])


def is_excluded(spec: pathspec.PathSpec, relative: str, is_dir: bool = False) -> bool:
    rel = relative.replace(os.sep, "/")
    return spec.match_file(rel + "/" if is_dir else rel)


def walk(root: str, spec: pathspec.PathSpec, *, follow_links: bool = False,
         skip_dirs: Iterable[str] = ()) -> Iterator[FileEntry | ScanProblem]:
    """Every non-excluded regular file under ``root`` (or ``root`` itself when it is a file).

    Symbolic links are followed only while they stay inside ``root``, unless ``follow_links``;
    folders in ``skip_dirs`` (the data folder) are never entered."""
    try:
        st = os.stat(root)
    except OSError as exc:
        yield _problem(root, exc, folder=True)
        return
    if stat.S_ISREG(st.st_mode):
        yield FileEntry(root, st.st_size, st.st_mtime_ns)
        return
    if not stat.S_ISDIR(st.st_mode):
        yield ScanProblem(root, "not a regular file or folder")
        return
    seen_dirs: set[tuple[int, int]] = {(st.st_dev, st.st_ino)}
    real_root = os.path.realpath(root)
    skip = {os.path.realpath(p) for p in skip_dirs}
    stack: list[str] = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield _problem(folder, exc, folder=True)
            continue
        subfolders = []
        for entry in entries:
            rel = os.path.relpath(entry.path, root)
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
                is_file = not is_dir and entry.is_file(follow_symlinks=True)
            except OSError as exc:
                yield _problem(entry.path, exc)
                continue
            if is_excluded(spec, rel, is_dir):
                continue
            if not follow_links and entry.is_symlink() and (is_dir or is_file):
                target = os.path.realpath(entry.path)
                if not _inside(target, real_root):
                    # passwd.txt -> /etc/passwd: a link must not widen what the user chose to share
                    yield ScanProblem(entry.path, "symbolic link that leads outside the folder (not followed)", "symlink-outside")
                    continue
            if is_dir and skip and os.path.realpath(entry.path) in skip:
                continue  # Lanterne's own data folder, placed inside an indexed folder
            if is_dir:
                try:
                    dst = entry.stat(follow_symlinks=True)
                except OSError as exc:
                    yield _problem(entry.path, exc, folder=True)
                    continue
                key = (dst.st_dev, dst.st_ino)
                if key in seen_dirs:
                    continue  # a symlink loop, or the same folder reached twice
                seen_dirs.add(key)
                subfolders.append(entry.path)
            elif is_file:
                try:
                    fst = entry.stat(follow_symlinks=True)
                except OSError as exc:
                    yield _problem(entry.path, exc)
                    continue
                yield FileEntry(entry.path, fst.st_size, fst.st_mtime_ns)
            elif entry.is_symlink():
                yield ScanProblem(entry.path, "broken symbolic link or symbolic link loop")
        stack.extend(reversed(subfolders))


def _problem(path: str, exc: OSError, folder: bool = False) -> ScanProblem:
    import errno

    what = "folder" if folder else "file"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return ScanProblem(path, f"permission denied (cannot open the {what})", "permission")
    if exc.errno == errno.ELOOP:
        return ScanProblem(path, "symbolic link loop", "unreadable")
    if exc.errno == errno.ENOENT:
        return ScanProblem(path, f"{what} not found (disconnected drive or moved?)", "disappeared")
    return ScanProblem(path, f"cannot read the {what} ({exc.strerror or exc})", "unreadable")


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def content_hash(path: str, chunk: int = 1 << 20) -> str:
    import hashlib

    h = hashlib.blake2b(digest_size=20)
    with open(path, "rb") as fh:
        while True:
            data = fh.read(chunk)
            if not data:
                break
            h.update(data)
    return h.hexdigest()


def normalise_source(path: str) -> str:
    return str(Path(path).expanduser().absolute())


@dataclass
class ChangedPaths:
    """What a list of changed paths (from the file watcher) means for one source."""
    entries: list  # FileEntry | ScanProblem for files that exist
    missing: list[str]  # paths that are gone (deleted, or the old name of a rename)
    needs_walk: bool  # a folder changed: only a walk of the source can tell what happened


def changed_paths(root: str, spec: pathspec.PathSpec, paths: Iterable[str], *, follow_links: bool = False,
                  skip_dirs: Iterable[str] = ()) -> ChangedPaths:
    """Look only at ``paths`` (all inside ``root``, a folder): a saved file costs one stat, not a
    walk of its whole folder. Excluded paths are left out; symbolic links that leave the folder
    are refused as in ``walk``. A path that is (or was) a folder asks for a walk."""
    out = ChangedPaths([], [], False)
    real_root = os.path.realpath(root)
    skip = [os.path.realpath(p) for p in skip_dirs]
    for path in sorted(set(paths)):
        if not _inside(os.path.abspath(path), os.path.abspath(root)) or any(_inside(os.path.realpath(path), s) for s in skip):
            continue
        rel = os.path.relpath(path, root)
        try:
            st = os.stat(path)
        except FileNotFoundError:
            if not is_excluded(spec, rel):
                out.missing.append(path)
            continue
        except OSError as exc:
            out.entries.append(_problem(path, exc))
            continue
        if stat.S_ISDIR(st.st_mode):
            if not is_excluded(spec, rel, True):
                out.needs_walk = True
            continue
        if not stat.S_ISREG(st.st_mode) or is_excluded(spec, rel):
            continue
        if not follow_links and os.path.islink(path) and not _inside(os.path.realpath(path), real_root):
            out.entries.append(ScanProblem(path, "symbolic link that leads outside the folder (not followed)",
                                           "symlink-outside"))
            continue
        out.entries.append(FileEntry(path, st.st_size, st.st_mtime_ns))
    return out


@dataclass(frozen=True, slots=True)
class Known:
    """What the catalog knows of a file: its state and the size and mtime it was read at."""
    status: str  # indexed | failed | unsupported | pending | …
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # "new" | "changed" | "unchanged" | "refused"
    failure: object | None = None  # indexer.errors.Failure, for "refused"


def scan_diff(known: Known | None, entry: FileEntry, *, max_bytes: int, any_format: bool = False) -> Change:
    """The scan's decision for one file found by a walk or named by the watcher, without I/O:
    unchanged (same size and mtime as when it was read, or refused), refused before any reading
    (a format Lanterne does not read, too large), or to read (new or changed). ``any_format``: a
    file added by name is read whatever its extension (its content decides)."""
    from indexer.errors import Failure
    from indexer.formats.detect import DOCUMENT_EXTENSIONS

    if (known is not None and known.status in ("indexed", "failed", "unsupported")
            and known.size == entry.size and known.mtime_ns == entry.mtime_ns):
        return Change("unchanged")
    ext = os.path.splitext(entry.path)[1].lower()
    if ext and ext not in DOCUMENT_EXTENSIONS and not any_format:
        return Change("refused", Failure("unsupported", f"unsupported format ({ext})", {"ext": ext}))
    if entry.size > max_bytes:
        size_mb, limit_mb = entry.size // 2**20, max_bytes // 2**20
        return Change("refused", Failure("too-large", f"too large ({size_mb} MB; the limit is {limit_mb} MB in "
                                                      "settings)", {"size_mb": size_mb, "limit_mb": limit_mb}))
    return Change("new" if known is None else "changed")
