"""The Art. 15 DSGVO export of a pupil record: everything stored about the child."""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone, translation

from teilhabe.core.personal_data import history, serialise

from .models import Pupil

#: Version of the JSON layout, so a reader knows what it gets.
FORMAT = "teilhabe-art15-pupil/1"


def collect_pupil_data(pupil: Pupil) -> dict[str, Any]:
    """Return everything stored about ``pupil`` (Art. 15 DSGVO), in a fixed order."""
    # Country names in German whatever the reader's language: the same data, the same text.
    with translation.override("de"):
        guardians = list(pupil.guardians.order_by("pk"))
        counsellings = list(pupil.counsellings.order_by("pk"))
        letters = list(pupil.letters.order_by("pk"))
        items = list(pupil.proposal_items.select_related("proposal").order_by("pk"))
        return {
            "format": FORMAT,
            "exported": timezone.localtime().isoformat(),
            "pupil": serialise(pupil, skip={"siblings"}),
            "siblings": sorted(s.full_name for s in pupil.siblings.all()),
            "guardians": [serialise(g, skip={"pupil"}) for g in guardians],
            "counsellings": [serialise(c, skip={"pupil"}) for c in counsellings],
            "letters": [serialise(letter, skip={"pupil"}) for letter in letters],
            "proposal_items": [
                {
                    **serialise(item, skip={"pupil", "proposal"}),
                    "proposal": {
                        "id": item.proposal.pk,
                        "school_year": item.proposal.school_year,
                        "created": timezone.localtime(item.proposal.created).isoformat(),
                    },
                }
                for item in items
            ],
            "history": history([pupil, *guardians, *counsellings, *letters]),
        }


def pupil_data_json(pupil: Pupil) -> str:
    return json.dumps(collect_pupil_data(pupil), ensure_ascii=False, indent=2)
