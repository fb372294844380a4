"""Model output is rendered safely: no HTML from the model, no images, no links but citations."""
from __future__ import annotations

from desktop.markdown import highlight, to_html


def test_markdown_subset():
    out = to_html("# Titre\n\nLe contrat **se renouvelle** le *1er mars* [1].\n\n- un\n- deux\n\n1. a\n2. b\n\n`code`", {1})
    assert "<h3>Titre</h3>" in out and "<b>se renouvelle</b>" in out and "<i>1er mars</i>" in out
    assert '<a href="cite:1" class="cite">[1]</a>' in out
    assert "<ul>\n<li>un</li>\n<li>deux</li>\n</ul>" in out and "<ol>" in out and "<code>code</code>" in out


def test_html_from_the_model_is_escaped():
    out = to_html('<script>alert(1)</script><img src="http://evil/x.png"> <a href="http://x">y</a>')
    assert "<script" not in out and "<img" not in out and "<a href=\"http" not in out
    assert "&lt;script&gt;" in out


def test_images_and_links_are_dropped_to_text():
    out = to_html("![tracker](https://evil.example/p.gif) see [the site](https://evil.example) and [2]", {1})
    assert "evil.example" not in out and "tracker" in out and "the site" in out
    assert "[2]" in out and "cite:2" not in out  # a marker without a source is not a link


def test_code_fence_is_literal():
    out = to_html("```\n<b>x</b> **y**\n```")
    assert "<pre>&lt;b&gt;x&lt;/b&gt; **y**</pre>" in out


def test_snippet_highlight_escapes_and_marks_words():
    out = highlight("Le <contrat> Dupont se renouvelle", ["contrat", "renouvelle"])
    assert out == "Le &lt;<b>contrat</b>&gt; Dupont se <b>renouvelle</b>"


def test_snippet_bolds_whole_query_words_only():
    from desktop.markdown import query_words

    words = query_words("Quel est le prix du croissant parmi les offres ?")
    assert "est" not in words and "les" not in words and "prix" in words and "croissant" in words
    out = highlight("Le prix est fixé parmi les croissants et le croissant", words + ["par"])
    assert "<b>prix</b>" in out and "<b>croissant</b>" in out
    assert "<b>par</b>mi" not in out and "<b>croissant</b>s" not in out and "<b>est</b>" not in out
