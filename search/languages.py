"""Per-language text analysis: the engine's analyzer and the database driver's Snowball stemmer.

Both drivers also match words with their accents and letter variants folded ("Gdansk" finds
"Gdańsk", "Lodz" finds "Łódź"): the engine with its ``asciifolding`` filter (``search.mapping``),
the database driver with ``fold`` below, which folds the same Latin letters the same way. Cyrillic
is never transliterated; only "ё" becomes "е", as Russian readers treat them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

import snowballstemmer

# Language analyzers of OpenSearch/Elasticsearch's analysis-common module; `standard` otherwise.
ENGINE_ANALYZERS = {
    "ar": "arabic", "bg": "bulgarian", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german",
    "el": "greek", "en": "english", "es": "spanish", "et": "estonian", "eu": "basque", "fi": "finnish",
    "fr": "french", "ga": "irish", "hu": "hungarian", "it": "italian", "lt": "lithuanian", "lv": "latvian",
    "nl": "dutch", "no": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish",
    "tr": "turkish",
}  # fmt: skip

# Snowball algorithms for the database driver (the same family of stemmers the engine uses).
SNOWBALL = {
    "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek", "en": "english",
    "es": "spanish", "et": "estonian", "eu": "basque", "fi": "finnish", "fr": "french", "ga": "irish",
    "hu": "hungarian", "it": "italian", "lt": "lithuanian", "nl": "dutch", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish", "tr": "turkish",
}  # fmt: skip

# The engine's folded sub-fields analyse like its language analyzer (same stop words, same stemmer),
# then fold. Filters of the analyzers that are more than stop words and a stemmer named as the
# language (their "reimplemented" form in the Elasticsearch/OpenSearch analyzer documentation); a
# filter is a built-in's name or a definition (index settings name it, search.mapping).
ENGINE_FOLDED_CHAINS: dict[str, list[str | dict[str, Any]]] = {
    "english": [
        {"type": "stemmer", "language": "possessive_english"},
        "lowercase",
        {"type": "stop", "stopwords": "_english_"},
        {"type": "stemmer", "language": "english"},
    ],
    "french": [
        {"type": "elision", "articles_case": True, "articles": ["l", "m", "t", "qu", "n", "s", "j", "d", "c"]},
        "lowercase",
        {"type": "stop", "stopwords": "_french_"},
        {"type": "stemmer", "language": "light_french"},
    ],
    "german": [
        "lowercase",
        {"type": "stop", "stopwords": "_german_"},
        "german_normalization",
        {"type": "stemmer", "language": "light_german"},
    ],
}

# Latin letters that Unicode does not decompose into a base letter and accents (NFD leaves them
# whole), folded as the engine's asciifolding filter (Lucene's ASCIIFoldingFilter) folds them.
UNDECOMPOSABLE = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "ŀ": "l", "ŧ": "t", "ŋ": "n", "ĸ": "q", "ſ": "s",
     "ƒ": "f", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "ĳ": "ij"}
)  # fmt: skip

WORD = re.compile(r"\w+", re.UNICODE)


def engine_analyzer(language_code: str) -> str:
    return ENGINE_ANALYZERS.get(language_code.split("-")[0], "standard")


def engine_folded_filters(language_code: str) -> list[str | dict[str, Any]]:
    """The token filters of the engine's folded analyzer: the language analyzer's, then folding."""
    analyzer = engine_analyzer(language_code)
    if analyzer == "standard":
        chain: list[str | dict[str, Any]] = ["lowercase"]
    else:
        chain = ENGINE_FOLDED_CHAINS.get(
            analyzer,
            ["lowercase", {"type": "stop", "stopwords": f"_{analyzer}_"}, {"type": "stemmer", "language": analyzer}],
        )
    # Stemmers see the words as written (theirs have accents); the stems are folded after.
    return [*chain, "asciifolding"]


@lru_cache(maxsize=64)
def _stemmer(language_code: str):
    algorithm = SNOWBALL.get(language_code.split("-")[0])
    return snowballstemmer.stemmer(algorithm) if algorithm else None


def words(text: str) -> list[str]:
    return [word.lower() for word in WORD.findall(text or "")]


@lru_cache(maxsize=200_000)
def stem(word: str, language_code: str) -> str:
    # "ё" and "е" are one letter to readers and to the engine's russian analyzer.
    word = word.lower().replace("ё", "е")
    stemmer = _stemmer(language_code)
    return stemmer.stemWord(word) if stemmer else word


def stems(text: str, language_code: str) -> list[str]:
    return [stem(word, language_code) for word in words(text)]


def _is_latin(character: str) -> bool:
    # Basic Latin to Latin Extended-B, IPA excluded; and Latin Extended Additional (Vietnamese).
    return character < "\u0250" or "\u1e00" <= character < "\u1f00"


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """``word`` (lower case) with its Latin letters' accents removed and "ё" as "е".

    Only Latin letters lose their marks: "й" and Greek letters stay as they are, as in the engine.
    """
    word = word.replace("ё", "е")
    if word.isascii():
        return word
    folded = []
    for character in unicodedata.normalize("NFC", word):
        if _is_latin(character):
            character = "".join(c for c in unicodedata.normalize("NFD", character) if not unicodedata.combining(c))
        folded.append(character)
    return "".join(folded).translate(UNDECOMPOSABLE)


def folded_stems(text: str, language_code: str) -> list[str]:
    """The stems of ``text``, folded: what the engine's folded sub-fields hold."""
    return [fold(stem(word, language_code)) for word in words(text)]
