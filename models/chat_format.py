"""Chat prompts as token ids, where only the template can produce control tokens.

Why not ``Llama.create_chat_completion``: it renders the chat template to one string and tokenizes
that string with special tokens enabled, so a document (or a file name, a question, a previous
answer) that contains ``<|im_end|>``, ``<|start_header_id|>``, ``[INST]`` or ``<start_of_turn>`` is
read by the model as a real turn boundary: a travel policy could then open its own system turn.

Here the template is rendered with a placeholder in place of each message's content. The rendered
text is split into the template's own control tokens (looked up in the model's vocabulary) and raw
text; the messages' contents are raw text. Raw runs (template text and content joined, as they
would be in one string) are tokenized with special-token parsing *off*, and the result is checked:
if a vocabulary still maps part of a content to a control or end-of-generation token (some
vocabularies mark turn markers as "user-defined", which llama.cpp matches even in raw text), the
string is broken with a zero-width space and tokenized again. The model therefore sees control
strings from a document as the plain characters they are.

Templates: the model's own (``tokenizer.chat_template``, rendered in llama-cpp-python's Jinja
sandbox), else one of the families below chosen from the vocabulary's control tokens, else a plain
layout.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

# Placeholders are private-use characters that are removed from every content first, so a document
# cannot forge one.
_OPEN, _CLOSE = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_ZWSP = "\u200b"

# The families of the catalog's models, for GGUF files that carry no template of their own.
CHATML = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
LLAMA3 = (
    "{{ bos_token }}{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'"
    " + message['content'] | trim + '<|eot_id|>' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)
MISTRAL = (
    "{{ bos_token }}{% set system = namespace(text='') %}{% for message in messages %}"
    "{% if message['role'] == 'system' %}{% set system.text = message['content'] + '\n\n' %}"
    "{% elif message['role'] == 'user' %}{{ '[INST] ' + system.text + message['content'] + ' [/INST]' }}"
    "{% set system.text = '' %}{% else %}{{ message['content'] + eos_token }}{% endif %}{% endfor %}"
)
GEMMA = (
    "{{ bos_token }}{% set system = namespace(text='') %}{% for message in messages %}"
    "{% if message['role'] == 'system' %}{% set system.text = message['content'] + '\n\n' %}"
    "{% else %}{{ '<start_of_turn>' + ('model' if message['role'] == 'assistant' else 'user') + '\n'"
    " + system.text + message['content'] | trim + '<end_of_turn>\n' }}{% set system.text = '' %}{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<start_of_turn>model\n' }}{% endif %}"
)
PLAIN = (
    "{{ bos_token }}{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ message['content'] + '\n\n' }}"
    "{% elif message['role'] == 'user' %}{{ 'Question:\n' + message['content'] + '\n\n' }}"
    "{% else %}{{ 'Answer:\n' + message['content'] + '\n\n' }}{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ 'Answer:\n' }}{% endif %}"
)
FAMILIES: dict[str, str] = {"chatml": CHATML, "llama3": LLAMA3, "mistral": MISTRAL, "gemma": GEMMA, "plain": PLAIN}
# the control token that identifies each family in a vocabulary
FAMILY_MARKERS = [("llama3", "<|start_header_id|>"), ("chatml", "<|im_start|>"), ("gemma", "<start_of_turn>"),
                  ("mistral", "[INST]")]


def guess_family(control_texts: Iterable[str]) -> str:
    texts = set(control_texts)
    for family, marker in FAMILY_MARKERS:
        if marker in texts:
            return family
    return "plain"


@dataclass(frozen=True)
class Vocabulary:
    """What the encoder needs to know of a model's tokenizer (llama.cpp's, or a test double)."""

    tokenize: Callable[[str], list[int]]  # raw text, special-token parsing off, no BOS
    controls: dict[str, int]  # text -> id of every control and user-defined token (template parsing)
    forbidden: frozenset[int]  # control and end-of-generation ids: never from a message's content
    bos_id: int | None  # prepended when the rendered prompt does not start with it
    bos_text: str = ""
    eos_text: str = ""


class ChatEncoder:
    """Renders messages with a chat template and encodes them so that contents stay plain text."""

    def __init__(self, vocab: Vocabulary, template: str | None = None) -> None:
        from jinja2 import BaseLoader
        from jinja2.ext import loopcontrols
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        self.vocab = vocab
        self.family = "model" if template else guess_family(vocab.controls)
        self.template_text = template or FAMILIES[self.family]
        env = ImmutableSandboxedEnvironment(loader=BaseLoader(), trim_blocks=True, lstrip_blocks=True,
                                            extensions=[loopcontrols])
        env.filters.setdefault("tojson", lambda x, **_: __import__("json").dumps(x, ensure_ascii=False))
        self._template = env.from_string(self.template_text)
        # longest first, so "<|start_header_id|>" wins over any shorter control text it contains
        texts = sorted((t for t in vocab.controls if t), key=len, reverse=True)
        self._marker_ids = frozenset(tid for text, tid in vocab.controls.items() if text.strip())
        # a model without a chat template of its own continues the layout: stop at the next question
        self.stop = ["\nQuestion:"] if self.family == "plain" else []
        self._control_re = re.compile("|".join(re.escape(t) for t in texts)) if texts else None

    def render(self, messages: Sequence[tuple[str, str]]) -> tuple[str, list[str]]:
        """The template's text with a placeholder per content, and the cleaned contents."""
        contents = [clean_content(content) for _, content in messages]

        def fail(message: str):
            raise ValueError(message)

        text = self._template.render(
            messages=[{"role": role, "content": f"{_OPEN}{i}{_CLOSE}"} for i, (role, _) in enumerate(messages)],
            add_generation_prompt=True, bos_token=self.vocab.bos_text, eos_token=self.vocab.eos_text,
            raise_exception=fail)
        return text, contents

    def encode(self, messages: Sequence[tuple[str, str]]) -> list[int]:
        """Token ids for (role, content) pairs, ending with the assistant's turn opening."""
        text, contents = self.render(messages)
        # fragments: ("id", int) for the template's control tokens; ("raw", str, is_content) otherwise
        fragments: list[tuple] = []
        pos = 0
        for match in _PLACEHOLDER.finditer(text):
            fragments.extend(self._template_fragments(text[pos:match.start()]))
            fragments.append(("raw", contents[int(match.group(1))], True))
            pos = match.end()
        fragments.extend(self._template_fragments(text[pos:]))

        # The template's own markers are forbidden in contents too, whatever their attribute (some
        # vocabularies list turn markers as "user-defined"); whitespace tokens are not markers.
        forbidden = self.vocab.forbidden | {f[1] for f in fragments if f[0] == "id" and f[1] in self._marker_ids}
        ids: list[int] = []
        run: list[tuple[str, bool]] = []

        def flush() -> None:
            if run:
                ids.extend(self._tokenize_run(run, forbidden))
                run.clear()

        for fragment in fragments:
            if fragment[0] == "id":
                flush()
                ids.append(fragment[1])
            elif fragment[1]:
                run.append((fragment[1], fragment[2]))
        flush()
        bos = self.vocab.bos_id
        if bos is not None and bos >= 0 and (not ids or ids[0] != bos):
            ids.insert(0, bos)
        return ids

    def _template_fragments(self, text: str) -> list[tuple]:
        if not text:
            return []
        if self._control_re is None:
            return [("raw", text, False)]
        out: list[tuple] = []
        pos = 0
        for match in self._control_re.finditer(text):
            if match.start() > pos:
                out.append(("raw", text[pos:match.start()], False))
            out.append(("id", self.vocab.controls[match.group(0)]))
            pos = match.end()
        if pos < len(text):
            out.append(("raw", text[pos:], False))
        return out

    def _tokenize_run(self, run: list[tuple[str, bool]], forbidden: frozenset[int]) -> list[int]:
        """Template text and contents joined as in one string, tokenized as plain text; contents
        that still yield a forbidden id are broken apart and tokenized again."""
        pieces = [list(p) for p in run]
        for _ in range(8):
            ids = self.vocab.tokenize("".join(text for text, _ in pieces))
            bad = [i for i in ids if i in forbidden]
            if not bad:
                return ids
            changed = False
            for piece in pieces:
                if piece[1]:
                    broken = break_controls(piece[0], self.vocab.controls, bad)
                    changed |= broken != piece[0]
                    piece[0] = broken
            if not changed:
                break
        # Last resort: only the contents are suspect; give each one character at a time a chance.
        ids = []
        for text, is_content in pieces:
            if not is_content:
                ids.extend(self.vocab.tokenize(text))
                continue
            for ch in text:
                part = self.vocab.tokenize(ch)
                ids.extend(i for i in part if i not in forbidden)
        return ids


def clean_content(text: str) -> str:
    """A message's content as the template receives it: trimmed, without our placeholder marks."""
    return text.replace(_OPEN, "").replace(_CLOSE, "").strip()


def break_controls(text: str, controls: dict[str, int], bad_ids: Sequence[int]) -> str:
    """Insert a zero-width space after the first character of each occurrence of the control texts
    whose ids were produced, so the tokenizer cannot match them."""
    wanted = {i for i in bad_ids}
    for control, cid in sorted(controls.items(), key=lambda kv: -len(kv[0])):
        if cid in wanted and len(control) > 1 and control in text:
            text = text.replace(control, control[0] + _ZWSP + control[1:])
    return text
