"""Per-language text analysis: the engine's analyzer and the database driver's Snowball stemmer."""

from __future__ import annotations

import re
from functools import lru_cache

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

WORD = re.compile(r"\w+", re.UNICODE)


def engine_analyzer(language_code: str) -> str:
    return ENGINE_ANALYZERS.get(language_code.split("-")[0], "standard")


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
