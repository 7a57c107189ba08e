"""Finding the same person twice: names compared without accents, case and word order."""

from __future__ import annotations

import unicodedata

import cologne_phonetics
from rapidfuzz import fuzz

#: Similarity (0–100) from which two names count as possibly the same person.
NAME_THRESHOLD = 85
#: The longest name key (``Person.name_key``): a letter can code as two digits ("x" is "48").
NAME_KEY_LENGTH = 250


def normalise_name(name: str) -> str:
    """Return ``name`` lower-case, without accents and with single spaces (ß → ss)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.replace("-", " ").split())


def name_similarity(a: str, b: str) -> float:
    """Return how alike two normalised names are (0–100), ignoring word order."""
    return fuzz.token_sort_ratio(a, b)


def name_key(name: str) -> str:
    """Return how a normalised name sounds: the Kölner Phonetik of each word, sorted.

    Spellings of the same name (transliterations like "Mohammed"/"Muhammad", "Chalid"/"Khalid",
    "Haddad"/"Hadad") and first and last name swapped give the same key, so the duplicate check
    can look up its candidates by key instead of reading every similar-looking name. A name
    the phonetics cannot read (another script than the Latin one) is its own key. The key is
    cut after ``NAME_KEY_LENGTH`` characters, the same way for every name.
    """
    key = " ".join(sorted(code for _, code in cologne_phonetics.encode(name) if code)) or name
    return key[:NAME_KEY_LENGTH]
