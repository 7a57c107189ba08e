"""Finding the same person twice: names compared without accents, case and word order."""

from __future__ import annotations

import unicodedata

from rapidfuzz import fuzz

#: Similarity (0–100) from which two names count as possibly the same person.
NAME_THRESHOLD = 85


def normalise_name(name: str) -> str:
    """Return ``name`` lower-case, without accents and with single spaces (ß → ss)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.replace("-", " ").split())


def name_similarity(a: str, b: str) -> float:
    """Return how alike two normalised names are (0–100), ignoring word order."""
    return fuzz.token_sort_ratio(a, b)
