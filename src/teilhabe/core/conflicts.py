"""Lost updates: a save based on an older version of a record is refused, not applied."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class EditConflict(ValidationError):
    """Someone else saved the same record since the form was opened."""

    def __init__(self, current: Any) -> None:
        super().__init__(
            _(
                "Someone else changed this record while you were editing it. Their values are "
                "shown below next to yours: choose what to keep and save again."
            ),
            code="conflict",
        )
        self.current = current


def check_version(obj: Any, expected: int | None) -> None:
    """Raise :class:`EditConflict` unless ``obj`` still has the version the form was based on."""
    if expected is not None and obj.version != expected:
        raise EditConflict(obj)
