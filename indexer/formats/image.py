"""Photos and scans saved as images (PNG, JPEG, TIFF including multi-page, WebP): their text is
recognised (indexer/ocr.py). A phone photo is turned upright from its EXIF orientation first; each
TIFF frame is a page."""
from __future__ import annotations

from indexer import ocr
from indexer.errors import ExtractionError
from indexer.types import Block, Extracted

MAX_PIXELS = 120_000_000  # per frame; larger is refused as a decompression bomb
MAX_SIDE = 5000  # longer sides are scaled down before recognition (phone photos: 4000 px)
MIN_SIDE = 120
MAX_FRAMES = 2000


def _open(path: str):
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        image = Image.open(path)
        image.size  # noqa: B018 - parses the header
        return image
    except Image.DecompressionBombError as exc:
        raise ExtractionError("refused: the image is too large (over 120 million pixels)", code="refused") from exc
    except Exception as exc:
        raise ExtractionError("damaged image (it cannot be read)", code="damaged") from exc


def frame_count(path: str) -> int:
    image = _open(path)
    try:
        return max(1, min(int(getattr(image, "n_frames", 1) or 1), MAX_FRAMES))
    finally:
        image.close()


def extract_image(path: str) -> Extracted:
    from PIL import Image, ImageOps

    context = ocr.CONTEXT
    if not context.available():
        raise ExtractionError(f"image: {context.reason}", code="image-ocr-off" if context.reason_code == "off" else "ocr-missing")
    frames = frame_count(path)
    if context.defer:
        raise ocr.NeedsOcr(frames)
    image = _open(path)
    blocks: list[Block] = []
    read = 0
    try:
        for number in range(frames):
            try:
                image.seek(number)
            except EOFError:
                break
            frame = image

            def render(frame=frame):
                page = ImageOps.exif_transpose(frame) if number == 0 else frame.copy()
                page = page.convert("L")
                if max(page.size) > MAX_SIDE:
                    scale = MAX_SIDE / max(page.size)
                    page = page.resize((max(1, int(page.width * scale)), max(1, int(page.height * scale))),
                                       Image.Resampling.LANCZOS)
                return page

            if min(frame.size) < MIN_SIDE:
                continue
            read += 1
            try:
                result = context.page(number + 1, render)
            except (OSError, ValueError, SyntaxError) as exc:
                if number == 0:
                    raise ExtractionError("damaged image (it cannot be read)", code="damaged") from exc
                break
            if context.progress is not None:
                context.progress(number + 1, frames)
            blocks.extend(Block(text, number + 1, "heading" if i in result.headings else "para", 1 if i in result.headings else 0)
                          for i, text in enumerate(result.paragraphs))
    finally:
        image.close()
    if not read:
        raise ExtractionError("image too small to hold readable text", code="image-too-small")
    if not any(b.text.strip() for b in blocks):
        raise ExtractionError("no text found in the image", code="image-no-text")
    return Extracted(blocks=blocks, pages=frames)
