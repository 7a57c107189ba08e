"""Navigation entries of the Seiteneinsteigerberatung."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from teilhabe.core.navigation import NavItem, register
from teilhabe.core.roles import Role

register(
    NavItem(
        _("Newcomer pupils"), "schooling:pupil-list", frozenset({Role.NEWCOMER_COUNSELLOR}), 130
    )
)
register(NavItem(_("Schools"), "schooling:school-list", frozenset({Role.NEWCOMER_COUNSELLOR}), 140))
