"""HTML to structured blocks with the standard library parser (no network, no scripts)."""
from __future__ import annotations

import re
from html.parser import HTMLParser

from indexer.formats.plain import read_text
from indexer.types import Block, Extracted

_BLOCK_TAGS = {"p", "div", "li", "dd", "dt", "blockquote", "pre", "section", "article", "header",
               "footer", "aside", "main", "form", "figcaption", "caption", "address", "ul", "ol", "dl", "table", "body"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object"}
_WS = re.compile(r"[ \t\r\n\u00a0]+")


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.skip = 0
        self.heading = 0
        self.title = ""
        self.in_title = False
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def flush(self) -> None:
        text = _WS.sub(" ", "".join(self.buffer)).strip()
        self.buffer = []
        if text:
            if self.heading:
                self.blocks.append(Block(text, 0, "heading", self.heading))
            else:
                self.blocks.append(Block(text, 0, "para"))

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP_TAGS:
            if tag == "head":
                return  # <title> lives there; only skip its scripts and styles
            self.skip += 1
            return
        if tag == "title":
            self.in_title = True
        elif re.fullmatch(r"h[1-6]", tag):
            self.flush()
            self.heading = int(tag[1])
        elif tag == "tr":
            self.flush()
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag == "br":
            self.buffer.append("\n")
        elif tag in _BLOCK_TAGS:
            self.flush()

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS:
            if tag != "head":
                self.skip = max(0, self.skip - 1)
            return
        if tag == "title":
            self.in_title = False
        elif re.fullmatch(r"h[1-6]", tag):
            self.flush()
            self.heading = 0
        elif tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append(_WS.sub(" ", "".join(self.cell)).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            line = " | ".join(c for c in self.row if c)
            if line:
                self.blocks.append(Block(line, 0, "row"))
            self.row = None
        elif tag in _BLOCK_TAGS:
            self.flush()

    def handle_data(self, data):
        if self.skip:
            return
        if self.in_title:
            self.title += data
            return
        if self.cell is not None:
            self.cell.append(data)
        else:
            self.buffer.append(data)


def html_to_blocks(html: str) -> tuple[list[Block], str]:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    parser.flush()
    return parser.blocks, _WS.sub(" ", parser.title).strip()


def extract_html(path: str) -> Extracted:
    blocks, title = html_to_blocks(read_text(path))
    return Extracted(blocks=blocks, title=title)
