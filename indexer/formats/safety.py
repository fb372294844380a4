"""Defences against hostile containers: zip bombs and XML entity attacks.

Sizes declared in the zip directory are checked *before* anything is inflated, and inflation is
capped again while reading (a lying directory cannot get past the cap). XML is parsed with
defusedxml, which refuses entity declarations and external references.
"""
from __future__ import annotations

import zipfile

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from indexer.errors import ExtractionError

MAX_MEMBER_BYTES = 256 * 1024 * 1024  # one inflated part
MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # all parts together
MAX_RATIO = 200  # inflated / compressed, for parts above RATIO_FLOOR
RATIO_FLOOR = 4 * 1024 * 1024
MAX_MEMBERS = 20_000


def open_zip(path: str) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ExtractionError("corrupt file (not a valid zip container)", code="damaged") from exc
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        zf.close()
        raise ExtractionError("refused: the container holds too many parts (possible zip bomb)", code="refused")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_MEMBER_BYTES:
            zf.close()
            raise ExtractionError(f"refused: a part inflates to {info.file_size // 2**20} MB (possible zip bomb)", code="refused")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            zf.close()
            raise ExtractionError("refused: compression ratio is implausibly high (possible zip bomb)", code="refused")
        if info.flag_bits & 0x1:
            zf.close()
            raise ExtractionError("password protected", code="password-protected")
    if total > MAX_TOTAL_BYTES:
        zf.close()
        raise ExtractionError("refused: the container inflates to more than 1 GB (possible zip bomb)", code="refused")
    return zf


def read_member(zf: zipfile.ZipFile, name: str) -> bytes:
    """Read one part, never inflating more than MAX_MEMBER_BYTES whatever the directory says."""
    try:
        with zf.open(name) as fh:
            data = fh.read(MAX_MEMBER_BYTES + 1)
    except KeyError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise ExtractionError(f"corrupt file (damaged part {name})", code="damaged") from exc
    except Exception as exc:  # zlib.error and friends
        raise ExtractionError(f"corrupt file (damaged part {name}: {exc.__class__.__name__})", code="damaged") from exc
    if len(data) > MAX_MEMBER_BYTES:
        raise ExtractionError("refused: a part inflates beyond its declared size (possible zip bomb)", code="refused")
    return data


def parse_xml(data: bytes, what: str = "XML"):
    """Parse untrusted XML: no entities, no external references, no DTD tricks."""
    try:
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ExtractionError(f"refused: unsafe {what} (entity declarations or external references)", code="refused") from exc
    except SafeET.ParseError as exc:
        raise ExtractionError(f"corrupt file (malformed {what})", code="damaged") from exc
