"""Text recognition (OCR) for scanned pages and photos: Tesseract 5 through tesserocr, offline.

Runs only inside the extraction workers (low priority, one thread each). Each recognised page is
kept in the data folder (``ocr/<content hash>/<languages>-p<page>.json.gz``), so an unchanged file
is never recognised twice, and the preview can highlight the cited words on the page image: words
are stored with boxes as fractions of the page (0..1, top-left origin), whatever the rotation.

Why Tesseract: its LSTM models read French accents and ligatures (CER measured in the README);
the wheel carries the engine, and the models are plain files (Apache-2.0) the bundle ships. The
PP-OCR models inside RapidOCR's wheel are Chinese/English only.
"""
from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

DEFAULT_LANGUAGES = "fra+eng"
CACHE_VERSION = 2
RENDER_DPI = 300  # the most a page is rendered at for recognition
MIN_DPI = 200

_SEARCH = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
    "C:/Program Files/Tesseract-OCR/tessdata",
)


def tessdata_dirs() -> list[Path]:
    """Where language models are looked for, first match wins: LANTERNE_TESSDATA, the installed
    app's own copy, TESSDATA_PREFIX, then the system's Tesseract data."""
    found: list[Path] = []
    if os.environ.get("LANTERNE_TESSDATA"):
        found.append(Path(os.environ["LANTERNE_TESSDATA"]))
    base = getattr(sys, "_MEIPASS", None)
    if base:
        found.append(Path(base) / "tessdata")
    found.append(Path(__file__).resolve().parent.parent / "resources" / "tessdata")
    if os.environ.get("TESSDATA_PREFIX"):
        prefix = Path(os.environ["TESSDATA_PREFIX"])
        found.extend([prefix, prefix / "tessdata"])
    found.extend(Path(p) for p in _SEARCH)
    return [p for p in found if p.is_dir()]


def available_languages() -> dict[str, Path]:
    """Installed recognition languages (Tesseract codes: fra, eng, deu...) and their folder."""
    langs: dict[str, Path] = {}
    for folder in tessdata_dirs():
        try:
            for entry in folder.glob("*.traineddata"):
                langs.setdefault(entry.stem, folder)
        except OSError:
            continue
    langs.pop("osd", None)
    langs.pop("equ", None)
    return langs


def resolve(languages: str) -> tuple[str, Path | None, str]:
    """(languages that are installed, their folder, reason when none is)."""
    wanted = [l for l in re.split(r"[+,\s]+", languages or DEFAULT_LANGUAGES) if l]
    have = available_languages()
    try:
        import tesserocr  # noqa: F401
    except Exception:
        return "", None, "the text recognition engine is not installed"
    usable = [l for l in wanted if l in have]
    if not usable:
        return "", None, f"the text recognition models ({'+'.join(wanted)}) are not installed"
    folder = have[usable[0]]
    usable = [l for l in usable if have[l] == folder]
    return "+".join(usable), folder, ""


@dataclass
class OcrPage:
    paragraphs: list[str]
    words: list[list] = field(default_factory=list)  # [text, x0, y0, x1, y1] as page fractions
    headings: list[int] = field(default_factory=list)  # paragraphs set in large type (titles)
    angle: int = 0
    confidence: float = 0.0


class OcrEngine:
    """One Tesseract instance (the models load once per worker)."""

    def __init__(self, languages: str = DEFAULT_LANGUAGES) -> None:
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one thread per worker; workers are the parallelism
        self.languages, folder, reason = resolve(languages)
        if not self.languages:
            raise RuntimeError(reason)
        import tesserocr

        self._tess = tesserocr
        path = str(folder) + os.sep
        self.api = tesserocr.PyTessBaseAPI(path=path, lang=self.languages, psm=tesserocr.PSM.AUTO,
                                           oem=tesserocr.OEM.LSTM_ONLY)
        self.osd = None
        if (folder / "osd.traineddata").is_file():
            self.osd = tesserocr.PyTessBaseAPI(path=path, lang="osd", psm=tesserocr.PSM.OSD_ONLY)

    def close(self) -> None:
        for api in (self.api, self.osd):
            if api is not None:
                with contextlib.suppress(Exception):
                    api.End()

    def orientation(self, image) -> int:
        """The page's rotation in degrees (0, 90, 180, 270) when OSD is confident, else 0."""
        if self.osd is None:
            return 0
        try:
            small = image if image.width <= 1800 else image.resize((1800, int(image.height * 1800 / image.width)))
            self.osd.SetImage(small)
            result = self.osd.DetectOrientationScript()
        except Exception:
            return 0
        if not result:
            return 0
        degrees = int(result.get("orient_deg", 0) or 0) % 360
        if degrees and float(result.get("orient_conf", 0.0) or 0.0) >= 1.5:
            return degrees
        return 0

    def recognize(self, image) -> OcrPage:
        """Paragraphs and word boxes of one page image (PIL, any mode). Most pages are upright:
        they are read as they are, and only a page read with low confidence is checked for a
        rotation (orientation detection costs ~15% of a page) and read again turned upright."""
        if image.mode not in ("L", "RGB"):
            image = image.convert("L")
        first = self._read(image, 0)
        if first.confidence >= 70 and len(first.words) >= 5:
            return first
        angle = self.orientation(image)
        if not angle:
            return first
        turned = self._read(image, angle)
        return turned if turned.confidence > first.confidence else first

    def _read(self, image, angle: int) -> OcrPage:
        tess = self._tess
        width, height = image.size
        work = image.rotate(angle, expand=True) if angle else image  # counter-clockwise by `angle`
        self.api.SetImage(work)
        self.api.Recognize()
        words: list[list] = []
        confidences: list[float] = []
        # Lines with their box and block; paragraphs are rebuilt from the layout below (Tesseract's
        # own paragraph finder often cuts justified text into single lines).
        lines: list[dict] = []
        block = 0
        iterator = self.api.GetIterator()
        level = tess.RIL.WORD
        if iterator is not None:
            for item in tess.iterate_level(iterator, level):
                try:
                    if item.IsAtBeginningOf(tess.RIL.BLOCK):
                        block += 1
                    if item.IsAtBeginningOf(tess.RIL.TEXTLINE) or not lines:
                        lines.append({"box": item.BoundingBox(tess.RIL.TEXTLINE) or (0, 0, 0, 0), "block": block,
                                      "words": []})
                    text = item.GetUTF8Text(level)
                    box = item.BoundingBox(level)
                    conf = item.Confidence(level)
                except RuntimeError:
                    continue
                if text and text.strip():
                    text = text.strip()
                    confidences.append(conf)
                    lines[-1]["words"].append(text)
                    if box:
                        words.append([text, *self._unrotate(box, angle, work.size, (width, height))])
        paragraphs, headings = _paragraphs([line for line in lines if line["words"]])
        self.api.Clear()
        mean = sum(confidences) / len(confidences) if confidences else 0.0
        return OcrPage(paragraphs=paragraphs, words=words, angle=angle, confidence=round(mean, 1), headings=headings)

    @staticmethod
    def _unrotate(box, angle: int, rotated: tuple[int, int], original: tuple[int, int]) -> list[float]:
        """A box in the rotated image, as fractions of the original (unrotated) page."""
        x0, y0, x1, y1 = box
        rw, rh = rotated
        w, h = original
        if angle == 90:  # the page was turned 90° counter-clockwise to be read
            nx0, ny0, nx1, ny1 = 1 - y1 / rh, x0 / rw, 1 - y0 / rh, x1 / rw
        elif angle == 180:
            nx0, ny0, nx1, ny1 = 1 - x1 / rw, 1 - y1 / rh, 1 - x0 / rw, 1 - y0 / rh
        elif angle == 270:
            nx0, ny0, nx1, ny1 = y0 / rh, 1 - x1 / rw, y1 / rh, 1 - x0 / rw
        else:
            nx0, ny0, nx1, ny1 = x0 / w, y0 / h, x1 / w, y1 / h
        return [round(max(0.0, min(1.0, v)), 5) for v in (nx0, ny0, nx1, ny1)]


def _paragraphs(lines: list[dict]) -> tuple[list[str], list[int]]:
    """Lines joined into paragraphs: a new paragraph at a new layout block, or where the gap
    above a line is larger than half the usual line height; words hyphenated at a line's end
    are joined."""
    if not lines:
        return [], []
    heights = sorted(max(1, l["box"][3] - l["box"][1]) for l in lines)
    height = heights[len(heights) // 2]
    paragraphs: list[list[str]] = []
    tall: list[bool] = []  # a paragraph of one line set clearly larger than the text: a heading
    previous = None
    for line in lines:
        top = line["box"][1]
        big = line["box"][3] - line["box"][1] >= 1.35 * height
        new = (previous is None or line["block"] != previous["block"] or big or tall[-1]
               or top - previous["box"][3] > 0.5 * height or top < previous["box"][1])
        if new:
            paragraphs.append(list(line["words"]))
            tall.append(big)
        else:
            current = paragraphs[-1]
            if current and current[-1].endswith("-") and len(current[-1]) > 1 and line["words"][0][:1].islower():
                current[-1] = current[-1][:-1] + line["words"][0]  # a word hyphenated at the line's end
                current.extend(line["words"][1:])
            else:
                current.extend(line["words"])
        previous = line
    texts = [" ".join(p) for p in paragraphs]
    return texts, [i for i, (text, is_tall) in enumerate(zip(texts, tall)) if is_tall and len(text) <= 120]


# ------------------------------------------------------------------ the page cache

def cache_path(cache_dir: str | os.PathLike[str], digest: str, languages: str, page: int) -> Path:
    safe = re.sub(r"[^a-z_+]", "", languages.lower()) or "none"
    return Path(cache_dir) / digest[:2] / digest / f"v{CACHE_VERSION}-{safe}-p{page:05d}.json.gz"


def load_page(cache_dir, digest: str, languages: str, page: int) -> OcrPage | None:
    if not cache_dir or not digest:
        return None
    try:
        with gzip.open(cache_path(cache_dir, digest, languages, page), "rt", encoding="utf-8") as fh:
            data = json.load(fh)
        return OcrPage(paragraphs=list(data["paragraphs"]), words=list(data.get("words", [])),
                       angle=int(data.get("angle", 0)), confidence=float(data.get("confidence", 0.0)),
                       headings=[int(i) for i in data.get("headings", [])])
    except (OSError, ValueError, KeyError, TypeError, EOFError):
        return None


def save_page(cache_dir, digest: str, languages: str, page: int, result: OcrPage) -> None:
    if not cache_dir or not digest:
        return
    target = cache_path(cache_dir, digest, languages, page)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=5) as fh:
            json.dump({"paragraphs": result.paragraphs, "words": result.words, "angle": result.angle,
                       "confidence": result.confidence, "headings": result.headings}, fh, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, target)
    except OSError:
        pass  # a full disk costs a later re-recognition, nothing else


def cached_words(cache_dir, digest: str, page: int) -> list[list]:
    """The word boxes of a recognised page, whatever languages it was read with (for previews)."""
    folder = Path(cache_dir) / digest[:2] / digest
    try:
        candidates = sorted(folder.glob(f"v{CACHE_VERSION}-*-p{page:05d}.json.gz"))
    except OSError:
        return []
    for path in candidates:
        try:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                return list(json.load(fh).get("words", []))
        except (OSError, ValueError, EOFError):
            continue
    return []


def prune_cache(cache_dir, keep: set[str]) -> int:
    """Delete the recognised text of files no longer indexed (privacy, disk). Returns the number
    of files whose cache was removed."""
    import shutil

    removed = 0
    root = Path(cache_dir)
    if not root.is_dir():
        return 0
    for bucket in root.iterdir():
        if not bucket.is_dir():
            continue
        for folder in bucket.iterdir():
            if folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        with contextlib.suppress(OSError):
            bucket.rmdir()
    return removed


# ------------------------------------------------------------------ the worker's context

@dataclass
class OcrContext:
    """What the current file may do. In a worker: set for each file; in-process (tests, tools):
    recognition happens directly when the engine and models are installed."""

    enabled: bool = True  # the user's setting
    defer: bool = False  # first phase of a pass: a scan raises NeedsOcr and is read after the rest
    languages: str = DEFAULT_LANGUAGES
    cache_dir: str = ""
    digest: str = ""
    progress: Callable[[int, int], None] | None = None
    engine: OcrEngine | None = None
    reason: str = ""  # why recognition is unavailable, once known
    reason_code: str = ""  # "off" (turned off in the settings) or "missing" (engine or models)
    _resolved: bool = False

    def configure(self, enabled: bool, languages: str) -> None:
        if (enabled, languages) != (self.enabled, self.languages) or not self._resolved:
            self.enabled, self.languages, self._resolved, self.reason = enabled, languages, False, ""
            self.reason_code = ""
            if self.engine is not None:
                self.engine.close()
                self.engine = None

    def available(self) -> bool:
        if not self.enabled:
            self.reason = "text recognition (OCR) is turned off in Settings"
            self.reason_code = "off"
            return False
        if not self._resolved:
            langs, _folder, self.reason = resolve(self.languages)
            self.reason_code = "missing" if self.reason else ""
            self._resolved = True
            if langs:
                self.languages = langs
        return not self.reason

    def get_engine(self) -> OcrEngine:
        if self.engine is None:
            self.engine = OcrEngine(self.languages)
        return self.engine

    def page(self, number: int, render: Callable[[], object]) -> OcrPage:
        """Recognised text of one page (from the cache when the file was read before)."""
        cached = load_page(self.cache_dir, self.digest, self.languages, number)
        if cached is not None:
            return cached
        result = self.get_engine().recognize(render())
        save_page(self.cache_dir, self.digest, self.languages, number, result)
        return result


class NeedsOcr(Exception):
    """Raised in the first (text) phase by a file that needs recognition: the pool runs it again
    after every text file of the pass, with OCR enabled."""

    def __init__(self, pages: int) -> None:
        super().__init__(pages)
        self.pages = pages


CONTEXT = OcrContext()


def garbage_text(text: str) -> bool:
    """A text layer that is not text: mostly symbols, replacement or private-use characters (a
    broken font encoding, or an OCR layer from a bad scanner)."""
    sample = "".join(text.split())[:4000]
    if len(sample) < 20:
        return False
    # letters and digits (a page of figures is text too), outside the private-use area
    good = sum(1 for ch in sample if ch.isalnum() and not ("\ue000" <= ch <= "\uf8ff"))
    bad = sum(1 for ch in sample if ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff" or ord(ch) < 32)
    return good / len(sample) < 0.45 or bad / len(sample) > 0.1
