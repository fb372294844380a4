"""Language detection and the text analysis behind full-text search.

We analyse text ourselves (tokenise, drop stop words, Snowball-stem in the document's language,
fold accents) and store the result in a column that LanceDB indexes with a plain whitespace
tokenizer. Documents and queries therefore go through exactly the same analysis, per language,
which one LanceDB FTS index (a single language per index) could not do for a mixed corpus.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import Stemmer

# Languages we detect and stem. Detection is restricted to these: it is faster, lighter and more
# accurate than guessing among 75 languages, and these cover our users.
LANGUAGES = {
    "en": "english", "fr": "french", "de": "german", "es": "spanish",
    "it": "italian", "pt": "portuguese", "nl": "dutch",
}

_STOP = {
    "en": """a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more most my
myself no nor not now of off on once only or other our ours ourselves out over own same she should so some
such than that the their theirs them themselves then there these they this those through to too under until
up very was we were what when where which while who whom why will with would you your yours yourself""",
    "fr": """a à au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les leur
leurs lui ma mais me même mes moi mon ne nos notre nous on ou où par pas pour qu que qui sa se ses son sur
ta te tes toi ton tu un une vos votre vous c d j l m n s t y été étée étées étés étant suis es est sommes êtes
sont serai sera serons seront étais était étions étiez étaient fus fut furent sois soit soyons soient ai as avons
avez ont aurai aura aurons auront avais avait avions aviez avaient eut eurent ceci cela ça celui celle ceux
celles dont lequel laquelle lesquels lesquelles si plus moins très tout tous toute toutes
quel quelle quels quelles quoi quand comment combien pourquoi est-ce""",
    "de": """der die das den dem des ein eine einer eines einem einen und oder aber in im ins an am auf aus bei
mit nach von vor zu zum zur für über unter ist sind war waren wird werden hat haben hatte ich du er sie es wir
ihr nicht auch als wie""",
    "es": """el la los las un una unos unas y o pero de del al a en con por para sin sobre es son fue ser está
están que qui se su sus lo le les no""",
    "it": """il lo la i gli le un uno una e o ma di del della dei delle a al alla in con per su è sono che chi si
non""",
    "pt": """o a os as um uma e ou mas de do da dos das em no na nos nas com por para é são que se não""",
    "nl": """de het een en of maar van in op aan met voor door is zijn was waren dat die niet""",
}
STOP_WORDS = {lang: frozenset(words.split()) for lang, words in _STOP.items()}

_TOKEN = re.compile(r"\w+", re.UNICODE)
_local = threading.local()


def fold(text: str) -> str:
    """Lower-case and strip accents: "Contrôle" -> "controle"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _stemmer(lang: str) -> Stemmer.Stemmer | None:
    cache = getattr(_local, "stemmers", None)
    if cache is None:
        cache = _local.stemmers = {}
    if lang not in cache:
        algo = LANGUAGES.get(lang)
        cache[lang] = Stemmer.Stemmer(algo) if algo else None
    return cache[lang]


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def stems(words: list[str], lang: str) -> list[str]:
    """Snowball stems of ``words`` (accents folded); the words themselves for a language without one."""
    stemmer = _stemmer(lang)
    return [fold(w) for w in (stemmer.stemWords(words) if stemmer else words)]


PREFIX = 5  # truncation terms: catch what the stemmer splits (algérienne/Algérie -> "alger")


def analyze(text: str, lang: str) -> str:
    """The FTS terms of ``text`` for a language: stop words out, stems in, accents folded.

    Besides the Snowball stems, two kinds of extra terms go into the same BM25 field (measured on
    PIAF, see README): adjacent-stem bigrams ("fil_prodigu"), which reward passages that reuse a
    question's phrases with a proper IDF, and 5-character prefixes ("_alger"), which match
    morphological variants the stemmer keeps apart."""
    words = tokens(text)
    stop = STOP_WORDS.get(lang, frozenset())
    kept = [w for w in words if w not in stop and len(w) < 40]
    out = [s for s in stems(kept, lang) if s]
    out += [a + "_" + b for a, b in zip(out, out[1:])]
    out += ["_" + fold(w)[:PREFIX] for w in kept if len(w) > PREFIX]
    return " ".join(out)


def analyze_query(text: str, langs: list[str]) -> str:
    """Query terms: the union of the analyses in the candidate languages (deduplicated)."""
    seen: dict[str, None] = {}
    for lang in langs or ["en"]:
        for term in analyze(text, lang).split():
            seen.setdefault(term, None)
    return " ".join(seen)


@lru_cache(maxsize=1)
def _detector():
    """Lingua in its light mode (trigram models only, ~1 MB a language): documents are long and
    need no more; for short questions its guess is combined with stop words (query_languages).
    The full mode (1- to 5-gram models) was measured better on questions alone (PIAF, top-1
    0.965 vs 0.924) but loading its models holds Python's GIL 0.15-0.28 s per language, which
    froze the window while a first question was asked; the light mode loads in ~10 ms a language."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    langs = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in LANGUAGES]
    return LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode().build()


def warm_up_language_models(pause_s: float = 0.02) -> None:
    """Load the language detector's models one language at a time, letting other threads run in
    between (lingua loads them while holding Python's GIL; ~0.1 s for all at once, ~10-20 ms each
    in steps). The models are cached for the process, so the detector built afterwards finds them
    loaded. A second caller waits for the first (waiting on a lock lets the window run)."""
    import time

    global _warm
    with _warm_lock:
        if _warm:
            return
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        langs = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in LANGUAGES]
        for i, lang in enumerate(langs):
            other = langs[1] if i == 0 else langs[0]  # a builder needs two languages; this one is loaded
            builder = LanguageDetectorBuilder.from_languages(lang, other).with_low_accuracy_mode()
            builder.with_preloaded_language_models().build()
            time.sleep(pause_s)
        _warm = True


_warm_lock = threading.Lock()
_warm = False


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language among LANGUAGES, or "" when unsure."""
    sample = text[:3000]
    if len(_TOKEN.findall(sample)) < 3:
        return ""
    result = _detector().detect_language_of(sample)
    return result.iso_code_639_1.name.lower() if result is not None else ""


STOP_WEIGHT = 0.5  # share of a question's language score that comes from its stop words
SURE = 0.6  # a combined score from which one language is analysed alone


def query_languages(text: str, preferred: list[str] | None = None) -> list[str]:
    """Languages to analyse a query in: the detected one when confident, else the top two
    candidates plus the corpus's main languages (short queries are hard to identify).

    A language's score is half lingua's confidence, half its share of the question's stop-word
    hits ("quel", "est", "the", "of"...): questions are short and made of such words, which the
    trigram models weigh little. Measured on PIAF's 1,662 French questions and 40 English office
    questions (without corpus languages): French among the chosen languages 0.993 (lingua's full
    mode alone: 0.985, light mode alone: 0.939), English 1.000, 1.09 languages a question."""
    warm_up_language_models(pause_s=0.0)  # loaded already by the window's preload; else at once
    words = tokens(text)
    confidence = {
        v.language.iso_code_639_1.name.lower(): v.value
        for v in _detector().compute_language_confidence_values(text)
    }
    hits = {lang: sum(w in STOP_WORDS.get(lang, ()) for w in words) for lang in LANGUAGES}
    total = sum(hits.values()) or 1
    score = {
        lang: (1 - STOP_WEIGHT) * confidence.get(lang, 0.0) + STOP_WEIGHT * hits[lang] / total
        for lang in LANGUAGES
    }
    ranked = sorted(score.items(), key=lambda item: -item[1])
    out: list[str] = []
    if ranked and ranked[0][1] >= SURE and len(words) >= 4:
        out.append(ranked[0][0])
    else:
        out.extend(code for code, value in ranked[:2] if value > 0.15)
        for code in preferred or []:
            if code not in out and len(out) < 3:
                out.append(code)
    return out or (preferred or ["en"])[:2]
