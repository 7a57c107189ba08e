"""Doppelstrukturen: offers that look alike for the same place and people.

Texts are compared by TF-IDF over character n-grams (robust to German inflection and
compounds, no stop-word list needed) with cosine similarity. Only offers that could really
compete are paired: same field of action, a Gemeinde in common, overlapping age ranges.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .models import Offer

#: Pairs scoring below this are not shown (0 … 1).
THRESHOLD = 0.45


@dataclass(frozen=True)
class Candidate:
    a: Offer
    b: Offer
    score: float


def _document(offer: Offer) -> str:
    text = offer.text("de")
    return f"{text.title} {text.title} {text.description}" if text else ""


def _towns(offer: Offer) -> set[int]:
    return {place.municipality_id for place in offer.locations.all()}


def _ages_overlap(a: Offer, b: Offer) -> bool:
    low = max(a.min_age or 0, b.min_age or 0)
    high = min(
        a.max_age if a.max_age is not None else 200, b.max_age if b.max_age is not None else 200
    )
    return low <= high


def find_candidates(offers: Iterable[Offer], *, threshold: float = THRESHOLD) -> list[Candidate]:
    """Return pairs of similar offers, most similar first (``offers`` with texts and places)."""
    # scikit-learn (with SciPy) takes a second and some 40 MB to import: only this page and
    # its command need it, not every process that loads the URLs.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    offers = [o for o in offers if _document(o)]
    if len(offers) < 2:
        return []
    vectors = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True
    ).fit_transform([_document(o).lower() for o in offers])
    scores = cosine_similarity(vectors, dense_output=False).tocoo()
    found = []
    for i, j, score in zip(scores.row, scores.col, scores.data, strict=True):
        if i >= j or score < threshold:
            continue
        a, b = offers[i], offers[j]
        if a.field_of_action != b.field_of_action or not (_towns(a) & _towns(b)):
            continue
        if not _ages_overlap(a, b):
            continue
        first, second = (a, b) if a.pk < b.pk else (b, a)
        found.append(Candidate(first, second, round(float(score), 3)))
    return sorted(found, key=lambda c: (-c.score, c.a.pk, c.b.pk))
