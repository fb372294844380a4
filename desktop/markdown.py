"""Safe Markdown for model output.

The model's text is untrusted (it can repeat what a hostile document said), so this renderer starts
by escaping everything, then re-introduces a small, fixed set of constructs: paragraphs, headings,
lists, emphasis, inline and fenced code, and citation markers. It never emits raw HTML from the
input, images, or links other than ``cite:N`` for citations that exist. Markdown links keep only
their text.
"""
from __future__ import annotations

import html
import re
from typing import Collection

_CITE = re.compile(r"\[(\d{1,3})\]")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?!\w)|(?<![\w_])_(?!\s)(.+?)(?<!\s)_(?!\w)")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def inline(text: str, citations: Collection[int] = ()) -> str:
    """One line of Markdown → HTML, escaped first."""
    text = _IMAGE.sub(lambda m: m.group(1), text)
    text = _LINK.sub(lambda m: m.group(1), text)
    parts = _CODE.split(text)  # odd indexes are code spans: no further formatting inside them
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f"<code>{html.escape(part)}</code>")
            continue
        part = html.escape(part, quote=True)
        part = _BOLD.sub(lambda m: f"<b>{m.group(1) or m.group(2)}</b>", part)
        part = _ITALIC.sub(lambda m: f"<i>{m.group(1) or m.group(2)}</i>", part)

        def cite(m: re.Match[str]) -> str:
            n = int(m.group(1))
            if n in citations:
                return f'<a href="cite:{n}" class="cite">[{n}]</a>'
            return m.group(0)

        out.append(_CITE.sub(cite, part))
    return "".join(out)


def to_html(markdown: str, citations: Collection[int] = ()) -> str:
    """Render a whole answer. ``citations``: the marker numbers that link to a source card."""
    lines = markdown.replace("\r\n", "\n").split("\n")
    out: list[str] = []
    paragraph: list[str] = []
    list_kind: str | None = None
    in_code = False
    code: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            out.append("<p>" + "<br>".join(inline(line, citations) for line in paragraph) + "</p>")
            paragraph.clear()

    def close_list() -> None:
        nonlocal list_kind
        if list_kind:
            out.append(f"</{list_kind}>")
            list_kind = None

    for line in lines:
        if line.strip().startswith("```"):
            if in_code:
                out.append("<pre>" + html.escape("\n".join(code)) + "</pre>")
                code.clear()
                in_code = False
            else:
                flush_paragraph()
                close_list()
                in_code = True
            continue
        if in_code:
            code.append(line)
            continue
        if not line.strip():
            flush_paragraph()
            close_list()
            continue
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line)
        numbered = _NUMBERED.match(line)
        if heading:
            flush_paragraph()
            close_list()
            level = min(6, len(heading.group(1)) + 2)  # keep headings modest inside a chat bubble
            out.append(f"<h{level}>{inline(heading.group(2), citations)}</h{level}>")
        elif bullet or numbered:
            flush_paragraph()
            kind = "ul" if bullet else "ol"
            if list_kind != kind:
                close_list()
                out.append(f"<{kind}>")
                list_kind = kind
            out.append(f"<li>{inline((bullet or numbered).group(1), citations)}</li>")
        else:
            close_list()
            paragraph.append(line)
    if in_code:
        out.append("<pre>" + html.escape("\n".join(code)) + "</pre>")
    flush_paragraph()
    close_list()
    return "\n".join(out)


def highlight(text: str, words: Collection[str], max_chars: int = 280) -> str:
    """An escaped snippet with the query's words in bold (for source cards)."""
    text = " ".join(text.split())
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0] + " …"
    escaped = html.escape(text)
    terms = sorted({w for w in words if len(w) >= 3}, key=len, reverse=True)
    if not terms:
        return escaped
    # whole words only: "par" must not light the start of "parmi"
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(html.escape(w)) for w in terms) + r")(?!\w)", re.IGNORECASE)
    return pattern.sub(r"<b>\1</b>", escaped)


def query_words(question: str) -> list[str]:
    """The words of a question worth lighting in a snippet: 3 letters or more, not a French or
    English stop word ("est", "the", "pour")."""
    from indexer.textproc import STOP_WORDS

    stop = frozenset().union(*STOP_WORDS.values())
    return [w for w in re.findall(r"\w+", question.lower()) if len(w) >= 3 and w not in stop]
