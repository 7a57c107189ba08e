from django.utils.translation import gettext_lazy as _

from teilhabe.core.navigation import NavItem, register
from teilhabe.core.roles import Role

register(
    NavItem(
        _("Figures"),
        "reporting:centre-figures",
        frozenset({Role.LEADERSHIP, Role.COORDINATOR, Role.ADMINISTRATION}),
        700,
    )
)
register(NavItem(_("Statewide figures"), "reporting:statewide-figures", frozenset({Role.LAKI}), 60))
