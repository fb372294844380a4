"""Decide what a file really is from its first bytes (then its extension), and extract it."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Callable

from indexer.errors import ExtractionError, UnsupportedFormat
from indexer.types import Extracted

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

TEXT_EXTENSIONS = {".txt", ".text", ".log", ".rst", ".ini", ".nfo", ""}
MARKDOWN_EXTENSIONS = {".md", ".markdown", ".mdown", ".mkd"}
HTML_EXTENSIONS = {".html", ".htm", ".xhtml"}
CSV_EXTENSIONS = {".csv", ".tsv"}
IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp"}

# Formats people keep documents in that we recognise but cannot read: a clear reason beats silence.
LEGACY_REASONS = {
    "ole": "unsupported format: unknown OLE2 (legacy Office) container",
    "zip": "unsupported format: zip archive",
}

# Everything a folder scan treats as a candidate document.
DOCUMENT_EXTENSIONS = (
    {".pdf", ".docx", ".docm", ".xlsx", ".xlsm", ".pptx", ".pptm", ".odt", ".ods", ".odp",
     ".eml", ".msg", ".xls", ".doc", ".ppt", ".rtf", ".txt", ".text"}
    | MARKDOWN_EXTENSIONS | HTML_EXTENSIONS | CSV_EXTENSIONS | IMAGE_EXTENSIONS
)


def _sniff_image(head: bytes) -> str:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image"
    if head.startswith(b"\xff\xd8\xff"):
        return "image"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image"
    return ""


def _sniff_zip(path: str) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                try:
                    mime = zf.read("mimetype")[:100].decode("ascii", "replace").strip()
                except Exception:
                    mime = ""
                for suffix, fmt in (("text", "odt"), ("spreadsheet", "ods"), ("presentation", "odp")):
                    if mime.startswith("application/vnd.oasis.opendocument." + suffix):
                        return fmt
            if "word/document.xml" in names or any(n.startswith("word/") and n.endswith("document.xml") for n in names):
                return "docx"
            if "ppt/presentation.xml" in names:
                return "pptx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "content.xml" in names:
                return "odt"
    except (zipfile.BadZipFile, OSError, ValueError):
        ext = Path(path).suffix.lower().lstrip(".")
        if ext in {"docx", "docm", "xlsx", "xlsm", "pptx", "pptm", "odt", "ods", "odp"}:
            return ext.replace("docm", "docx").replace("xlsm", "xlsx").replace("pptm", "pptx")
    return "zip"


def _sniff_ole(path: str) -> str:
    import olefile

    try:
        with olefile.OleFileIO(path) as ole:
            # stream names are case-insensitive in the format (some writers use "worddocument")
            streams = {"/".join(entry) for entry in ole.listdir(streams=True, storages=True)}
            lowered = {s.lower(): s for s in streams}
            streams |= {canon for canon in ("WordDocument", "Workbook", "Book", "PowerPoint Document",
                                            "EncryptedPackage", "PP40") if canon.lower() in lowered}
    except Exception:
        ext = Path(path).suffix.lower()
        return {".xls": "xls", ".doc": "doc", ".ppt": "ppt", ".msg": "msg"}.get(ext, "ole")
    if "EncryptedPackage" in streams:
        return "encrypted-ooxml"
    if "WordDocument" in streams:
        return "doc"
    if "Workbook" in streams or "Book" in streams:
        return "xls"
    if "PowerPoint Document" in streams or "PP40" in streams:
        return "ppt"
    if any(s.startswith("__substg1.0_") or s.startswith("__properties_version1.0") for s in streams):
        return "msg"
    return "ole"


def _looks_like_text(head: bytes) -> bool:
    if not head:
        return True
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    if b"\x00" in head:
        return False
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control / len(head) < 0.02


def detect_format(path: str | os.PathLike[str]) -> str:
    """The format name ('pdf', 'docx', ...) judged from content first, extension second."""
    path = os.fspath(path)
    ext = Path(path).suffix.lower()
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(path)
    if head.startswith(OLE_MAGIC):
        return _sniff_ole(path)
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    if _sniff_image(head):
        return "image"
    if not _looks_like_text(head):
        return "binary"
    if ext in HTML_EXTENSIONS:
        return "html"
    if ext in MARKDOWN_EXTENSIONS:
        return "markdown"
    if ext in CSV_EXTENSIONS:
        return "csv"
    if ext == ".eml":
        return "eml"
    lowered = head[:512].lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "html"
    if ext in TEXT_EXTENSIONS or ext in {".pdf", ".docx", ".xlsx", ".pptx", ".odt", ".doc", ".xls"}:
        # Either plain text, or a document renamed to the wrong type whose bytes are text.
        return "text"
    return "other-text"


def _extractor(fmt: str) -> Callable[[str], Extracted]:
    if fmt == "pdf":
        from indexer.formats.pdf import extract_pdf
        return extract_pdf
    if fmt in ("docx", "pptx", "xlsx"):
        from indexer.formats import ooxml
        return {"docx": ooxml.extract_docx, "pptx": ooxml.extract_pptx, "xlsx": ooxml.extract_xlsx}[fmt]
    if fmt in ("odt", "ods", "odp"):
        from indexer.formats.odf import extract_odf
        return extract_odf
    if fmt in ("text", "markdown", "csv"):
        from indexer.formats import plain
        return {"text": plain.extract_text, "markdown": plain.extract_markdown, "csv": plain.extract_csv}[fmt]
    if fmt == "html":
        from indexer.formats.html import extract_html
        return extract_html
    if fmt == "eml":
        from indexer.formats.mail import extract_eml
        return extract_eml
    if fmt == "msg":
        from indexer.formats.mail import extract_msg
        return extract_msg
    if fmt == "xls":
        from indexer.formats.legacy import extract_xls
        return extract_xls
    if fmt == "doc":
        from indexer.formats.msdoc import extract_doc
        return extract_doc
    if fmt == "ppt":
        from indexer.formats.msppt import extract_ppt
        return extract_ppt
    if fmt == "rtf":
        from indexer.formats.rtf import extract_rtf
        return extract_rtf
    if fmt == "image":
        from indexer.formats.image import extract_image
        return extract_image
    if fmt == "encrypted-ooxml":
        raise ExtractionError("password protected", code="password-protected")
    if fmt in LEGACY_REASONS:
        raise UnsupportedFormat(LEGACY_REASONS[fmt])
    if fmt == "binary":
        raise UnsupportedFormat("unsupported format: not a document Lanterne can read")
    raise UnsupportedFormat(f"unsupported format ({fmt})", ext=fmt)


def extract(path: str | os.PathLike[str]) -> Extracted:
    """Extract a file's text as structured blocks. Raises ExtractionError with a readable reason."""
    path = os.fspath(path)
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise _os_failure(exc) from exc
    if size == 0:
        raise ExtractionError("empty file", code="empty")
    try:
        fmt = detect_format(path)
    except OSError as exc:
        raise _os_failure(exc) from exc
    if fmt == "other-text":
        ext = Path(path).suffix.lower() or "(none)"
        raise UnsupportedFormat(f"unsupported format ({ext})", ext=ext)
    result = _extractor(fmt)(path)
    if not any(b.text.strip() for b in result.blocks):
        raise ExtractionError("no text found in the document", code="no-text")
    return result


def iter_parts(path: str | os.PathLike[str], pages_per_part: int = 100):
    """Yield (blocks, info) parts: page groups for PDFs (bounded memory on huge files), the whole
    document at once for the other formats. info: pages, title, warnings."""
    path = os.fspath(path)
    try:
        size = os.path.getsize(path)
        fmt = detect_format(path) if size else ""
    except OSError as exc:
        raise _os_failure(exc) from exc
    if fmt == "pdf":
        from indexer.formats.pdf import iter_pdf

        yield from iter_pdf(path, pages_per_part)
        return
    if fmt in ("text", "markdown", "csv"):
        from indexer.formats.plain import STREAM_BYTES, iter_text_parts

        if size > STREAM_BYTES:
            found = False
            for blocks, info in iter_text_parts(path, fmt):
                found = True
                yield blocks, info
            if not found:
                raise ExtractionError("no text found in the document", code="no-text")
            return
    result = extract(path)
    yield result.blocks, {"pages": result.pages, "title": result.title, "warnings": result.warnings}


def _os_failure(exc: OSError) -> ExtractionError:
    import errno

    if exc.errno in (errno.EACCES, errno.EPERM):
        return ExtractionError("permission denied (cannot read the file)", code="permission")
    if exc.errno == errno.ENOENT:
        return ExtractionError("file disappeared before it could be read", code="disappeared")
    if exc.errno == errno.ELOOP:
        return ExtractionError("symbolic link loop", code="unreadable")
    return ExtractionError(f"cannot read the file ({exc.strerror or exc})", code="unreadable")
