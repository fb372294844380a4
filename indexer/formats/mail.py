"""E-mail: EML with the standard library, Outlook MSG with extract-msg."""
from __future__ import annotations

import email
from email import policy

from indexer.errors import ExtractionError, UnsupportedFormat
from indexer.formats.html import html_to_blocks
from indexer.types import Block, Extracted

MAX_MAIL_BYTES = 256 * 1024 * 1024


def _header_blocks(subject: str, sender: str, to: str, date: str) -> list[Block]:
    blocks = []
    if subject:
        blocks.append(Block(subject, 0, "heading", 1))
    meta = "; ".join(f"{k}: {v}" for k, v in (("From", sender), ("To", to), ("Date", date)) if v)
    if meta:
        blocks.append(Block(meta, 0, "para"))
    return blocks


def _body_blocks(text: str | None, html: str | None) -> list[Block]:
    if text and text.strip():
        return [Block(p.strip(), 0, "para") for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    if html:
        return html_to_blocks(html)[0]
    return []


def extract_eml(path: str) -> Extracted:
    with open(path, "rb") as fh:
        data = fh.read(MAX_MAIL_BYTES + 1)
    if len(data) > MAX_MAIL_BYTES:
        raise ExtractionError("e-mail too large (over 256 MB)", code="too-large-memory")
    try:
        msg = email.message_from_bytes(data, policy=policy.default)
    except Exception as exc:
        raise ExtractionError(f"malformed e-mail ({exc.__class__.__name__})", code="damaged") from exc

    def header(name: str) -> str:
        try:
            return str(msg.get(name, "") or "").strip()
        except Exception:
            return ""

    subject = header("Subject")
    blocks = _header_blocks(subject, header("From"), header("To"), header("Date"))
    plain = html = None
    try:
        part = msg.get_body(preferencelist=("plain",))
        plain = part.get_content() if part is not None else None
        part = msg.get_body(preferencelist=("html",))
        html = part.get_content() if part is not None else None
    except Exception:
        payload = msg.get_payload(decode=True)
        plain = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else None
    blocks.extend(_body_blocks(plain, html))
    attachments = []
    try:
        attachments = [a.get_filename() for a in msg.iter_attachments() if a.get_filename()]
    except Exception:
        pass
    if attachments:
        blocks.append(Block("Attachments: " + ", ".join(attachments), 0, "para"))
    return Extracted(blocks=blocks, title=subject)


def extract_msg(path: str) -> Extracted:
    try:
        import extract_msg
    except ImportError as exc:  # optional dependency
        raise UnsupportedFormat("unsupported format: Outlook .msg (extract-msg is not installed)") from exc
    try:
        msg = extract_msg.openMsg(path, strict=False)
    except Exception as exc:
        raise ExtractionError("damaged Outlook message (it cannot be read)", code="damaged") from exc
    try:
        subject = (getattr(msg, "subject", "") or "").strip()
        blocks = _header_blocks(subject, str(getattr(msg, "sender", "") or ""), str(getattr(msg, "to", "") or ""),
                                str(getattr(msg, "date", "") or ""))
        body = getattr(msg, "body", None)
        html = None
        if not body:
            raw_html = getattr(msg, "htmlBody", None)
            html = raw_html.decode("utf-8", "replace") if isinstance(raw_html, bytes) else raw_html
        blocks.extend(_body_blocks(body, html))
    except Exception as exc:
        raise ExtractionError("damaged Outlook message (it cannot be read)", code="damaged") from exc
    finally:
        try:
            msg.close()
        except Exception:
            pass
    return Extracted(blocks=blocks, title=subject)
